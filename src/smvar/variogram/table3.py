"""The paper's Table 3 (semivariogram models per month) for a run, and as published.

Provides
--------
table3
    Fit the four models to each month's semivariogram and tabulate, under
    their real names, the nugget ``C0``, sill ``C0 + C``, structured share
    ``C/(C0+C)``, nugget share ``C0/(C0+C)``, range (GS+ convention), R^2 and
    RSS; the best model per month is chosen by lowest RSS.
published_table3
    Table 3 of Yin et al. 2023 as published, with the same column names.
compare_table3
    The run's best models beside the published ones, month by month.
published_data_dir
    Where the published values are read from.

Notes
-----
The published column "Nugget Coefficient/%" equals ``C/(C0+C)`` = (sill -
nugget) / sill, row by row (e.g. January: (0.00173 - 0.00103) / 0.00173 =
0.405), i.e. GS+'s "Proportion C/(Co+C)", the *structured* share, although the
paper's text reads it as a nugget-to-sill ratio. Here it is called
``structured_share``; the nugget-to-sill ratio is ``nugget_share``.
Ranges follow GS+: the effective range (3a exponential, sqrt(3) a Gaussian),
and for the linear model the last lag. The exponential ranges of 1,833,000 m
are 3 x 611,000 m, the spherical range of April and July.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from smvar.variogram.empirical import VariogramResult
from smvar.variogram.fit import FitResult, best_model, fit_all_models
from smvar.variogram.models import MODEL_NAMES

__all__ = ["table3", "published_table3", "compare_table3", "published_data_dir", "PAPER_MODEL_NAMES"]

#: Model names as printed in the paper.
PAPER_MODEL_NAMES = {
    "linear": "Linear",
    "spherical": "Spherical",
    "exponential": "Exponential",
    "gaussian": "Gaussian",
    "linear_sill": "Linear (bounded)",
}

_COLUMNS = [
    "month", "model", "nugget_c0", "sill_c0_plus_c", "partial_sill_c", "structured_share",
    "nugget_share", "range_m", "a_m", "r2", "rss", "at_bound", "best",
]


def _as_mapping(monthly: Mapping | Sequence) -> dict[int, object]:
    if isinstance(monthly, Mapping):
        return {int(k): v for k, v in monthly.items()}
    return {i + 1: v for i, v in enumerate(monthly)}


def _row(month: int, name: str, fit: FitResult, best: bool) -> dict:
    m = fit.model
    return {
        "month": month,
        "model": PAPER_MODEL_NAMES[name],
        "nugget_c0": m.nugget,
        "sill_c0_plus_c": m.sill,
        "partial_sill_c": m.psill,
        "structured_share": m.structured_share,
        "nugget_share": m.nugget_share,
        "range_m": m.effective_range,
        "a_m": m.a,
        "r2": fit.r2,
        "rss": fit.rss,
        "at_bound": fit.at_bound,
        "best": best,
    }


def table3(
    monthly_results: Mapping[int, VariogramResult | Mapping[str, FitResult]] | Sequence,
    models: Iterable[str] = MODEL_NAMES,
    weights: str | None = None,
    all_models: bool = False,
) -> pd.DataFrame:
    """Table 3 of Yin et al. 2023 for a run.

    Parameters
    ----------
    monthly_results : mapping of month to VariogramResult (or to fits), or sequence
        One binned semivariogram per month (Eq. 5), keyed by month number, or a
        sequence taken as months 1, 2, ...; a value may instead be a dict of
        already fitted models (from :func:`~smvar.variogram.fit.fit_all_models`).
    models : iterable of str, default the paper's four
        Models to fit (ignored for months given as fits).
    weights : {None, "npairs", "npairs_h2"}, default None
        Fitting weights; None (unweighted) is GS+'s autofit, as in the paper.
    all_models : bool, default False
        If True, one row per month and model (column ``best`` marks the
        chosen one); otherwise only the best model of each month.

    Returns
    -------
    pandas.DataFrame
        Columns ``month, model, nugget_c0, sill_c0_plus_c, partial_sill_c,
        structured_share (C/(C0+C)), nugget_share (C0/(C0+C)), range_m
        (GS+ effective range; last lag for the linear model), a_m (model
        parameter), r2 (1 - RSS/TSS), rss, at_bound, best``. Semivariances
        are in squared units of the variable; distances in metres.

    Notes
    -----
    The best model of a month is the one with the lowest unweighted RSS on
    that month's bins (equivalently the highest R^2); ties go to the model
    listed first in ``models``.
    """
    rows = []
    for month, value in sorted(_as_mapping(monthly_results).items()):  # loop over months
        fits = value if isinstance(value, Mapping) else fit_all_models(value, tuple(models), weights=weights)
        chosen = best_model(dict(fits))
        rows += [_row(month, name, fit, name == chosen) for name, fit in fits.items()]
    out = pd.DataFrame(rows, columns=_COLUMNS)
    return out if all_models else out[out["best"]].reset_index(drop=True)


def published_data_dir() -> Path:
    """Folder holding ``table3_semivariogram.csv`` and ``published_values.yaml``.

    Looks, in order, in the repository's ``data/paper/``, in
    ``$SMVAR_SHARED/reference/paper`` and in ``../shared/reference/paper``
    next to the repository.

    Returns
    -------
    pathlib.Path
        The first folder that holds ``table3_semivariogram.csv``.
    """
    repo = Path(__file__).resolve().parents[3]
    candidates = [repo / "data" / "paper"]
    if os.environ.get("SMVAR_SHARED"):
        candidates.append(Path(os.environ["SMVAR_SHARED"]) / "reference" / "paper")
    candidates.append(repo.parent / "shared" / "reference" / "paper")
    for folder in candidates:
        if (folder / "table3_semivariogram.csv").is_file():
            return folder
    raise FileNotFoundError(
        "table3_semivariogram.csv not found in "
        + ", ".join(str(c) for c in candidates)
        + "; put the paper's published values in data/paper/ or set SMVAR_SHARED."
    )


def published_table3(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Table 3 of Yin et al. 2023 as published, under the names :func:`table3` uses.

    Parameters
    ----------
    path : path-like, optional
        The CSV (columns ``month, model, nugget, sill, nugget_coefficient,
        range_m, r2, rss``); default from :func:`published_data_dir`.

    Returns
    -------
    pandas.DataFrame
        Columns ``month, model, nugget_c0, sill_c0_plus_c, partial_sill_c,
        structured_share, nugget_share, range_m, r2, rss`` and
        ``published_nugget_coefficient`` (the column as printed, which equals
        ``structured_share`` = C/(C0+C) up to rounding; see the module notes).
    """
    src = Path(path) if path is not None else published_data_dir() / "table3_semivariogram.csv"
    raw = pd.read_csv(src)
    out = pd.DataFrame(
        {
            "month": raw["month"].astype(int),
            "model": raw["model"],
            "nugget_c0": raw["nugget"],
            "sill_c0_plus_c": raw["sill"],
            "partial_sill_c": raw["sill"] - raw["nugget"],
            "structured_share": (raw["sill"] - raw["nugget"]) / raw["sill"],
            "nugget_share": raw["nugget"] / raw["sill"],
            "range_m": raw["range_m"].astype(float),
            "r2": raw["r2"],
            "rss": raw["rss"],
            "published_nugget_coefficient": raw["nugget_coefficient"],
        }
    )
    out.attrs["note"] = (
        "The published 'Nugget Coefficient/%' column equals C/(C0+C), the structured share "
        "(GS+'s proportion), not the nugget-to-sill ratio C0/(C0+C) the paper's text describes."
    )
    out.attrs["source"] = str(src)
    return out


def compare_table3(run: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """The run's Table 3 (best model per month) beside the published one.

    Parameters
    ----------
    run : pandas.DataFrame
        Output of :func:`table3` (best rows, or all rows with ``best``).
    published : pandas.DataFrame, optional
        Output of :func:`published_table3` (read if not given).

    Returns
    -------
    pandas.DataFrame
        One row per month; columns of both tables suffixed ``_run`` and ``_paper``.
    """
    pub = published_table3() if published is None else published
    best = run[run["best"]] if "best" in run else run
    cols = ["month", "model", "nugget_c0", "sill_c0_plus_c", "structured_share", "nugget_share", "range_m", "r2", "rss"]
    merged = best[cols].merge(pub[cols], on="month", how="outer", suffixes=("_run", "_paper"))
    order = ["month"] + [f"{c}_{s}" for c in cols[1:] for s in ("run", "paper")]
    return merged[order].sort_values("month").reset_index(drop=True)


def _check_published(pub: pd.DataFrame, tol: float = 0.006) -> np.ndarray:
    """Rows where the printed coefficient differs from C/(C0+C) by more than ``tol``."""
    return np.flatnonzero(np.abs(pub["published_nugget_coefficient"] - pub["structured_share"]) > tol)
