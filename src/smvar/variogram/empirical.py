"""Empirical semivariograms (Eq. 5 of Yin et al. 2023) on points and on grids.

Provides
--------
VariogramResult
    The binned semivariogram: bin edges, mean pair distance, semivariance and
    pair count per bin, with ``to_frame()``.
empirical_variogram
    Eq. 5 on scattered point samples, every pair within the largest lag,
    exactly, by a compiled band sweep on all cores (memory proportional to the
    number of points); optionally directional, as gstat's ``alpha`` and
    ``tol.hor``.
grid_variogram
    Eq. 5 on every pair of valid cells of a regular grid with missing cells,
    exactly, by FFT (Marcotte 1996).
lag_bin_edges, gstat_default_edges
    Helpers for bin edges: ``n`` equal bins up to a maximum lag, and gstat's
    default (cutoff = bounding-box diagonal / 3, 15 bins).

Notes
-----
Eq. 5 is
:math:`\\gamma(h) = \\frac{1}{2N(h)}\\sum_{i=1}^{N(h)} [Z(x_i) - Z(x_i+h)]^2`,
where the sum runs over the :math:`N(h)` unordered pairs whose separation falls
in the lag bin of :math:`h`. Which bin a pair on an edge belongs to is set by
``closed``: ``"left"`` counts a pair of distance ``d`` in ``[lo, hi)`` (gstools,
scikit-gstat), ``"right"`` in ``(lo, hi]`` (gstat). A pair at distance zero
(a point with itself, or a grid cell with itself) is never counted.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "VariogramResult",
    "empirical_variogram",
    "grid_variogram",
    "lag_bin_edges",
    "gstat_default_edges",
]

Closed = Literal["left", "right"]

#: Number of point pairs held in memory at once by the NumPy engine of :func:`empirical_variogram`.
_PAIR_BLOCK = 1_000_000

#: Row bands per largest lag in the compiled sweep of :func:`empirical_variogram`.
_BANDS_PER_LAG = 16

#: Tasks per thread in the compiled sweep (runs of points shared among threads, for balance).
_TASKS_PER_THREAD = 8

#: Fewest points for which the compiled sweep uses more than one thread.
_MIN_POINTS_THREADED = 4000

#: Padding (array elements) around the compiled sweep's small accumulators, against false sharing.
_PAD = 64

#: Candidate pairs per pass of the compiled sweep (its buffers stay in the L1 cache).
_BLOCK = 256

#: Most bins a block of candidates may span for one vectorised pass per bin (else pair by pair).
_MAX_PASSES = 8



@dataclass(frozen=True)
class VariogramResult:
    """A binned empirical semivariogram.

    Attributes
    ----------
    bin_edges : numpy.ndarray
        ``n_bins + 1`` increasing lag-bin edges, metres.
    lag_mean : numpy.ndarray
        Mean distance of the pairs in each bin, metres (NaN for an empty bin).
    gamma : numpy.ndarray
        Semivariance per bin (Eq. 5), in squared units of the values
        (NaN for an empty bin).
    n_pairs : numpy.ndarray
        Number of unordered pairs per bin (int64).
    closed : {"left", "right"}
        Which side of each bin is closed: ``"left"`` is ``[lo, hi)``,
        ``"right"`` is ``(lo, hi]``.
    n_values : int
        Number of valid values (points or grid cells) used.
    variance : float
        Sample variance (ddof=1) of the valid values, for reference.
    meta : dict
        Free-form provenance (method, cell size ...).
    """

    bin_edges: np.ndarray
    lag_mean: np.ndarray
    gamma: np.ndarray
    n_pairs: np.ndarray
    closed: Closed = "left"
    n_values: int = 0
    variance: float = float("nan")
    meta: dict = field(default_factory=dict)

    @property
    def lag_mid(self) -> np.ndarray:
        """Mid-points of the bins, metres."""
        return 0.5 * (self.bin_edges[:-1] + self.bin_edges[1:])

    @property
    def valid(self) -> np.ndarray:
        """Boolean mask of the bins holding at least one pair."""
        return self.n_pairs > 0

    def to_frame(self) -> pd.DataFrame:
        """The bins as a table.

        Returns
        -------
        pandas.DataFrame
            Columns ``bin_lo_m, bin_hi_m, lag_mean_m, gamma, n_pairs``, one
            row per bin.
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "bin_lo_m": self.bin_edges[:-1],
                "bin_hi_m": self.bin_edges[1:],
                "lag_mean_m": self.lag_mean,
                "gamma": self.gamma,
                "n_pairs": self.n_pairs,
            }
        )


def lag_bin_edges(max_lag_m: float, n_bins: int) -> np.ndarray:
    """``n_bins`` equal lag bins from 0 to ``max_lag_m``.

    Parameters
    ----------
    max_lag_m : float
        Largest lag (the cutoff), metres; must be positive.
    n_bins : int
        Number of bins, at least 1.

    Returns
    -------
    numpy.ndarray
        ``n_bins + 1`` edges, metres.
    """
    if not np.isfinite(max_lag_m) or max_lag_m <= 0:
        raise ValueError(f"lag_bin_edges: max_lag_m must be a positive number of metres, got {max_lag_m!r}.")
    if int(n_bins) < 1:
        raise ValueError(f"lag_bin_edges: n_bins must be at least 1, got {n_bins!r}.")
    return np.linspace(0.0, float(max_lag_m), int(n_bins) + 1)


def gstat_default_edges(coords_m: np.ndarray, n_bins: int = 15) -> np.ndarray:
    """gstat's default bins: cutoff = bounding-box diagonal / 3, ``n_bins`` equal widths.

    Parameters
    ----------
    coords_m : array_like, shape (n, 2)
        Point coordinates, metres.
    n_bins : int, default 15
        Number of bins (gstat's width is cutoff / 15).

    Returns
    -------
    numpy.ndarray
        ``n_bins + 1`` edges, metres.
    """
    xy = _check_coords(coords_m)
    diagonal = float(np.hypot(*(xy.max(axis=0) - xy.min(axis=0))))
    return lag_bin_edges(diagonal / 3.0, n_bins)


def _check_coords(coords_m: np.ndarray) -> np.ndarray:
    xy = np.asarray(coords_m, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"coords_m must have shape (n, 2) (x, y in metres), got shape {xy.shape}.")
    return xy


def _check_edges(bin_edges_m: np.ndarray, closed: str) -> np.ndarray:
    edges = np.asarray(bin_edges_m, dtype=float)
    if edges.ndim != 1 or edges.size < 2:
        raise ValueError("bin_edges_m must be a 1-D array of at least two edges (metres).")
    if not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0) or edges[0] < 0:
        raise ValueError("bin_edges_m must be finite, non-negative and strictly increasing (metres).")
    if closed not in ("left", "right"):
        raise ValueError(f"closed must be 'left' ([lo, hi)) or 'right' ((lo, hi]), got {closed!r}.")
    return edges


def _bin_index(d: np.ndarray, edges: np.ndarray, closed: str) -> np.ndarray:
    """Bin of each distance, or -1 when outside every bin (or zero distance excluded)."""
    side = "right" if closed == "left" else "left"
    idx = np.searchsorted(edges, d, side=side) - 1
    idx[(idx < 0) | (idx >= edges.size - 1)] = -1
    return idx


def _accumulate(idx, d, sqsum, count, n_bins):
    """Per-bin sums of pair counts, of count*distance and of squared differences.

    Each entry stands for ``count`` pairs at distance ``d`` whose squared
    differences sum to ``sqsum``; entries with ``idx == -1`` are ignored.
    """
    keep = idx >= 0
    idx, d, sqsum, count = idx[keep], d[keep], sqsum[keep], count[keep]
    return (
        np.bincount(idx, weights=count, minlength=n_bins),
        np.bincount(idx, weights=count * d, minlength=n_bins),
        np.bincount(idx, weights=sqsum, minlength=n_bins),
    )


def _finish(edges, count, dsum, sqsum, closed, values, meta) -> VariogramResult:
    n_pairs = np.rint(count).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        lag_mean = np.where(n_pairs > 0, dsum / count, np.nan)
        gamma = np.where(n_pairs > 0, sqsum / (2.0 * count), np.nan)
    var = float(np.var(values, ddof=1)) if values.size > 1 else float("nan")
    return VariogramResult(edges, lag_mean, gamma, n_pairs, closed, int(values.size), var, meta)


def _n_threads(n_threads: int | None) -> int:
    if n_threads is not None:
        if int(n_threads) < 1:
            raise ValueError(f"n_threads must be at least 1, got {n_threads!r}.")
        return int(n_threads)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _direction(direction_deg: float | None, tolerance_deg: float) -> tuple[bool, float, float, float]:
    """gstat's direction test as numbers: (on, sin alpha, cos alpha, cos tolerance).

    A tolerance of 90 degrees or more keeps every pair (gstat does the same).
    """
    if direction_deg is None:
        return False, 0.0, 1.0, -1.0
    alpha, tol = float(direction_deg), float(tolerance_deg)
    if not np.isfinite(alpha):
        raise ValueError(f"direction_deg must be a finite angle in degrees clockwise from north, got {direction_deg!r}.")
    if not (np.isfinite(tol) and 0.0 <= tol <= 180.0):
        raise ValueError(f"tolerance_deg must be an angle in degrees between 0 and 180, got {tolerance_deg!r}.")
    if tol >= 90.0:
        return False, 0.0, 1.0, -1.0
    a = alpha * math.pi / 180.0  # written as gstat writes it, so that ties at the tolerance fall the same way
    return True, math.sin(a), math.cos(a), math.cos(tol * math.pi / 180.0)


def _bin_sums(buf_k, buf_d, buf_dz, m, kb, lc, ld, ls):  # pragma: no cover - compiled by numba
    """Add the count, lag sum and squared-difference sum of the block's pairs in bin ``kb``.

    A branch-free pass over the block for one bin; compiled with reassociation
    allowed (``fastmath={"reassoc"}``, nothing else), so that the sums are
    vectorised: they are then added in another order, not less accurately.
    """
    c = 0
    sd = 0.0
    sq = 0.0
    for t in range(m):
        h = buf_k[t] == kb
        c += 1 if h else 0
        sd += buf_d[t] if h else 0.0
        sq += buf_dz[t] if h else 0.0
    lc[_PAD + kb] += c
    ld[_PAD + kb] += sd
    ls[_PAD + kb] += sq


def _sweep(x, y, z, band, band_start, band_h, edges, uniform, right, dir_on, sin_a, cos_a, cos_tol,
           i_lo, i_hi, cnt, dsum, dcomp, sqsum, sqcomp):  # pragma: no cover - compiled by numba
    """Pair sums for the points ``i_lo <= i < i_hi`` with every later point within the largest lag.

    Points are sorted by row band (of height ``band_h``) and by x within a band.
    Point ``i`` is paired with the later points of its own band and with the
    points of the bands above it whose x lies within reach, so that every
    unordered pair is visited once. Per bin, it adds the pair count to ``cnt``
    and the sums of distances and of squared differences, point by point, to
    ``dsum``, ``sqsum`` with Neumaier compensation in ``dcomp``, ``sqcomp``.
    Compiled by numba (``nogil``) in :func:`_compiled_sweep`.
    """
    nb = edges.size - 1
    e0 = edges[0]
    r = edges[nb]
    inv_w = nb / (r - e0)
    r2cut = r * r * (1.0 + 1e-12)
    nbands = band_start.size - 1
    # per-point accumulators, padded against false sharing between threads
    lc = np.zeros(nb + 2 * _PAD, np.int64)
    ld = np.zeros(nb + 2 * _PAD)
    ls = np.zeros(nb + 2 * _PAD)
    # lags, bins, squared value differences and direction cosines of one block of candidates
    nbf = float(nb)
    buf_d = np.empty(_BLOCK)
    buf_k = np.empty(_BLOCK, np.int64)
    buf_dz = np.empty(_BLOCK)
    buf_dir = np.empty(_BLOCK)
    for i in range(i_lo, i_hi):
        xi = x[i]
        yi = y[i]
        zi = z[i]
        bi = band[i]
        lc[:] = 0
        ld[:] = 0.0
        ls[:] = 0.0
        for b in range(bi, nbands):
            gap = 0.0
            if b > bi + 1:
                gap = (b - bi - 1) * band_h * (1.0 - 1e-9)  # least |dy| to band b, shrunk against round-off
            if gap > r:
                break
            half = math.sqrt(max(r * r - gap * gap, 0.0)) * (1.0 + 1e-9) + 1e-9 * r
            # first index of band b with x >= xi - half, and first with x > xi + half
            lo = band_start[b]
            hi = band_start[b + 1]
            while lo < hi:
                mid = (lo + hi) >> 1
                if x[mid] < xi - half:
                    lo = mid + 1
                else:
                    hi = mid
            start = lo
            hi = band_start[b + 1]
            while lo < hi:
                mid = (lo + hi) >> 1
                if x[mid] <= xi + half:
                    lo = mid + 1
                else:
                    hi = mid
            stop = lo
            if b == bi and start < i + 1:
                start = i + 1
            for block in range(start, stop, _BLOCK):  # blocks small enough to stay in the L1 cache
                m = min(_BLOCK, stop - block)
                # first pass, branch-free (vectorised by the compiler): the lag, and the bin when the
                # bins are equal and the lag is not within 1e-9 of a width of an edge (else -1: placed
                # below by comparison with the edges; -2: no bin)
                kmin = nb
                kmax = -1
                slow = 0
                xs = x[block:block + m]  # slices: indices from 0, which the compiler vectorises
                ys = y[block:block + m]
                zs = z[block:block + m]
                for t in range(m):
                    dx = xs[t] - xi
                    dy = ys[t] - yi
                    d2 = dx * dx + dy * dy
                    d = math.sqrt(d2)
                    buf_d[t] = d
                    dz = zs[t] - zi
                    buf_dz[t] = dz * dz
                    u = min(max((d - e0) * inv_w, -1.0), nbf)
                    kk = int(u)
                    frac = u - kk
                    inside = (d2 > 0.0) & (d2 <= r2cut)
                    fast = inside & uniform & (frac >= 1e-9) & (frac <= 1.0 - 1e-9) & (u >= 0.0) & (kk < nb)
                    kk = kk if fast else (-1 if inside else -2)
                    buf_k[t] = kk
                    kmin = min(kmin, kk if fast else nb)
                    kmax = max(kmax, kk)
                    slow += kk == -1
                if dir_on:
                    for t in range(m):
                        buf_dir[t] = abs(((xs[t] - xi) * sin_a + (ys[t] - yi) * cos_a) / buf_d[t])
                    for t in range(m):
                        if buf_k[t] >= 0 and buf_dir[t] < cos_tol:
                            buf_k[t] = -2
                if kmax - kmin < _MAX_PASSES:  # a few bins: one vectorised pass per bin
                    for kb in range(kmin, kmax + 1):
                        _bin_sums(buf_k, buf_d, buf_dz, m, kb, lc, ld, ls)
                else:  # many bins: add pair by pair
                    for t in range(m):
                        k = buf_k[t]
                        if k >= 0:
                            lc[_PAD + k] += 1
                            ld[_PAD + k] += buf_d[t]
                            ls[_PAD + k] += buf_dz[t]
                if slow == 0:
                    continue
                for t in range(m):
                    if buf_k[t] != -1:
                        continue
                    d = buf_d[t]
                    k = min(max(int((d - e0) * inv_w), 0), nb - 1)
                    if right:  # (lo, hi]
                        while k > 0 and d <= edges[k]:
                            k -= 1
                        while k < nb - 1 and d > edges[k + 1]:
                            k += 1
                        if d <= edges[k] or d > edges[k + 1]:
                            continue
                    else:  # [lo, hi)
                        while k > 0 and d < edges[k]:
                            k -= 1
                        while k < nb - 1 and d >= edges[k + 1]:
                            k += 1
                        if d < edges[k] or d >= edges[k + 1]:
                            continue
                    if dir_on and buf_dir[t] < cos_tol:
                        continue
                    lc[_PAD + k] += 1
                    ld[_PAD + k] += d
                    ls[_PAD + k] += buf_dz[t]
        for k in range(nb):
            c = lc[_PAD + k]
            vd = ld[_PAD + k]
            vs = ls[_PAD + k]
            if c == 0:
                continue
            cnt[k] += c
            t = dsum[k] + vd
            if abs(dsum[k]) >= abs(vd):
                dcomp[k] += (dsum[k] - t) + vd
            else:
                dcomp[k] += (vd - t) + dsum[k]
            dsum[k] = t
            t = sqsum[k] + vs
            if abs(sqsum[k]) >= abs(vs):
                sqcomp[k] += (sqsum[k] - t) + vs
            else:
                sqcomp[k] += (vs - t) + sqsum[k]
            sqsum[k] = t


_COMPILED = None
_bin_sums_py = _bin_sums  # the Python function, kept when the name is bound to the compiled one


def _compiled_sweep():
    """:func:`_sweep` compiled by numba (cached on disk), or None when numba is not installed."""
    global _COMPILED
    if _COMPILED is None:
        try:
            import numba
        except ImportError:  # pragma: no cover - numba is a dependency
            _COMPILED = False
        else:
            # _sweep calls _bin_sums by its global name: bind the compiled one first
            options = {"nogil": True, "error_model": "numpy"}
            try:
                globals()["_bin_sums"] = numba.njit(cache=True, fastmath={"reassoc"}, **options)(_bin_sums_py)
                _COMPILED = numba.njit(cache=True, **options)(_sweep)
            except RuntimeError:  # pragma: no cover - no writable cache folder: compile in each process
                globals()["_bin_sums"] = numba.njit(fastmath={"reassoc"}, **options)(_bin_sums_py)
                _COMPILED = numba.njit(**options)(_sweep)
    return _COMPILED or None


def _pair_sums_compiled(kernel, xy, z, edges, closed, direction, n_threads):
    """Per-bin pair counts, distance sums and squared-difference sums with the compiled sweep."""
    n, nb = z.size, edges.size - 1
    r = float(edges[-1])
    # row bands of height r / _BANDS_PER_LAG (fewer when the points span less)
    ymin, ymax = float(xy[:, 1].min()), float(xy[:, 1].max())
    n_bands = int(min(max(1, math.ceil((ymax - ymin) / r * _BANDS_PER_LAG)), max(1, n // 8), 1 << 20))
    band_h = max((ymax - ymin) / n_bands, np.finfo(float).tiny) if ymax > ymin else r
    band = np.minimum(((xy[:, 1] - ymin) / band_h).astype(np.int64), n_bands - 1)
    order = np.lexsort((xy[:, 0], band))
    x, y, zs, band = (np.ascontiguousarray(a[order]) for a in (xy[:, 0], xy[:, 1], z, band))
    band_start = np.searchsorted(band, np.arange(n_bands + 1)).astype(np.int64)
    right = closed == "right"
    # equal-width bins: a pair away from an edge is placed by its lag / width alone
    width = (edges[-1] - edges[0]) / nb
    uniform = bool(np.max(np.abs(edges - (edges[0] + width * np.arange(nb + 1)))) <= 1e-12 * width)
    dir_on, sin_a, cos_a, cos_tol = direction
    threads = n_threads if n >= _MIN_POINTS_THREADED else 1
    # contiguous runs of sorted points; more tasks than threads, for balance
    n_tasks = max(1, min(_TASKS_PER_THREAD * threads, n // 256))
    bounds = np.linspace(0, n, n_tasks + 1).astype(np.int64)

    def task(t):
        out = (np.zeros(nb, np.int64), *(np.zeros(nb) for _ in range(4)))
        kernel(x, y, zs, band, band_start, float(band_h), edges, uniform, right, dir_on, sin_a, cos_a, cos_tol,
               int(bounds[t]), int(bounds[t + 1]), *out)
        return out

    if threads == 1:
        parts = [task(t) for t in range(n_tasks)]  # loop over tasks, not over points
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(task, range(n_tasks)))
    count = np.sum([p[0] for p in parts], axis=0).astype(float)
    # exact sum of every task's sum and compensation, bin by bin
    dsum = np.array([math.fsum(v for p in parts for v in (p[1][k], p[2][k])) for k in range(nb)])
    sqsum = np.array([math.fsum(v for p in parts for v in (p[3][k], p[4][k])) for k in range(nb)])
    return count, dsum, sqsum


def _pair_sums_numpy(xy, z, edges, closed, direction):
    """The same sums with NumPy, in blocks of about ``_PAIR_BLOCK`` pairs (every pair is formed)."""
    n, n_bins = z.size, edges.size - 1
    dir_on, sin_a, cos_a, cos_tol = direction
    count, dsum, sqsum = (np.zeros(n_bins) for _ in range(3))
    rows = max(1, _PAIR_BLOCK // max(n, 1))
    for start in range(0, n, rows):  # loop over row blocks, not over pairs
        stop = min(n, start + rows)
        i, j = np.triu_indices(stop - start, k=1, m=n - start)
        i, j = i + start, j + start
        dx, dy = xy[j, 0] - xy[i, 0], xy[j, 1] - xy[i, 1]
        d = np.sqrt(dx * dx + dy * dy)
        sq = (z[j] - z[i]) ** 2
        idx = _bin_index(d, edges, closed)
        idx[d == 0] = -1
        if dir_on:
            with np.errstate(invalid="ignore", divide="ignore"):
                idx[np.abs((dx * sin_a + dy * cos_a) / d) < cos_tol] = -1
        c, s1, s2 = _accumulate(idx, d, sq, np.ones_like(d), n_bins)
        count += c
        dsum += s1
        sqsum += s2
    return count, dsum, sqsum


def empirical_variogram(
    coords_m: np.ndarray,
    values: np.ndarray,
    bin_edges_m: np.ndarray,
    closed: Closed = "left",
    *,
    direction_deg: float | None = None,
    tolerance_deg: float = 22.5,
    n_threads: int | None = None,
    engine: Literal["auto", "compiled", "numpy"] = "auto",
) -> VariogramResult:
    """Empirical semivariogram of point samples (Eq. 5 of Yin et al. 2023).

    Every unordered pair of points closer than the last bin edge is visited
    once, exactly, by a compiled sweep over the points sorted into row bands
    (see Notes); memory stays proportional to the number of points.

    Parameters
    ----------
    coords_m : array_like, shape (n, 2)
        Projected coordinates ``(x, y)`` of the points, metres.
    values : array_like, shape (n,)
        Observed values (e.g. soil moisture, m3/m3). Points with a NaN or
        infinite value or coordinate are dropped.
    bin_edges_m : array_like
        Increasing lag-bin edges, metres (see :func:`lag_bin_edges`).
    closed : {"left", "right"}, default "left"
        ``"left"``: a pair at distance ``d`` is in bin ``[lo, hi)``;
        ``"right"``: in ``(lo, hi]`` (gstat's convention).
    direction_deg : float, optional
        Direction of a directional (anisotropic) semivariogram, degrees
        clockwise from north (the +y axis), as gstat's ``alpha``: 0 is north,
        90 is east. Default: every direction (omnidirectional).
    tolerance_deg : float, default 22.5
        Half-width of the direction's angular window, degrees, as gstat's
        ``tol.hor``: a pair is kept when the angle between its separation
        vector (either way) and the direction is at most this. 90 or more
        keeps every pair. Used only with ``direction_deg``.
    n_threads : int, optional
        Threads of the compiled sweep; default: the usable CPU cores.
    engine : {"auto", "compiled", "numpy"}, default "auto"
        ``"compiled"``: the numba sweep; ``"numpy"``: NumPy over every pair in
        blocks (quadratic time, for checks); ``"auto"``: compiled when numba is
        installed.

    Returns
    -------
    VariogramResult
        Mean pair distance (metres), semivariance and pair count per bin.

    Notes
    -----
    The sweep sorts the points into horizontal bands of height
    ``max_lag / 16`` and, within a band, by x. Each point is paired with the
    later points of its own band and with the points of the bands above it
    whose x lies within the largest lag (found by bisection), so only pairs
    in a rectangle a little larger than the half-disc of radius ``max_lag``
    are examined. Cost: O(N log N) to sort and O(N · k) for the pairs, with k
    the mean number of points within ``max_lag`` of a point (O(N²) when the
    largest lag spans the whole domain). Distances are computed as
    ``sqrt(dx² + dy²)`` like ``scipy.spatial.distance.pdist``; with equal
    bins a lag away from an edge is placed by lag / width, and a lag within
    1e-9 of a width of an edge (or any lag with unequal bins) by comparison
    with the edges, so pairs on an edge fall as with
    :func:`numpy.searchsorted`. Squared differences are formed directly (no
    cancellation). The candidates are taken in blocks of 256, whose per-bin
    sums are vectorised; per-point sums are added with Neumaier
    compensation. Pair counts are exact integers; lag and squared-difference
    sums agree with a double sum to about 1e-15.
    """
    edges = _check_edges(bin_edges_m, closed)
    if engine not in ("auto", "compiled", "numpy"):
        raise ValueError(f"engine must be 'auto', 'compiled' or 'numpy', got {engine!r}.")
    direction = _direction(direction_deg, tolerance_deg)
    threads = _n_threads(n_threads)
    xy = _check_coords(coords_m)
    z = np.asarray(values, dtype=float).ravel()
    if z.size != xy.shape[0]:
        raise ValueError(f"values has {z.size} entries but coords_m has {xy.shape[0]} points; give one value per point.")
    keep = np.isfinite(z) & np.all(np.isfinite(xy), axis=1)
    xy, z = xy[keep], z[keep]
    kernel = _compiled_sweep() if engine != "numpy" else None
    if engine == "compiled" and kernel is None:  # pragma: no cover - numba is a dependency
        raise ValueError("engine='compiled' needs numba; install it (pip install numba) or use engine='numpy'.")
    if z.size < 2:
        count, dsum, sqsum = (np.zeros(edges.size - 1) for _ in range(3))
    elif kernel is not None:
        count, dsum, sqsum = _pair_sums_compiled(kernel, xy, z, edges, closed, direction, threads)
    else:
        count, dsum, sqsum = _pair_sums_numpy(xy, z, edges, closed, direction)
    meta = {"method": "points", "engine": "compiled" if kernel is not None else "numpy"}
    if direction_deg is not None:
        meta.update(direction_deg=float(direction_deg), tolerance_deg=float(tolerance_deg))
    return _finish(edges, count, dsum, sqsum, closed, z, meta)


def _autocorrelations(valid: np.ndarray, z: np.ndarray):
    """FFT sums over all lag vectors: pair counts and sums of squared differences.

    For lag vector h, with indicator m of valid cells and centred values z:
    N(h) = sum_x m(x) m(x+h), and
    S(h) = sum_x m(x) m(x+h) [z(x+h) - z(x)]^2
         = C(m, m z^2)(h) + C(m z^2, m)(h) - 2 C(m z, m z)(h)
    (Marcotte 1996), C being the cross-correlation, computed by zero-padded FFT.
    """
    from scipy import fft as sfft

    ny, nx = z.shape
    shape = (sfft.next_fast_len(2 * ny - 1, real=True), sfft.next_fast_len(2 * nx - 1, real=True))
    m = valid.astype(float)
    mz = np.where(valid, z, 0.0)
    fm = sfft.rfft2(m, shape)
    fz = sfft.rfft2(mz, shape)
    fq = sfft.rfft2(mz * mz, shape)
    n_h = sfft.irfft2(fm.conj() * fm, shape)
    s_h = sfft.irfft2(2.0 * (fm.conj() * fq).real - 2.0 * (fz.conj() * fz).real, shape)
    return n_h, s_h, shape


def _lag_distances(shape, ny, nx, cell_size_m):
    """Euclidean length (metres) of the lag vector stored at each FFT index."""
    dy = np.fft.fftfreq(shape[0], 1.0 / shape[0])  # integer lags with wrap-around
    dx = np.fft.fftfreq(shape[1], 1.0 / shape[1])
    dy[np.abs(dy) >= ny] = np.nan  # indices no pair can reach (padding)
    dx[np.abs(dx) >= nx] = np.nan
    return np.hypot(dy[:, None] * cell_size_m[0], dx[None, :] * cell_size_m[1])


def grid_variogram(
    field2d: np.ndarray,
    cell_size_m: float | tuple[float, float],
    bin_edges_m: np.ndarray,
    mask: np.ndarray | None = None,
    closed: Closed = "left",
) -> VariogramResult:
    """Exact semivariogram of all pairs of valid cells of a grid, by FFT.

    Implements Eq. 5 of Yin et al. 2023 over every pair of valid cells, using
    the FFT formulation of Marcotte (1996): pair counts and sums of squared
    differences for every lag vector come from three forward and two inverse
    real FFTs of the zero-padded grid, then are summed into distance bins.
    The result equals the brute-force double sum (to round-off).

    Parameters
    ----------
    field2d : array_like, shape (ny, nx)
        Values on a regular grid (rows ``y``, columns ``x``); NaN cells are
        treated as missing. A dask- or xarray-backed array is computed.
    cell_size_m : float or (float, float)
        Cell size in metres; a pair ``(dy, dx)`` for rectangular cells.
    bin_edges_m : array_like
        Increasing lag-bin edges, metres.
    mask : array_like of bool, shape (ny, nx), optional
        True for cells to use (e.g. inside the basin); combined with the
        non-NaN cells of ``field2d``.
    closed : {"left", "right"}, default "left"
        ``"left"``: ``[lo, hi)``; ``"right"``: ``(lo, hi]`` (gstat).

    Returns
    -------
    VariogramResult
        Mean pair distance, semivariance and pair count per bin.

    Notes
    -----
    Values are centred on their mean before the transforms (Eq. 5 does not
    change under a constant shift), which keeps round-off near 1e-13 of the
    variance. Pair counts are rounded to the nearest integer and are exact.
    Run time is that of FFTs of size about ``(2 ny) x (2 nx)``.
    """
    edges = _check_edges(bin_edges_m, closed)
    z = np.asarray(field2d, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"field2d must be 2-D (y, x), got {z.ndim} dimensions.")
    valid = np.isfinite(z)
    if mask is not None:
        m = np.asarray(mask)
        if m.shape != z.shape:
            raise ValueError(f"mask has shape {m.shape} but field2d has shape {z.shape}; give one flag per cell.")
        valid &= m.astype(bool)
    cell = np.broadcast_to(np.asarray(cell_size_m, dtype=float), (2,))
    if np.any(cell <= 0):
        raise ValueError(f"cell_size_m must be positive (metres), got {cell_size_m!r}.")
    values = z[valid]
    zc = z - (values.mean() if values.size else 0.0)
    n_h, s_h, shape = _autocorrelations(valid, zc)
    dist = _lag_distances(shape, *z.shape, cell)
    dist[0, 0] = np.nan  # a cell with itself is not a pair
    reach = np.isfinite(dist) & (dist <= edges[-1])
    d, n_h, s_h = dist[reach], n_h[reach], s_h[reach]
    idx = _bin_index(d, edges, closed)
    # every unordered pair appears at h and at -h, hence the halving
    count, dsum, sqsum = _accumulate(idx, d, s_h / 2.0, np.rint(n_h) / 2.0, edges.size - 1)
    meta = {"method": "grid-fft", "cell_size_m": tuple(cell.tolist()), "n_rows": z.shape[0], "n_cols": z.shape[1]}
    return _finish(edges, count, dsum, sqsum, closed, values, meta)
