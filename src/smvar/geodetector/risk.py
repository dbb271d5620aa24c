"""The risk detector: Welch t tests between the means of strata (Wang et al. 2010).

Provides
--------
risk_detector
    Mean of y in each stratum of each factor (``risk_mean``) and a t test
    for every pair of strata (``risk``).
welch_test
    Vectorised Welch t statistics, degrees of freedom and two-sided p values
    from counts, means and variances.

The default reproduces R GD's ``stats::t.test`` (Welch, unrounded degrees of
freedom; a pair R refuses - a stratum with fewer than two values, or data
essentially constant - gets t = 0, p = 1). The R geodetector convention
rounds the degrees of freedom and compares |t| with qt(0.975, df).
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import special

from smvar.geodetector.conventions import Convention, get_convention
from smvar.geodetector.factor import response_values, strata_frame, column_codes, encode_strata, stratum_sums

__all__ = ["risk_detector", "welch_test", "MAX_STRATA_FOR_PAIRS"]

#: Above this many strata a factor gets its risk means but no table of pairs:
#: 100 strata already give 4,950 t tests, more than anyone reads, and a factor
#: of thousands of levels (an identifier column) would need millions of rows
#: of pairs (6,000 levels: 18 million). Memory then stays linear in rows.
MAX_STRATA_FOR_PAIRS = 100

_EPS = np.finfo(float).eps


def welch_test(n1, m1, v1, n2, m2, v2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Welch's two-sample t test, vectorised.

    Parameters
    ----------
    n1, m1, v1, n2, m2, v2 : array_like
        Counts, means and sample variances (ddof=1) of the two groups.

    Returns
    -------
    t, df, p, ok : ndarrays
        t statistic, Welch degrees of freedom, two-sided p value, and whether
        R's ``t.test`` would accept the pair (n >= 2 in both groups and a
        standard error above 10 eps max(|m1|, |m2|)); where not, t = 0, p = 1
        and df = max(n1, n2) - 1 (GD's fallback).
    """
    n1, m1, v1, n2, m2, v2 = (np.asarray(a, dtype=float) for a in (n1, m1, v1, n2, m2, v2))
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        t = (m1 - m2) / se
        ok = (n1 >= 2) & (n2 >= 2) & (se >= 10 * _EPS * np.maximum(np.abs(m1), np.abs(m2)))
        p = 2 * special.stdtr(df, -np.abs(t))
    t = np.where(ok, t, 0.0)
    df = np.where(ok, df, np.maximum(n1, n2) - 1)
    p = np.where(ok, p, 1.0)
    return t, df, p, ok


def _levels(column: pd.Series, name: str, labels: list | None) -> tuple[np.ndarray, list]:
    """Codes (-1 = no stratum, left out of every test as GD's NA stratum) and stratum labels."""
    if pd.api.types.is_integer_dtype(column.dtype) and (column < 0).any():
        codes = column_codes(column, name)
        return codes, labels if labels is not None else list(range(int(codes.max()) + 1))
    codes, levels = encode_strata(column, name)
    return codes, labels if labels is not None else levels


def risk_detector(y, strata, convention: "str | Convention | None" = None,
                  labels: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The risk detector for every factor.

    Parameters
    ----------
    y : array_like or Series
        Response.
    strata : DataFrame
        Integer codes (-1 = no stratum) or categorical columns.
    convention : str or Convention, optional
        Default GD.
    labels : dict, optional
        Factor -> list of stratum labels for integer codes (e.g. interval
        labels from a :class:`~smvar.geodetector.discretise.Discretisation`).

    Returns
    -------
    risk_mean : DataFrame
        ``factor``, ``stratum``, ``n``, ``mean`` (unit of y).
    risk : DataFrame
        ``factor``, ``stratum1``, ``stratum2``, ``t``, ``df``, ``p``,
        ``significant`` (bool) for every pair of non-empty strata, in stratum
        order. Under the R geodetector convention pairs it skips have NaN.
    """
    conv = get_convention(convention)
    frame = strata_frame(strata)
    yv = response_values(y, len(frame))
    means, tests = [], []
    for col in frame.columns:
        name = str(col)
        codes, levels = _levels(frame[col], name, (labels or {}).get(name))
        s = stratum_sums(yv, codes)
        count, mean = s.count[0], s.mean[0]
        var = np.where(count > 1, s.ssw[0] / np.maximum(count - 1, 1), np.nan)
        present = np.flatnonzero(count > 0)
        means.append(pd.DataFrame({"factor": name, "stratum": [levels[i] for i in present],
                                   "n": count[present].astype(int), "mean": mean[present]}))
        if present.size < 2:
            continue
        if present.size > MAX_STRATA_FOR_PAIRS:
            warnings.warn(f"risk detector: factor {name!r} has {present.size} strata, more than "
                          f"{MAX_STRATA_FOR_PAIRS}; its {present.size * (present.size - 1) // 2:,} pairs of "
                          "strata are not tested (its risk means are given)", stacklevel=2)
            continue
        i, j = np.array(list(combinations(present, 2))).T
        tests.append(_pair_table(name, levels, i, j, count, mean, var, conv))
    risk = pd.concat(tests, ignore_index=True) if tests else pd.DataFrame(
        columns=["factor", "stratum1", "stratum2", "t", "df", "p", "significant"])
    return pd.concat(means, ignore_index=True), risk


def _pair_table(name, levels, i, j, count, mean, var, conv: Convention) -> pd.DataFrame:
    t, df, p, ok = welch_test(count[i], mean[i], var[i], count[j], mean[j], var[j])
    if conv.risk_test == "welch_rounded_df":
        df = np.where(ok, np.round(df), np.nan)
        with np.errstate(invalid="ignore"):
            crit = special.stdtrit(df, 1 - conv.alpha / 2)
            p = np.where(ok, 2 * special.stdtr(df, -np.abs(t)), np.nan)
            sig = np.where(ok, np.abs(t) > crit, False)
        t = np.where(ok, t, np.nan)
    else:
        sig = p < conv.alpha
    return pd.DataFrame({"factor": name, "stratum1": [levels[k] for k in i],
                         "stratum2": [levels[k] for k in j], "t": t, "df": df, "p": p,
                         "significant": sig.astype(bool)})
