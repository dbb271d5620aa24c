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
# # Study area and data
#
# ## Overview
#
# The paper studies the Heihe River Basin, the second-largest inland
# river basin of China, between 37.7–42.7° N and 97.1–102.0° E, in 2020
# {cite:p}`yin2023` (sections 2.1–2.2). The basin runs from the Qilian Mountains
# in the south (the upper reach, alpine grassland and forest above 3,000 m)
# through irrigated oases (the middle reach) to the desert of the lower reach.
# This chapter draws the run's grids, terrain, land cover and reaches, and lists
# the 17 driving factors of the paper's Table 1 with their values in this run.
#
# ## Prerequisites
#
# | concept | importance | notes |
# | --- | --- | --- |
# | The paper's sections 2.1–2.2 {cite:p}`yin2023` | Helpful | the study area and data as published |
# | Map projections and grid cells | Helpful | equal-area vs latitude–longitude grids |
#
# *Time to read:* 10 minutes.

# %% tags=["parameters"]
basin_file = "../data/basins/heihe.yaml"
run_dir = "../runs/heihe"

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from smvar import plots
from smvar.factors import factor_table
from smvar.pipeline import Run

plots.book_page()  # the book's figure theme and tables; run-time messages to the run's log

run = Run(basin_file, run_dir)
config = run.config
factors = run.factors()
synthetic = config.data.source == "synthetic"
Markdown(plots.data_banner(config))

# %% [markdown]
# ## The grids of this run
#
# The analysis grid has square cells of equal area in the parameter file's
# projected CRS, so that every pixel weighs the same in the statistics. The two
# coarse grids are latitude–longitude grids aligned on whole multiples of their
# cell size, as ERA5-Land and ESA CCI are. A coarse cell between latitudes
# $\varphi_1$ and $\varphi_2$ and of width $\Delta\lambda$ (radians) covers, on
# the sphere of authalic radius $R = 6371.007$ km,
#
# $$
# A = R^2 \, \Delta\lambda \, (\sin\varphi_2 - \sin\varphi_1),
# $$
#
# so coarse cells shrink northwards.

# %% tags=["hide-input"]
plots.grid_table(run.fine_grid, run.reanalysis_grid, run.microwave_grid)

# %% tags=["hide-input"] mystnb={"image": {"alt": "Map of the basin extent in longitude and latitude with the 0.25 degree grid lines and the outline of the 1 km equal-area analysis grid"}, "figure": {"caption": "The basin's extent (black rectangle), the 0.25° microwave grid (grey lines) and the outline of the 1 km equal-area analysis grid (blue). The analysis grid is slightly larger than the extent because an equal-area projection bends the lines of latitude and longitude.", "name": "fig-grids"}}
plots.grids_figure(config, run.fine_grid, run.microwave_grid)
plt.show()

# %% [markdown]
# ## Terrain, land cover and reaches (the paper's Fig. 1)
#
# The paper's Fig. 1 shows the basin's location and elevation. First where the
# run's basin lies in China, then the run's elevation, land cover and the three
# reaches that the temporal-stability chapter compares.

# %% tags=["hide-input"] mystnb={"image": {"alt": "Map of China and its neighbours with the run's basin marked in the north-west of China, between the Qilian Mountains and Inner Mongolia"}, "figure": {"caption": "Where the run's basin lies: its 1 km cells (blue) and the extent of the parameter file (vermillion rectangle) in China (shaded). Country outlines: Natural Earth 1:110m, public domain (data/locator/, cropped by scripts/make_locator_outlines.py). Cf. the paper's Fig. 1 (location).", "name": "fig-locator"}}
plots.locator_figure(config, run.fine_grid, factors["basin_mask"])
plt.show()

# %% tags=["hide-input", "full-width"] mystnb={"image": {"alt": "Two maps of the basin: elevation in metres and land-cover classes, with the outlines of the upper, middle and lower reaches"}, "figure": {"caption": "Elevation (m) and land cover (IGBP classes) of the run's basin at its 1 km resolution, with the outlines of the upper, middle and lower reaches. Look for the mountains and their grassland and forest in the south, the cropland oases in the middle reach, and the barren lower reach in the north. Cf. the paper's Fig. 1.", "name": "fig-study-area"}}
plots.study_area_figure(factors)
plt.show()

# %% tags=["hide-input"]
area = plots.reach_table(factors, run.fine_grid.cell_area_m2)
area

# %% [markdown]
# ## The driving factors (Table 1)
#
# The paper explains SM's spatial pattern with 17 factors in four categories.
# Monthly NDVI is the maximum-value composite of the daily NDVI, as the paper
# harmonises MOD13A2 to months (section 2.2). Monthly LST day and night come
# from another product than the downscaling's all-weather LST, as in the paper
# (MOD11A2, clear sky, averaged by month): the inputs' `lst_day_monthly` and
# `lst_night_monthly` (made by the twin in the default run), or the monthly
# means of the daily LST when a data set has none. The last two columns give
# this run's basin mean and range (monthly factors over all months).

# %% tags=["hide-input"]
factor_table(factors)

# %% [markdown]
# ## What differs from the paper

# %% tags=["hide-input"]
basin_km2 = float(factors["basin_mask"].sum()) * (run.fine_grid.resolution_m / 1000.0) ** 2
if synthetic:
    differs = (
        "- The default run's data are a **synthetic twin** (see {doc}`../data_layout`). Its static geography "
        "is real but coarse: ETOPO1 elevation at 0.1° with synthetic relief below that, MODIS MCD12C1 2019 land "
        "cover at 0.05° and the yearly NDVI range. Soils, weather, LST and soil moisture are simulated, and the "
        "factor maps carry the errors of the products the paper used (GEBCO, MCD12Q1, SoilGrids, MOD11A2).\n"
        "- The paper clips to the boundary of the National Comprehensive Water Resources Planning (2002–2006), "
        "about 143,000 km² (section 2.1). The twin's basin is derived by flow routing on the 0.1° DEM: "
        f"**{basin_km2:,.0f} km²** on this grid. It takes in the western Badain Jaran desert, whose smoothed "
        "surface slopes to the Ejina plain, and strips of the Qilian plateau south of the real divide, which "
        "drain north across ridges thinner than 0.1°. Against a published outline of the basin its intersection "
        "over union is 0.78 (module notes of `smvar.synthetic.geography`)."
    )
else:
    differs = (f"- The run's basin mask comes from its data: **{basin_km2:,.0f} km²** on this grid, against the "
               "paper's about 143,000 km² (section 2.1).")
Markdown(differs)

# %% [markdown]
# ## Summary
#
# The parameter file fixes the extent, the year and the grids; the inputs fill
# them with the 17 factors of Table 1 and the soil-moisture products that the
# next chapter downscales.
#
# ## What next
#
# {doc}`02_downscaling` turns the coarse soil-moisture products into daily 1 km maps.
#
# ## Resources
#
# - {cite:t}`yin2023`, sections 2.1–2.2 and Table 1
# - {doc}`../data_layout`: every input of a run, its grid and units
# - Natural Earth (public domain) for the locator's country outlines
