"""Benchmark of smvar.variogram and smvar.stats on a default-basin-sized grid.

Prints timings (no assertions):

1. the exact full-grid semivariogram (FFT, Marcotte 1996) of one month of a
   560 x 420 grid of 1 km cells with about 60 % of the cells masked
   (target: under 1 s);
2. all 12 months of statistics, normality, semivariograms, model fits
   (Table 3) and temporal stability (target: under 20 s).

The field is synthetic: a seeded Gaussian random field with a Gaussian-shaped
covariance (made by FFT filtering of white noise), one per month, inside an
elliptical "basin" mask. Run with ``python benchmarks/bench_variogram.py``.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from smvar import stats
from smvar.variogram import grid_variogram, lag_bin_edges, table3

NY, NX, CELL_M = 560, 420, 1000.0
EDGES = lag_bin_edges(264_000.0, 24)  # 11 km lags to 264 km, like the paper's last lag


def correlated_field(rng: np.random.Generator, scale_cells: float) -> np.ndarray:
    """Zero-mean, unit-variance field with a Gaussian-shaped spectrum."""
    ky = np.fft.fftfreq(NY)[:, None]
    kx = np.fft.rfftfreq(NX)[None, :]
    filt = np.exp(-((np.pi * scale_cells) ** 2) * (kx**2 + ky**2))
    f = np.fft.irfft2(np.fft.rfft2(rng.normal(size=(NY, NX))) * filt, s=(NY, NX))
    return (f - f.mean()) / f.std()


def basin_mask() -> np.ndarray:
    """An ellipse covering about 40 % of the grid (about 60 % masked)."""
    y, x = np.mgrid[0:NY, 0:NX]
    return ((y - NY / 2) / (0.42 * NY)) ** 2 + ((x - NX / 2) / (0.30 * NX)) ** 2 <= 1.0


def monthly_cube(seed: int = 0) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    months = np.arange(1, 13)
    amp = 0.02 + 0.03 * np.sin(np.pi * (months - 1) / 11)  # wetter and more variable in summer
    base = correlated_field(rng, 60.0)
    data = np.stack([0.12 + a * (0.7 * base + 0.3 * correlated_field(rng, 20.0)) for a in amp])
    coords = {"month": months, "y": np.arange(NY) * -CELL_M, "x": np.arange(NX) * CELL_M}
    return xr.DataArray(data, dims=("month", "y", "x"), coords=coords, attrs={"units": "m3 m-3"})


def _timed(label: str, func):
    t0 = time.perf_counter()
    out = func()
    dt = time.perf_counter() - t0
    print(f"{label:<58s} {dt:8.3f} s")
    return out, dt


def main() -> None:
    sm = monthly_cube()
    mask = basin_mask()
    mask_da = xr.DataArray(mask, dims=("y", "x"))
    reach = np.where(np.arange(NY)[:, None] > NY * 0.6, 1, np.where(np.arange(NY)[:, None] > NY * 0.3, 2, 3))
    reach = np.broadcast_to(reach, (NY, NX))
    print(f"grid {NY} x {NX} cells of {CELL_M:.0f} m, {100 * (1 - mask.mean()):.0f} % masked, "
          f"{int(mask.sum())} valid cells, {EDGES.size - 1} lag bins to {EDGES[-1] / 1000:.0f} km")
    field = sm.isel(month=0).values
    grid_variogram(field, CELL_M, EDGES, mask=mask)  # warm-up (imports, FFT plans)
    res, _ = _timed("1. exact full-grid semivariogram, one month", lambda: grid_variogram(field, CELL_M, EDGES, mask=mask))
    print(f"   pairs counted: {int(res.n_pairs.sum()):,}")

    def everything():
        out = {}
        out["statistics"], _ = _timed("   monthly statistics (Fig. 4)", lambda: stats.monthly_statistics(sm, mask_da))
        out["normality"], _ = _timed("   IQR/SD, QQ data, formal tests", lambda: (
            stats.iqr_sd_ratio(sm, mask_da), stats.qq_data(sm, mask_da), stats.normality_table(sm, mask_da)))
        vario, _ = _timed("   12 exact full-grid semivariograms", lambda: {
            int(m): grid_variogram(sm.sel(month=m).values, CELL_M, EDGES, mask=mask) for m in sm.month.values})
        out["table3"], _ = _timed("   fits of 4 models x 12 months (Table 3)", lambda: table3(vario, all_models=True))
        out["stability"], _ = _timed("   temporal stability (Eq. 6), by reach, MRD, Spearman", lambda: (
            stats.stability_by_reach(stats.temporal_stability(sm, mask_da)["sd"], reach, mask),
            stats.mean_relative_difference(sm, mask_da), stats.spearman_between_months(sm, mask_da)))
        return out

    out, _ = _timed("2. 12 months: stats, normality, variograms, fits, stability", everything)
    best = out["table3"][out["table3"]["best"]]
    print(best[["month", "model", "nugget_c0", "sill_c0_plus_c", "structured_share", "range_m", "r2"]]
          .to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
