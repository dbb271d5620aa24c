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
natural_breaks_batch
    The same for several data sets at once (one programme for all).
optimal_partition
    Start index of each class in the sorted data.
within_class_ss
    Within-class sum of squares of a partition given by breaks (for checks).

Algorithm
---------
The classic Jenks/Fisher dynamic programme costs O(k N^2). Here each layer
D_j(i) = min_m D_{j-1}(m) + SS(m, i) is solved by divide and conquer on the
monotone optimal split (the optimal 1-D k-means family: Wang and Song 2011;
Gronlund et al. 2017), O(k N log N), on a dyadic grid of prefixes (see
:func:`_layers`): each level is one set of numpy operations over all data
sets of a batch (e.g. every factor of a table), in cache-sized chunks, so
about log2(N) vectorised levels per class and no Python loop over the data.
Sums of squares come from prefix sums of the centred values. Equal values are
merged first (with their counts), which never changes the optimum. Where two
splits give the same cost (to 1e-12 relative), the earlier start of the last
class is kept, which is the choice of the Jenks programme in BAMMtools.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

__all__ = ["natural_breaks", "natural_breaks_many", "natural_breaks_batch", "optimal_partition", "within_class_ss"]

_TIE = 1e-12
_CHUNK = 1 << 15  # candidates per vectorised step


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


class _Batch:
    """Prefix sums of several problems laid end to end (problem p at offset off[p])."""

    def __init__(self, problems: list[tuple[np.ndarray, np.ndarray]]):
        self.pre = [_Prefix(v, w) for v, w in problems]
        self.n = np.array([v.size for v, _ in problems], dtype=np.int64)
        self.off = np.concatenate([[0], np.cumsum(self.n + 1)[:-1]]).astype(np.int64)
        self.w = np.concatenate([p.w for p in self.pre])
        self.s1 = np.concatenate([p.s1 for p in self.pre])
        self.s2 = np.concatenate([p.s2 for p in self.pre])
        self.scale = np.array([p.scale for p in self.pre])
        # every weight 1 (no repeated values): W is the index within the problem
        self.unit = all(bool(np.all(w == 1.0)) for _, w in problems)
        # a step holds at most _CHUNK candidates plus one whole segment (<= n)
        self.index = np.arange(_CHUNK + int(self.n.max(initial=0)) + 2, dtype=np.int64)
        self.findex = self.index.astype(float)
        self.last = self.off + self.n - 1
        self.tol = _TIE * self.scale
        self._grid = None

    def grid(self) -> list:
        """The dyadic levels, coarse to fine: for each stride s, the prefixes
        i = s, 3s, 5s, ... <= n of every problem (global index g, i, problem,
        left neighbour i - s, right neighbour min(i + s, n), i + s > n)."""
        if self._grid is None:
            levels = []
            nmax = int(self.n.max(initial=1))
            s = 1 << (nmax.bit_length() - 1)
            while s >= 1:
                rel = np.arange(s, nmax + 1, 2 * s)
                inside = rel[None, :] <= self.n[:, None]
                pid = np.broadcast_to(np.arange(self.n.size)[:, None], inside.shape)[inside]
                r = np.broadcast_to(rel[None, :], inside.shape)[inside]
                g = r + self.off[pid]
                levels.append((s, (g, r, pid, g - s, np.minimum(r + s, self.n[pid]) + self.off[pid],
                                   r + s > self.n[pid])))
                s >>= 1
            self._grid = levels
        return self._grid


def _layers(batch: _Batch, prev: np.ndarray, j: int, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """D_j(i) of every prefix of every active problem, and the start of the last class.

    ``prev`` is D_{j-1} laid out like the batch. The optimal start of the last
    class is monotone in i, so it is found level by level on a dyadic grid:
    first the prefixes i = s, 3s, 5s, ... for the largest power of two s,
    then those halfway between, each searched only between the optima of its
    two computed neighbours (those already bracket it). Every level is one
    set of numpy operations over all problems; the total work per level is
    about the number of data points.
    """
    new = np.full(prev.size, np.inf)
    arg = np.zeros(prev.size, dtype=np.int64)
    base = prev - batch.s2
    for p in np.flatnonzero(active):  # prefixes shorter than j: lower bound j - 1 for their right neighbours
        o = int(batch.off[p])
        arg[o:o + j] = o + j - 1
    every = bool(active.all())
    for s, (g, rel, pid, gl, gr, beyond) in batch.grid():
        if every and s >= j:
            keep = None
        else:
            keep = (rel >= j) & active[pid]
            if not keep.any():
                continue
            g, pid, gl, gr, beyond = g[keep], pid[keep], gl[keep], gr[keep], beyond[keep]
        lo = arg[gl]
        hi = arg[gr]
        if beyond.any():  # no right neighbour: bounded by n - 1
            hi[beyond] = batch.last[pid[beyond]]
        np.minimum(hi, g - 1, out=hi)
        lengths = hi - lo + 1
        ends = np.cumsum(lengths)
        # chunks of about _CHUNK candidates keep the temporaries in cache
        cuts = np.searchsorted(ends, np.arange(_CHUNK, int(ends[-1]), _CHUNK), side="right")
        cuts = np.unique(np.concatenate([[0], cuts, [g.size]]))
        seg_tol = batch.tol[pid]
        for c0, c1 in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            _scan(batch, base, g[c0:c1], lo[c0:c1], lengths[c0:c1], seg_tol[c0:c1], new, arg)
    return new, arg


def _scan(batch: _Batch, base: np.ndarray, g: np.ndarray, lo: np.ndarray, lengths: np.ndarray,
          tol: np.ndarray, new: np.ndarray, arg: np.ndarray) -> None:
    """For each prefix g, the first (near-)best start among lo .. lo + length - 1.

    cost(m) = D_{j-1}(m) + SS(m, g) = base(m) - (S1(g) - S1(m))^2 / (W(g) - W(m)) + S2(g).
    """
    ends = np.cumsum(lengths)
    starts = ends - lengths
    total = int(ends[-1])
    shift = np.repeat(lo - starts, lengths)
    m = shift + batch.index[:total]
    ds1 = np.repeat(batch.s1[g], lengths)
    ds1 -= batch.s1[m]
    if batch.unit:  # W(g) - W(m) = g - m exactly
        dw = np.repeat((g - lo + starts).astype(float), lengths)
        dw -= batch.findex[:total]
    else:
        dw = np.repeat(batch.w[g], lengths)
        dw -= batch.w[m]
    ds1 *= ds1
    ds1 /= dw
    cost = base[m]
    cost -= ds1
    seg_min = np.minimum.reduceat(cost, starts)
    near = np.flatnonzero(cost <= np.repeat(seg_min + tol, lengths))
    arg[g] = m[near[np.searchsorted(near, starts)]]
    new[g] = seg_min + batch.s2[g]


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


def _partitions_batch(problems: list[tuple[np.ndarray, np.ndarray]], ks: list[list[int]]) -> list[dict]:
    """Class starts (indices into each problem's unique values) for each k of each problem."""
    batch = _Batch(problems)
    out: list[dict] = [{} for _ in problems]
    kmax = np.array([max(k) if k else 0 for k in ks])
    for p, k in enumerate(ks):
        if 1 in k:
            out[p][1] = np.array([0])
    # D_1(i): one class holding the first i points
    layer = np.full(batch.w.size, np.inf)
    for p, pre in enumerate(batch.pre):
        o, n = int(batch.off[p]), int(batch.n[p])
        first = pre.cost(np.zeros(n + 1, dtype=np.int64), np.arange(n + 1))
        first[0] = np.inf
        layer[o:o + n + 1] = first
    args = [np.zeros(batch.w.size, dtype=np.int64)]
    for j in range(2, int(kmax.max(initial=1)) + 1):
        for p, k in enumerate(ks):
            if j in k:
                o, n = int(batch.off[p]), int(batch.n[p])
                starts = [_last_class(layer[o:o + n + 1], batch.pre[p], j, n)]
                for level in range(j - 1, 1, -1):
                    starts.append(int(args[level - 1][o + starts[-1]]) - o)
                out[p][j] = np.array([0] + starts[::-1])
        active = kmax > j
        if active.any():
            layer, arg = _layers(batch, layer, j, active)
            args.append(arg)
    return out


def _partitions(values: np.ndarray, weights: np.ndarray, ks: list[int]) -> dict[int, np.ndarray]:
    """Class starts (indices into the unique values) for each k in ks."""
    return _partitions_batch([(values, weights)], [list(ks)])[0]


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


def _breaks_from_parts(values: np.ndarray, parts: dict, ks: list[int]) -> dict[int, np.ndarray]:
    out = {}
    for k in ks:
        if k in parts:
            upper = values[parts[k][1:] - 1]
            out[k] = np.concatenate([[values[0]], upper, [values[-1]]])
        else:
            out[k] = np.concatenate([values, np.repeat(values[-1], k + 1 - values.size)])
    return out


def natural_breaks_batch(xs: Sequence, ks: Iterable[int]) -> list[dict[int, np.ndarray]]:
    """Natural-break values of several data sets at once (one programme for all).

    Parameters
    ----------
    xs : sequence of array_like
        Data sets (e.g. one per factor), no NaN; lengths may differ.
    ks : iterable of int
        Numbers of classes, as in :func:`natural_breaks_many`.

    Returns
    -------
    list of dict
        One :func:`natural_breaks_many` result per data set, identical to it.
    """
    ks = sorted({int(k) for k in ks})
    uniq = [_unique_weighted(x) for x in xs]
    for values, _ in uniq:
        for k in ks:
            if k < 1:
                _check_k(k, values.size)
    feasible = [[k for k in ks if k <= values.size] for values, _ in uniq]
    todo = [p for p, f in enumerate(feasible) if f]
    parts = [{} for _ in uniq]
    if todo:
        for p, part in zip(todo, _partitions_batch([uniq[p] for p in todo], [feasible[p] for p in todo])):
            parts[p] = part
    return [_breaks_from_parts(values, part, ks) for (values, _), part in zip(uniq, parts)]


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
    return natural_breaks_batch([x], ks)[0]


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
