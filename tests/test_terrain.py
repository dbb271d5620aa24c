"""smvar.terrain: slope and aspect, D8 routing, accumulation and TWI on hand-made DEMs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smvar.synthetic._noise import Lattice, hash_uniform, key_of
from smvar.terrain import d8_receivers, flow_accumulation, slope_aspect, topographic_wetness_index


def _plane(dz_east: float, dz_north: float, n: int = 7, res: float = 100.0) -> np.ndarray:
    rows, cols = np.indices((n, n))
    return (cols * dz_east - rows * dz_north) * res  # rows run north to south


@pytest.mark.parametrize("dz_east, dz_north, aspect", [
    (0.0, -0.1, 0.0),     # falls to the north: faces north
    (-0.1, 0.0, 90.0),    # falls to the east
    (0.0, 0.1, 180.0),    # falls to the south
    (0.1, 0.0, 270.0),    # falls to the west
])
def test_slope_and_aspect_of_a_plane(dz_east, dz_north, aspect):
    slope, asp = slope_aspect(_plane(dz_east, dz_north), 100.0)
    np.testing.assert_allclose(slope, np.degrees(np.arctan(0.1)), rtol=1e-5)
    np.testing.assert_allclose(asp, aspect, atol=1e-4)


def test_flat_ground_has_aspect_minus_one():
    slope, aspect = slope_aspect(np.full((5, 5), 1000.0), 1000.0)
    assert (slope == 0).all() and (aspect == -1).all()


def test_d8_on_a_plane_tilted_north_accumulates_down_each_column():
    dem = _plane(0.0, -0.1, n=6)  # lowest row is the northern (first) row
    receiver, tan_slope = d8_receivers(dem, 100.0)
    acc = flow_accumulation(receiver).reshape(dem.shape)
    expected = np.arange(6, 0, -1)[:, None] * np.ones((1, 6))
    np.testing.assert_array_equal(acc, expected)
    assert (receiver.reshape(dem.shape)[0] == -1).all()  # leaves the grid
    np.testing.assert_allclose(tan_slope.reshape(dem.shape)[1:], 0.1)


def test_d8_in_a_v_valley_collects_everything_in_the_thalweg():
    rows, cols = np.indices((5, 5))
    dem = np.abs(cols - 2) * 10.0 + rows * 1.0  # valley along column 2, falling north
    acc = flow_accumulation(d8_receivers(dem, 100.0)[0]).reshape(dem.shape)
    assert acc[0, 2] == dem.size
    twi = topographic_wetness_index(dem, 100.0)
    assert twi[:, 2].mean() > twi[:, [0, 4]].mean()


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**31))
def test_flow_accumulation_conserves_cells(seed):
    rng = np.random.default_rng(seed)
    dem = rng.normal(size=(12, 9)).cumsum(axis=0)
    receiver, _ = d8_receivers(dem, 30.0)
    acc = flow_accumulation(receiver)
    outlets = receiver < 0
    assert acc.min() >= 1
    assert acc[outlets].sum() == pytest.approx(dem.size)


def test_lattice_noise_is_keyed_by_location_not_by_grid():
    u = np.linspace(0, 50, 11)
    v = np.zeros_like(u)
    whole = Lattice(u, v, 7.0).field(key_of(1, 2))
    part = Lattice(u[4:], v[4:], 7.0).field(key_of(1, 2))
    np.testing.assert_array_equal(whole[4:], part)
    a = hash_uniform(np.arange(1000), np.zeros(1000), 5)
    assert 0 <= a.min() and a.max() < 1 and abs(a.mean() - 0.5) < 0.05
