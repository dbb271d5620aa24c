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
q_by_method
    The largest q of each factor under each discretisation method alone, and
    under OPGD's choice among all of them (does the method change the
    dominant factor?).
geometric_cuts_outside
    Every geometric cut of every factor that leaves rows in no interval, with
    q as GD counts them and with those rows dropped.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from smvar.geodetector.conventions import Convention, get_convention
from smvar.geodetector.discretise import METHODS, discretise
from smvar.geodetector.ecological import ecological_detector
from smvar.geodetector.factor import encode_strata, factor_detector, q_statistic
from smvar.geodetector.interaction import interaction_detector
from smvar.geodetector.optimise import OptimalDiscretisation, optimal_discretisation
from smvar.geodetector.risk import risk_detector

__all__ = ["geodetector", "GeodetectorResult", "rows_outside", "q_by_method", "geometric_cuts_outside",
           "ALL_METHODS_ROW"]

#: The row of :func:`q_by_method` holding OPGD's choice among all methods.
ALL_METHODS_ROW = "OPGD (all methods)"


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


def q_by_method(table: pd.DataFrame, y: str, continuous: Sequence[str], categorical: Sequence[str] = (),
                methods: Sequence[str] = METHODS, intervals: Iterable[int] = range(3, 9),
                convention: "str | Convention | None" = None) -> tuple[pd.DataFrame, OptimalDiscretisation]:
    """The largest q of each factor under each method alone, and under OPGD's choice.

    Parameters
    ----------
    table : DataFrame
        One row per sample (one month, say), with ``y`` and the factors.
    y, continuous, categorical, methods, intervals, convention
        As for :func:`geodetector`; categorical factors are used as they are
        (the same q in every row).

    Returns
    -------
    q : DataFrame
        Rows: each method, then :data:`ALL_METHODS_ROW`; columns: factors.
        Each continuous factor's q is its best over ``intervals`` for that
        method (NaN where every n is rejected). ``q.idxmax(axis=1)`` is the
        dominant factor if a study had fixed that method.
    optimal : OptimalDiscretisation
        OPGD's result on the table (its ``best`` holds the chosen cuts).
    """
    conv = get_convention(convention)
    optimal = optimal_discretisation(table, y, list(continuous), methods, intervals, conv)
    q = optimal.qtable.groupby(["method", "factor"])["q"].max().unstack("factor")
    q = q.reindex(index=list(methods), columns=list(continuous))
    q.loc[ALL_METHODS_ROW] = q.max()
    for name in categorical:
        q[name] = factor_detector(table[y], table[[name]], conv).loc[name, "q"]
    return q, optimal


def geometric_cuts_outside(table: pd.DataFrame, y: str, factors: Sequence[str],
                           intervals: Iterable[int] = range(3, 9),
                           convention: "str | Convention | None" = None) -> pd.DataFrame:
    """Every geometric cut (factor x n) that leaves rows in no interval.

    Returns
    -------
    DataFrame
        ``factor``, ``n``, ``rows_outside``, ``rows``, ``q`` (rows outside in
        the total but in no stratum, as GD counts them), ``q_outside_dropped``
        and ``inflation`` (the difference); cuts with an undefined q are left out.
    """
    conv = get_convention(convention)
    yv = table[y].to_numpy(float)
    rows = []
    for name in factors:
        x = table[name].to_numpy(float)
        for n in intervals:
            codes = discretise(x, "geometric", n, name=name).codes
            outside = int((codes < 0).sum())
            if not outside:
                continue
            q = float(q_statistic(yv, codes, conv).q[0])
            if np.isfinite(q):
                dropped = float(q_statistic(yv, codes, conv.with_options(outside_rows="drop")).q[0])
                rows.append({"factor": name, "n": int(n), "rows_outside": outside, "rows": len(yv),
                             "q": q, "q_outside_dropped": dropped, "inflation": q - dropped})
    return pd.DataFrame(rows, columns=["factor", "n", "rows_outside", "rows", "q", "q_outside_dropped",
                                       "inflation"])
