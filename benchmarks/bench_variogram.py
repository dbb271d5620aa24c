"""Benchmark of smvar.variogram: scattered points beside gstat, and the full grid.

Usage: .venv/bin/python benchmarks/bench_variogram.py [--sizes 2000,20000,200000] [--repeat 1] [--grid]

Points (the side-by-side job of ../shared/reference/side_by_side_2026-12-01.csv):
N distinct random cells of a correlated field over 500 km x 300 km (a grid of
500 m cells), 20 bins of 10 km to 200 km, closed on the right as gstat, and the
four models fitted with gstat's N_j/h_j^2 weights. Printed per size (the median
of ``--repeat`` runs):

- in process: ``empirical_variogram`` + ``fit_all_models`` on arrays already in
  memory (the compiled kernel already loaded), with the peak RSS of the process;
- whole process: ``smvar variogram points.csv ...`` in a subprocess as a user
  types it (start-up, loading the compiled kernel, reading the CSV, fits,
  printing), with its peak RSS;
- the CPU time of each (both threads counted), which shows the work done
  when other jobs share the cores;
- the start-up of ``smvar variogram --help``;
- beside them, gstat's ``variogram`` + ``fit.variogram`` times read at run time
  from the side-by-side file (measured on 2026-12-01 on a 2-core machine of this
  kind), as ratios gstat / smvar. The load average is printed: the times scale
  with what else shares the cores.

With ``--grid``, also (no assertions):

1. the exact full-grid semivariogram (FFT, Marcotte 1996) of one month of a
   560 x 420 grid of 1 km cells with about 60 % of the cells masked
   (target: under 1 s);
2. all 12 months of statistics, normality, semivariograms, model fits
   (Table 3) and temporal stability (target: under 20 s).

The grid field is synthetic: a seeded Gaussian random field with a Gaussian-shaped
covariance (made by FFT filtering of white noise), one per month, inside an
elliptical "basin" mask.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tree_memory import PeakRSS  # noqa: E402

from smvar.variogram import fit_all_models, grid_variogram, lag_bin_edges, table3  # noqa: E402
from smvar.variogram.empirical import empirical_variogram  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SIDE_BY_SIDE = Path(os.environ.get("SMVAR_SHARED", REPO.parent / "shared")) / "reference" / \
    "side_by_side_2026-12-01.csv"
SMVAR = Path(sys.executable).with_name("smvar")

# the side-by-side job: 500 km x 300 km, 20 bins of 10 km to 200 km
PTS_NY, PTS_NX, PTS_CELL_M = 600, 1000, 500.0
PTS_EDGES = lag_bin_edges(200_000.0, 20)
PTS_FLAGS = ["--bins", "20", "--max-lag", "200000", "--closed", "right", "--weights", "npairs_h2"]

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


def monthly_cube(seed: int = 0):
    import xarray as xr

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


def gstat_times(path: Path = SIDE_BY_SIDE) -> dict[int, dict[str, float]]:
    """gstat's medians per number of points from the side-by-side file: in-process and whole-process s, MB."""
    if not path.is_file():
        return {}
    out = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("job") == "vario" and row.get("tool") == "gstat" and row.get("status") == "ok":
                out[int(row["N"])] = {"inproc": float(row["inproc_median"]), "whole": float(row["wall_median"]),
                                      "rss_mb": float(row["maxrss_MB_max"])}
    return out


def point_sample(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` distinct random cells of a correlated field on a 600 x 1000 grid of 500 m cells."""
    rng = np.random.default_rng(seed)
    ky = np.fft.fftfreq(PTS_NY)[:, None]
    kx = np.fft.rfftfreq(PTS_NX)[None, :]
    filt = np.exp(-((np.pi * 60.0) ** 2) * (kx**2 + ky**2))  # about 30 km correlation
    f = np.fft.irfft2(np.fft.rfft2(rng.normal(size=(PTS_NY, PTS_NX))) * filt, s=(PTS_NY, PTS_NX))
    f = 0.15 + 0.04 * (f - f.mean()) / f.std() + 0.005 * rng.normal(size=f.shape)
    cells = rng.choice(PTS_NY * PTS_NX, size=n, replace=False)
    row, col = np.divmod(cells, PTS_NX)
    return np.c_[col * PTS_CELL_M, row * PTS_CELL_M], f.ravel()[cells]


def _inproc(xy: np.ndarray, z: np.ndarray) -> tuple[float, int, int, float]:
    """Wall time, peak RSS (bytes), pairs counted and CPU time of the process (s) for one run."""
    with PeakRSS(0.05) as rss:
        c0, t0 = time.process_time(), time.perf_counter()
        res = empirical_variogram(xy, z, PTS_EDGES, closed="right")
        fit_all_models(res, weights="npairs_h2")
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return dt, rss.peak, int(res.n_pairs.sum()), cpu


def _whole(csv_path: Path) -> tuple[float, int, float]:
    """Wall time of ``smvar variogram`` in a subprocess, its peak RSS (bytes) and CPU time (s), from wait4."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([str(SMVAR), "variogram", str(csv_path), "--x", "x", "--y", "y", "--value", "sm",
                                 *PTS_FLAGS], stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"smvar variogram failed: {err.read().decode().strip()}")
    return dt, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss in kilobytes on Linux


def bench_points(sizes: list[int], repeat: int) -> None:
    gstat = gstat_times()
    print(f"scattered points: 500 km x 300 km, {PTS_EDGES.size - 1} bins of 10 km to 200 km, (lo, hi], "
          "4 models with N/h^2 weights; load average at start "
          + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    if gstat:
        print(f"gstat figures: {SIDE_BY_SIDE.name}, measured on 2026-12-01 on a 2-core machine of this kind")
    else:
        print(f"gstat figures: {SIDE_BY_SIDE} not found (set SMVAR_SHARED); ratios left out")
    starts = []
    for _ in range(3):  # start-up of the command alone
        t0 = time.perf_counter()
        subprocess.run([str(SMVAR), "variogram", "--help"], capture_output=True, check=True)
        starts.append(time.perf_counter() - t0)
    print(f"smvar variogram --help: {statistics.median(starts):.3f} s (median of 3; target under 0.3 s)")
    empirical_variogram(*point_sample(100), PTS_EDGES)  # load the compiled kernel once
    header = (f"{'points':>8} {'pairs <= 200 km':>16} | {'in-process s':>12} {'cpu s':>7} {'peak MB':>8} | "
              f"{'whole s':>8} {'cpu s':>7} {'peak MB':>8} | {'gstat in s':>10} {'gstat whole s':>13} | "
              f"{'gstat/smvar in':>14} {'gstat/smvar whole':>17}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:  # loop over sizes
            xy, z = point_sample(n)
            path = Path(tmp) / f"points_{n}.csv"
            np.savetxt(path, np.c_[xy, z], delimiter=",", header="x,y,sm", comments="", fmt=["%.1f", "%.1f", "%.17g"])
            runs = [_inproc(xy, z) for _ in range(repeat)]
            whole = [_whole(path) for _ in range(repeat)]
            t_in = statistics.median(r[0] for r in runs)
            t_whole = statistics.median(w[0] for w in whole)
            mb_in = max(r[1] for r in runs) / 2**20
            mb_whole = max(w[1] for w in whole) / 2**20
            cpu_in = statistics.median(r[3] for r in runs)
            cpu_whole = statistics.median(w[2] for w in whole)
            g = gstat.get(n)
            g_text = f"{g['inproc']:10.3f} {g['whole']:13.3f} | {g['inproc'] / t_in:13.1f}x {g['whole'] / t_whole:16.1f}x" \
                if g else f"{'not measured':>24} | {'':>14} {'':>17}"
            print(f"{n:8d} {runs[0][2]:16,d} | {t_in:12.3f} {cpu_in:7.2f} {mb_in:8.0f} | {t_whole:8.3f} {cpu_whole:7.2f} "
                  f"{mb_whole:8.0f} | {g_text}", flush=True)
    print("ratios > 1: smvar is that many times faster than gstat was on 2026-12-01 (same job, same kind of machine); "
          "cpu s: CPU time of the process (both threads), which shows the work when other jobs share the cores; "
          "load average at the end " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


def bench_grid() -> None:
    sm = monthly_cube()
    mask = basin_mask()
    import xarray as xr

    from smvar import stats

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000,200000", help="numbers of points, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (the median is printed)")
    parser.add_argument("--grid", action="store_true", help="also the full-grid and 12-month benchmark")
    args = parser.parse_args(argv)
    bench_points([int(v) for v in args.sizes.split(",") if v], max(1, args.repeat))
    if args.grid:
        bench_grid()


if __name__ == "__main__":
    main()
