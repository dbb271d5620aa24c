"""The whole geographical detector on one table (R GD's ``gdm``).

Provides
--------
geodetector
    OPGD for the continuous factors, then the factor, interaction, risk and
    ecological detectors on all factors.
GeodetectorResult
    The five tables together (plus the strata used).
rows_outside
    Rows each factor's strata leave in no interval, and q with them dropped.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from smvar.geodetector.conventions import Convention, get_convention
from smvar.geodetector.discretise import METHODS
from smvar.geodetector.ecological import ecological_detector
from smvar.geodetector.factor import encode_strata, factor_detector
from smvar.geodetector.interaction import interaction_detector
from smvar.geodetector.optimise import OptimalDiscretisation, optimal_discretisation
from smvar.geodetector.risk import risk_detector

__all__ = ["geodetector", "GeodetectorResult", "rows_outside"]


@dataclass(frozen=True)
class GeodetectorResult:
    """All outputs of :func:`geodetector`.

    Attributes
    ----------
    factor : DataFrame
        q and p per factor (Eq. 7 of Yin et al. 2023).
    interaction : DataFrame
        q12 and Table 2 type per pair of factors.
    risk_mean : DataFrame
        Mean of y per stratum.
    risk : DataFrame
        Welch t test per pair of strata.
    ecological : DataFrame
        F test per pair of factors.
    optimal : OptimalDiscretisation or None
        OPGD result for the continuous factors.
    strata : DataFrame
        The stratum codes used (-1 = no stratum), one column per factor.
    labels : dict
        Factor -> stratum labels.
    dropped_rows : int
        Rows removed because y or a factor was missing.
    convention : Convention
    """

    factor: pd.DataFrame
    interaction: pd.DataFrame
    risk_mean: pd.DataFrame
    risk: pd.DataFrame
    ecological: pd.DataFrame
    optimal: OptimalDiscretisation | None
    strata: pd.DataFrame
    labels: dict
    dropped_rows: int
    convention: Convention

    def to_dict(self) -> dict:
        """Plain JSON-ready dictionary of every table."""
        def records(df):
            return json_ready(df.reset_index() if df.index.name else df)
        out = {"convention": self.convention.name, "dropped_rows": self.dropped_rows,
               "factor": records(self.factor), "interaction": records(self.interaction),
               "risk_mean": records(self.risk_mean), "risk": records(self.risk),
               "ecological": records(self.ecological)}
        if self.optimal is not None:
            out["optimal_discretisation"] = records(self.optimal.best)
            out["qtable"] = records(self.optimal.qtable)
        return out


def json_ready(df: pd.DataFrame) -> list[dict]:
    """Records of a table with NaN as None and numpy scalars as Python ones."""
    clean = df.astype(object).where(pd.notna(df), None)
    rows = clean.to_dict(orient="records")
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in rows]


def _clean_rows(df: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int]:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the table (columns: {list(df.columns)}); "
                         "check the spelling")
    bad = df[columns].isna().any(axis=1)
    if bad.any():
        warnings.warn(f"geodetector: dropped {int(bad.sum())} rows with missing values in "
                      f"{[c for c in columns if df[c].isna().any()]}", stacklevel=3)
    return df.loc[~bad].reset_index(drop=True), int(bad.sum())


def geodetector(df: pd.DataFrame, y: str, continuous: Sequence[str] = (), categorical: Sequence[str] = (),
                methods: Sequence[str] = METHODS, intervals: Iterable[int] = range(3, 9),
                convention: "str | Convention | None" = None, workers: int | None = None) -> GeodetectorResult:
    """Optimal-parameter geographical detector on a table (GD's ``gdm``).

    Parameters
    ----------
    df : DataFrame
        One row per sample (e.g. pixel x month).
    y : str
        Response column (soil moisture, m3/m3 in the paper).
    continuous : sequence of str
        Factors to discretise by OPGD.
    categorical : sequence of str
        Factors used as they are (e.g. land cover); a pandas Categorical keeps
        its category order for the risk tables.
    methods, intervals
        The OPGD grid (default GD's five methods x 3..8 intervals).
    convention : str or Convention, optional
        Default GD (R ``GD`` 10.8); "geodetector" or "gdverse".
    workers : int, optional
        Threads for OPGD over factors.

    Returns
    -------
    GeodetectorResult
        Factors appear in the order of ``df``'s columns, as GD's formula
        ``y ~ .`` gives them.
    """
    conv = get_convention(convention)
    factors = [c for c in df.columns if c in set(continuous) | set(categorical)]
    data, dropped = _clean_rows(df, [y, *factors])
    optimal = None
    if continuous:
        optimal = optimal_discretisation(data, y, list(continuous), methods, intervals, conv, workers)
    codes, labels = {}, {}
    for f in factors:
        if f in set(continuous):
            d = optimal.discretisations[f]
            codes[f], labels[f] = d.codes, d.labels
        else:
            codes[f], labels[f] = encode_strata(data[f], f)
    strata = pd.DataFrame(codes)
    yv = data[y].to_numpy(float)
    factor = factor_detector(yv, strata, conv)
    risk_mean, risk = risk_detector(yv, strata, conv, labels=labels)
    several = len(factors) >= 2
    inter = interaction_detector(yv, strata, conv) if several else pd.DataFrame()
    eco = ecological_detector(yv, strata, conv) if several else pd.DataFrame()
    return GeodetectorResult(factor=factor, interaction=inter, risk_mean=risk_mean, risk=risk,
                             ecological=eco, optimal=optimal, strata=strata, labels=labels,
                             dropped_rows=dropped, convention=conv)


def rows_outside(result: GeodetectorResult, y) -> pd.DataFrame:
    """Rows each factor's strata leave in no interval, and q with those rows dropped.

    GD's geometric (and sometimes sd) breaks can miss the data's minimum or
    maximum by one rounding step. GD keeps such rows in N and in the total sum
    of squares but in no stratum, which counts them as perfectly explained;
    the book reports how much this changes q.

    Parameters
    ----------
    result : GeodetectorResult
        Its ``strata`` (-1 = no stratum) and ``convention`` are used, so that
        q with the rows dropped follows the run's convention.
    y : array_like
        The response of the same rows (unit of y).

    Returns
    -------
    DataFrame
        ``factor``, ``rows_outside`` (count) and ``q_outside_dropped`` (NaN
        where no row is outside, or fewer than two strata remain).
    """
    y = np.asarray(y, dtype=float)
    rows = []
    for name in result.strata.columns:
        codes = result.strata[name].to_numpy()
        inside = codes >= 0
        n_out = int((~inside).sum())
        q_dropped = float("nan")
        if n_out and inside.sum() > 1 and np.unique(codes[inside]).size > 1:
            q_dropped = float(factor_detector(y[inside], result.strata[[name]][inside],
                                              result.convention)["q"].iloc[0])
        rows.append({"factor": name, "rows_outside": n_out, "q_outside_dropped": q_dropped})
    return pd.DataFrame(rows)
