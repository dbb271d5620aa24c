"""Rows that GD's breaks leave in no stratum: factor, risk and ecological detectors as GD computes them.

GD 10.8 cuts a continuous factor with ``cut(x, breaks, include.lowest = TRUE)``;
geometric (and sometimes sd) breaks can miss the data's minimum or maximum by
a rounding step, so those rows get NA. GD's ``gd`` then counts them in N and
in the total sum of squares, but in no stratum (``tapply`` and ``table`` skip
NA); ``gdrisk`` and ``riskmean`` skip them (``which(xi == level)``); ``gdeco``
divides the two factors' ``gd`` q values. ``gd_funq`` below transcribes GD's
``FunQ`` line by line (R/gd.R of GD 10.8) so each number is checked against
GD's own rule, not against smvar's code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from smvar.geodetector import (GDVERSE, discretise, ecological_detector, factor_detector, geodetector,
                               risk_detector)


def gd_funq(y: np.ndarray, x: pd.Series) -> tuple[float, float]:
    """GD's ``FunQ(y, x)`` with NA strata, transcribed from R/gd.R (GD 10.8)."""
    y = np.asarray(y, dtype=float)
    x = pd.Series(x).reset_index(drop=True)
    nx = x.dropna().nunique()                       # length(levels(factor(x))): NA is no level
    ny = y.size                                     # length(y): NA rows count
    counts = x.value_counts()                       # table(x): NA left out
    single = counts.index[counts == 1]
    keep = ~x.isin(single).to_numpy()               # y[-k], x[-k]
    y, x = y[keep], x[keep]
    groups = pd.Series(y).groupby(x.to_numpy())     # tapply(y, x, ...): NA left out
    rss = lambda v: (len(v) - 1) * np.var(v, ddof=1)  # noqa: E731
    qv = 1 - groups.apply(lambda g: rss(g.to_numpy())).sum() / rss(y)
    v1, v2 = nx - 1, ny - nx
    fv = (v2 * qv) / (v1 * (1 - qv))
    m0 = groups.mean()
    count_x = groups.size()
    m1 = (m0 ** 2).sum()
    m2 = (m0 * np.sqrt(count_x)).sum() ** 2 / ny
    lam = (m1 - m2) / (np.var(y, ddof=1) * (ny - 1) / ny)
    return float(qv), float(stats.ncf.sf(fv, v1, v2, lam))


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """A factor whose geometric breaks (n = 4 on [0.3, 51.9]) miss its minimum and maximum.

    One row at the minimum and three tied rows at the maximum fall in no
    interval; y rises with x, plus noise, and a second factor is categorical.
    """
    rng = np.random.default_rng(7)
    inner = rng.uniform(0.31, 51.8, 60)
    x = np.concatenate([[0.3], inner, [51.9, 51.9, 51.9]])
    y = 0.1 + 0.004 * x + rng.normal(0, 0.03, x.size)
    zone = rng.integers(0, 3, x.size)
    return pd.DataFrame({"sm": y, "x": x, "zone": zone})


@pytest.fixture(scope="module")
def cut(table) -> pd.Series:
    d = discretise(table["x"], "geometric", 4)
    return pd.Series(d.codes, name="x")


def test_geometric_breaks_leave_the_minimum_and_the_tied_maximum_in_no_stratum(table, cut):
    outside = cut.to_numpy() < 0
    assert outside[0] and outside[-3:].all()
    assert outside.sum() == 4
    assert table["x"][outside].tolist() == [0.3, 51.9, 51.9, 51.9]


def test_factor_detector_q_and_p_equal_gd_on_rows_outside(table, cut):
    res = factor_detector(table["sm"], cut.to_frame())
    q_gd, p_gd = gd_funq(table["sm"].to_numpy(), cut.where(cut >= 0))
    assert res.loc["x", "q"] == pytest.approx(q_gd, rel=1e-12)
    assert res.loc["x", "p"] == pytest.approx(p_gd, rel=1e-9)
    assert res.loc["x", "n"] == len(table)          # GD's ny: outside rows count in N
    assert res.loc["x", "n_strata"] == cut[cut >= 0].nunique()


def test_rows_outside_count_in_the_total_but_in_no_stratum_by_hand():
    # y = 1, 2 | 3, 4 | outside 10, 20. SST over all six rows: mean 20/3,
    # SST = 790/3; SSW = 0.5 + 0.5 = 1; q = 1 - 3/790.
    y = np.array([1.0, 2.0, 3.0, 4.0, 10.0, 20.0])
    codes = pd.DataFrame({"f": np.array([0, 0, 1, 1, -1, -1])})
    res = factor_detector(y, codes)
    assert res.loc["f", "q"] == pytest.approx(1 - 3 / 790, rel=1e-14)
    assert res.loc["f", "n"] == 6 and res.loc["f", "n_strata"] == 2


def test_outside_rows_are_not_one_more_stratum(table, cut):
    as_stratum = cut.where(cut >= 0, cut.max() + 1)  # what smvar did before: outside rows pooled
    q_pooled = factor_detector(table["sm"], as_stratum.to_frame()).loc["x", "q"]
    q = factor_detector(table["sm"], cut.to_frame()).loc["x", "q"]
    assert q != pytest.approx(q_pooled, rel=1e-6)
    assert q == pytest.approx(gd_funq(table["sm"].to_numpy(), cut.where(cut >= 0))[0], rel=1e-12)


def test_drop_convention_removes_outside_rows_from_the_total(table, cut):
    inside = cut >= 0
    q_drop = factor_detector(table["sm"], cut.to_frame(), GDVERSE).loc["x", "q"]
    q_inside = factor_detector(table["sm"][inside], cut[inside].to_frame(), GDVERSE).loc["x", "q"]
    assert q_drop == pytest.approx(q_inside, rel=1e-12)


def test_risk_detector_skips_rows_outside_as_gd(table, cut):
    means, risk = risk_detector(table["sm"], cut.to_frame())
    inside = cut >= 0
    y = table["sm"].to_numpy()
    expected = pd.Series(y[inside]).groupby(cut[inside].to_numpy()).agg(["size", "mean"])
    assert means["stratum"].tolist() == expected.index.tolist()
    assert means["n"].tolist() == expected["size"].tolist()
    np.testing.assert_allclose(means["mean"], expected["mean"], rtol=1e-13)
    levels = expected.index.tolist()
    assert len(risk) == len(levels) * (len(levels) - 1) // 2
    for row in risk.itertuples():
        a, b = y[cut == row.stratum1], y[cut == row.stratum2]
        welch = stats.ttest_ind(a, b, equal_var=False)
        assert row.t == pytest.approx(welch.statistic, rel=1e-10)
        assert row.p == pytest.approx(welch.pvalue, rel=1e-8)
        assert row.significant == (welch.pvalue < 0.05)


def test_ecological_detector_uses_the_factor_detector_q_with_rows_outside(table, cut):
    strata = pd.DataFrame({"x": cut, "zone": table["zone"]})
    eco = ecological_detector(table["sm"], strata)
    q_x = gd_funq(table["sm"].to_numpy(), cut.where(cut >= 0))[0]
    q_zone = gd_funq(table["sm"].to_numpy(), table["zone"])[0]
    row = eco.iloc[0]
    assert (row.var1, row.var2) == ("x", "zone")
    assert row.F == pytest.approx(q_x / q_zone, rel=1e-12)   # GD: g2$qv / g1$qv with g1 = var1
    f0 = stats.f.ppf(0.9, len(table) - 1, len(table) - 1)
    assert row.significant == bool(row.F > f0 or 1 / row.F > f0)


def test_geodetector_reports_the_gd_q_for_a_geometric_factor_with_rows_outside(table):
    res = geodetector(table, "sm", continuous=["x"], categorical=["zone"], methods=["geometric"],
                      intervals=[4])
    assert (res.strata["x"] < 0).sum() == 4
    q_gd, p_gd = gd_funq(table["sm"].to_numpy(), res.strata["x"].where(res.strata["x"] >= 0))
    assert res.factor.loc["x", "q"] == pytest.approx(q_gd, rel=1e-12)
    assert res.factor.loc["x", "p"] == pytest.approx(p_gd, rel=1e-9)
    # the optimiser's q for the chosen discretisation is the same number
    assert res.optimal.best.loc["x", "q"] == pytest.approx(q_gd, rel=1e-12)


def test_geometric_cuts_outside_lists_the_cut_with_gd_and_dropped_q(table, cut):
    from smvar.geodetector import geometric_cuts_outside

    cuts = geometric_cuts_outside(table, "sm", ["x"], intervals=[4])
    assert len(cuts) == 1
    row = cuts.iloc[0]
    inside = cut >= 0
    assert (row.factor, row.n, row.rows_outside, row.rows) == ("x", 4, 4, len(table))
    assert row.q == pytest.approx(gd_funq(table["sm"].to_numpy(), cut.where(inside))[0], rel=1e-12)
    assert row.q_outside_dropped == pytest.approx(
        factor_detector(table["sm"][inside], cut[inside].to_frame()).loc["x", "q"], rel=1e-12)
    assert row.inflation == pytest.approx(row.q - row.q_outside_dropped, abs=1e-15)


def test_q_by_method_gives_each_methods_best_n_and_opgds_choice(table):
    from smvar.geodetector import ALL_METHODS_ROW, q_by_method

    methods, intervals = ["equal", "quantile", "geometric"], [3, 4, 5]
    q, optimal = q_by_method(table, "sm", ["x"], ["zone"], methods=methods, intervals=intervals)
    assert list(q.index) == [*methods, ALL_METHODS_ROW] and list(q.columns) == ["x", "zone"]
    for method in methods:
        best = max(factor_detector(table["sm"], pd.Series(discretise(table["x"], method, n).codes,
                                                          name="x").to_frame()).loc["x", "q"]
                   for n in intervals)
        assert q.loc[method, "x"] == pytest.approx(best, rel=1e-12)
    assert q.loc[ALL_METHODS_ROW, "x"] == pytest.approx(optimal.best.loc["x", "q"], rel=1e-12)
    assert (q["zone"] == factor_detector(table["sm"], table[["zone"]]).loc["zone", "q"]).all()
