"""Natural breaks: exact optimum against a brute-force DP and random partitions."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from smvar.geodetector import natural_breaks, natural_breaks_many, within_class_ss


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
