"""Time the peer_timings.csv job: 10 continuous factors, 5 methods x 3..8 intervals, all four detectors.

Usage: .venv/bin/python benchmarks/bench_geodetector.py [--sizes 1000,10000,100000,1000000] [--workers 2]

The data are synthetic: y depends nonlinearly on three of ten factors plus
noise; factors are continuous floats (normal, lognormal, uniform, gamma), so
natural breaks run on about N distinct values (the hardest case).
The load average (other processes sharing the cores) is printed before and
after: the times scale with it.
GD 10.8 took 7.22 s (1,000 rows) and 74.8 s (10,000 rows) and did not finish
100,000 rows in 100 s on this machine (../shared/reference/geodetector/peer_timings.csv).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from smvar.geodetector import geodetector

GD_SECONDS = {1000: 7.22, 10000: 74.80}


def make_table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {}
    for k in range(10):
        kind = k % 4
        cols[f"x{k + 1}"] = (rng.normal(size=n) if kind == 0 else rng.lognormal(size=n) if kind == 1
                             else rng.uniform(0, 100, size=n) if kind == 2 else rng.gamma(2.0, size=n))
    y = np.sin(cols["x1"]) + 0.3 * np.log(cols["x2"]) + 0.01 * cols["x3"] + rng.normal(0, 0.5, size=n)
    return pd.DataFrame({"y": y, **cols})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    print(f"{'rows':>10} {'seconds':>9} {'GD 10.8 s':>10} {'speed-up':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        df = make_table(n)
        factors = [c for c in df.columns if c != "y"]
        start = time.perf_counter()
        geodetector(df, "y", continuous=factors, workers=args.workers)
        took = time.perf_counter() - start
        gd = GD_SECONDS.get(n)
        ratio = f"{gd / took:9.0f}x" if gd else f"{'-':>9}"
        print(f"{n:>10,} {took:9.2f} {gd if gd else '>100 (timeout)' if n >= 100000 else '-':>10} {ratio}",
              flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
