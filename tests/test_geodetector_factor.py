"""Factor detector: hand cases, peers (GD, geodetector, gdverse) and properties."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from smvar.geodetector import factor_detector, q_statistic
from peer_reference import reference_folder


def reference() -> Path:
    return reference_folder("geodetector")


def test_q_matches_hand_computation():
    y = np.array([1.0, 2.0, 3.0, 10.0, 11.0, 12.0])
    codes = np.array([0, 0, 0, 1, 1, 1])
    sst = ((y - y.mean()) ** 2).sum()
    assert q_statistic(y, codes).q[0] == pytest.approx(1 - 4.0 / sst, rel=1e-14)


def test_singletons_dropped_under_gd_and_kept_under_geodetector():
    y = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    codes = np.array([0, 0, 1, 1, 2])
    gd = q_statistic(y, codes, "gd").q[0]
    geo = q_statistic(y, codes, "geodetector").q[0]
    assert gd == pytest.approx(1 - 1.0 / ((y[:4] - y[:4].mean()) ** 2).sum())
    assert geo == pytest.approx(1 - 1.0 / ((y - y.mean()) ** 2).sum())


def test_q_vectorised_over_months_equals_one_at_a_time():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(200, 4))
    codes = rng.integers(0, 5, size=(200, 4))
    together = q_statistic(y, codes)
    for k in range(4):
        alone = q_statistic(y[:, k], codes[:, k])
        assert together.q[k] == pytest.approx(alone.q[0], abs=1e-14)
        assert together.p[k] == pytest.approx(alone.p[0], abs=1e-10)


@pytest.mark.parametrize("peer, file, qkey, pkey", [
    ("gd", "GD_CollectData.json", "qv", "sig"),
    ("geodetector", "geodetector_CollectData.json", "q", "p"),
    ("gdverse", "gdverse_gd_NTDs.json", "Q-statistic", "P-value"),
])
def test_factor_detector_equals_each_peer_on_collectdata(peer, file, qkey, pkey):
    ref = reference()
    data = pd.read_csv(ref / "data" / "geodetector__CollectData.csv")
    expected = pd.DataFrame(json.loads((ref / "results" / file).read_text())["factor"]).set_index("variable")
    got = factor_detector(data["incidence"], data[["watershed", "soiltype", "elevation"]], peer)
    for name, row in expected.iterrows():
        assert got.loc[name, "q"] == pytest.approx(row[qkey], abs=1e-9)
        assert got.loc[name, "p"] == pytest.approx(row[pkey], abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6), st.integers(8, 60))
def test_q_lies_between_zero_and_one(seed, n_strata, n):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    codes = rng.integers(0, n_strata, size=n)
    for conv in ("gd", "geodetector", "gdverse"):
        q = q_statistic(y, codes, conv).q[0]
        assert np.isnan(q) or -1e-12 <= q <= 1 + 1e-12


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6))
def test_q_is_one_when_strata_explain_y(seed, n_strata):
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(n_strata), 3)
    levels = rng.normal(size=n_strata) * 10 + np.arange(n_strata)
    assert q_statistic(levels[codes], codes).q[0] == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6))
def test_q_is_invariant_under_relabelling_strata(seed, n_strata):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=40)
    codes = rng.integers(0, n_strata, size=40)
    perm = rng.permutation(n_strata)
    a, b = q_statistic(y, codes), q_statistic(y, perm[codes])
    assert a.q[0] == pytest.approx(b.q[0], abs=1e-12) or (np.isnan(a.q[0]) and np.isnan(b.q[0]))
    labels = pd.Series(np.array(list("abcdef"))[codes])
    assert factor_detector(y, labels.to_frame("f"))["q"].iloc[0] == pytest.approx(a.q[0], abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100_000), st.integers(3, 500), st.integers(1, 9), st.sampled_from(["gd", "geodetector", "gdverse"]))
def test_one_y_fast_path_equals_the_general_path(seed, n, ncol, convention):
    """One complete y for all code columns (summed column by column) gives what a full (N, F) y gives."""
    rng = np.random.default_rng(seed)
    y = np.round(rng.normal(size=n) * 10, 1)
    codes = rng.integers(-1, 6, size=(n, ncol))
    fast = q_statistic(y, codes, convention)
    general = q_statistic(np.repeat(y[:, None], ncol, axis=1), codes, convention)
    for field in ("q", "p", "n", "n_strata"):
        np.testing.assert_allclose(getattr(fast, field), getattr(general, field), rtol=1e-12, atol=1e-14)
