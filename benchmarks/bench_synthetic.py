"""Benchmark: generate the synthetic twin of the full default basin.

Usage::

    .venv/bin/python benchmarks/bench_synthetic.py [BASIN.yaml] [--tracemalloc]

Prints the grid size, the wall time of ``smvar.synthetic.generate`` and the
peak memory of the process (``resource.getrusage`` maximum resident set size;
with ``--tracemalloc`` also the peak traced by :mod:`tracemalloc`, which
slows the run a little). Targets of issue 3: under 30 s and under 4 GB for
data/basins/heihe.yaml (559 x 434 cells, 366 days) on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from smvar.config import load_config
from smvar.synthetic import generate

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("basin", nargs="?", default=str(REPO / "data" / "basins" / "heihe.yaml"))
    parser.add_argument("--tracemalloc", action="store_true", help="also report tracemalloc's peak")
    args = parser.parse_args(argv)
    config = load_config(args.basin)
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    inputs = generate(config)
    wall = time.perf_counter() - start
    fine = inputs.fine
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # ru_maxrss is KiB on Linux
    nbytes = sum(ds.nbytes for ds in inputs.datasets().values()) / 1e9
    print(f"basin: {config.name} ({args.basin})")
    print(f"grid: {fine.sizes['y']} x {fine.sizes['x']} cells at {config.resolution_m:g} m, "
          f"{fine.sizes['time']} days")
    print(f"wall time: {wall:.1f} s (target < 30 s)")
    print(f"peak memory (max RSS): {rss_gb:.2f} GB (target < 4 GB)")
    if args.tracemalloc:
        _, peak = tracemalloc.get_traced_memory()
        print(f"peak memory (tracemalloc): {peak / 1e9:.2f} GB")
    print(f"size of the generated datasets: {nbytes:.2f} GB")
    return 0 if wall < 30 and rss_gb < 4 else 1


if __name__ == "__main__":
    sys.exit(main())
