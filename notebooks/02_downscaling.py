# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (smvar)
#     language: python
#     name: smvar
# ---

# %% [markdown]
# # Downscaling soil moisture to 1 km
#
# ## Overview
#
# The paper builds daily 1 km soil moisture (SM) for 2020 from a
# 0.1° reanalysis (ERA5-Land), MODIS land-surface temperature (LST) and NDVI,
# and a 0.25° microwave product (ESA CCI, gaps filled with SMOPS), following
# Zhang et al. (section 2.3.1, Eq. 1–4) {cite:p}`yin2023`. It checks the result
# against the 1 km SMCI product on four dates (Fig. 2). This chapter runs the
# same method on the run's inputs and, because the default inputs carry a known
# truth, also measures what the paper could not: the error against the truth.
#
# ## Prerequisites
#
# | concept | importance | notes |
# | --- | --- | --- |
# | {doc}`01_study_area` | Necessary | the grids and factors of the run |
# | Linear regression | Necessary | Eq. 1 is a least-squares line per class |
# | {doc}`../methods_downscaling` | Helpful | the choices the paper leaves open |
#
# *Time to read:* 15 minutes.

# %% tags=["parameters"]
basin_file = "../data/basins/heihe.yaml"
run_dir = "../runs/heihe"

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from smvar import plots
from smvar.pipeline import Run

plots.book_page()  # the book's figure theme and tables; run-time messages to the run's log

run = Run(basin_file, run_dir)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    result = run.downscaled()
Markdown(plots.data_banner(run.config))

# %% [markdown]
# ## The method (Eq. 1–4)
#
# Soil moisture falls as the day–night LST difference $\Delta LST$ rises: a
# wet soil has a large thermal inertia and warms less by day. For each day and
# each class $k$ (four land-cover groups × three NDVI levels) the paper fits, over
# the 0.1° cells of the basin,
#
# $$
# \theta_{0.1^\circ} = a_k \, \Delta LST_{0.1^\circ} + b_k , \tag{Eq. 1}
# $$
#
# applies the coefficients of each 1 km pixel's class to its own $\Delta LST$,
#
# $$
# \theta_{1\,\mathrm{km}} = a_k \, \Delta LST_{1\,\mathrm{km}} + b_k , \tag{Eq. 2}
# $$
#
# and corrects every 0.25° cell so that its 1 km pixels average to the microwave
# value:
#
# $$
# \Delta\theta = \theta_{25\,\mathrm{km}} - \overline{\theta_{1\,\mathrm{km}}}, \qquad
# \theta'_{1\,\mathrm{km}} = \theta_{1\,\mathrm{km}} + \Delta\theta . \tag{Eq. 3–4}
# $$
#
# The classes, the fallbacks for classes with too few cells, the choice between
# the two microwave products and the clipping to the physical range are set out
# in {doc}`../methods_downscaling`.

# %% [markdown]
# ## Validation against the 1 km reference (the paper's Fig. 2)
#
# As the paper does, 1,000 random basin pixels (seeded) are compared with the
# 1 km reference product (the SMCI role) on 15 January, 15 April, 15 July and
# 15 October. The table gives N, Pearson's R, RMSE, bias and unbiased RMSE
# (m³/m³). When a run skips days (`step_days` > 1) the nearest analysed day is
# used, as the column `date_used` says.

# %% tags=["hide-input"]
result.validation.round(4).set_index("date")

# %% tags=["hide-input"]
notes = sorted({str(w.message) for w in caught})
Markdown("Warnings of this step:\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "The step raised no warning.")

# %% tags=["hide-input"] mystnb={"image": {"alt": "Four scatter plots of downscaled soil moisture against the 1 km reference soil moisture with the 1:1 line, one per validation date"}, "figure": {"caption": "Downscaled SM against the 1 km reference on the four validation dates. Points near the 1:1 line mean agreement; a cloud below it means the downscaled values are too dry. Cf. the paper's Fig. 2.", "name": "fig-validation"}}
plots.validation_figure(result.samples, result.validation)
plt.show()

# %% [markdown]
# ## The twin experiment: error against the truth
#
# On synthetic inputs the truth is known. Each day, the downscaled field and a
# naive baseline (the 0.25° product interpolated bilinearly to 1 km) are scored
# against the truth over every basin pixel.
#
# The experiment is run with two rules for handing the correction Δθ of Eq. 3
# to the 1 km pixels. The paper's Eq. 4 adds it evenly to every pixel of the
# 0.25° cell (`even`): the cell's mean then equals the product's value exactly,
# so the product's own error at 0.25° is carried whole, and the field steps at
# cell edges. Our default (`interpolated`, set by `downscaling.correction` in
# the parameter file) interpolates Δθ bilinearly between cell centres: the
# result is the bilinear baseline plus the within-cell pattern that Eq. 2 draws
# from the 1 km LST, and the cell means are close to, not equal to, the
# product's. See [the methods page](../methods_downscaling.md) for why.

# %% tags=["hide-input"]
def _skill_row(twin: dict) -> dict:
    return {
        "median daily RMSE, downscaled (m³/m³)": round(twin["median_rmse_downscaled"], 4),
        "median daily RMSE, bilinear baseline (m³/m³)": round(twin["median_rmse_baseline"], 4),
        "days where downscaling beats the baseline": f"{100 * twin['share_days_better']:.0f} % of {twin['n_days']}",
        "median relative RMSE reduction": f"{100 * twin['median_rmse_reduction']:.1f} %",
    }


if result.daily_skill is not None:
    runs = [result.summary["twin"], result.summary.get("twin_alternative")]
    columns = {}
    for twin in filter(None, runs):
        rule = twin.get("correction", "even")
        label = {"even": "paper's Eq. 4 (even)", "interpolated": "interpolated Δθ",
                 "smooth": "smooth, exact cell means"}[rule]
        used = " (this run)" if twin is runs[0] else ""
        columns[label + used] = _skill_row(twin)
    display(pd.DataFrame(columns))
else:
    print("These inputs carry no truth (real data): the twin experiment does not apply.")

# %% tags=["hide-input"] mystnb={"image": {"alt": "Line chart of daily RMSE against the truth through the year for the downscaled field and the bilinear baseline"}, "figure": {"caption": "Daily RMSE against the truth (m³/m³) of the downscaled field (blue) and of the bilinear baseline (orange). Where the blue line lies below the orange one, the downscaling adds information the coarse product lacks.", "name": "fig-twin-skill"}}
if result.daily_skill is not None:
    skill = result.daily_skill
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.plot(skill["time"], skill["rmse_downscaled"], color=plots.OKABE_ITO[4], label=f"downscaled ({result.summary['twin'].get('correction', 'even')} correction)")
    ax.plot(skill["time"], skill["rmse_baseline"], color=plots.OKABE_ITO[0], label="bilinear 0.25° baseline")
    ax.set_xlabel("date")
    ax.set_ylabel("RMSE against the truth (m³/m³)")
    ax.legend()
    plt.show()

# %% [markdown]
# ## Validation at stations
#
# Soil-moisture studies check their maps against in-situ sensors; the paper
# could not. Each station is placed in the 1 km pixel, the 0.1° cell and the
# 0.25° cell that hold it, its daily mean (UTC days with at least half their
# samples) is compared with the downscaled SM and with each coarse product, and
# N, R, RMSE, bias (product − station) and ubRMSE are given per station and for
# all stations pooled. A sensor sees a few square metres, not a 1 km pixel, so
# even a perfect map differs from it (the representativeness error). On the
# synthetic twin the stations are drawn from the truth with such an error; on
# real inputs they are the files the parameter file lists under
# `validation.stations` (ISMN `.stm` files, or a station index CSV of plain
# series; see {doc}`../rerun_real_data`). A station deeper than
# `validation.max_depth_m`, outside the grids or without common days is left
# out with one line saying why.
#
# On the twin, the stations' own error sets a floor: a product equal to the
# truth would still show an RMSE of about $\sqrt{0.03^2 + 0.02^2} \approx 0.036$
# m³/m³ against them, most of it in the bias of each station (the first table
# pools all stations; the second gives each one). The ranking of the products
# at the stations need not be their ranking against the full truth (the twin
# experiment above): a handful of points scores mostly the days' basin-wide
# swings, which the coarse products also carry.

# %% tags=["hide-input"]
import xarray as xr

from smvar.plots_stations import station_scatter_figure, station_timeseries_figure
from smvar.realdata.stations import validate_run_at_stations

daily_store = run.run_dir / "work" / "downscaling" / "sm_daily.zarr"
stations = None
if daily_store.exists():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Consolidated metadata")
        daily_sm = xr.open_zarr(daily_store, consolidated=False)["sm"]
        stations, station_note = validate_run_at_stations(run.config, run.inputs(), daily_sm)
else:
    station_note = "The daily 1 km field of this run is not in its work folder: rerun with `--force` to validate at stations."
left_out = "".join(f"\n- {line}" for line in (stations.problems if stations is not None else []))
Markdown(station_note.rstrip(".") + "." + (f"\n\nLeft out:{left_out}" if left_out else ""))

# %% tags=["hide-input"]
if stations is not None and not stations.metrics.empty:
    table = stations.metrics.round(4)
    display(table[table["station"] == "all"].drop(columns="station").set_index("product"))  # all stations pooled
    display(table[table["station"] != "all"].set_index(["station", "product"]))              # each station

# %% tags=["hide-input"] mystnb={"image": {"alt": "Scatter plots of product soil moisture against station soil moisture with the 1:1 line, one panel per product"}, "figure": {"caption": "Daily SM of each product at the stations' pixels against the stations' daily means, with the pooled metrics. Points on the 1:1 line mean agreement; the spread around it includes the stations' representativeness error.", "name": "fig-stations-scatter"}}
if stations is not None and not stations.pairs.empty:
    station_scatter_figure(stations.pairs, stations.metrics)
    plt.show()

# %% tags=["hide-input"] mystnb={"image": {"alt": "Time series of station soil moisture and of each product at the station, one panel per station"}, "figure": {"caption": "Daily SM at the first stations: the station (black) and each product at its pixel or cell.", "name": "fig-stations-series"}}
if stations is not None and not stations.pairs.empty:
    station_timeseries_figure(stations.pairs)
    plt.show()

# %% [markdown]
# ## The coefficients of Eq. 1 by month
#
# Mean slope $a$ (m³ m⁻³ K⁻¹) and intercept $b$ (m³ m⁻³) of each class, the
# number of 0.1° cells $N$ and the $R^2$ of the fits used, and the share of days
# on which the class was fitted on its own cells (the rest fell back to pooled
# classes).

# %% tags=["hide-input"]
coefficients = result.coefficients.copy()
coefficients.round({"a": 4, "b": 3, "n": 0, "r2": 2, "own_fit_share": 2}).set_index(
    ["month", "land_cover", "ndvi_level"]).head(36)

# %% tags=["hide-input"]
summary = result.summary["downscaling"]
pd.DataFrame({
    "share of class-days fitted on their own cells": [summary["fallback_class"]],
    "share pooled over the NDVI levels of the land cover": [summary["fallback_land_cover"]],
    "share pooled over all cells": [summary["fallback_all_cells"]],
    "share of 0.25° cell-days corrected with the CCI role": [summary["source_cci"]],
    "share corrected with the SMOPS role (CCI gap)": [summary["source_smops"]],
    "share of pixel-days clipped at 0": [summary["clipped_low"]],
    "share clipped at saturation": [summary["clipped_high"]],
}).T.rename(columns={0: "value"}).round(3)

# %% [markdown]
# ## The monthly cube
#
# Every later chapter works on the monthly means of the daily 1 km SM. The
# basin means of the downscaled cube, the reference and (synthetic runs) the
# truth:

# %% tags=["hide-input"]
monthly = result.monthly
mask = monthly["basin_mask"] > 0
columns = {"downscaled": "sm", "reference": "sm_reference", "truth": "sm_truth"}
pd.DataFrame({label: monthly[name].where(mask).mean(("y", "x")).to_series()
              for label, name in columns.items() if name in monthly}).round(4)

# %% [markdown]
# ## What differs from the paper
#
# - The default inputs are the synthetic twin, so the numbers of Fig. 2 are not
#   the paper's; the paper reports the agreement only as a figure.
# - The paper does not say which LST overpass, how classes with too few cells
#   are fitted, or how values outside the physical range are handled; the
#   choices made are listed in {doc}`../methods_downscaling`.
#
# ## Summary
#
# The downscaled daily 1 km SM and its monthly means are stored in the run
# folder (`artifacts/sm_monthly.nc`); the next chapters describe their
# statistics, spatial structure and drivers.
#
# ## What next
#
# {doc}`03_statistics` describes the monthly maps that this chapter produced.
#
# ## Resources
#
# - {cite:t}`yin2023`, section 2.3.1 and Fig. 2
# - {cite:t}`carlson1995` on the triangle of LST and vegetation
# - {doc}`../methods_downscaling`
