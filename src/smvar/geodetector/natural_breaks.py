"""Natural breaks: the exact optimal partition of 1-D data (Jenks/Fisher).

Provides
--------
natural_breaks
    Break values of the partition into k classes with the least within-class
    sum of squares, as GD's ``disc(method = "natural")`` returns them
    (BAMMtools ``getJenksBreaks``: minimum, the largest value of each class
    but the last, maximum).
natural_breaks_many
    The same for several k from one dynamic programme.
optimal_partition
    Start index of each class in the sorted data.
within_class_ss
    Within-class sum of squares of a partition given by breaks (for checks).

Algorithm
---------
The classic Jenks/Fisher dynamic programme costs O(k N^2). Here each layer
D_j(i) = min_m D_{j-1}(m) + SS(m, i) is solved by divide and conquer on the
monotone optimal split (the optimal 1-D k-means family: Wang and Song 2011;
Gronlund et al. 2017), O(k N log N). The recursion is run level by level, so
that every level of every branch is one set of numpy operations: about
log2(N) vectorised passes per class and no Python loop over the data.
Sums of squares come from prefix sums of the centred values. Equal values are
merged first (with their counts), which never changes the optimum. Where two
splits give the same cost (to 1e-12 relative), the earlier start of the last
class is kept, which is the choice of the Jenks programme in BAMMtools.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

__all__ = ["natural_breaks", "natural_breaks_many", "optimal_partition", "within_class_ss"]

_TIE = 1e-12


class _Prefix:
    """Prefix sums of weights, values and squared values (values centred)."""

    def __init__(self, values: np.ndarray, weights: np.ndarray):
        centred = values - np.average(values, weights=weights)
        self.w = np.concatenate([[0.0], np.cumsum(weights)])
        self.s1 = np.concatenate([[0.0], np.cumsum(weights * centred)])
        self.s2 = np.concatenate([[0.0], np.cumsum(weights * centred * centred)])
        self.scale = float(self.s2[-1]) if self.s2[-1] > 0 else 1.0

    def cost(self, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Sum of squares of the points start..stop-1 (sorted order)."""
        w = self.w[stop] - self.w[start]
        s1 = self.s1[stop] - self.s1[start]
        s2 = self.s2[stop] - self.s2[start]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.maximum(s2 - s1 * s1 / w, 0.0)


def _segment_argmin(cost: np.ndarray, starts: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Minimum of each segment and the position of its first (near-)minimum."""
    seg_min = np.minimum.reduceat(cost, starts)
    lengths = np.diff(np.append(starts, cost.size))
    near = np.flatnonzero(cost <= np.repeat(seg_min + _TIE * scale, lengths))
    return seg_min, near[np.searchsorted(near, starts)]


def _layer(prev: np.ndarray, pre: _Prefix, j: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """D_j(i) for every prefix length i, and the start of the last class."""
    new = np.full(n + 1, np.inf)
    arg = np.zeros(n + 1, dtype=np.int64)
    # prev(m) + SS(m, i) = (prev(m) - S2(m)) + S2(i) - (S1(i) - S1(m))^2 / (W(i) - W(m))
    base = prev - pre.s2
    ilo, ihi = np.array([j]), np.array([n])
    mlo, mhi = np.array([j - 1]), np.array([n - 1])
    while ilo.size:
        mid = (ilo + ihi) // 2
        lengths = np.minimum(mhi, mid - 1) - mlo + 1
        starts = np.cumsum(lengths) - lengths
        m = np.arange(lengths.sum()) - np.repeat(starts - mlo, lengths)
        ds1 = np.repeat(pre.s1[mid], lengths) - pre.s1[m]
        dw = np.repeat(pre.w[mid], lengths) - pre.w[m]
        cost = base[m] - ds1 * ds1 / dw
        seg_min, pos = _segment_argmin(cost, starts, pre.scale)
        best = m[pos]
        new[mid], arg[mid] = seg_min + pre.s2[mid], best
        left, right = ilo <= mid - 1, mid + 1 <= ihi
        ilo, ihi, mlo, mhi = (np.concatenate([ilo[left], mid[right] + 1]),
                              np.concatenate([mid[left] - 1, ihi[right]]),
                              np.concatenate([mlo[left], best[right]]),
                              np.concatenate([best[left], mhi[right]]))
    return new, arg


def _last_class(prev: np.ndarray, pre: _Prefix, k: int, n: int) -> int:
    """Start of the last class when the whole data set is cut into k classes."""
    m = np.arange(k - 1, n)
    cost = prev[m] + pre.cost(m, np.full(m.size, n))
    _, pos = _segment_argmin(cost, np.array([0]), pre.scale)
    return int(m[pos[0]])


def _unique_weighted(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).ravel()
    if not np.all(np.isfinite(x)):
        raise ValueError("natural breaks: the values contain NaN or infinity; drop those rows first")
    values, counts = np.unique(x, return_counts=True)
    return values, counts.astype(float)


def _partitions(values: np.ndarray, weights: np.ndarray, ks: list[int]) -> dict[int, np.ndarray]:
    """Class starts (indices into the unique values) for each k in ks."""
    n = values.size
    pre = _Prefix(values, weights)
    out: dict[int, np.ndarray] = {}
    if 1 in ks:
        out[1] = np.array([0])
    kmax = max(ks)
    layers = [pre.cost(np.zeros(n + 1, dtype=np.int64), np.arange(n + 1))]
    layers[0][0] = np.inf
    args = [np.zeros(n + 1, dtype=np.int64)]
    for j in range(2, kmax + 1):
        if j in ks:
            starts = [_last_class(layers[-1], pre, j, n)]
            for level in range(j - 1, 1, -1):
                starts.append(int(args[level - 1][starts[-1]]))
            out[j] = np.array([0] + starts[::-1])
        if j < kmax:
            new, arg = _layer(layers[-1], pre, j, n)
            layers.append(new)
            args.append(arg)
    return out


def optimal_partition(x, k: int) -> np.ndarray:
    """Start index (in the sorted unique values) of each of the k optimal classes.

    Parameters
    ----------
    x : array_like
        Data (any unit).
    k : int
        Number of classes, 1 <= k <= number of distinct values.

    Returns
    -------
    ndarray of int
        k start indices into ``np.unique(x)``, the first 0.
    """
    values, weights = _unique_weighted(x)
    _check_k(k, values.size)
    return _partitions(values, weights, [k])[k]


def _check_k(k: int, n_unique: int) -> None:
    if k < 1:
        raise ValueError(f"natural breaks: number of classes must be at least 1, got {k}")
    if k > n_unique:
        raise ValueError(f"natural breaks: {k} classes asked for but the data have only "
                         f"{n_unique} distinct values; ask for at most {n_unique}")


def natural_breaks_many(x, ks: Iterable[int]) -> dict[int, np.ndarray]:
    """Natural-break values for several numbers of classes at once.

    Parameters
    ----------
    x : array_like
        Data (any unit), no NaN.
    ks : iterable of int
        Numbers of classes. A k above the number of distinct values gives
        breaks that repeat the maximum (GD then rejects that k).

    Returns
    -------
    dict
        k -> array of k + 1 break values: the minimum, the largest value of
        each class but the last, and the maximum (BAMMtools ``getJenksBreaks``).
    """
    values, weights = _unique_weighted(x)
    ks = sorted({int(k) for k in ks})
    for k in ks:
        if k < 1:
            _check_k(k, values.size)
    feasible = [k for k in ks if k <= values.size]
    parts = _partitions(values, weights, feasible) if feasible else {}
    out = {}
    for k in ks:
        if k in parts:
            upper = values[parts[k][1:] - 1]
            out[k] = np.concatenate([[values[0]], upper, [values[-1]]])
        else:
            out[k] = np.concatenate([values, np.repeat(values[-1], k + 1 - values.size)])
    return out


def natural_breaks(x, k: int) -> np.ndarray:
    """Natural-break values of x for k classes (exact least within-class SS).

    Returns k + 1 values as GD's ``disc(x, k, "natural")``; see
    :func:`natural_breaks_many`.
    """
    return natural_breaks_many(x, [k])[int(k)]


def within_class_ss(x, breaks) -> float:
    """Within-class sum of squares of x cut at breaks (right-closed classes).

    Parameters
    ----------
    x : array_like
        Data.
    breaks : array_like
        Increasing break values; class c holds breaks[c] < x <= breaks[c + 1]
        (the first class also holds x == breaks[0]).

    Returns
    -------
    float
        Sum over classes of squared deviations from the class mean.
    """
    x = np.asarray(x, dtype=float)
    b = np.asarray(breaks, dtype=float)
    codes = np.clip(np.searchsorted(b, x, side="left") - 1, 0, b.size - 2)
    counts = np.bincount(codes, minlength=b.size - 1)
    means = np.bincount(codes, weights=x, minlength=b.size - 1) / np.maximum(counts, 1)
    return float(((x - means[codes]) ** 2).sum())
