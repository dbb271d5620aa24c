"""Figure functions of smvar.plots_geostat on tiny data: each returns a Figure with labelled axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

from smvar import plots_geostat, stats  # noqa: E402
from smvar import variogram as vg  # noqa: E402


@pytest.fixture
def monthly():
    rng = np.random.default_rng(1)
    y = np.arange(8) * -1000.0
    x = np.arange(9) * 1000.0
    values = 0.12 + 0.02 * rng.standard_normal((12, y.size, x.size))
    sm = xr.DataArray(values, dims=("month", "y", "x"), coords={"month": np.arange(1, 13), "y": y, "x": x})
    mask = xr.DataArray(np.ones((y.size, x.size), bool), dims=("y", "x"), coords={"y": y, "x": x})
    return sm, mask


def _labelled(fig):
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert visible
    assert any(ax.get_xlabel() for ax in visible)
    assert any(ax.get_ylabel() for ax in visible)
    return visible


def test_iqr_sd_figure_draws_every_month(monthly):
    sm, mask = monthly
    fig = plots_geostat.iqr_sd_figure(stats.iqr_sd_ratio(sm, mask).to_series(), (1.28, 1.40))
    ax = _labelled(fig)[0]
    assert len(ax.get_lines()[-1].get_xdata()) == 12
    plt.close(fig)


def test_qq_figure_has_twelve_panels(monthly):
    sm, mask = monthly
    fig = plots_geostat.qq_figure(stats.qq_data(sm, mask))
    assert len(_labelled(fig)) == 12
    plt.close(fig)


def test_variogram_and_models_figures(monthly):
    sm, mask = monthly
    edges = vg.lag_bin_edges(6000.0, 6)
    full = {int(m): vg.grid_variogram(sm.sel(month=m).values, 1000.0, edges, mask=mask.values) for m in (1, 2)}
    fits = {m: vg.fit_all_models(r) for m, r in full.items()}
    models = {m: f[vg.best_model(f)].model for m, f in fits.items()}
    fig = plots_geostat.variogram_figure(full, models, sample=full)
    assert len(_labelled(fig)) == 2
    plt.close(fig)
    fig = plots_geostat.models_figure(full[1], fits[1], title="January")
    ax = _labelled(fig)[0]
    assert len(ax.get_lines()) == 4   # one curve per model
    plt.close(fig)


def test_mrd_and_spearman_figures(monthly):
    sm, mask = monthly
    ranking = stats.mrd_ranking(stats.mean_relative_difference(sm, mask))
    fig = plots_geostat.mrd_figure(ranking, n_bars=10)
    _labelled(fig)
    plt.close(fig)
    fig = plots_geostat.spearman_figure(stats.spearman_between_months(sm, mask))
    axes = _labelled(fig)
    assert any("ρ" in ax.get_ylabel() for ax in fig.axes)   # colour bar with its unit
    assert len(axes[0].texts) == 144
    plt.close(fig)


def test_kriging_and_cv_figures(monthly):
    sm, _ = monthly
    field = sm.sel(month=7)
    points = pd.DataFrame({"x": [0.0, 3000.0], "y": [-1000.0, -4000.0]})
    fig = plots_geostat.kriging_figure(field, field, field * 0 + 0.01, points)
    _labelled(fig)
    assert sum(1 for ax in fig.axes if "m³/m³" in ax.get_ylabel()) == 2   # both colour bars carry units
    plt.close(fig)
    observed = field.values.ravel()[:20]
    fig = plots_geostat.cv_figure(observed, {"spherical": observed + 0.01, "gaussian": observed})
    axes = _labelled(fig)
    assert "RMSE 0.0100" in axes[0].get_title()
    assert "RMSE 0.0000" in axes[1].get_title()
    plt.close(fig)


def test_monthly_boxplots_draw_one_box_per_month(monthly):
    from smvar import plots

    sm, mask = monthly
    fig = plots.monthly_boxplots(sm, mask)
    ax = _labelled(fig)[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == plots.MONTH_NAMES
    assert "m³/m³" in ax.get_ylabel()
    plt.close(fig)


def test_locator_map_shows_china_the_extent_and_the_basin_with_its_credit(small_yaml):
    from smvar import plots
    from smvar.config import load_config
    from smvar.grid import analysis_grid

    config = load_config(small_yaml)
    grid = analysis_grid(config)
    mask = xr.DataArray(np.ones(grid.shape, bool), dims=("y", "x"))
    fig = plots.locator_figure(config, grid, mask)
    ax = _labelled(fig)[0]
    assert len(ax.patches) > 20                           # country outlines and the extent
    assert any("Natural Earth" in t.get_text() for t in ax.texts)
    west, east = ax.get_xlim()
    assert west < config.extent.west < config.extent.east < east
    plt.close(fig)


def test_the_locator_outlines_are_small_and_say_where_they_come_from():
    import json

    from smvar.plots import LOCATOR_FILE

    assert LOCATOR_FILE.stat().st_size < 100_000
    document = json.loads(LOCATOR_FILE.read_text(encoding="utf-8"))
    assert "Natural Earth" in document["provenance"] and "public domain" in document["provenance"]
    assert [c["name"] for c in document["countries"] if c["china"]] == ["China"]
