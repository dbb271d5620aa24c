"""The whole downscaling on constructed inputs: recovery, mean preservation, dask, warnings."""

import warnings

import numpy as np
import pytest
import xarray as xr

from smvar.downscaling import FALLBACKS, SOURCES, downscale, monthly_mean
from smvar.downscaling.constructed import constructed_config, constructed_inputs
from smvar.grid import analysis_grid, fine_to_coarse_index, microwave_grid, reanalysis_grid
from smvar.inputs import Inputs


@pytest.fixture(scope="module")
def case():
    config = constructed_config()
    inputs, planted = constructed_inputs(config, seed=4)
    grids = analysis_grid(config), reanalysis_grid(config), microwave_grid(config)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = downscale(inputs, *grids, config)
    return config, inputs, planted, grids, result


def test_output_is_daily_float32_on_the_fine_grid(case):
    config, inputs, _, grids, result = case
    assert result.sm.dims == ("time", "y", "x")
    assert result.sm.dtype == np.float32
    assert result.sm.shape == (len(config.dates()), *grids[0].shape)
    assert result.sm.attrs["units"] == "m3 m-3"
    outside = inputs.fine["basin_mask"].values == 0
    assert np.isnan(result.sm.values[:, outside]).all()


def test_planted_coefficients_are_recovered_where_the_class_had_its_own_fit(case):
    _, _, planted, _, result = case
    fallback = result.coefficients["fallback"].values.reshape(-1, 12)
    own = fallback == FALLBACKS.index("class")
    assert own.mean() > 0.3
    np.testing.assert_allclose(result.coefficients["a"].values.reshape(-1, 12)[own], planted["a"][own], rtol=1e-8)
    np.testing.assert_allclose(result.coefficients["b"].values.reshape(-1, 12)[own], planted["b"][own], rtol=1e-8)


def test_cell_means_equal_the_product_where_nothing_was_clipped(case):
    _, inputs, _, grids, result = case
    fine_g, _, mw_g = grids
    index = fine_to_coarse_index(fine_g, mw_g).ravel()
    sm = result.sm.values.reshape(result.sm.shape[0], -1).astype(np.float64)
    cci, smops = inputs.microwave["sm_cci"].values, inputs.microwave["sm_smops"].values
    product = np.where(np.isfinite(cci), cci, smops).reshape(sm.shape[0], -1)
    low = (sm <= 0) | (sm >= np.float32(0.45))  # pixels that clipping may have touched
    checked = 0
    for k in np.unique(index[index >= 0]):
        in_cell = index == k
        for t in range(sm.shape[0]):
            values = sm[t, in_cell]
            values = values[np.isfinite(values)]
            if values.size and not low[t, in_cell].any():
                assert values.mean() == pytest.approx(product[t, k], abs=2e-7)
                checked += 1
    assert checked > 20


def test_cci_gaps_are_filled_by_smops(case):
    _, inputs, _, _, result = case
    gaps = np.isnan(inputs.microwave["sm_cci"].values)
    assert gaps.any()
    assert (result.sources.values[gaps] == SOURCES.index("smops")).all()
    assert (result.sources.values[~gaps] == SOURCES.index("cci")).all()


def test_clipping_is_counted(case):
    _, _, _, _, result = case
    n_low, n_high = int(result.clipping["n_low"].sum()), int(result.clipping["n_high"].sum())
    sm = result.sm.values
    assert np.nanmin(sm) >= 0 and np.nanmax(sm) <= 0.45 + 1e-7
    assert n_low + n_high == int(((sm == 0) | (np.isclose(sm, 0.45))).sum())
    assert (result.clipping["max_cell_shift"].values >= 0).all()


def test_dask_backed_inputs_give_the_same_result(case):
    config, inputs, _, grids, result = case
    lazy = Inputs(fine=inputs.fine.chunk({"time": 7}), reanalysis=inputs.reanalysis.chunk({"time": 7}),
                  microwave=inputs.microwave.chunk({"time": 7}))
    other = downscale(lazy, *grids, config, block_days=10)
    xr.testing.assert_equal(other.sm, result.sm)
    xr.testing.assert_equal(other.coefficients, result.coefficients)
    assert other.clipping.equals(result.clipping)


def test_month_without_coarse_data_warns_with_the_month_and_does_not_crash(case):
    config, inputs, _, grids, _ = case
    february = inputs.microwave["time"].dt.month == 2
    microwave = inputs.microwave.where(~february)
    reanalysis = inputs.reanalysis.where(~february)
    with pytest.warns(UserWarning, match="2020-02") as record:
        result = downscale(Inputs(inputs.fine, reanalysis, microwave), *grids, config)
    messages = " ".join(str(w.message) for w in record)
    assert "reanalysis" in messages and "sm_cci" in messages
    feb = result.sm.sel(time="2020-02")
    assert feb.isnull().all()
    assert result.sm.sel(time="2020-01").notnull().any()
    monthly = monthly_mean(result.sm)
    assert monthly.sel(month=2).isnull().all() and monthly.sel(month=1).notnull().any()


def test_monthly_mean_ignores_nan_days():
    times = np.array(["2020-01-01", "2020-01-02", "2020-02-01"], dtype="datetime64[ns]")
    values = np.array([[[1.0, np.nan]], [[3.0, np.nan]], [[5.0, 2.0]]], dtype=np.float32)
    daily = xr.DataArray(values, dims=("time", "y", "x"), coords={"time": times}, attrs={"units": "m3 m-3"})
    monthly = monthly_mean(daily)
    assert monthly.dims == ("month", "y", "x") and monthly.dtype == np.float32
    np.testing.assert_allclose(monthly.values, [[[2.0, np.nan]], [[5.0, 2.0]]])
    assert monthly.attrs["units"] == "m3 m-3"


def test_wrong_grid_is_a_clear_error(case):
    config, inputs, _, grids, _ = case
    with pytest.raises(ValueError, match="reanalysis variable 'sm'"):
        downscale(inputs, grids[0], grids[2], grids[2], config)


def test_smooth_correction_option_runs_and_unknown_option_is_refused(case):
    config, inputs, _, grids, result = case
    smooth = downscale(inputs, *grids, config, correction="smooth")
    assert smooth.sm.attrs["correction"] == "smooth"
    assert np.array_equal(np.isnan(smooth.sm.values), np.isnan(result.sm.values))
    with pytest.raises(ValueError, match="correction='nearest'"):
        downscale(inputs, *grids, config, correction="nearest")


def test_interpolated_correction_keeps_the_pixels_and_stays_near_the_cell_means(case):
    config, inputs, _, grids, result = case
    interpolated = downscale(inputs, *grids, config, correction="interpolated")
    assert interpolated.sm.attrs["correction"] == "interpolated"
    assert np.array_equal(np.isnan(interpolated.sm.values), np.isnan(result.sm.values))
    xr.testing.assert_equal(interpolated.delta, result.delta)  # Eq. 3 is the same
    gap = np.nanmean(np.abs(interpolated.sm.values - result.sm.values))
    assert 0 < gap < 0.05


def test_the_run_default_correction_is_interpolated_and_the_paper_rule_is_one_setting_away():
    from smvar.config import DownscalingSection

    assert DownscalingSection().correction == "interpolated"
    assert DownscalingSection(correction="even").correction == "even"
    with pytest.raises(ValueError):
        DownscalingSection(correction="nearest")


def test_alternative_rule_equals_a_separate_run_with_that_rule(case):
    config, inputs, _, grids, result = case
    both = downscale(inputs, *grids, config, correction="even", alternative="interpolated")
    alone = downscale(inputs, *grids, config, correction="interpolated")
    xr.testing.assert_equal(both.sm, result.sm)
    np.testing.assert_array_equal(both.sm_alternative.values, alone.sm.values)
    assert both.sm_alternative.attrs["correction"] == "interpolated"
    assert result.sm_alternative is None
