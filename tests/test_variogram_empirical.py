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


@pytest.mark.parametrize("closed", ["left", "right"])
def test_point_variogram_equals_brute_force_and_is_chunk_independent(closed, monkeypatch):
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 5000, size=(300, 2)).round(-2)  # rounded: ties on edges
    xy = np.unique(xy, axis=0)
    z = rng.normal(size=len(xy))
    edges = lag_bin_edges(3000.0, 12)
    n, g, lag = brute_force(xy, z, edges, closed)
    whole = empirical_variogram(xy, z, edges, closed=closed)
    monkeypatch.setattr(empirical, "_PAIR_BLOCK", 500)  # force many small row blocks
    chunked = empirical_variogram(xy, z, edges, closed=closed)
    for res in (whole, chunked):
        np.testing.assert_array_equal(res.n_pairs, n)
        np.testing.assert_allclose(res.gamma, g, rtol=1e-12)
        np.testing.assert_allclose(res.lag_mean, lag, rtol=1e-12)


def test_meuse_bins_equal_gstat_default_variogram():
    ref = _reference_dir()
    meuse = pd.read_csv(ref / "data" / "meuse.csv")
    gstat = pd.read_csv(ref / "data" / "meuse_logzinc_bins_gstat.csv")
    xy = meuse[["x", "y"]].to_numpy(float)
    edges = gstat_default_edges(xy)
    assert edges[-1] == pytest.approx(1596.62261595462, rel=1e-12)
    res = empirical_variogram(xy, meuse["logzinc"].to_numpy(), edges, closed="right")
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
    ],
)
def test_bad_input_raises_clear_error(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
