"""The ``smvar detect`` command: the whole geographical detector on any CSV table.

Provides
--------
register
    Add the ``detect`` subcommand to an ``argparse`` subparsers object.
main
    Run the command on its own (``main(["table.csv", "--y", "SM"])``); returns
    the exit code (0 ok, 2 bad input).
run
    Execute parsed arguments.

Usage::

    smvar detect TABLE.csv --y COLUMN [--categorical A,B] [--continuous C,D]
        [--methods equal,natural,quantile,geometric,sd] [--intervals 3-8]
        [--convention gd|geodetector|gdverse] [--json OUT]

Every other column is a continuous factor unless ``--continuous`` names them.
Rows with missing values in a used column are dropped and counted (a warning).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from smvar.atomic import write_text_atomic
from smvar.geodetector.conventions import CONVENTIONS
from smvar.geodetector.discretise import METHODS
from smvar.geodetector.workflow import geodetector

__all__ = ["register", "main", "run"]


class InputError(ValueError):
    """A problem with the user's input, reported without a traceback."""


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("table", help="CSV table, one row per sample")
    p.add_argument("--y", required=True, help="response column (e.g. soil moisture)")
    p.add_argument("--categorical", default="", help="comma-separated categorical factor columns")
    p.add_argument("--continuous", default=None,
                   help="comma-separated continuous factor columns (default: every other column)")
    p.add_argument("--methods", default=",".join(METHODS),
                   help=f"comma-separated discretisation methods (default {','.join(METHODS)})")
    p.add_argument("--intervals", default="3-8", help="numbers of intervals, e.g. 3-8 or 4,6 (default 3-8)")
    p.add_argument("--convention", default="gd", choices=sorted(CONVENTIONS),
                   help="whose conventions to follow (default gd = R GD 10.8)")
    p.add_argument("--json", default=None, help="write every table to this JSON file")


def register(subparsers) -> None:
    """Add ``detect`` to the ``smvar`` subparsers."""
    p = subparsers.add_parser("detect", help="optimal-parameter geographical detector on a CSV table",
                              description=__doc__.split("Usage::")[0].strip(),
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_arguments(p)
    p.set_defaults(func=run)


def _split(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def _intervals(text: str) -> list[int]:
    try:
        if "-" in text:
            lo, hi = (int(v) for v in text.split("-", 1))
            values = list(range(lo, hi + 1))
        else:
            values = [int(v) for v in _split(text)]
    except ValueError:
        raise InputError(f"--intervals {text!r} is not understood; write a range such as 3-8 "
                         "or a list such as 4,6") from None
    if not values or min(values) < 2:
        raise InputError(f"--intervals {text!r}: numbers of intervals must be 2 or more")
    return values


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: no such file; give the path of a CSV table")
    try:
        return pd.read_csv(path)
    except Exception as exc:  # pandas raises many kinds
        raise InputError(f"{path}: could not be read as CSV ({exc})") from None


def _check_columns(df: pd.DataFrame, path: Path, y: str, cont: list[str], cat: list[str]) -> None:
    for col in [y, *cont, *cat]:
        if col not in df.columns:
            raise InputError(f"{path}: column {col!r} not found (columns: {', '.join(map(str, df.columns))}); "
                             "check the spelling in --y/--categorical/--continuous")
    if not pd.api.types.is_numeric_dtype(df[y]):
        raise InputError(f"{path}: the target column {y!r} is not numeric; "
                         "give a numeric column to --y")
    for col in cont:
        if not pd.api.types.is_numeric_dtype(df[col]):
            raise InputError(f"{path}: continuous factor {col!r} is not numeric; "
                             f"list it with --categorical {col}")


def _drop_missing(df: pd.DataFrame, path: Path, used: list[str]) -> tuple[pd.DataFrame, int]:
    bad = df[used].isna().any(axis=1)
    if bad.any():
        cols = [c for c in used if df[c].isna().any()]
        print(f"warning: {path}: dropped {int(bad.sum())} of {len(df)} rows with missing values "
              f"in {', '.join(cols)}", file=sys.stderr)
    return df.loc[~bad].reset_index(drop=True), int(bad.sum())


def _check_factors(df: pd.DataFrame, path: Path, cont: list[str], cat: list[str]) -> None:
    for col in [*cont, *cat]:
        distinct = df[col].nunique()
        if distinct < 2:
            what = "constant" if distinct == 1 else "empty"
            raise InputError(f"{path}: factor {col!r} is {what} (fewer than two strata); "
                             "remove it from the factors")
    if len(df) < 4:
        raise InputError(f"{path}: only {len(df)} usable rows; the detectors need more")


def _write_json(result_dict: dict, out: Path) -> None:
    write_text_atomic(out, json.dumps(result_dict, indent=1))


def _summary(res) -> str:
    lines = ["Factor detector (q, p):", res.factor.to_string(float_format=lambda v: f"{v:.4g}")]
    if res.optimal is not None:
        lines += ["", "Optimal discretisation:",
                  res.optimal.best[["method", "n", "n_strata", "q"]].to_string()]
    if len(res.interaction):
        lines += ["", "Interaction detector:",
                  res.interaction[["var1", "var2", "q12", "interaction"]].to_string(index=False)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Execute ``smvar detect``; returns the exit code (2 on bad input)."""
    try:
        path = Path(args.table)
        df = _read(path)
        cat = _split(args.categorical)
        cont = _split(args.continuous) if args.continuous is not None else \
            [c for c in df.columns if c != args.y and c not in cat]
        _check_columns(df, path, args.y, cont, cat)
        methods = _split(args.methods)
        bad = [m for m in methods if m not in METHODS]
        if bad or not methods:
            raise InputError(f"--methods: unknown method(s) {bad}; use some of {','.join(METHODS)}")
        intervals = _intervals(args.intervals)
        df, dropped = _drop_missing(df, path, [args.y, *cont, *cat])
        _check_factors(df, path, cont, cat)
        try:
            res = geodetector(df[[args.y, *cont, *cat]], args.y, continuous=cont, categorical=cat,
                              methods=methods, intervals=intervals, convention=args.convention)
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from None
    except InputError as exc:
        print(f"smvar detect: error: {exc}", file=sys.stderr)
        return 2
    out = res.to_dict()
    out["dropped_rows"] = dropped
    out["table"] = str(path)
    print(_summary(res))
    if args.json:
        _write_json(out, Path(args.json))
        print(f"\nwritten: {args.json}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smvar detect`` with the given arguments; returns the exit code."""
    parser = argparse.ArgumentParser(prog="smvar detect", description=__doc__.split("Usage::")[0].strip())
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
