"""Benchmark: stream the synthetic twin of a basin to Zarr, tile by tile.

Usage::

    .venv/bin/python benchmarks/bench_synthetic_stream.py [BASIN.yaml] [--tile-rows 64]
        [--chunk-days 31] [--workers N] [--scale K] [--keep DIR]

Runs :func:`smvar.synthetic.stream.write_synthetic_inputs` into a temporary
folder (or ``--keep DIR``) and prints the wall time, the time per cell-day
(ny x nx x n_days) and the peak resident memory summed over this process and
its children (psutil, sampled every 0.2 s in a thread). ``--workers N`` runs
the tiles on the local dask cluster of :func:`smvar.compute.open_executor`
with N single-thread worker processes; ``--scale K`` widens the basin's extent K times in area about its
centre (K = 10 is issue 9's domain). Targets of issue 9: the 10x domain
under 6 GB with two workers.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from tree_memory import PeakRSS

from smvar.compute import open_executor
from smvar.config import BasinConfig, ComputeSection, load_config
from smvar.grid import analysis_grid
from smvar.synthetic.stream import write_synthetic_inputs

REPO = Path(__file__).resolve().parents[1]


def scaled(config: BasinConfig, factor: float) -> BasinConfig:
    """The configuration with its extent widened ``factor`` times in area about its centre."""
    if factor == 1:
        return config
    e = config.extent
    k = math.sqrt(factor)
    lat0, lon0 = (e.south + e.north) / 2, (e.west + e.east) / 2
    half_lat, half_lon = (e.north - e.south) / 2 * k, (e.east - e.west) / 2 * k
    extent = e.model_copy(update={"south": round(lat0 - half_lat, 2), "north": round(lat0 + half_lat, 2),
                                  "west": round(lon0 - half_lon, 2), "east": round(lon0 + half_lon, 2)})
    return config.model_copy(update={"extent": extent, "name": f"{config.name}-x{factor:g}"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("basin", nargs="?", default=str(REPO / "data" / "basins" / "heihe.yaml"))
    parser.add_argument("--tile-rows", type=int, default=64)
    parser.add_argument("--chunk-days", type=int, default=31)
    parser.add_argument("--workers", type=int, default=0, help="dask LocalCluster worker processes (0: in process)")
    parser.add_argument("--scale", type=float, default=1.0, help="widen the extent this many times in area")
    parser.add_argument("--keep", help="write here instead of a temporary folder")
    args = parser.parse_args(argv)
    config = scaled(load_config(args.basin), args.scale)
    n_rows, n_cols = analysis_grid(config).shape
    n_days = len(config.dates())
    print(f"basin: {config.name} ({args.basin}): {n_rows} x {n_cols} cells, {n_days} days, "
          f"tile_rows {args.tile_rows}, chunk_days {args.chunk_days}, workers {args.workers or 'none'}")
    with tempfile.TemporaryDirectory(prefix="smvar-stream-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp) / "inputs"
        os.environ.pop("SMVAR_SCHEDULER", None)
        settings = ComputeSection(workers=args.workers) if args.workers else ComputeSection(scheduler="synchronous")
        executor = open_executor(settings)  # the same local cluster as `smvar run` starts
        try:
            with PeakRSS() as rss:
                start = time.perf_counter()
                write_synthetic_inputs(config, folder, chunk_days=args.chunk_days, tile_rows=args.tile_rows,
                                       mapper=executor.map,
                                       progress=lambda done, total: print(f"  tile {done}/{total} "
                                                                          f"{time.perf_counter() - start:.0f} s",
                                                                          flush=True))
                wall = time.perf_counter() - start
        finally:
            executor.close()
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    cell_days = n_rows * n_cols * n_days
    print(f"wall time: {wall:.1f} s")
    print(f"time per cell-day: {wall / cell_days * 1e9:.1f} ns ({cell_days / 1e6:.1f} M cell-days)")
    print(f"peak RSS, process tree (sum): {rss.peak / 1e9:.2f} GB; largest single process: "
          f"{rss.peak_one / 1e9:.2f} GB")
    print(f"written: {size / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
