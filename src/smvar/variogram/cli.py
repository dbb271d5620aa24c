"""The ``smvar variogram`` command: semivariogram and model fits of any point table.

Provides
--------
register
    Add the ``variogram`` subcommand to an ``argparse`` subparsers object
    (``smvar.cli`` calls it).
main
    Run the command on its own (``main(["points.csv", "--x", "x", ...])``);
    returns the exit code.
run
    Execute parsed arguments; returns the exit code.

Usage::

    smvar variogram POINTS.csv --x X --y Y --value V [--bins N] [--max-lag D]
        [--models linear spherical exponential gaussian] [--closed left|right]
        [--weights none|npairs|npairs_h2] [--json OUT]

Coordinates must be projected, in metres. Input problems (missing file or
column, non-numeric values, duplicate locations, fewer than 30 points, a
constant value) stop the command with a message naming the file, the column
and the fix; the exit code is then 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from smvar.atomic import write_text_atomic
from smvar.variogram.empirical import VariogramResult, empirical_variogram, gstat_default_edges, lag_bin_edges
from smvar.variogram.fit import best_model, fit_all_models
from smvar.variogram.models import ALL_MODELS, MODEL_NAMES

__all__ = ["register", "main", "run", "MIN_POINTS"]

#: Fewest points the command accepts.
MIN_POINTS = 30


class InputError(ValueError):
    """A problem with the user's input, reported without a traceback."""


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("points", help="CSV table of points (projected coordinates in metres)")
    p.add_argument("--x", required=True, help="column of x coordinates, metres")
    p.add_argument("--y", required=True, help="column of y coordinates, metres")
    p.add_argument("--value", required=True, help="column of values")
    p.add_argument("--bins", type=int, default=15, help="number of equal lag bins (default 15)")
    p.add_argument("--max-lag", type=float, default=None,
                   help="largest lag, metres (default: bounding-box diagonal / 3, as gstat)")
    p.add_argument("--models", nargs="+", default=list(MODEL_NAMES), choices=list(ALL_MODELS),
                   help="models to fit (default: the paper's four)")
    p.add_argument("--closed", choices=["left", "right"], default="left",
                   help="bin edges: left = [lo, hi) (default), right = (lo, hi] (gstat)")
    p.add_argument("--weights", choices=["none", "npairs", "npairs_h2"], default="none",
                   help="fit weights: none (GS+, default), npairs (N_j), npairs_h2 (N_j/h_j^2, gstat default)")
    p.add_argument("--json", default=None, help="write bins and fits to this JSON file")


def register(subparsers) -> None:
    """Add the ``variogram`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``. The subcommand sets ``func`` to
        :func:`run`, which takes the parsed namespace and returns an exit code.
    """
    p = subparsers.add_parser(
        "variogram",
        help="empirical semivariogram and model fits of a point table",
        description="Empirical semivariogram (Eq. 5 of Yin et al. 2023) of a CSV point table, "
        "with least-squares fits of the linear, spherical, exponential and Gaussian models.",
    )
    _add_arguments(p)
    p.set_defaults(func=run)


def _read_points(path: Path, xcol: str, ycol: str, vcol: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: no such file; give the path of a CSV table of points.")
    table = pd.read_csv(path)
    missing = [c for c in (xcol, ycol, vcol) if c not in table.columns]
    if missing:
        raise InputError(
            f"{path}: column(s) {', '.join(repr(c) for c in missing)} not found; the file has columns "
            f"{', '.join(repr(c) for c in table.columns)}. Name the right ones with --x, --y and --value."
        )
    for col in (xcol, ycol, vcol):
        if not pd.api.types.is_numeric_dtype(table[col]):
            raise InputError(f"{path}: column {col!r} is not numeric; remove text entries or choose another column.")
    return table[[xcol, ycol, vcol]].dropna()


def _check_points(path: Path, pts: pd.DataFrame, xcol: str, ycol: str, vcol: str) -> None:
    dup = pts.duplicated(subset=[xcol, ycol], keep=False)
    if dup.any():
        first = pts[dup].iloc[0]
        raise InputError(
            f"{path}: {int(dup.sum())} rows share a location in columns {xcol!r}, {ycol!r} "
            f"(e.g. x={first[xcol]}, y={first[ycol]}); average or drop the duplicates before computing a semivariogram."
        )
    if len(pts) < MIN_POINTS:
        raise InputError(
            f"{path}: only {len(pts)} points with values in column {vcol!r}; at least {MIN_POINTS} are needed "
            "for a meaningful semivariogram. Add points or use a denser sample."
        )
    if pts[vcol].nunique() < 2:
        raise InputError(
            f"{path}: column {vcol!r} is constant ({pts[vcol].iloc[0]}); its semivariogram is zero everywhere. "
            "Choose a column that varies."
        )


def _edges(args, xy: np.ndarray) -> np.ndarray:
    if args.bins < 1:
        raise InputError(f"--bins must be at least 1, got {args.bins}.")
    if args.max_lag is None:
        return gstat_default_edges(xy, args.bins)
    if not (args.max_lag > 0):
        raise InputError(f"--max-lag must be a positive distance in metres, got {args.max_lag}.")
    return lag_bin_edges(args.max_lag, args.bins)


def _json_safe(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return _json_safe(obj.item())
    return obj


def _write_json(path: Path, payload: dict) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    write_text_atomic(path, json.dumps(_json_safe(payload), indent=1, allow_nan=False))


def _report(result: VariogramResult, fits: dict, best: str) -> str:
    lines = [result.to_frame().to_string(index=False), ""]
    lines.append(f"{'model':<12} {'nugget':>12} {'sill':>12} {'range_m':>12} {'C/(C0+C)':>9} {'R2':>7} {'RSS':>11}")
    for name, f in fits.items():
        m = f.model
        flag = "  <- best (lowest RSS)" if name == best else ""
        lines.append(f"{name:<12} {m.nugget:12.5g} {m.sill:12.5g} {m.effective_range:12.5g} "
                     f"{m.structured_share:9.3f} {f.r2:7.3f} {f.rss:11.4g}{flag}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Execute the ``variogram`` command; returns 0 on success, 2 on bad input."""
    path = Path(args.points)
    try:
        pts = _read_points(path, args.x, args.y, args.value)
        _check_points(path, pts, args.x, args.y, args.value)
        xy = pts[[args.x, args.y]].to_numpy(float)
        result = empirical_variogram(xy, pts[args.value].to_numpy(float), _edges(args, xy), closed=args.closed)
        weights = None if args.weights == "none" else args.weights
        fits = fit_all_models(result, args.models, weights=weights)
    except (InputError, ValueError) as err:
        print(f"smvar variogram: error: {err}", file=sys.stderr)
        return 2
    best = best_model(fits)
    print(_report(result, fits, best))
    if args.json:
        payload = {
            "input": {"file": str(path), "x": args.x, "y": args.y, "value": args.value, "n_points": len(pts)},
            "closed": args.closed,
            "weights": args.weights,
            "bins": result.to_frame().to_dict(orient="list"),
            "fits": {name: f.as_dict() for name, f in fits.items()},
            "best_model": best,
            "best_rule": "lowest unweighted RSS",
        }
        _write_json(Path(args.json), payload)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smvar variogram`` with ``argv`` (without the subcommand name).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments, e.g. ``["pts.csv", "--x", "x", "--y", "y", "--value", "sm"]``;
        default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit code: 0 on success, 2 on bad input.
    """
    parser = argparse.ArgumentParser(prog="smvar variogram", description=__doc__.split("\n")[0])
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
