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
        [--weights none|npairs|npairs_h2] [--alpha DEG [DEG ...]] [--tol-hor DEG]
        [--json OUT]

Coordinates must be projected, in metres; coordinates that look like
longitude and latitude in degrees get a warning. Input problems (missing,
empty or unreadable file, missing column, non-numeric values, duplicate
locations, fewer than 30 points, a constant value, too few bins, a ``--json``
path that cannot be written) stop the command with one line naming the file,
the column or the flag and the fix; the exit code is then 2. Rows with a
missing or infinite coordinate or value are dropped with a warning that names
the column and the rows.

The module imports only the standard library at start-up (NumPy, pandas and
the computation load when the command runs), so ``smvar variogram --help`` is
quick.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from smvar.errors import file_lines
from smvar.store import check_writable, write_text_atomic

if TYPE_CHECKING:
    import pandas as pd

    from smvar.variogram.empirical import VariogramResult

__all__ = ["register", "main", "run", "MIN_POINTS", "MIN_BINS"]

#: Fewest points the command accepts.
MIN_POINTS = 30

#: Fewest lag bins the command accepts (a model fit has three parameters).
MIN_BINS = 3

# The names of smvar.variogram.models.MODEL_NAMES and ALL_MODELS, repeated here so
# that building the parser imports nothing heavy (a test checks they agree).
_MODEL_NAMES = ("linear", "spherical", "exponential", "gaussian")
_ALL_MODELS = (*_MODEL_NAMES, "linear_sill")

#: How many row numbers a warning lists before "...".
_MAX_ROWS_LISTED = 10


class InputError(ValueError):
    """A problem with the user's input, reported without a traceback."""


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("points", help="CSV table of points (projected coordinates in metres)")
    p.add_argument("--x", required=True, help="column of x coordinates, metres")
    p.add_argument("--y", required=True, help="column of y coordinates, metres")
    p.add_argument("--value", required=True, help="column of values")
    p.add_argument("--bins", type=int, default=15, help=f"number of equal lag bins, at least {MIN_BINS} (default 15)")
    p.add_argument("--max-lag", type=float, default=None,
                   help="largest lag, metres (default: bounding-box diagonal / 3, as gstat)")
    p.add_argument("--models", nargs="+", default=list(_MODEL_NAMES), choices=list(_ALL_MODELS),
                   help="models to fit (default: the paper's four)")
    p.add_argument("--closed", choices=["left", "right"], default="left",
                   help="bin edges: left = [lo, hi) (default), right = (lo, hi] (gstat)")
    p.add_argument("--weights", choices=["none", "npairs", "npairs_h2"], default="none",
                   help="fit weights: none (GS+, default), npairs (N_j), npairs_h2 (N_j/h_j^2, gstat default)")
    p.add_argument("--alpha", type=float, nargs="+", default=None, metavar="DEG",
                   help="directional semivariograms: directions in degrees clockwise from north "
                        "(0 = north, 90 = east), as gstat's alpha; one table per direction")
    p.add_argument("--tol-hor", type=float, default=None, metavar="DEG",
                   help="half-width of each direction's window, degrees, as gstat's tol.hor "
                        "(default 90 / number of directions, as gstat; 90 or more keeps every pair)")
    p.add_argument("--json", default=None, help="write bins and fits to this JSON file")


def register(subparsers: "argparse._SubParsersAction") -> None:
    """Add the ``variogram`` subcommand to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``. The subcommand sets ``handler`` to
        :func:`run`, which takes the parsed namespace and returns an exit code.
    """
    p = subparsers.add_parser(
        "variogram",
        help="empirical semivariogram and model fits of a point table",
        description="Empirical semivariogram (Eq. 5 of Yin et al. 2023) of a CSV point table, "
        "with least-squares fits of the linear, spherical, exponential and Gaussian models.",
    )
    _add_arguments(p)
    p.set_defaults(handler=run)


def _warn(message: str) -> None:
    print(f"smvar variogram: warning: {message}", file=sys.stderr)


def _read_table(path: Path) -> "pd.DataFrame":
    import pandas as pd

    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the path of a CSV table of points.")
    if not path.is_file():
        raise InputError(f"{path}: no such file; give the path of a CSV table of points.")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; give a CSV table with a header row naming the "
                         "--x, --y and --value columns and one row per point.")
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file holds no table (only blank lines); give a CSV table with a header "
                         "row naming the --x, --y and --value columns and one row per point.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"{path}: not a readable CSV table ({first}); save it as comma-separated text "
                         "with one header row.") from None


def _read_points(path: Path, xcol: str, ycol: str, vcol: str) -> "pd.DataFrame":
    """The three columns of the table, rows with a non-finite entry dropped (with a warning)."""
    import numpy as np
    import pandas as pd

    table = _read_table(path)
    missing = [c for c in dict.fromkeys((xcol, ycol, vcol)) if c not in table.columns]
    if missing:
        raise InputError(
            f"{path}: column(s) {', '.join(repr(c) for c in missing)} not found; the file has columns "
            f"{', '.join(repr(c) for c in table.columns)}. Name the right ones with --x, --y and --value."
        )
    if len(table) == 0:
        raise InputError(f"{path}: the table has a header but no rows; add one row per point "
                         f"(at least {MIN_POINTS}).")
    for col in dict.fromkeys((xcol, ycol, vcol)):
        if not pd.api.types.is_numeric_dtype(table[col]):
            bad = (pd.to_numeric(table[col], errors="coerce").isna() & table[col].notna()).to_numpy()
            example = (f" (e.g. {table[col][bad].iloc[0]!r} on {file_lines(np.flatnonzero(bad)[:1])})"
                       if bad.any() else "")
            raise InputError(f"{path}: column {col!r} is not numeric{example}; remove text entries "
                             "or choose another column.")
    pts = table[list(dict.fromkeys((xcol, ycol, vcol)))].astype(float)
    keep = np.ones(len(pts), bool)
    for col, what in ((xcol, "coordinate"), (ycol, "coordinate"), (vcol, "value")):
        bad = ~np.isfinite(pts[col].to_numpy()) & keep
        if bad.any():
            _warn(f"{path}: {int(bad.sum())} row(s) with a missing or infinite {what} in column {col!r} "
                  f"dropped ({file_lines(np.flatnonzero(bad), _MAX_ROWS_LISTED)} of the file); fill or remove them to keep them.")
            keep &= ~bad
    return pts[keep]


def _check_points(path: Path, pts: "pd.DataFrame", xcol: str, ycol: str, vcol: str) -> None:
    dup = pts.duplicated(subset=[xcol, ycol], keep=False)
    if dup.any():
        first = pts[dup].iloc[0]
        raise InputError(
            f"{path}: {int(dup.sum())} rows share a location in columns {xcol!r}, {ycol!r} "
            f"(e.g. x={first[xcol]}, y={first[ycol]}); average or drop the duplicates before computing a semivariogram."
        )
    if len(pts) < MIN_POINTS:
        raise InputError(
            f"{path}: only {len(pts)} point{'s' if len(pts) != 1 else ''} with coordinates and a value in "
            f"column {vcol!r}; at least {MIN_POINTS} are needed for a meaningful semivariogram. "
            "Add points or use a denser sample."
        )
    if pts[vcol].nunique() < 2:
        raise InputError(
            f"{path}: column {vcol!r} is constant ({pts[vcol].iloc[0]}); its semivariogram is zero everywhere. "
            "Choose a column that varies."
        )


def _warn_if_degrees(path: Path, xy, xcol: str, ycol: str) -> None:
    """Warn when every coordinate could be a longitude (x) and latitude (y) in degrees."""
    import numpy as np

    x, y = xy[:, 0], xy[:, 1]
    extent = max(float(np.ptp(x)), float(np.ptp(y)))
    if np.all(np.abs(x) <= 180.0) and np.all(np.abs(y) <= 90.0) and extent < 360.0:
        _warn(
            f"{path}: columns {xcol!r}, {ycol!r} look like longitude and latitude in degrees "
            f"(all |x| <= 180, |y| <= 90); the lags, --max-lag and the ranges are then in degrees, not metres, "
            "and a degree of longitude is shorter than one of latitude. Project the points to metres first "
            "(e.g. pyproj.Transformer.from_crs('EPSG:4326', 'EPSG:326NN', always_xy=True) for UTM zone NN)."
        )


def _check_flags(args: argparse.Namespace) -> None:
    """Flags that can be judged before reading anything."""
    if args.bins < MIN_BINS:
        raise InputError(f"--bins {args.bins}: the model fits need at least {MIN_BINS} lag bins; "
                         f"give --bins {MIN_BINS} or more (default 15).")
    if args.max_lag is not None and not (math.isfinite(args.max_lag) and args.max_lag > 0):
        raise InputError(f"--max-lag {args.max_lag}: give a positive distance in metres (default: "
                         "bounding-box diagonal / 3).")
    if args.alpha is not None:
        for a in args.alpha:
            if not math.isfinite(a):
                raise InputError(f"--alpha {a}: give directions as finite degrees clockwise from north.")
    if args.tol_hor is not None:
        if args.alpha is None:
            raise InputError("--tol-hor is the half-width of the --alpha directions; give --alpha too "
                             "(e.g. --alpha 0 45 90 135 --tol-hor 22.5).")
        if not (math.isfinite(args.tol_hor) and 0 <= args.tol_hor <= 180):
            raise InputError(f"--tol-hor {args.tol_hor}: give an angle in degrees between 0 and 180.")


def _edges(args: argparse.Namespace, xy):
    from smvar.variogram.empirical import gstat_default_edges, lag_bin_edges

    if args.max_lag is None:
        edges = gstat_default_edges(xy, args.bins)
        if not edges[-1] > 0:  # pragma: no cover - duplicates are refused before
            raise InputError("all points share one location; --max-lag cannot be derived from their extent.")
        return edges
    return lag_bin_edges(args.max_lag, args.bins)


def _json_safe(obj):
    import numpy as np

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


def _report(result: "VariogramResult", fits: dict, best: str) -> str:
    lines = [result.to_frame().to_string(index=False), ""]
    lines.append(f"{'model':<12} {'nugget':>12} {'sill':>12} {'range_m':>12} {'C/(C0+C)':>9} {'R2':>7} {'RSS':>11}")
    for name, f in fits.items():
        m = f.model
        flag = "  <- best (lowest RSS)" if name == best else ""
        lines.append(f"{name:<12} {m.nugget:12.5g} {m.sill:12.5g} {m.effective_range:12.5g} "
                     f"{m.structured_share:9.3f} {f.r2:7.3f} {f.rss:11.4g}{flag}")
    return "\n".join(lines)


def _fit(args: argparse.Namespace, result: "VariogramResult", label: str):
    from smvar.variogram.fit import best_model, fit_all_models

    filled = int((result.n_pairs > 0).sum())
    if filled < MIN_BINS:
        fix = "Raise --max-lag, widen --tol-hor, or add points." if args.alpha else "Raise --max-lag or add points."
        raise InputError(
            f"{args.points}: only {filled} of the {args.bins} lag bins (--bins {args.bins}, largest lag "
            f"{result.bin_edges[-1]:.6g} m{label}) hold pairs; the model fits need {MIN_BINS}. {fix}"
        )
    fits = fit_all_models(result, args.models, weights=None if args.weights == "none" else args.weights)
    return fits, best_model(fits)


def _compute(args: argparse.Namespace, path: Path):
    """Read, check, compute and fit; returns the printed text and the JSON payload."""
    from smvar.variogram.empirical import empirical_variogram

    pts = _read_points(path, args.x, args.y, args.value)
    _check_points(path, pts, args.x, args.y, args.value)
    xy = pts[[args.x, args.y]].to_numpy(float)
    values = pts[args.value].to_numpy(float)
    _warn_if_degrees(path, xy, args.x, args.y)
    edges = _edges(args, xy)
    payload = {
        "input": {"file": str(path), "x": args.x, "y": args.y, "value": args.value, "n_points": len(pts)},
        "closed": args.closed,
        "weights": args.weights,
        "best_rule": "lowest unweighted RSS",
    }
    if args.alpha is None:
        result = empirical_variogram(xy, values, edges, closed=args.closed)
        fits, best = _fit(args, result, "")
        payload.update(bins=result.to_frame().to_dict(orient="list"),
                       fits={name: f.as_dict() for name, f in fits.items()}, best_model=best)
        return _report(result, fits, best), payload
    tol = args.tol_hor if args.tol_hor is not None else 90.0 / len(args.alpha)
    texts, directions = [], []
    for alpha in args.alpha:  # loop over directions
        result = empirical_variogram(xy, values, edges, closed=args.closed, direction_deg=alpha, tolerance_deg=tol)
        fits, best = _fit(args, result, f", --alpha {alpha:g} --tol-hor {tol:g}")
        texts.append(f"direction {alpha:g} deg clockwise from north, tolerance +-{tol:g} deg\n"
                     + _report(result, fits, best))
        directions.append({"alpha_deg": alpha, "tol_hor_deg": tol, "bins": result.to_frame().to_dict(orient="list"),
                           "fits": {name: f.as_dict() for name, f in fits.items()}, "best_model": best})
    payload["directions"] = directions
    return "\n\n".join(texts), payload


def run(args: argparse.Namespace) -> int:
    """Execute the ``variogram`` command.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (see :func:`register`).

    Returns
    -------
    int
        0 on success, 2 on bad input (one line on standard error, no traceback).
    """
    path = Path(args.points)
    try:
        _check_flags(args)
        out = check_writable(args.json, "--json") if args.json else None
        text, payload = _compute(args, path)
        print(text)
        if out is not None:
            _write_json(out, payload)
    except (InputError, ValueError, OSError) as err:
        message = " ".join(str(err).split())  # one line
        print(f"smvar variogram: error: {message}", file=sys.stderr)
        return 2
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
