"""Time the side-by-side OPGD job, whole-process and in-process, beside R GD's measured times.

Usage: .venv/bin/python benchmarks/bench_geodetector.py [--sizes 1000,10000,100000] [--repeat 3]

The job (as in ../shared/reference/side_by_side_2026-12-01.csv): 10 continuous
factors, GD's five methods x 3..8 intervals, and all four detectors. The data
are synthetic: y depends nonlinearly on three of the ten factors plus noise;
factors are continuous floats (normal, lognormal, uniform, gamma), so natural
breaks run on about N distinct values (the hardest case).

Printed per size: the median of ``--repeat`` runs of
- whole process: ``smvar detect table.csv --y y`` in a subprocess, as a user
  types it (start-up, reading the CSV, the detectors, printing);
- in process: ``smvar.geodetector.geodetector`` on the table already in memory;
and beside them R GD 10.8's ``gdm`` times read from the side-by-side file
(measured on 2026-12-01 on a 2-core machine of this kind), as ratios.
Also the start-up of ``smvar --help`` and ``smvar detect --help``. The load
average is printed: the times scale with what else shares the cores.
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
import pandas as pd

from smvar.geodetector import geodetector

REPO = Path(__file__).resolve().parents[1]
SIDE_BY_SIDE = Path(os.environ.get("SMVAR_SHARED", REPO.parent / "shared")) / "reference" / \
    "side_by_side_2026-12-01.csv"
SMVAR = Path(sys.executable).with_name("smvar")


def make_table(n: int, seed: int = 0) -> pd.DataFrame:
    """y and ten continuous factors x1..x10 (n rows)."""
    rng = np.random.default_rng(seed)
    cols = {}
    for k in range(10):
        kind = k % 4
        cols[f"x{k + 1}"] = (rng.normal(size=n) if kind == 0 else rng.lognormal(size=n) if kind == 1
                             else rng.uniform(0, 100, size=n) if kind == 2 else rng.gamma(2.0, size=n))
    y = np.sin(cols["x1"]) + 0.3 * np.log(cols["x2"]) + 0.01 * cols["x3"] + rng.normal(0, 0.5, size=n)
    return pd.DataFrame({"y": y, **cols})


def gd_times() -> dict[tuple[str, int], tuple[str, str]]:
    """(tool, N) -> (whole-process median s, in-process median s) of the side-by-side file."""
    if not SIDE_BY_SIDE.exists():
        return {}
    with SIDE_BY_SIDE.open() as handle:
        return {(r["tool"], int(r["N"])): (r["wall_median"], r["inproc_median"])
                for r in csv.DictReader(handle) if r["job"] == "opgd"}


def whole_process(args: list[str], repeat: int) -> float:
    """Median wall time of ``smvar ARGS`` in a subprocess, seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([str(SMVAR), *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(df: pd.DataFrame, repeat: int) -> float:
    factors = [c for c in df.columns if c != "y"]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        geodetector(df, "y", continuous=factors)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ratio(peer: str, ours: float) -> str:
    return f"{float(peer) / ours:7.1f}x" if peer else f"{'-':>8}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    peers = gd_times()
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    print(f"start-up: smvar --help {whole_process(['--help'], 5):.3f} s, "
          f"smvar detect --help {whole_process(['detect', '--help'], 5):.3f} s")
    if not peers:
        print(f"({SIDE_BY_SIDE} not found: GD's times are not shown)")
    print("GD times: R GD 10.8 gdm, side by side on 2026-12-01, 2-core machine of this kind (medians)")
    print(f"{'rows':>9} | {'smvar detect':>12} {'GD whole':>9} {'ratio':>8} | "
          f"{'in-process':>10} {'GD inproc':>9} {'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            df = make_table(n)
            table = Path(tmp) / f"table_{n}.csv"
            df.to_csv(table, index=False)
            whole = whole_process(["detect", str(table), "--y", "y"], args.repeat)
            inner = in_process(df, args.repeat)
            gd_whole, gd_inner = peers.get(("GD", n), ("", ""))
            print(f"{n:>9,} | {whole:12.2f} {gd_whole or '-':>9} {ratio(gd_whole, whole)} | "
                  f"{inner:10.3f} {gd_inner or '-':>9} {ratio(gd_inner, inner)}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
