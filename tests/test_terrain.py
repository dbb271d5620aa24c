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


def test_flow_distance_along_a_line_of_cells_by_hand():
    from smvar.terrain import flow_distance

    # five cells in a row draining east, the last one the outlet; one diagonal step
    receiver = np.array([1, 2, 3, 4, -1])
    np.testing.assert_allclose(flow_distance(receiver, (1, 5), 1000.0), [4000, 3000, 2000, 1000, 0])
    diagonal = np.array([3, -1, -1, -1])  # (0, 0) -> (1, 1) on a 2 x 2 grid
    assert flow_distance(diagonal, (2, 2), 1000.0)[0] == pytest.approx(1000 * np.sqrt(2))


def test_reaches_are_thirds_of_the_longest_flow_path_and_zero_outside():
    from smvar.terrain import reaches_from_dem

    dem = np.tile(np.arange(30, 0, -1, dtype=float), (5, 1))  # falls to the east
    mask = np.ones(dem.shape, dtype=bool)
    mask[:, :3] = False
    reach = reaches_from_dem(dem, mask, 1000.0)
    assert (reach[:, :3] == 0).all()
    row = reach[2, 3:]  # 27 cells: distance 26 ... 0 km from the outlet at the east end
    assert list(row[:8]) == [1] * 8 and list(row[-9:]) == [3] * 9 and set(row) == {1, 2, 3}


def test_a_pit_inside_the_basin_is_filled_so_every_cell_reaches_the_outlet():
    from smvar.terrain import flow_distance, outlet_receivers

    dem = np.tile(np.arange(10, 0, -1, dtype=float), (4, 1))
    dem[1, 4] = -5.0  # a deep pit that is not the outlet
    dem[2, 9] = -10.0  # the outlet: the lowest cell
    receiver, outlet = outlet_receivers(dem, np.ones(dem.shape, dtype=bool), 1000.0)
    assert outlet == 2 * 10 + 9
    terminal = np.arange(receiver.size)
    for _ in range(64):
        terminal = np.where(receiver[terminal] >= 0, receiver[terminal], terminal)
    assert (terminal == outlet).all()
    assert np.isfinite(flow_distance(receiver, dem.shape, 1000.0)).all()
