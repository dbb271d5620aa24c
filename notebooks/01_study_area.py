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
# # Study area and grids
#
# **Overview.** The paper studies the Heihe River Basin, the second-largest inland
# river basin of China, between 37.7–42.7° N and 97.1–102.0° E
# {cite:p}`yin2023` (section 2.1). This chapter draws the basin's extent and the
# three grids every later chapter works on, straight from the parameter file:
# the 1 km equal-area analysis grid, the 0.1° reanalysis grid and the 0.25°
# microwave grid.
#
# *Prerequisites:* none. *Time to read:* 5 minutes.

# %% tags=["parameters"]
basin_file = "../data/basins/heihe.yaml"
run_dir = "../runs/heihe"
basin = {}

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from smvar import grid
from smvar.config import load_config

config = load_config(basin_file)
fine = grid.analysis_grid(config)
reanalysis = grid.reanalysis_grid(config)
microwave = grid.microwave_grid(config)

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
rows = []
for label, g in [("analysis (equal-area)", fine)]:
    rows.append({"grid": label, "cells (rows × columns)": f"{g.shape[0]} × {g.shape[1]}",
                 "cell size": f"{g.resolution_m:g} m", "cell area (km²)": f"{g.cell_area_m2 / 1e6:.3f}"})
for label, g in [("reanalysis", reanalysis), ("microwave", microwave)]:
    area = g.cell_area_km2()
    rows.append({"grid": label, "cells (rows × columns)": f"{g.shape[0]} × {g.shape[1]}",
                 "cell size": f"{g.resolution_deg:g}°",
                 "cell area (km²)": f"{area.min():.1f} – {area.max():.1f}"})
pd.DataFrame(rows).set_index("grid")

# %% tags=["hide-input"] mystnb={"image": {"alt": "Map of the basin extent in longitude and latitude with the 0.25 degree grid lines and the outline of the 1 km equal-area analysis grid"}, "figure": {"caption": "The basin's extent (black rectangle), the 0.25° microwave grid (grey lines) and the outline of the 1 km equal-area analysis grid (blue). The analysis grid is slightly larger than the extent because an equal-area projection bends the lines of latitude and longitude.", "name": "fig-grids"}}
lon, lat = fine.lonlat
fig, ax = plt.subplots(figsize=(6, 6))
for value in np.append(microwave.lon - microwave.resolution_deg / 2, microwave.lon[-1] + microwave.resolution_deg / 2):
    ax.axvline(value, color="0.8", lw=0.5)
for value in np.append(microwave.lat + microwave.resolution_deg / 2, microwave.lat[-1] - microwave.resolution_deg / 2):
    ax.axhline(value, color="0.8", lw=0.5)
edge = np.concatenate([
    np.c_[lon[0, :], lat[0, :]], np.c_[lon[:, -1], lat[:, -1]],
    np.c_[lon[-1, ::-1], lat[-1, ::-1]], np.c_[lon[::-1, 0], lat[::-1, 0]],
])
ax.plot(edge[:, 0], edge[:, 1], color="#0072B2", lw=1.5, label="1 km analysis grid")
e = config.extent
ax.plot([e.west, e.east, e.east, e.west, e.west], [e.south, e.south, e.north, e.north, e.south],
        color="black", lw=1.5, label="extent in the parameter file")
ax.set_xlabel("longitude (° E)")
ax.set_ylabel("latitude (° N)")
ax.set_aspect(1 / np.cos(np.deg2rad((e.south + e.north) / 2)))
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# ## Summary
#
# The run's parameter file fixes the extent, the year and the grids. The next
# chapters fill these grids with data.
