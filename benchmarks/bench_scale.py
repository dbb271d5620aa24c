"""Benchmark of the whole synthetic pipeline at two sizes (issue 9).

Runs, in a fresh run folder, the steps of ``smvar.pipeline.Run`` that the
book's chapters use: the synthetic inputs (streamed to Zarr), the downscaling
and monthly means, the driving factors, the monthly statistics, the
semivariograms (systematic sample and full grid) with Table 3, the temporal
stability and the geographical detectors on the systematic sample. All of it
runs on a local dask cluster (the parameter file's ``compute`` section, or
``--workers`` / ``--memory-limit``).

Prints, per basin file: the wall time of each step and in total, the time per
cell-day (grid cells x days) and per basin-pixel-day, and the peak memory of
the whole process tree (this process, the scheduler and the workers: the sum
of their resident set sizes, sampled every 0.2 s with psutil).

Usage::

    .venv/bin/python benchmarks/bench_scale.py [BASIN.yaml ...] [--workers 2] [--memory-limit 2.5GB]

Default: data/basins/heihe.yaml and benchmarks/basins/region_10x.yaml (about
ten times the basin's area). Targets of issue 9 at ten times the area: peak
memory under 6 GB, time per cell-day within 1.5 times the default basin's.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import psutil
from tree_memory import PeakRSS

REPO = Path(__file__).resolve().parents[1]
DEFAULTS = [REPO / "data" / "basins" / "heihe.yaml", REPO / "benchmarks" / "basins" / "region_10x.yaml"]


def run_basin(basin: Path, workers: int | None, memory_limit: str | None) -> dict:
    from smvar.compute import close_shared_executor
    from smvar.pipeline import Run

    with tempfile.TemporaryDirectory(prefix="smvar-bench-") as folder:
        run = Run(basin, folder)
        updates = {k: v for k, v in {"workers": workers, "memory_limit": memory_limit}.items() if v}
        if updates:
            run.config = run.config.model_copy(
                update={"compute": run.config.compute.model_copy(update=updates)})
        steps = [("inputs (synthetic twin)", run.inputs_folder),
                 ("downscaling + monthly means", run.downscaled),
                 ("driving factors", run.factors),
                 ("monthly statistics", run.monthly_statistics),
                 ("semivariograms + Table 3", run.table3),
                 ("full-grid semivariograms", lambda: run.semivariograms(full_grid=True)),
                 ("temporal stability", run.stability),
                 ("detectors on the sample", run.detectors)]
        times = {}
        with PeakRSS() as memory:
            _ = run.executor  # start the cluster before the clock, as `smvar run` does
            for name, step in steps:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    step()
                times[name] = time.perf_counter() - start
                print(f"  {name:<30} {times[name]:8.1f} s   (peak so far {memory.peak / 1e9:.2f} GB)",
                      flush=True)
            close_shared_executor()
        ny, nx = run.fine_grid.shape
        n_days = len(run.config.dates())
        basin = int((run.downscaled().monthly["basin_mask"] == 1).sum())
        total = sum(times.values())
        return {"basin": run.config.name, "cells": ny * nx, "basin_pixels": basin, "days": n_days,
                "total_s": total, "per_cell_day_ns": 1e9 * total / (ny * nx * n_days),
                "per_basin_pixel_day_ns": 1e9 * total / (basin * n_days), "peak_gb": memory.peak / 1e9,
                "steps": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("basins", nargs="*", type=Path, default=DEFAULTS)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--memory-limit", default=None)
    args = parser.parse_args()
    os.environ.pop("SMVAR_SCHEDULER", None)
    print(f"machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB")
    rows = []
    for basin in args.basins:
        print(f"{basin}:", flush=True)
        rows.append(run_basin(basin, args.workers, args.memory_limit))
    print()
    print("| basin | grid cells | basin pixels | days | wall time | ns per cell-day | ns per basin-pixel-day | peak memory |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['basin']} | {r['cells']:,} | {r['basin_pixels']:,} | {r['days']} | {r['total_s']:.0f} s | "
              f"{r['per_cell_day_ns']:.0f} | {r['per_basin_pixel_day_ns']:.0f} | {r['peak_gb']:.2f} GB |")
    if len(rows) > 1:
        ratio = rows[-1]["per_cell_day_ns"] / rows[0]["per_cell_day_ns"]
        print(f"\ntime per cell-day, last / first: {ratio:.2f} (target <= 1.5); "
              f"peak memory of the last: {rows[-1]['peak_gb']:.2f} GB (target < 6 GB)")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
