"""Tests of smvar.stats: monthly statistics, normality, temporal stability, MRD."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from smvar import stats


def _cube(seed=0, months=12, ny=20, nx=15):
    rng = np.random.default_rng(seed)
    data = 0.12 + 0.02 * rng.normal(size=(months, ny, nx))
    sm = xr.DataArray(data, dims=("month", "y", "x"), coords={"month": np.arange(1, months + 1)},
                      attrs={"units": "m3 m-3"})
    mask = xr.DataArray(rng.random((ny, nx)) > 0.3, dims=("y", "x"))
    return sm, mask


def test_monthly_statistics_match_numpy_inside_the_mask():
    sm, mask = _cube()
    out = stats.monthly_statistics(sm, mask)
    v = sm.values[:, mask.values]
    np.testing.assert_allclose(out["max"], v.max(1))
    np.testing.assert_allclose(out["min"], v.min(1))
    np.testing.assert_allclose(out["mean"], v.mean(1))
    np.testing.assert_allclose(out["sd"], v.std(1, ddof=1))
    np.testing.assert_allclose(out["cv"], v.std(1, ddof=1) / v.mean(1))
    assert (out["count"] == mask.values.sum()).all()


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_dask_backed_input_gives_the_same_results():
    sm, mask = _cube()
    lazy = sm.chunk({"month": 4, "y": 10})
    xr.testing.assert_allclose(stats.monthly_statistics(lazy, mask).compute(), stats.monthly_statistics(sm, mask))
    xr.testing.assert_allclose(stats.iqr_sd_ratio(lazy, mask).compute(), stats.iqr_sd_ratio(sm, mask))
    xr.testing.assert_allclose(stats.temporal_stability(lazy, mask).compute(), stats.temporal_stability(sm, mask))


def test_iqr_sd_of_a_large_normal_sample_is_1349():
    rng = np.random.default_rng(42)
    assert stats.NORMAL_IQR_SD == pytest.approx(1.349, abs=5e-4)
    assert stats.iqr_sd_ratio(rng.normal(3.0, 2.0, 1_000_000)) == pytest.approx(1.349, abs=0.01)


def test_iqr_sd_per_month_is_near_1349_for_normal_months():
    rng = np.random.default_rng(1)
    sm = xr.DataArray(rng.normal(size=(3, 300, 300)), dims=("month", "y", "x"))
    np.testing.assert_allclose(stats.iqr_sd_ratio(sm), 1.349, atol=0.02)


def test_qq_data_of_normal_data_lies_on_the_line():
    rng = np.random.default_rng(2)
    sm = xr.DataArray(rng.normal(5, 2, size=(2, 200, 200)), dims=("month", "y", "x"))
    qq = stats.qq_data(sm, n_quantiles=49)
    np.testing.assert_allclose(qq["sample"], qq["theoretical"].broadcast_like(qq["sample"]), atol=0.05)


def test_normality_table_flags_skewed_but_not_normal_months():
    rng = np.random.default_rng(3)
    data = np.stack([rng.normal(size=(60, 60)), rng.lognormal(sigma=1.0, size=(60, 60))])
    sm = xr.DataArray(data, dims=("month", "y", "x"), coords={"month": [1, 2]})
    tab = stats.normality_table(sm, subsample=1000)
    assert tab.loc[1, "dagostino_p"] > 0.001 and tab.loc[2, "dagostino_p"] < 1e-6
    assert tab.loc[2, "anderson_reject_5pct"] and tab.loc[2, "skewness"] > 1
    assert (tab["n_test"] == 1000).all() and (tab["n"] == 3600).all()


@pytest.mark.parametrize(
    "sd, code",
    [
        (0.0, 1), (0.0299, 1), (0.03, 1),  # boundary -> the more stable class
        (0.0301, 2), (0.08, 2), (0.0801, 3), (0.13, 3), (0.1301, 4),
        (0.2, 4), (0.2001, 5), (1.0, 5), (np.nan, 0),
    ],
)
def test_stability_classes_at_their_boundaries(sd, code):
    assert stats.stability_classes(np.array([sd]))[0] == code


def test_temporal_stability_is_eq6_sd_of_monthly_means():
    sm, mask = _cube()
    ts = stats.temporal_stability(sm, mask)
    expect = np.where(mask, sm.values.std(0, ddof=1), np.nan)
    np.testing.assert_allclose(ts["sd"], expect)
    assert (ts["stability_class"].values[~mask.values] == 0).all()
    assert ts["stability_class"].attrs["boundaries"] == "right-closed"


def test_stability_by_reach_separates_upper_from_middle_and_lower():
    sd = np.array([[0.05, 0.10, 0.01], [0.02, 0.005, np.nan]])
    reach = np.array([[1, 1, 2], [3, 3, 3]])
    tab = stats.stability_by_reach(sd, reach)
    assert tab.loc["upper", "n"] == 2 and tab.loc["upper", "mean"] == pytest.approx(0.075)
    assert tab.loc["middle+lower", "n"] == 3 and tab.loc["middle+lower", "max"] == pytest.approx(0.02)
    assert tab.loc["upper", "share_good"] == 0.5 and tab.loc["upper", "share_stable"] == 0.5
    assert tab.loc["basin", "n"] == 5


def test_mean_relative_difference_hand_case():
    # two months, three pixels; basin means 0.2 and 0.4
    data = np.array([[[0.1, 0.2, 0.3]], [[0.2, 0.4, 0.6]]])
    sm = xr.DataArray(data, dims=("month", "y", "x"))
    out = stats.mean_relative_difference(sm)
    np.testing.assert_allclose(out["mrd"].values.ravel(), [-0.5, 0.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(out["sdrd"].values.ravel(), [0.0, 0.0, 0.0], atol=1e-15)
    np.testing.assert_array_equal(out["rank"].values.ravel(), [1, 2, 3])


def test_mean_relative_difference_sd_hand_case():
    # pixel 0: deltas (0.1-0.2)/0.2=-0.5 and (0.3-0.4)/0.4=-0.25 -> MRD -0.375, SD 0.1767767
    data = np.array([[[0.1, 0.3]], [[0.3, 0.5]]])
    out = stats.mean_relative_difference(xr.DataArray(data, dims=("month", "y", "x")))
    assert out["mrd"].values[0, 0] == pytest.approx(-0.375)
    assert out["sdrd"].values[0, 0] == pytest.approx(np.std([-0.5, -0.25], ddof=1))
    ranking = stats.mrd_ranking(out)
    assert list(ranking["rank"]) == [1, 2]


def test_spearman_between_months_is_one_for_preserved_order():
    sm, mask = _cube(months=3)
    sm[1] = sm[0] * 2 + 0.01  # same ordering
    rho = stats.spearman_between_months(sm, mask)
    assert rho.sel(month=1, month_other=2) == pytest.approx(1.0)
    assert rho.sel(month=1, month_other=3) < 0.5
    np.testing.assert_allclose(rho.values, rho.values.T)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 0.5, allow_nan=False), min_size=1, max_size=50))
def test_stability_classes_are_monotone_in_sd(values):
    v = np.sort(np.array(values))
    codes = stats.stability_classes(v)
    assert np.all(np.diff(codes) >= 0) and codes.min() >= 1 and codes.max() <= 5


def test_missing_dimension_is_a_clear_error():
    sm = xr.DataArray(np.zeros((2, 3)), dims=("lat", "lon"))
    with pytest.raises(ValueError, match="lacks dimension"):
        stats.monthly_statistics(sm)
