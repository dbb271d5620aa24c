"""Natural breaks: exact optimum against a brute-force DP and random partitions."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from smvar.geodetector import natural_breaks, natural_breaks_many, within_class_ss
from smvar.geodetector.natural_breaks import natural_breaks_batch


def brute_force_breaks(x, k):
    """Plain O(k N^2) Fisher/Jenks programme, for checking."""
    d = np.sort(x)
    n = d.size
    p1 = np.concatenate([[0], np.cumsum(d)])
    p2 = np.concatenate([[0], np.cumsum(d * d)])
    cost = lambda a, b: p2[b] - p2[a] - (p1[b] - p1[a]) ** 2 / (b - a)  # noqa: E731
    best = np.full((k + 1, n + 1), np.inf)
    arg = np.zeros((k + 1, n + 1), dtype=int)
    best[0, 0] = 0
    for j in range(1, k + 1):
        for i in range(j, n + 1):
            m = np.arange(j - 1, i)
            v = best[j - 1, m] + cost(m, i)
            best[j, i], arg[j, i] = v.min(), m[np.argmin(v)]
    return best[k, n]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 100_000), st.integers(6, 80), st.integers(2, 5))
def test_natural_breaks_reach_the_brute_force_optimum(seed, n, k):
    x = np.random.default_rng(seed).normal(size=n)
    assert within_class_ss(x, natural_breaks(x, k)) == pytest.approx(brute_force_breaks(x, k), rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 100_000), st.integers(10, 300), st.integers(2, 7))
def test_natural_breaks_never_worse_than_random_partitions(seed, n, k):
    rng = np.random.default_rng(seed)
    x = np.round(rng.gamma(2.0, size=n), 2)
    best = within_class_ss(x, natural_breaks(x, k))
    xs = np.unique(x)
    if xs.size <= k:
        return
    for _ in range(20):
        cut = np.sort(rng.choice(xs[:-1], size=k - 1, replace=False))
        other = np.concatenate([[xs[0]], cut, [xs[-1]]])
        assert best <= within_class_ss(x, other) + 1e-9


def test_many_k_from_one_programme_equal_one_at_a_time():
    x = np.random.default_rng(3).lognormal(size=500)
    many = natural_breaks_many(x, range(3, 9))
    for k in range(3, 9):
        np.testing.assert_array_equal(many[k], natural_breaks(x, k))


def test_breaks_are_data_values_with_min_and_max():
    x = np.array([1.0, 1.1, 1.2, 5.0, 5.1, 9.0, 9.2])
    assert natural_breaks(x, 3).tolist() == [1.0, 1.2, 5.1, 9.2]


def test_nan_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="NaN"):
        natural_breaks([1.0, np.nan, 3.0], 2)


def reference_divide_and_conquer(x, ks):
    """The first implementation (per-branch divide and conquer, one data set), kept to check the fast path."""
    values, weights = np.unique(np.asarray(x, float), return_counts=True)
    weights = weights.astype(float)
    n, tie = values.size, 1e-12
    centred = values - np.average(values, weights=weights)
    w = np.concatenate([[0.0], np.cumsum(weights)])
    s1 = np.concatenate([[0.0], np.cumsum(weights * centred)])
    s2 = np.concatenate([[0.0], np.cumsum(weights * centred * centred)])
    scale = float(s2[-1]) if s2[-1] > 0 else 1.0

    def cost(a, b):
        ww, t1, t2 = w[b] - w[a], s1[b] - s1[a], s2[b] - s2[a]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.maximum(t2 - t1 * t1 / ww, 0.0)

    def seg_argmin(c, starts):
        mn = np.minimum.reduceat(c, starts)
        near = np.flatnonzero(c <= np.repeat(mn + tie * scale, np.diff(np.append(starts, c.size))))
        return mn, near[np.searchsorted(near, starts)]

    def layer(prev, j):
        new, arg, base = np.full(n + 1, np.inf), np.zeros(n + 1, dtype=np.int64), prev - s2
        ilo, ihi, mlo, mhi = np.array([j]), np.array([n]), np.array([j - 1]), np.array([n - 1])
        while ilo.size:
            mid = (ilo + ihi) // 2
            lengths = np.minimum(mhi, mid - 1) - mlo + 1
            starts = np.cumsum(lengths) - lengths
            m = np.arange(lengths.sum()) - np.repeat(starts - mlo, lengths)
            ds1 = np.repeat(s1[mid], lengths) - s1[m]
            dw = np.repeat(w[mid], lengths) - w[m]
            mn, pos = seg_argmin(base[m] - ds1 * ds1 / dw, starts)
            best = m[pos]
            new[mid], arg[mid] = mn + s2[mid], best
            left, right = ilo <= mid - 1, mid + 1 <= ihi
            ilo, ihi, mlo, mhi = (np.concatenate([ilo[left], mid[right] + 1]), np.concatenate([mid[left] - 1, ihi[right]]),
                                  np.concatenate([mlo[left], best[right]]), np.concatenate([best[left], mhi[right]]))
        return new, arg

    out, layers = {}, [cost(np.zeros(n + 1, dtype=np.int64), np.arange(n + 1))]
    layers[0][0] = np.inf
    args = [np.zeros(n + 1, dtype=np.int64)]
    kmax = max(k for k in ks if k <= n)
    for j in range(2, kmax + 1):
        if j in ks:
            m = np.arange(j - 1, n)
            _, pos = seg_argmin(layers[-1][m] + cost(m, np.full(m.size, n)), np.array([0]))
            starts = [int(m[pos[0]])]
            for level in range(j - 1, 1, -1):
                starts.append(int(args[level - 1][starts[-1]]))
            part = np.array([0] + starts[::-1])
            out[j] = np.concatenate([[values[0]], values[part[1:] - 1], [values[-1]]])
        if j < kmax:
            new, arg = layer(layers[-1], j)
            layers.append(new)
            args.append(arg)
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100_000), st.integers(9, 400), st.sampled_from(["normal", "ties", "few", "lognormal"]))
def test_batched_dyadic_programme_equals_the_first_divide_and_conquer(seed, n, kind):
    """Breaks identical (not just as good) to the first implementation, ties included, alone or in a batch."""
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=n) if kind == "normal" else np.round(rng.gamma(2.0, size=n), 1) if kind == "ties"
         else rng.integers(0, 12, n).astype(float) if kind == "few" else rng.lognormal(size=n))
    ks = list(range(2, 9))
    ref = reference_divide_and_conquer(x, ks)
    many = natural_breaks_many(x, ks)
    others = [rng.normal(size=int(rng.integers(3, 200))), np.round(rng.normal(size=50)), x[: n // 2 + 1]]
    batch = natural_breaks_batch([others[0], x, others[1], others[2]], ks)
    for k in ref:
        np.testing.assert_array_equal(many[k], ref[k])
        np.testing.assert_array_equal(batch[1][k], ref[k])
    for data, got in zip([others[0], others[1], others[2]], [batch[0], batch[2], batch[3]]):
        alone = natural_breaks_many(data, ks)
        for k in ks:
            np.testing.assert_array_equal(got[k], alone[k])
