"""Tables for people: the one way the book shows a table.

Provides
--------
show
    A :class:`pandas.DataFrame` as the book prints it (a :class:`Table`):
    headers in words with their units, numbers rounded to what they mean,
    nothing cut with "...", and a long or wide table scrolling inside its box
    (in print, the whole table).
Table
    What :func:`show` returns: the Styler's HTML in a scrolling box when
    displayed by Jupyter, the frame itself as ``.data``.
HEADERS
    The header of each column name that the package's tables use
    (``"sill_c0_plus_c_run"`` -> ``"sill C₀+C, this run (m³/m³)²"``).
header
    The header of one column name: :data:`HEADERS`, else the name in words.
use_in_notebook
    Make IPython show every DataFrame through :func:`show` and every Styler
    a chapter made itself in the same scrolling box (called by
    :func:`smvar.plots.book_page`).

Every chapter calls :func:`show` on the tables that ``smvar`` computes, so
that the tables of the package stay machine-readable (snake_case columns,
full precision) and only their display is for people.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

__all__ = ["show", "Table", "HEADERS", "header", "use_in_notebook"]

SM = "m³/m³"

HEADERS: dict[str, str] = {
    # grids, reaches, factors
    "grid": "grid", "cells": "cells", "cell_size": "cell size", "crs": "coordinate system",
    "rows": "rows", "columns": "columns", "cell_area_km2": "cell area (km²)", "area_km2": "area (km²)",
    "share": "share", "share_pct": "share (%)",
    "reach": "reach", "factor": "factor", "category": "category", "unit": "unit", "units": "unit",
    "label": "factor", "source": "source", "mean": "mean", "min": "minimum", "max": "maximum",
    # months and statistics
    "month": "month", "mean_sm": f"mean SM ({SM})", "sd": f"SD ({SM})", "cv": "CV",
    "iqr": f"IQR ({SM})", "iqr_sd": "IQR/SD", "skewness": "skewness", "kurtosis": "kurtosis",
    "n": "n", "n_pixels": "pixels", "pixels": "pixels", "count": "count",
    "date_used": "day used", "own_fit_share": "share fitted on the class's own cells", "a": "a", "b": "b",
    "land_cover": "land cover", "ndvi_level": "NDVI level", "iqr_sd_subsample": "IQR/SD (subsample)",
    "excess_kurtosis": "excess kurtosis", "n_test": "pixels tested", "dagostino_k2": "D'Agostino K²",
    "dagostino_p": "D'Agostino p-value", "anderson_a2": "Anderson–Darling A²",
    "anderson_reject_5pct": "normality rejected at 5 %", "x_km": "x (km)", "y_km": "y (km)",
    "mrd": "mean relative difference", "sdrd": "SD of the relative differences", "rank": "rank",
    "h_m": "distance h (m)", "half_sq_diff": "½ (zᵢ − zⱼ)²", "n_pairs": "pairs", "lag_mean_m": "mean lag (m)",
    "gamma": f"γ ({SM})²", "n_strata": "strata", "at_bound": "a parameter at its bound",
    "rows_outside": "rows in no stratum", "q_outside_dropped": "q (those rows dropped)",
    "p05": f"5th percentile ({SM})", "p95": f"95th percentile ({SM})", "median": "median",
    "share_excellent": "share excellent", "share_good": "share good", "share_stable": "share stable",
    "share_poor": "share poor", "share_very_poor": "share very poor", "variogram_model": "pykrige model",
    "psill": "partial sill", "nugget": "nugget", "slope": "slope", "range": "range",
    # variogram models (Table 3)
    "model": "model", "model_paper": "model, paper", "model_run": "model, this run",
    "nugget_c0": f"nugget C₀ ({SM})²", "nugget_c0_paper": f"nugget C₀, paper ({SM})²",
    "nugget_c0_run": f"nugget C₀, this run ({SM})²",
    "sill_c0_plus_c": f"sill C₀+C ({SM})²", "sill_c0_plus_c_paper": f"sill C₀+C, paper ({SM})²",
    "sill_c0_plus_c_run": f"sill C₀+C, this run ({SM})²",
    "structured_share": "structured share C/(C₀+C)",
    "structured_share_paper": "structured share C/(C₀+C), paper",
    "structured_share_run": "structured share C/(C₀+C), this run",
    "nugget_share": "nugget share C₀/(C₀+C)",
    "range_m": "range (m)", "range_m_paper": "range, paper (m)", "range_m_run": "range, this run (m)",
    "range_km": "range (km)", "r2": "R²", "r2_paper": "R², paper", "r2_run": "R², this run",
    "rss": "residual sum of squares", "best": "best model",
    # downscaling validation
    "r": "Pearson r", "rmse": f"RMSE ({SM})", "ubrmse": f"ubRMSE ({SM})", "bias": f"bias ({SM})",
    "mae": f"MAE ({SM})",
    # geographical detector
    "q": "q", "p": "p-value", "p_value": "p-value", "method": "discretisation", "intervals": "intervals",
    "breaks": "class breaks", "var1": "factor 1", "var2": "factor 2", "factor_1": "factor 1",
    "factor_2": "factor 2", "q12": "q of the pair", "interaction": "interaction type",
    # comparison
    "quantity": "quantity", "paper": "paper", "run": "this run", "tolerance": "tolerance",
    "agrees": "agrees", "why": "why they differ", "claim": "claim", "section": "section",
}


def header(name: Any) -> str:
    """The header shown for a column name: :data:`HEADERS`, else the name with spaces."""
    text = str(name)
    if text in HEADERS:
        return HEADERS[text]
    if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", text):
        words = text.split("_")
        units = {"m": "(m)", "km": "(km)", "km2": "(km²)", "pct": "(%)", "mm": "(mm)", "k": "(K)"}
        if words[-1] in units and len(words) > 1:
            return " ".join(words[:-1]) + " " + units[words[-1]]
        return " ".join(words)
    return text


def _number(value: Any, digits: int = 3) -> str:
    """A number with ``digits`` significant digits; thousands separated; integers as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        magnitude = abs(float(value))
        if magnitude >= 10 ** digits:
            return f"{value:,.0f}"
        if magnitude == 0:
            return "0"
        if magnitude < 1e-3:
            return f"{value:.{digits - 1}e}"
        text = f"{value:#.{digits}g}"   # '#': trailing zeros kept (0.660), so a column's decimals line up
        if "e" in text:                   # 999.9 rounds up to 1000
            return f"{value:,.0f}"
        return text[:-1] if text.endswith(".") else text
    return str(value)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(_number(v.item() if isinstance(v, np.generic) else v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Number):
        return _number(value)
    return str(value)


_CSS = """<style>
.smvar-table{max-height:34em;overflow:auto;margin:0 0 1em 0;border:1px solid #d0d4da;border-radius:4px}
.smvar-table table{border-collapse:collapse;font-size:.86em;margin:0;width:auto;min-width:100%}
.smvar-table caption{caption-side:top;text-align:left;font-style:italic;padding:.3em .6em}
.smvar-table th,.smvar-table td{padding:.3em .7em;border-bottom:1px solid #e4e7eb;vertical-align:top}
.smvar-table thead th{position:sticky;top:0;background:#f3f5f7;text-align:left;white-space:normal;
  font-weight:600;z-index:1}
.smvar-table tbody th{text-align:left;font-weight:600;white-space:nowrap}
.smvar-table td.smvar-num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.smvar-table td.smvar-text{text-align:left;white-space:normal;min-width:4em;max-width:40em}
@media print{.smvar-table{max-height:none;overflow:visible;border:none}
  .smvar-table thead th{position:static}}
</style>"""


class Table:
    """A table as the book shows it (see :func:`show`).

    Attributes
    ----------
    data : pandas.DataFrame
        The frame shown, with its original column names and values.
    styler : pandas.io.formats.style.Styler
        The Styler that renders it.
    """

    def __init__(self, data: pd.DataFrame, styler: Any) -> None:
        self.data, self.styler = data, styler

    def to_html(self) -> str:
        """The table's HTML: a scrolling box holding the Styler's table."""
        return f'{_CSS}<div class="smvar-table">{self.styler.to_html()}</div>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.data.to_string()


def show(
    frame: pd.DataFrame | pd.Series,
    *,
    columns: Mapping[str, str] | None = None,
    formats: Mapping[str, str | Callable[[Any], str]] | None = None,
    digits: int = 3,
    index: bool | None = None,
    caption: str | None = None,
    index_name: str | None = None,
) -> Table:
    """Show a table for people.

    Parameters
    ----------
    frame : pandas.DataFrame or pandas.Series
        The table, with the package's column names.
    columns : mapping, optional
        Headers of this table's columns, over :data:`HEADERS` (name -> header).
        Columns not named keep :func:`header` of their name.
    formats : mapping, optional
        Column name -> format string (``"{:.3f}"``) or function of the value.
        Other numbers get ``digits`` significant digits.
    digits : int
        Significant digits of the numbers that ``formats`` does not name.
    index : bool, optional
        Show the index (default: when it is not a plain 0, 1, 2... range).
    caption : str, optional
        A caption above the table.
    index_name : str, optional
        The header of the index column.

    Returns
    -------
    Table
        Displayed by Jupyter as HTML; nothing is truncated.
    """
    data = frame.to_frame() if isinstance(frame, pd.Series) else frame.copy()
    if index is None:  # a plain 0, 1, 2... row number is not shown; any other index is
        plain = isinstance(data.index, pd.RangeIndex) and data.index.start == 0 and data.index.step == 1
        index = not (plain and data.index.name is None)
    if index and any(name is not None for name in data.index.names):
        # a named index becomes the first columns: one header row, and its name in words
        if index_name is not None and data.index.nlevels == 1:
            data.index.name = index_name
        data = data.reset_index()
        index = False
    data.columns = [str(c) if not isinstance(c, tuple) else " ".join(str(p) for p in c if str(p))
                    for c in data.columns]
    headers = {**{c: header(c) for c in data.columns}, **dict(columns or {})}
    formats = dict(formats or {})
    numeric = {c for c in data.columns if pd.api.types.is_numeric_dtype(data[c].dtype)
               and not pd.api.types.is_bool_dtype(data[c].dtype)}

    def formatter(column: str) -> Callable[[Any], str]:
        given = formats.get(column)
        if given is None:
            return (lambda v: _number(v, digits)) if column in numeric else _cell
        if callable(given):
            return lambda v: "–" if _missing(v) else given(v)
        return lambda v: "–" if _missing(v) else given.format(v)

    shown = data.copy()
    for column in data.columns:
        shown[column] = [formatter(column)(v) for v in data[column]]
    shown.columns = [headers[c] for c in data.columns]
    if index:
        name = index_name if index_name is not None else (
            header(data.index.name) if data.index.name is not None else "")
        shown.index = [_cell(v) for v in data.index]
        shown.index.name = name or None
    styler = shown.style.format(escape="html")
    if not index:
        styler = styler.hide(axis="index")
    classes = pd.DataFrame(
        [["smvar-num" if c in numeric or c in formats else "smvar-text" for c in data.columns]] * len(data),
        index=shown.index, columns=shown.columns)
    styler = styler.set_td_classes(classes)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return Table(data, styler)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _styler_html(styler: Any) -> str:
    """A Styler a chapter made itself, in the book's box (its own formats kept)."""
    styler = styler.format_index(header, axis=1)
    return f'{_CSS}<div class="smvar-table">{styler.to_html()}</div>'


def use_in_notebook() -> None:
    """Show DataFrames through :func:`show` and Stylers in the book's box, in this IPython kernel.

    Does nothing outside IPython. The frames themselves are not changed.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    from pandas.io.formats.style import Styler

    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(pd.DataFrame, lambda frame: show(frame).to_html())
    formatter.for_type(pd.Series, lambda series: show(series).to_html())
    formatter.for_type(Styler, _styler_html)
