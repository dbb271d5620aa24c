"""Benchmark of smvar.downscaling on the full default basin (issue 4).

Times the downscaling (Eq. 1-4 of Yin et al. 2023) plus the monthly means on
data/basins/heihe.yaml (366 days, 559 x 434 cells at 1 km) and prints the wall
time and the peak memory. Making the inputs is timed separately and excluded.
Targets: under 30 s and under 4 GB.

Usage::

    .venv/bin/python benchmarks/bench_downscaling.py [--inputs synthetic|constructed] [--skill]
        [--correction even|smooth|interpolated]

``--inputs synthetic`` (default) uses the synthetic twin (smvar.synthetic);
``constructed`` uses arrays of the same size with a planted relation
(smvar.downscaling.constructed). ``--skill`` also scores the result against the
truth and the bilinear baseline, and prints the Fig. 2 validation table.

Peak memory is reported two ways: the process's peak resident set size while
downscaling (it includes the inputs held in memory; measured by resetting
VmHWM through /proc/self/clear_refs on Linux) and the peak of new allocations
made by the downscaling itself (tracemalloc, which numpy reports to).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np

from smvar.config import load_config
from smvar.downscaling import downscale, monthly_mean
from smvar.grid import analysis_grid, microwave_grid, reanalysis_grid

REPO = Path(__file__).resolve().parents[1]


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def _inputs(kind: str, config):
    if kind == "synthetic":
        from smvar.synthetic import generate

        return generate(config)
    from smvar.downscaling.constructed import constructed_inputs

    return constructed_inputs(config)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--basin", default=str(REPO / "data" / "basins" / "heihe.yaml"))
    parser.add_argument("--inputs", choices=["synthetic", "constructed"], default="synthetic")
    parser.add_argument("--skill", action="store_true", help="also score against truth and baseline")
    parser.add_argument("--correction", choices=["even", "smooth", "interpolated"], default=None,
                        help="rule of Eq. 4 (default: the parameter file's downscaling.correction)")
    args = parser.parse_args()

    config = load_config(args.basin)
    grids = analysis_grid(config), reanalysis_grid(config), microwave_grid(config)
    start = time.perf_counter()
    inputs = _inputs(args.inputs, config)
    print(f"inputs ({args.inputs}): {time.perf_counter() - start:.1f} s, "
          f"{inputs.fine['lst_day'].shape} fine cube, peak RSS so far {_peak_rss_gb():.2f} GB")

    reset = _reset_peak_rss()
    tracemalloc.start()
    start = time.perf_counter()
    correction = args.correction or config.downscaling.correction
    print(f"correction: {correction}")
    result = downscale(inputs, *grids, config, correction=correction)
    monthly = monthly_mean(result.sm).compute()
    wall = time.perf_counter() - start
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = _peak_rss_gb()
    print(f"downscaling + monthly means: {wall:.1f} s (target < 30 s)")
    print(f"peak RSS while downscaling: {rss:.2f} GB{'' if reset else ' (since start: reset failed)'}"
          " (target < 4 GB; includes the inputs held in memory)")
    print(f"peak new allocations (tracemalloc): {traced / 1024**3:.2f} GB")
    print(f"monthly cube {monthly.shape}, {np.isfinite(monthly.values).mean():.1%} finite")
    print("summary:", {k: round(v, 4) for k, v in result.summary().items()})
    if args.skill:
        _skill(inputs, result, grids, config)


def _skill(inputs, result, grids, config) -> None:
    import pandas as pd

    from smvar.downscaling import bilinear_baseline, coefficients_by_month, twin_skill, validate_against_reference
    from smvar.downscaling.validation import microwave_product

    pd.set_option("display.width", 160)
    basin = inputs.fine["basin_mask"]
    baseline = bilinear_baseline(microwave_product(inputs.microwave), grids[0], basin)
    _, summary = twin_skill(result.sm, baseline, inputs.fine["sm_truth"], basin)
    print("twin skill:", {k: round(v, 4) for k, v in summary.items()})
    settings = config.downscaling
    table, _ = validate_against_reference(result.sm, inputs.fine["sm_reference"], basin,
                                          settings.validation_dates, settings.validation_pixels, settings.seed)
    print(table.round(4).to_string(index=False))
    print(coefficients_by_month(result.coefficients).round(4).to_string())


if __name__ == "__main__":
    main()
