"""Tests of smvar.variogram.empirical: Eq. 5 on points and, by FFT, on grids."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import pdist

from smvar.variogram import empirical
from smvar.variogram.empirical import empirical_variogram, grid_variogram, gstat_default_edges, lag_bin_edges


def _reference_dir() -> Path:
    base = Path(os.environ["SMVAR_SHARED"]) if os.environ.get("SMVAR_SHARED") else Path(__file__).resolve().parents[2] / "shared"
    ref = base / "reference" / "variogram"
    if not ref.is_dir():
        pytest.skip(f"peer reference data not found at {ref}; set SMVAR_SHARED to the shared folder")
    return ref


def brute_force(xy, z, edges, closed):
    """Independent double sum over all pairs (scipy pdist), bin by bin."""
    d = pdist(xy)
    sq = pdist(z[:, None], metric="sqeuclidean")
    n, g, lag = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:]):  # loop over bins
        sel = (d >= lo) & (d < hi) if closed == "left" else (d > lo) & (d <= hi)
        sel &= d > 0
        n.append(sel.sum())
        g.append(sq[sel].sum() / (2 * sel.sum()) if sel.any() else np.nan)
        lag.append(d[sel].mean() if sel.any() else np.nan)
    return np.array(n), np.array(g), np.array(lag)


def _grid_case(seed, ny, nx, frac_masked):
    rng = np.random.default_rng(seed)
    z = rng.normal(0.12, 0.03, size=(ny, nx))
    mask = rng.random((ny, nx)) >= frac_masked
    z[rng.random((ny, nx)) < 0.05] = np.nan  # some missing cells too
    return z, mask


def _cell_points(z, mask, cell):
    yy, xx = np.mgrid[0 : z.shape[0], 0 : z.shape[1]]
    ok = mask & np.isfinite(z)
    return np.c_[xx[ok] * cell[1], yy[ok] * cell[0]], z[ok]


@pytest.mark.parametrize("closed", ["left", "right"])
@pytest.mark.parametrize("cell", [(1000.0, 1000.0), (3.0, 2.0)])
def test_fft_grid_variogram_equals_brute_force_on_masked_grid(closed, cell):
    z, mask = _grid_case(1, 17, 23, 0.4)
    # edges on lattice distances: many pairs sit exactly on an edge
    edges = np.array([0.0, 1, 2, 3, 5, 8, 13, 21]) * min(cell)
    res = grid_variogram(z, cell, edges, mask=mask, closed=closed)
    n, g, lag = brute_force(*_cell_points(z, mask, cell), edges, closed)
    np.testing.assert_array_equal(res.n_pairs, n)
    np.testing.assert_allclose(res.gamma, g, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.lag_mean, lag, rtol=1e-12)


def test_bin_conventions_differ_on_a_lattice():
    z, mask = _grid_case(2, 12, 12, 0.0)
    edges = np.array([0.0, 1.0, 2.0, 3.0])
    left = grid_variogram(z, 1.0, edges, mask=mask, closed="left")
    right = grid_variogram(z, 1.0, edges, mask=mask, closed="right")
    # [1, 2) holds distances 1 and sqrt(2); (1, 2] holds sqrt(2) and 2
    assert left.n_pairs[0] == 0 and right.n_pairs[0] > 0
    assert not np.array_equal(left.n_pairs, right.n_pairs)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    ny=st.integers(2, 12),
    nx=st.integers(2, 12),
    frac=st.floats(0.0, 0.8),
    closed=st.sampled_from(["left", "right"]),
)
def test_fft_equals_brute_force_for_random_grids(seed, ny, nx, frac, closed):
    z, mask = _grid_case(seed, ny, nx, frac)
    edges = np.array([0.0, 1.0, 1.5, 2.0, 2.9, 4.0, 6.0])
    res = grid_variogram(z, 1.0, edges, mask=mask, closed=closed)
    xy, v = _cell_points(z, mask, (1.0, 1.0))
    if v.size < 2:
        assert res.n_pairs.sum() == 0
        return
    n, g, _ = brute_force(xy, v, edges, closed)
    np.testing.assert_array_equal(res.n_pairs, n)
    np.testing.assert_allclose(res.gamma, g, rtol=0, atol=1e-10)


def test_semivariogram_is_unchanged_by_adding_a_constant():
    z, mask = _grid_case(3, 20, 20, 0.3)
    edges = lag_bin_edges(10.0, 5)
    a = grid_variogram(z, 1.0, edges, mask=mask)
    b = grid_variogram(z + 1000.0, 1.0, edges, mask=mask)
    np.testing.assert_allclose(a.gamma, b.gamma, rtol=1e-9)


def _assert_same_bins(res, n, g, lag):
    np.testing.assert_array_equal(res.n_pairs, n)
    np.testing.assert_allclose(res.gamma, g, rtol=1e-12)
    np.testing.assert_allclose(res.lag_mean, lag, rtol=1e-12)


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
@pytest.mark.parametrize("closed", ["left", "right"])
def test_point_variogram_equals_brute_force_and_is_chunk_independent(closed, engine, monkeypatch):
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 5000, size=(300, 2)).round(-2)  # rounded: ties on edges
    xy = np.unique(xy, axis=0)
    z = rng.normal(size=len(xy))
    edges = lag_bin_edges(3000.0, 12)
    n, g, lag = brute_force(xy, z, edges, closed)
    whole = empirical_variogram(xy, z, edges, closed=closed, engine=engine)
    # many small pieces of work on two threads, thin bands
    monkeypatch.setattr(empirical, "_PAIR_BLOCK", 500)
    monkeypatch.setattr(empirical, "_MIN_POINTS_THREADED", 0)
    monkeypatch.setattr(empirical, "_TASKS_PER_THREAD", 40)
    monkeypatch.setattr(empirical, "_BANDS_PER_LAG", 31)
    chunked = empirical_variogram(xy, z, edges, closed=closed, engine=engine, n_threads=2)
    for res in (whole, chunked):
        _assert_same_bins(res, n, g, lag)
    assert whole.meta["engine"] == engine


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 120),
    closed=st.sampled_from(["left", "right"]),
    lattice=st.booleans(),
    uneven=st.booleans(),
)
def test_compiled_sweep_equals_brute_force_for_random_point_sets(seed, n, closed, lattice, uneven):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-2000, 9000, size=(n, 2)) * rng.uniform(0.01, 1.0, size=2)  # some thin layouts
    if lattice:
        xy = np.unique(xy.round(-2), axis=0)
    z = rng.normal(3.0, 2.0, size=len(xy))
    top = float(rng.uniform(500, 12_000))
    edges = np.sort(rng.uniform(0, top, size=6)) if uneven else lag_bin_edges(top, int(rng.integers(1, 15)))
    edges = np.unique(np.r_[edges, top]) if uneven else edges
    if lattice and not uneven:
        edges = np.unique(np.r_[0.0, np.arange(1, 120) * 100.0][: int(rng.integers(2, 30))])
    res = empirical_variogram(xy, z, edges, closed=closed, n_threads=2)
    n_ref, g_ref, lag_ref = brute_force(xy, z, edges, closed)
    np.testing.assert_array_equal(res.n_pairs, n_ref)
    np.testing.assert_allclose(res.gamma, g_ref, rtol=1e-12)
    np.testing.assert_allclose(res.lag_mean, lag_ref, rtol=1e-12)


@pytest.mark.parametrize("n_bins", [3, 20, 150])
def test_few_or_many_bins_per_block_give_the_brute_force_bins(n_bins):
    # a block of candidates spans one bin, a few (one vectorised pass each) or many (pair by pair)
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 30_000, size=(700, 2))
    z = rng.gamma(2.0, 0.05, size=700)
    edges = lag_bin_edges(25_000.0, n_bins)
    for closed in ("left", "right"):
        _assert_same_bins(empirical_variogram(xy, z, edges, closed=closed), *brute_force(xy, z, edges, closed))


def test_point_variogram_keeps_exactness_for_a_large_offset_and_small_spread():
    # values near 1e6 that differ by about 1e-3: squared differences are formed directly, not as z^2 sums
    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 10_000, size=(400, 2))
    z = 1e6 + 1e-3 * rng.normal(size=400)
    edges = lag_bin_edges(8000.0, 8)
    _assert_same_bins(empirical_variogram(xy, z, edges), *brute_force(xy, z, edges, "left"))


def test_points_with_nan_or_infinite_coordinates_or_values_are_dropped():
    rng = np.random.default_rng(9)
    xy = rng.uniform(0, 1000, size=(60, 2))
    z = rng.normal(size=60)
    xy[3, 0], xy[7, 1], z[11], z[12] = np.nan, np.inf, np.nan, -np.inf
    keep = np.ones(60, bool)
    keep[[3, 7, 11, 12]] = False
    edges = lag_bin_edges(900.0, 6)
    res = empirical_variogram(xy, z, edges)
    assert res.n_values == 56
    _assert_same_bins(res, *brute_force(xy[keep], z[keep], edges, "left"))


def test_pairs_beyond_the_last_edge_or_below_the_first_are_not_counted():
    xy = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 10.0], [100.0, 0.0]])
    z = np.array([1.0, 2.0, 4.0, 8.0])
    res = empirical_variogram(xy, z, [4.0, 5.0, 10.0], closed="right")
    # distances: 5 (bin 1), 10 (bin 2, closed right), sqrt(9+36) (bin 2), 100 and more: none
    np.testing.assert_array_equal(res.n_pairs, [1, 2])
    np.testing.assert_allclose(res.gamma, [0.5, (9.0 + 4.0) / 4.0], rtol=1e-15)


def _brute_force_direction(xy, z, edges, closed, alpha, tol):
    """Brute force with the pair's azimuth from arctan2 (an independent formula), degrees."""
    i, j = np.triu_indices(len(xy), k=1)
    dx, dy = xy[j, 0] - xy[i, 0], xy[j, 1] - xy[i, 1]
    azimuth = np.degrees(np.arctan2(dx, dy)) % 180.0  # clockwise from north, either way
    off = np.abs(azimuth - alpha % 180.0)
    keep = np.minimum(off, 180.0 - off) <= tol
    d = np.sqrt(dx**2 + dy**2)[keep]
    sq = ((z[j] - z[i]) ** 2)[keep]
    n, g, lag = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:]):  # loop over bins
        sel = ((d >= lo) & (d < hi) if closed == "left" else (d > lo) & (d <= hi)) & (d > 0)
        n.append(sel.sum())
        g.append(sq[sel].sum() / (2 * sel.sum()) if sel.any() else np.nan)
        lag.append(d[sel].mean() if sel.any() else np.nan)
    return np.array(n), np.array(g), np.array(lag)


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
@pytest.mark.parametrize("alpha, tol", [(0.0, 22.5), (45.0, 22.5), (90.0, 10.0), (135.0, 45.0), (300.0, 30.0)])
def test_directional_variogram_equals_brute_force(alpha, tol, engine):
    rng = np.random.default_rng(10)
    xy = rng.uniform(0, 20_000, size=(500, 2)) * [1.0, 0.6]
    z = np.sin(xy[:, 0] / 3000.0) + 0.2 * rng.normal(size=500)
    edges = lag_bin_edges(12_000.0, 10)
    res = empirical_variogram(xy, z, edges, closed="right", direction_deg=alpha, tolerance_deg=tol, engine=engine)
    _assert_same_bins(res, *_brute_force_direction(xy, z, edges, "right", alpha, tol))
    assert res.meta["direction_deg"] == alpha and res.meta["tolerance_deg"] == tol


def test_direction_tolerance_of_90_degrees_or_more_keeps_every_pair():
    rng = np.random.default_rng(11)
    xy = rng.uniform(0, 1000, size=(80, 2))
    z = rng.normal(size=80)
    edges = lag_bin_edges(800.0, 5)
    omni = empirical_variogram(xy, z, edges)
    wide = empirical_variogram(xy, z, edges, direction_deg=30.0, tolerance_deg=90.0)
    np.testing.assert_array_equal(wide.n_pairs, omni.n_pairs)
    np.testing.assert_array_equal(wide.gamma, omni.gamma)


def test_opposite_directions_give_the_same_pairs_and_quadrant_windows_split_them():
    # pairs are unordered: alpha and alpha + 180 select the same pairs; four windows of
    # +-22.5 degrees around 0, 45, 90 and 135 hold every pair once (no pair at a boundary here)
    rng = np.random.default_rng(12)
    xy = rng.uniform(0, 5000, size=(300, 2))
    z = rng.normal(size=300)
    edges = lag_bin_edges(4000.0, 8)
    north = empirical_variogram(xy, z, edges, direction_deg=0.0, tolerance_deg=22.5)
    south = empirical_variogram(xy, z, edges, direction_deg=180.0, tolerance_deg=22.5)
    np.testing.assert_array_equal(north.n_pairs, south.n_pairs)
    np.testing.assert_allclose(north.gamma, south.gamma, rtol=1e-15)
    parts = [empirical_variogram(xy, z, edges, direction_deg=a, tolerance_deg=22.5) for a in (0.0, 45.0, 90.0, 135.0)]
    omni = empirical_variogram(xy, z, edges)
    np.testing.assert_array_equal(sum(p.n_pairs for p in parts), omni.n_pairs)
    np.testing.assert_allclose(sum(p.gamma * p.n_pairs for p in parts), omni.gamma * omni.n_pairs, rtol=1e-12)


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_meuse_bins_equal_gstat_default_variogram(engine):
    ref = _reference_dir()
    meuse = pd.read_csv(ref / "data" / "meuse.csv")
    gstat = pd.read_csv(ref / "data" / "meuse_logzinc_bins_gstat.csv")
    xy = meuse[["x", "y"]].to_numpy(float)
    edges = gstat_default_edges(xy)
    assert edges[-1] == pytest.approx(1596.62261595462, rel=1e-12)
    res = empirical_variogram(xy, meuse["logzinc"].to_numpy(), edges, closed="right", engine=engine)
    np.testing.assert_array_equal(res.n_pairs, gstat["np"])
    np.testing.assert_allclose(res.gamma, gstat["gamma"], rtol=1e-12)
    np.testing.assert_allclose(res.lag_mean, gstat["dist"], rtol=1e-12)


def test_to_frame_has_one_row_per_bin():
    z, mask = _grid_case(5, 8, 8, 0.2)
    frame = grid_variogram(z, 1.0, lag_bin_edges(4.0, 4), mask=mask).to_frame()
    assert list(frame.columns) == ["bin_lo_m", "bin_hi_m", "lag_mean_m", "gamma", "n_pairs"]
    assert len(frame) == 4


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: grid_variogram(np.zeros((3, 3)), 1.0, [0, 1], closed="both"), "closed must be"),
        (lambda: grid_variogram(np.zeros((3, 3)), 1.0, [0, 2, 1]), "strictly increasing"),
        (lambda: grid_variogram(np.zeros((3, 3)), 1.0, [0, 1], mask=np.ones((2, 2))), "mask has shape"),
        (lambda: grid_variogram(np.zeros(3), 1.0, [0, 1]), "must be 2-D"),
        (lambda: empirical_variogram(np.zeros((3, 3)), np.zeros(3), [0, 1]), "shape (n, 2)"),
        (lambda: empirical_variogram(np.zeros((3, 2)), np.zeros(4), [0, 1]), "one value per point"),
        (lambda: lag_bin_edges(-1.0, 3), "max_lag_m must be a positive"),
        (lambda: empirical_variogram(np.zeros((3, 2)), np.zeros(3), [0, 1], direction_deg=0, tolerance_deg=-5),
         "tolerance_deg must be"),
        (lambda: empirical_variogram(np.zeros((3, 2)), np.zeros(3), [0, 1], n_threads=0), "n_threads must be"),
        (lambda: empirical_variogram(np.zeros((3, 2)), np.zeros(3), [0, 1], engine="gpu"), "engine must be"),
    ],
)
def test_bad_input_raises_clear_error(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
