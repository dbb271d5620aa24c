"""Validation of the downscaled field: metrics, Fig. 2 sampling, bilinear baseline, tables."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smvar.downscaling import (
    bilinear_baseline,
    coefficients_by_month,
    daily_errors,
    downscale,
    metrics,
    twin_skill,
    validate_against_reference,
)
from smvar.downscaling.constructed import constructed_config, constructed_inputs
from smvar.downscaling.validation import microwave_product
from smvar.grid import analysis_grid, microwave_grid, reanalysis_grid


def test_metrics_match_hand_computed_values():
    est = np.array([0.1, 0.2, 0.3, 0.5, np.nan])
    ref = np.array([0.1, 0.1, 0.2, 0.4, 0.3])
    m = metrics(est, ref)
    # differences 0, .1, .1, .1 -> bias .075, RMSE sqrt(.03/4); ubRMSE sqrt(RMSE² - bias²)
    assert m["n"] == 4
    assert m["bias"] == pytest.approx(0.075)
    assert m["rmse"] == pytest.approx(np.sqrt(0.03 / 4))
    assert m["ubrmse"] == pytest.approx(np.sqrt(0.03 / 4 - 0.075**2))
    assert m["r"] == pytest.approx(np.corrcoef(est[:4], ref[:4])[0, 1])


def test_metrics_of_a_single_pair_have_no_correlation():
    m = metrics(np.array([0.2]), np.array([0.1]))
    assert m["n"] == 1 and np.isnan(m["r"]) and m["rmse"] == pytest.approx(0.1)


@pytest.fixture(scope="module")
def case():
    config = constructed_config(start="2020-01-01", end="2020-04-30")
    inputs, _ = constructed_inputs(config, seed=5)
    grids = analysis_grid(config), reanalysis_grid(config), microwave_grid(config)
    return config, inputs, grids, downscale(inputs, *grids, config)


def test_bilinear_baseline_reproduces_a_field_linear_in_lat_and_lon(case):
    _, inputs, grids, _ = case
    fine_g, _, mw_g = grids
    lat, lon = mw_g.lat[:, None], mw_g.lon[None, :]
    field = 0.1 + 0.3 * (lat - lat.min()) + 0.2 * (lon - lon.min())
    coarse = xr.DataArray(np.stack([field, field * 0.5]), dims=("time", "lat", "lon"),
                          coords={"time": inputs.fine["time"][:2], **mw_g.coords()})
    out = bilinear_baseline(coarse, fine_g)
    flon, flat = fine_g.lonlat
    inside = (flat <= mw_g.lat.max()) & (flat >= mw_g.lat.min()) & (flon >= mw_g.lon.min()) & (flon <= mw_g.lon.max())
    expected = 0.1 + 0.3 * (flat - lat.min()) + 0.2 * (flon - lon.min())
    assert inside.sum() > 50
    np.testing.assert_allclose(out.values[0][inside], expected[inside], atol=1e-6)
    np.testing.assert_allclose(out.values[1][inside], 0.5 * expected[inside], atol=1e-6)


def test_validation_samples_are_seeded_and_scored_per_date(case):
    config, inputs, _, result = case
    basin = inputs.fine["basin_mask"]
    with pytest.warns(UserWarning, match="not among the days"):
        table, samples = validate_against_reference(result.sm, inputs.fine["sm_reference"], basin,
                                                    n_pixels=100, seed=3)
    again, _ = validate_against_reference(result.sm, inputs.fine["sm_reference"], basin,
                                          dates=["01-15"], n_pixels=100, seed=3)
    assert list(table.columns) == ["date", "date_used", "n", "r", "rmse", "bias", "ubrmse"]
    assert len(table) == 4 and len(samples) == 400
    assert table.iloc[0]["rmse"] == again.iloc[0]["rmse"]
    day = samples[samples["date"] == table.iloc[0]["date"]]
    hand = metrics(day["downscaled"].to_numpy(), day["reference"].to_numpy())
    assert table.iloc[0]["rmse"] == pytest.approx(hand["rmse"])


def test_twin_skill_compares_downscaled_and_baseline_daily(case):
    _, inputs, grids, result = case
    basin = inputs.fine["basin_mask"]
    baseline = bilinear_baseline(microwave_product(inputs.microwave), grids[0], basin)
    daily, summary = twin_skill(result.sm, baseline, inputs.fine["sm_truth"], basin)
    assert len(daily) == result.sm.sizes["time"]
    assert {"rmse_downscaled", "rmse_baseline"} <= set(daily.columns)
    assert 0 <= summary["share_days_better"] <= 1
    # The constructed inputs hold the method's own assumption: it must win clearly.
    assert summary["share_days_better"] > 0.8
    first = daily_errors(result.sm.isel(time=[0]), inputs.fine["sm_truth"].isel(time=[0]), basin)
    assert first["rmse"].iloc[0] == pytest.approx(daily["rmse_downscaled"].iloc[0])


def test_coefficient_table_by_month(case):
    _, _, _, result = case
    table = coefficients_by_month(result.coefficients)
    assert table.index.names == ["month", "land_cover", "ndvi_level"]
    assert len(table) == 4 * 12
    jan = result.coefficients.sel(time="2020-01", land_cover="forest", ndvi_level="low")
    assert table.loc[(1, "forest", "low"), "a"] == pytest.approx(float(jan["a"].mean()))
    assert table["own_fit_share"].between(0, 1).all()
    assert isinstance(table, pd.DataFrame)
