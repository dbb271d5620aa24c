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
                                          strata_codes, check_method)
from smvar.geodetector.natural_breaks import natural_breaks_batch

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


class _SortedFactor:
    """A factor sorted once, with prefix sums of the centred response in that order.

    Any stratification by breaks is a set of runs of the sorted rows, so its
    counts and per-stratum sums of y come from the prefix sums at the run
    ends: O(intervals x log N) per candidate instead of O(N).
    """

    def __init__(self, x: np.ndarray, yc: np.ndarray):
        self.xs = np.sort(x)  # as GD's breaks are computed from (which of -0.0, 0.0 comes first)
        ys = yc[np.argsort(x)]  # rows tied in x share a run, so their order does not matter
        self.c1 = np.concatenate([[0.0], np.cumsum(ys)])
        self.c2 = np.concatenate([[0.0], np.cumsum(ys * ys)])

    def bounds(self, ub: np.ndarray) -> np.ndarray:
        """Run ends of R ``cut(x, ub, include.lowest = TRUE)`` in the sorted rows.

        Stratum c holds sorted rows bounds[c]..bounds[c + 1] - 1; rows before
        bounds[0] or from bounds[-1] on are in no stratum (GD's NA).
        """
        return np.concatenate([np.searchsorted(self.xs, ub[:1], side="left"),
                               np.searchsorted(self.xs, ub[1:], side="right")])


def _q_from_runs(f: _SortedFactor, b: np.ndarray, conv: Convention) -> float:
    """q of the strata given by run ends b (every stratum holds at least 2 rows)."""
    n = f.xs.size
    counts = np.diff(b).astype(float)
    s1 = f.c1[b[1:]] - f.c1[b[:-1]]
    s2 = f.c2[b[1:]] - f.c2[b[:-1]]
    ssw = np.maximum(s2 - s1 * s1 / counts, 0.0).sum()
    if conv.outside_rows == "drop":
        total_n, t1, t2 = counts.sum(), s1.sum(), s2.sum()
    else:  # rows in no stratum stay in the total (GD)
        total_n, t1, t2 = float(n), f.c1[n], f.c2[n]
    sst = t2 - t1 * t1 / total_n
    if not (sst > 0 and counts.size >= 2):
        return float("nan")
    return float(1.0 - ssw / sst)


def _candidates(f: _SortedFactor, methods, intervals, natural: dict | None, conv: Convention):
    """Breaks, q and rejection reasons for every (method, n), method-major order."""
    rows, q = [], []
    for method in methods:
        if method == "natural" and natural is not None:
            all_breaks = natural
        else:
            all_breaks = breaks_for_many(f.xs, method, intervals, presorted=True)
        for n in intervals:
            b = all_breaks[n]
            reason, value = "", np.nan
            ub = np.unique(b)
            if ub.size != b.size:
                reason = "duplicate breaks"
            else:
                runs = f.bounds(ub)
                if np.diff(runs).min() < 2:
                    reason = "an interval holds fewer than 2 rows"
                else:
                    value = _q_from_runs(f, runs, conv)
            rows.append((method, int(n), b, reason))
            q.append(value)
    return rows, np.array(q, dtype=float)


def _optimise_one(name: str, x: np.ndarray, f: _SortedFactor, methods, intervals, natural, conv: Convention):
    rows, q = _candidates(f, methods, intervals, natural, conv)
    table = pd.DataFrame({"factor": name, "method": [r[0] for r in rows], "n": [r[1] for r in rows],
                          "q": q, "rejected": [r[3] for r in rows]})
    if not np.any(np.isfinite(q)):
        raise ValueError(f"optimal discretisation: every method x number of intervals was rejected "
                         f"for factor {name!r} (repeated breaks or intervals with fewer than 2 rows); "
                         "try fewer intervals or treat it as categorical")
    k = int(np.flatnonzero(q == np.nanmax(q))[0])
    method, n, b, _ = rows[k]
    codes = strata_codes(x, b)
    disc = Discretisation(method=method, n=n, breaks=b, codes=codes,
                          counts=np.bincount(codes[codes >= 0], minlength=b.size - 1),
                          labels=interval_labels(b))
    return table, disc


def _map(job, items, workers: int) -> list:
    if workers > 1 and len(items) > 1:
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(job, items))
    return [job(i) for i in items]


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
    methods = [check_method(m) for m in methods]
    intervals = [int(n) for n in intervals]
    yv = _numeric_column(df, y)
    xs = {f: _numeric_column(df, f) for f in factors}
    workers = workers or min(len(factors), os.cpu_count() or 1) or 1
    yc = yv - np.mean(yv)
    sorted_ = dict(zip(factors, _map(lambda f: _SortedFactor(xs[f], yc), list(factors), workers)))
    natural = {f: None for f in factors}
    if "natural" in methods and factors:
        # one natural-breaks programme for a group of factors (one group per thread)
        groups = [list(factors)[g::workers] for g in range(min(workers, len(factors)))]
        done = _map(lambda fs: natural_breaks_batch([sorted_[f].xs for f in fs], intervals),
                    groups, workers)
        for fs, res in zip(groups, done):
            natural.update(zip(fs, res))
    job = lambda f: _optimise_one(f, xs[f], sorted_[f], methods, intervals, natural[f], conv)  # noqa: E731
    results = _map(job, list(factors), workers)
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
