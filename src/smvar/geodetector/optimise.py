"""Parameter optimisation of the geographical detector (OPGD; Song et al. 2020).

Provides
--------
optimal_discretisation
    For each continuous factor, the method and number of intervals with the
    largest q over a grid (default GD's five methods x 3..8 intervals).
OptimalDiscretisation
    Its result: the optimum per factor, the whole q table and the chosen
    :class:`~smvar.geodetector.discretise.Discretisation` of each factor.

GD's rules (R ``GD`` 10.8, ``optidisc``) are reproduced: a combination is
rejected (q = NaN) if its breaks repeat or any interval holds fewer than two
rows; the optimum is the first maximum in the order methods (as given), then
number of intervals (ascending), with exact equality.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from smvar.geodetector.conventions import Convention, get_convention
from smvar.geodetector.discretise import (METHODS, Discretisation, breaks_for_many, interval_labels,
                                          strata_codes, _check_method)
from smvar.geodetector.factor import q_statistic

__all__ = ["optimal_discretisation", "OptimalDiscretisation"]


@dataclass(frozen=True)
class OptimalDiscretisation:
    """Result of :func:`optimal_discretisation`.

    Attributes
    ----------
    best : DataFrame
        One row per factor: ``method``, ``n`` (intervals asked for),
        ``n_strata``, ``q``, ``breaks`` (list), ``counts`` (list).
    qtable : DataFrame
        One row per factor x method x n: ``q`` (NaN when rejected) and
        ``rejected`` (the reason, or "").
    discretisations : dict
        Factor name -> the optimal :class:`Discretisation`.
    """

    best: pd.DataFrame
    qtable: pd.DataFrame
    discretisations: dict

    def qmatrix(self, factor: str) -> pd.DataFrame:
        """q of one factor as a table: rows n, columns methods (GD's ``qv.matrix``)."""
        t = self.qtable[self.qtable["factor"] == factor]
        return t.pivot(index="n", columns="method", values="q")[list(dict.fromkeys(t["method"]))]


def _candidates(x: np.ndarray, xs: np.ndarray, methods, intervals):
    """Codes and rejection reasons for every (method, n), method-major order."""
    rows, columns = [], []
    for method in methods:
        all_breaks = breaks_for_many(xs, method, intervals, presorted=True)
        for n in intervals:
            b = all_breaks[n]
            reason, codes = "", None
            if np.unique(b).size != b.size:
                reason = "duplicate breaks"
            else:
                codes = strata_codes(x, b)
                counts = np.bincount(codes[codes >= 0], minlength=b.size - 1)
                if counts.min() < 2:
                    reason, codes = "an interval holds fewer than 2 rows", None
            rows.append((method, int(n), b, reason))
            columns.append(codes)
    return rows, columns


def _optimise_one(name: str, x: np.ndarray, y: np.ndarray, methods, intervals, conv: Convention):
    xs = np.sort(x)
    rows, columns = _candidates(x, xs, methods, intervals)
    q = np.full(len(rows), np.nan)
    ok = [i for i, c in enumerate(columns) if c is not None]
    for start in range(0, len(ok), 8):  # bounded memory: 8 stratifications at a time
        chunk = ok[start:start + 8]
        q[chunk] = q_statistic(y, np.column_stack([columns[i] for i in chunk]), conv).q
    table = pd.DataFrame({"factor": name, "method": [r[0] for r in rows], "n": [r[1] for r in rows],
                          "q": q, "rejected": [r[3] for r in rows]})
    if not np.any(np.isfinite(q)):
        raise ValueError(f"optimal discretisation: every method x number of intervals was rejected "
                         f"for factor {name!r} (repeated breaks or intervals with fewer than 2 rows); "
                         "try fewer intervals or treat it as categorical")
    k = int(np.flatnonzero(q == np.nanmax(q))[0])
    method, n, b, _ = rows[k]
    codes = columns[k]
    disc = Discretisation(method=method, n=n, breaks=b, codes=codes,
                          counts=np.bincount(codes[codes >= 0], minlength=b.size - 1),
                          labels=interval_labels(b))
    return table, disc


def _numeric_column(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        raise ValueError(f"column {column!r} is not in the table (columns: {list(df.columns)}); "
                         "check the spelling")
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(float)
    if np.isnan(values).any():
        raise ValueError(f"column {column!r} has {int(np.isnan(values).sum())} missing or non-numeric "
                         "values; drop those rows first")
    return values


def optimal_discretisation(df: pd.DataFrame, y: str, factors: Sequence[str],
                           methods: Sequence[str] = METHODS, intervals: Iterable[int] = range(3, 9),
                           convention: "str | Convention | None" = None,
                           workers: int | None = None) -> OptimalDiscretisation:
    """OPGD: the discretisation of each continuous factor that maximises q.

    Parameters
    ----------
    df : DataFrame
        The sample table.
    y : str
        Response column (e.g. soil moisture, m3/m3).
    factors : sequence of str
        Continuous factor columns.
    methods : sequence of str
        Methods to try, in GD's order of preference for ties
        (default "equal", "natural", "quantile", "geometric", "sd").
    intervals : iterable of int
        Numbers of intervals to try (default 3..8, as GD and the paper).
    convention : str or Convention, optional
        How q is computed (default GD).
    workers : int, optional
        Threads over factors (default: the number of CPUs, at most the
        number of factors).

    Returns
    -------
    OptimalDiscretisation
    """
    conv = get_convention(convention)
    methods = [_check_method(m) for m in methods]
    intervals = [int(n) for n in intervals]
    yv = _numeric_column(df, y)
    xs = {f: _numeric_column(df, f) for f in factors}
    workers = workers or min(len(factors), os.cpu_count() or 1) or 1
    job = lambda f: _optimise_one(f, xs[f], yv, methods, intervals, conv)  # noqa: E731
    if workers > 1 and len(factors) > 1:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(job, factors))
    else:
        results = [job(f) for f in factors]
    qtable = pd.concat([r[0] for r in results], ignore_index=True)
    discs = {f: r[1] for f, r in zip(factors, results)}
    best = pd.DataFrame({
        "method": [d.method for d in discs.values()], "n": [d.n for d in discs.values()],
        "n_strata": [d.n_strata for d in discs.values()],
        "q": [float(r[0]["q"].max()) for r in results],
        "breaks": [d.breaks.tolist() for d in discs.values()],
        "counts": [d.counts.tolist() for d in discs.values()],
    }, index=pd.Index(list(factors), name="factor"))
    return OptimalDiscretisation(best=best, qtable=qtable, discretisations=discs)
