"""The ``smvar detect`` command: the whole geographical detector on any CSV table.

Provides
--------
register
    Add the ``detect`` sub-command to the ``smvar`` sub-parsers (called by
    :mod:`smvar.cli`, which runs it: ``smvar detect TABLE.csv --y SM``).
run
    Execute parsed arguments; raises :class:`~smvar.errors.UserError` on bad
    input, which ``smvar`` reports in one line.

Usage::

    smvar detect TABLE.csv --y COLUMN [--categorical A,B] [--continuous C,D]
        [--methods equal,natural,quantile,geometric,sd] [--intervals 3-8]
        [--convention gd|geodetector|gdverse] [--json OUT]

Every other column is a continuous factor unless ``--continuous`` names them.
Rows with missing values in a used column are dropped and counted (a warning).

This module imports only the standard library at start-up; numpy, pandas and
scipy load when the command runs, so ``smvar detect --help`` is instant.
"""

from __future__ import annotations

import argparse
import csv
import sys
import warnings
from pathlib import Path

from smvar.errors import UserError, file_lines
from smvar.geodetector.conventions import CONVENTIONS

__all__ = ["register", "run", "DetectInputError"]

#: GD's five methods in GD's order (the order decides ties in OPGD); the same
#: tuple as :data:`smvar.geodetector.discretise.METHODS`, checked by a test.
DEFAULT_METHODS = "equal,natural,quantile,geometric,sd"
#: Fewer usable rows than this and no detector has two strata of two rows.
MIN_ROWS = 4
_SHOWN = 5  # rows named in a message before "and N more"


class DetectInputError(UserError, ValueError):
    """A problem with the table or the flags of ``smvar detect``."""


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("table", help="CSV table, one row per sample")
    p.add_argument("--y", required=True, help="response column (e.g. soil moisture)")
    p.add_argument("--categorical", default="", help="comma-separated categorical factor columns")
    p.add_argument("--continuous", default=None,
                   help="comma-separated continuous factor columns (default: every other column)")
    p.add_argument("--methods", default=DEFAULT_METHODS,
                   help=f"comma-separated discretisation methods (default {DEFAULT_METHODS})")
    p.add_argument("--intervals", default="3-8", help="numbers of intervals, e.g. 3-8 or 4,6 (default 3-8)")
    p.add_argument("--convention", default="gd", choices=sorted(CONVENTIONS),
                   help="whose conventions to follow (default gd = R GD 10.8)")
    p.add_argument("--json", default=None, help="write every table to this JSON file")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``detect`` to the ``smvar`` sub-parsers."""
    p = subparsers.add_parser("detect", help="optimal-parameter geographical detector on a CSV table",
                              description=__doc__.split("Usage::")[0].strip(),
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_arguments(p)
    p.set_defaults(handler=run)


def _split(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def parse_intervals(text: str) -> list[int]:
    """``--intervals`` as a list: ``"3-8"`` -> 3..8, ``"4,6"`` -> [4, 6]."""
    try:
        if "-" in text:
            lo, hi = (int(v) for v in text.split("-", 1))
            if lo > hi:
                raise DetectInputError(f"--intervals {text!r}: the range runs backwards; "
                                       f"write the smaller number first, e.g. {hi}-{lo}")
            values = list(range(lo, hi + 1))
        else:
            values = [int(v) for v in _split(text)]
    except ValueError as exc:
        if isinstance(exc, DetectInputError):
            raise
        raise DetectInputError(f"--intervals {text!r} is not understood; write a range such as 3-8 "
                               "or a list such as 4,6") from None
    if not values or min(values) < 2:
        raise DetectInputError(f"--intervals {text!r}: numbers of intervals must be 2 or more, e.g. 3-8")
    return values


def _header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise DetectInputError(f"{path}: is not UTF-8 text; save the table as CSV (UTF-8)") from None


def read_table(path: Path):
    """The CSV table, refusing what pandas would silently change (duplicate names, no rows)."""
    import pandas as pd

    if not path.exists():
        raise DetectInputError(f"{path}: no such file; give the path of a CSV table")
    if path.is_dir():
        raise DetectInputError(f"{path}: is a folder; give the path of a CSV table")
    header = _header(path)
    if not header:
        raise DetectInputError(f"{path}: the file is empty; give a CSV table with a header line")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DetectInputError(f"{path}: column name(s) {', '.join(map(repr, repeated))} appear more than "
                               "once in the header; give every column its own name")
    try:
        df = pd.read_csv(path)
    except Exception as exc:  # pandas raises many kinds
        raise DetectInputError(f"{path}: could not be read as CSV ({exc})") from None
    if len(df) == 0:
        raise DetectInputError(f"{path}: the table has a header but no rows")
    return df


def _numeric(df, path: Path, col: str, role: str):
    """The column as numbers; a stray text cell is named by its line, a text column by its role."""
    import pandas as pd

    values = df[col]
    if pd.api.types.is_numeric_dtype(values):
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    text = numbers.isna() & values.notna()
    if numbers.notna().any():
        cells = ", ".join(repr(v) for v in values[text].head(_SHOWN))
        raise DetectInputError(f"{path}: {role} {col!r} is numeric but has text at {file_lines(text[text].index)} "
                               f"({cells}); correct those cells or leave them empty")
    if role == "--y":
        raise DetectInputError(f"{path}: --y {col!r} is text, not numbers; give a numeric response column")
    raise DetectInputError(f"{path}: continuous factor {col!r} is text; if it is categorical, "
                           f"list it with --categorical {col}")


def _check_response(df, path: Path, y: str) -> None:
    import numpy as np

    values = df[y].to_numpy(float)
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        raise DetectInputError(f"{path}: --y {y!r} is infinite at {file_lines(infinite)}; correct those cells "
                               "or leave them empty (empty rows are dropped)")
    if np.unique(values).size == 1:
        raise DetectInputError(f"{path}: --y {y!r} is constant (all {values.size} rows are {values[0]:g}); "
                               "q measures how strata explain the variance of y, which is zero here")


def _check_factors(df, path: Path, cont: list[str], cat: list[str]) -> None:
    import numpy as np

    for col in cont:
        infinite = np.flatnonzero(np.isinf(df[col].to_numpy(float)))
        if infinite.size:
            raise DetectInputError(f"{path}: continuous factor {col!r} is infinite at {file_lines(infinite)}; "
                                   "correct those cells or leave them empty")
    for col in [*cont, *cat]:
        distinct = df[col].nunique()
        if distinct < 2:
            what = "constant" if distinct == 1 else "empty"
            raise DetectInputError(f"{path}: factor {col!r} is {what} (fewer than two strata); "
                                   "remove it from the factors")


def _drop_missing(df, path: Path, used: list[str]):
    bad = df[used].isna().any(axis=1)
    if bad.any():
        cols = [c for c in used if df[c].isna().any()]
        print(f"warning: {path}: dropped {int(bad.sum())} of {len(df)} rows with missing values "
              f"in {', '.join(cols)}", file=sys.stderr)
    return df.loc[~bad].reset_index(drop=True), int(bad.sum())


def _warn_many_levels(df, path: Path, cat: list[str]) -> None:
    from smvar.geodetector.risk import MAX_STRATA_FOR_PAIRS

    for col in cat:
        levels = df[col].nunique()
        if levels > MAX_STRATA_FOR_PAIRS:
            print(f"warning: {path}: categorical factor {col!r} has {levels:,} levels (more than "
                  f"{MAX_STRATA_FOR_PAIRS}); the risk detector gives its stratum means but tests no pairs "
                  f"of its strata ({levels * (levels - 1) // 2:,} pairs)", file=sys.stderr)


def _summary(res) -> str:
    lines = ["Factor detector (q, p):", res.factor.to_string(float_format=lambda v: f"{v:.4g}")]
    if res.optimal is not None:
        lines += ["", "Optimal discretisation:",
                  res.optimal.best[["method", "n", "n_strata", "q"]].to_string()]
    if len(res.interaction):
        table = res.interaction[["var1", "var2", "q12", "interaction"]].fillna({"interaction": "(q undefined)"})
        lines += ["", "Interaction detector:", table.to_string(index=False)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Execute ``smvar detect``; returns 0, or raises :class:`DetectInputError`."""
    import json

    from smvar.store import check_writable, write_text_atomic

    if args.json:
        check_writable(args.json, "--json")
    intervals = parse_intervals(args.intervals)
    methods = _split(args.methods)
    from smvar.geodetector.discretise import METHODS

    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise DetectInputError(f"--methods: unknown method(s) {', '.join(bad) or '(none given)'}; "
                               f"use some of {','.join(METHODS)}")
    path = Path(args.table)
    df = read_table(path)
    cat = _split(args.categorical)
    cont = _split(args.continuous) if args.continuous is not None else \
        [c for c in df.columns if c != args.y and c not in cat]
    for col in [args.y, *cont, *cat]:
        if col not in df.columns:
            raise DetectInputError(f"{path}: column {col!r} not found (columns: {', '.join(map(str, df.columns))});"
                                   " check the spelling in --y/--categorical/--continuous")
    if not cont and not cat:
        raise DetectInputError(f"{path}: no factor columns besides --y {args.y!r}; add factor columns")
    df = df.assign(**{c: _numeric(df, path, c, "--y" if c == args.y else "continuous factor")
                      for c in [args.y, *cont]})
    df, dropped = _drop_missing(df, path, [args.y, *cont, *cat])
    if len(df) < MIN_ROWS:
        raise DetectInputError(f"{path}: only {len(df)} usable row(s) after dropping {dropped} with missing "
                               f"values; the detectors need at least {MIN_ROWS}")
    _check_response(df, path, args.y)
    _check_factors(df, path, cont, cat)
    _warn_many_levels(df, path, cat)

    from smvar.geodetector.workflow import geodetector

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="risk detector: factor")  # said above, before computing
        try:
            res = geodetector(df[[args.y, *cont, *cat]], args.y, continuous=cont, categorical=cat,
                              methods=methods, intervals=intervals, convention=args.convention)
        except ValueError as exc:
            raise DetectInputError(f"{path}: {exc}") from None
    out = res.to_dict()
    out["dropped_rows"] = dropped
    out["table"] = str(path)
    print(_summary(res))
    if args.json:
        write_text_atomic(args.json, json.dumps(out, indent=1))
        print(f"\nwritten: {args.json}")
    return 0
