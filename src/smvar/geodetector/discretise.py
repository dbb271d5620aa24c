"""Discretisation of a continuous factor into strata, as R ``GD`` 10.8 does it.

Provides
--------
Discretisation
    One result type whatever the method: method, requested number of
    intervals, breaks, closed side, stratum codes, counts, labels.
discretise
    Breaks and strata of x by "equal", "natural", "quantile", "geometric" or
    "sd" for n intervals (GD's ``disc``), or "manual" breaks.
breaks_for, strata_codes, interval_counts, interval_labels
    The steps: break values; codes by right-closed intervals
    (R ``cut(x, unique(breaks), include.lowest = TRUE)``); counts; labels.
METHODS
    The five methods in GD's order.

GD's quirks reproduced (R GD 10.8, ``disc``)
--------------------------------------------
* quantile: R type-7 quantiles; if break values repeat, more probabilities are
  tried until there are n + 1 distinct values (there may then be more).
* geometric: on x + 1 with ratio (max/min)^(1/(n - 1)); for data with
  minimum >= 0 this gives only n breaks, i.e. n - 1 strata. With negative
  values the negative and positive ranges get their own geometric series
  (n + 1 breaks in all).
* sd: mean +/- k sd/2 (or sd/4 when the grid needs more than 7 steps),
  trimmed to the data's range, with the minimum and maximum added; the grid
  grows until there are at least n + 1 breaks, so it can overshoot.
* End points computed by powers may miss the minimum or maximum by one
  rounding step; rows outside every interval then get code -1 (GD's NA).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from smvar.geodetector.natural_breaks import natural_breaks_many

__all__ = ["Discretisation", "discretise", "breaks_for", "breaks_for_many", "strata_codes",
           "interval_counts", "interval_labels", "METHODS", "check_method"]

#: GD's methods, in the order GD tries them.
METHODS: tuple[str, ...] = ("equal", "natural", "quantile", "geometric", "sd")


@dataclass(frozen=True)
class Discretisation:
    """A continuous factor cut into strata.

    Attributes
    ----------
    method : str
        "equal", "natural", "quantile", "geometric", "sd" or "manual".
    n : int
        Number of intervals asked for (GD's ``discitv``).
    breaks : ndarray
        Break values as the method returns them (may repeat; GD then rejects).
    closed : str
        "right": intervals (a, b], the first [a, b] (R ``cut`` with
        ``include.lowest = TRUE``).
    codes : ndarray of int
        Stratum of each row, 0..n_strata-1; -1 for rows outside all intervals.
    counts : ndarray of int
        Rows per interval of ``breaks`` (GD's ``table(cut(x, breaks))``).
    labels : list of str
        Interval labels as R's ``cut`` writes them ("[-0.393,0.302]", "(0.302,0.606]").
    """

    method: str
    n: int
    breaks: np.ndarray
    closed: str = "right"
    codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    labels: list = field(default_factory=list)

    @property
    def n_strata(self) -> int:
        """Number of intervals between distinct breaks."""
        return int(np.unique(self.breaks).size - 1)

    @property
    def has_duplicate_breaks(self) -> bool:
        """True when break values repeat (GD rejects the combination)."""
        return bool(np.unique(self.breaks).size != self.breaks.size)

    def table(self) -> pd.DataFrame:
        """One row per interval: label, lower, upper, count."""
        b = np.unique(self.breaks)
        return pd.DataFrame({"interval": self.labels, "lower": b[:-1], "upper": b[1:],
                             "count": np.bincount(self.codes[self.codes >= 0], minlength=b.size - 1)})

    def __str__(self) -> str:
        return (f"Discretisation({self.method}, n={self.n}, {self.n_strata} strata)\n"
                + self.table().to_string(index=False))


def _equal(xs: np.ndarray, n: int) -> np.ndarray:
    """R ``seq(min, max, length.out = n + 1)``: end points exact."""
    lo, hi = xs[0], xs[-1]
    inner = lo + np.arange(1, n) * ((hi - lo) / n)
    return np.concatenate([[lo], inner, [hi]])


def _quantile7(xs: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """R ``quantile(type = 7)`` of sorted data."""
    index = (xs.size - 1) * probs
    lo = np.floor(index).astype(np.int64)
    hi = np.ceil(index).astype(np.int64)
    h = index - lo
    q = xs[lo].copy()
    mix = (index > lo) & (xs[hi] != q)
    q[mix] = (1 - h[mix]) * q[mix] + h[mix] * xs[hi[mix]]
    return q


def _probs(n: int) -> np.ndarray:
    """R ``seq(0, 1, length = n + 1)``."""
    return np.concatenate([[0.0], np.arange(1, n) * (1.0 / n), [1.0]])


def _quantile(xs: np.ndarray, n: int) -> np.ndarray:
    q = _quantile7(xs, _probs(n))
    distinct = np.unique(q).size
    if distinct >= n + 1:
        return q
    m = distinct
    while True:
        q = _quantile7(xs, _probs(m))
        if np.unique(q).size >= n + 1 or m > xs.size + n:
            return np.unique(q)
        m += 1


def _geometric_series(top: float, bottom: float, m: int) -> np.ndarray:
    """GD's geometric series on [bottom, top] + 1 with m values (the first dropped later)."""
    b = ((top + 1.0) / (bottom + 1.0)) ** (1.0 / (m - 1))
    x0 = (bottom + 1.0) / b
    return b ** np.arange(1, m + 1) * x0 - 1.0


def _geometric(xs: np.ndarray, n: int) -> np.ndarray:
    lo, hi = xs[0], xs[-1]
    if lo >= 0:
        return _geometric_series(hi, lo, n)
    rng = np.abs([lo, hi])
    kmax = 1 if rng[1] >= rng[0] else 0  # the wider side (positive side on a tie)
    kmin = 1 - kmax
    n2 = int(np.floor((n + 1) / (1 + rng[kmin] / rng[kmax])))
    n1 = n + 1 - n2
    small = _geometric_series(rng[kmin], 0.0, n1 + 1)[1:]
    large = _geometric_series(rng[kmax], 0.0, n2 + 1)[1:]
    if kmin == 0:
        return np.concatenate([-small[::-1], large])
    return np.concatenate([-large[::-1], small])


def _sd(xs: np.ndarray, n: int) -> np.ndarray:
    mean, sd = xs.mean(), xs.std(ddof=1)
    lo, hi = xs[0], xs[-1]
    m = n
    while True:
        m += 1
        steps = np.arange((m - 1) % 2, m - 2, 2, dtype=float)  # m-3, m-5, ... >= 0, ascending
        scale = 2.0 if m <= 7 else 4.0
        below = (mean - steps / scale * sd)[::-1]
        above = mean + steps / scale * sd
        inner = np.concatenate([below[below > lo], above[above < hi]])
        inner = inner[~pd.Series(inner).duplicated().to_numpy()]
        itv = np.concatenate([[lo], inner, [hi]])
        if itv.size >= n + 1 or m > 2000:
            return itv


_BREAKERS = {"equal": _equal, "quantile": _quantile, "geometric": _geometric, "sd": _sd}


def _sorted_clean(x, name: str) -> np.ndarray:
    xv = np.asarray(x, dtype=float).ravel()
    xv = xv[np.isfinite(xv)]
    if xv.size < 2:
        raise ValueError(f"discretise: factor {name!r} has fewer than two finite values")
    return np.sort(xv)


def check_method(method: str) -> str:
    """The method's name in lower case; a ValueError listing GD's methods for an unknown one."""
    key = str(method).lower()
    if key not in METHODS:
        raise ValueError(f"unknown discretisation method {method!r}; use one of {list(METHODS)} "
                         "or 'manual' with breaks=")
    return key


def breaks_for_many(x, method: str, ns, *, presorted: bool = False, name: str = "x") -> dict[int, np.ndarray]:
    """Break values of x for several numbers of intervals (GD's ``disc``).

    Parameters
    ----------
    x : array_like
        Continuous factor; NaN ignored.
    method : str
        One of :data:`METHODS`.
    ns : iterable of int
        Numbers of intervals asked for (>= 2).
    presorted : bool
        True if x is already sorted and finite (saves a sort).
    name : str
        Factor name for error messages.

    Returns
    -------
    dict
        n -> break values (see the module notes for GD's quirks).
    """
    key = check_method(method)
    xs = np.asarray(x, dtype=float) if presorted else _sorted_clean(x, name)
    ns = [int(n) for n in ns]
    if any(n < 2 for n in ns):
        raise ValueError(f"discretise: number of intervals must be at least 2, got {min(ns)}")
    if key == "natural":
        return natural_breaks_many(xs, ns)
    return {n: _BREAKERS[key](xs, n) for n in ns}


def breaks_for(x, method: str, n: int) -> np.ndarray:
    """Break values of x for n intervals by method (see :func:`breaks_for_many`)."""
    return breaks_for_many(x, method, [n])[int(n)]


def strata_codes(x, breaks) -> np.ndarray:
    """Stratum codes of x: R ``cut(x, unique(breaks), include.lowest = TRUE)``.

    Intervals are right-closed (a, b]; the first is [a, b]. Rows outside all
    intervals, or NaN, get -1.
    """
    xv = np.asarray(x, dtype=float)
    ub = np.unique(np.asarray(breaks, dtype=float))
    codes = np.searchsorted(ub, xv, side="left") - 1
    codes[xv == ub[0]] = 0
    codes[(xv < ub[0]) | (xv > ub[-1]) | ~np.isfinite(xv)] = -1
    return codes.astype(np.int64)


def interval_counts(x, breaks) -> np.ndarray:
    """Rows in each interval of breaks (R ``table(cut(x, breaks, include.lowest = TRUE))``)."""
    b = np.asarray(breaks, dtype=float)
    codes = strata_codes(x, b) if np.unique(b).size == b.size else np.full(np.shape(x), -1)
    return np.bincount(codes[codes >= 0], minlength=max(b.size - 1, 0))


def _fmt(values: np.ndarray, digits: int) -> list[str]:
    out = []
    for v in values:
        s = f"{v:.{digits}g}"
        if "e" in s:
            mant, exp = s.split("e")
            s = f"{mant}e{exp[0]}{int(exp[1:]):02d}"
        out.append(s)
    return out


def interval_labels(breaks) -> list[str]:
    """Interval labels as R's ``cut`` writes them (3 significant digits, more if needed)."""
    ub = np.unique(np.asarray(breaks, dtype=float))
    for digits in range(3, 13):
        text = _fmt(ub, digits)
        if len(set(text)) == len(text):
            break
    return [("[" if i == 0 else "(") + f"{text[i]},{text[i + 1]}]" for i in range(len(text) - 1)]


def discretise(x, method: str = "quantile", n: int = 5, *, breaks=None, name: str = "x") -> Discretisation:
    """Cut a continuous factor into strata (GD's ``disc`` + ``cut``).

    Parameters
    ----------
    x : array_like
        Continuous factor (any unit); NaN rows get code -1.
    method : str
        "equal", "natural", "quantile", "geometric", "sd" (GD 10.8) or
        "manual" (give ``breaks``).
    n : int
        Number of intervals asked for (GD's ``discitv``).
    breaks : array_like, optional
        Break values for "manual".
    name : str
        Factor name used in error messages.

    Returns
    -------
    Discretisation
    """
    xv = np.asarray(x, dtype=float).ravel()
    if str(method).lower() == "manual":
        if breaks is None:
            raise ValueError("discretise: method 'manual' needs breaks=[...]")
        b = np.sort(np.asarray(breaks, dtype=float))
    else:
        b = breaks_for(_sorted_clean(xv, name), method, n)
    codes = strata_codes(xv, b)
    return Discretisation(method=str(method).lower(), n=int(n), breaks=b, codes=codes,
                          counts=interval_counts(xv, b), labels=interval_labels(b))
