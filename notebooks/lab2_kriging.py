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
# # Lab 2: Kriging with pykrige
#
# ## Overview
#
# A fitted semivariogram is not only a description (Table 3 of
# {cite:t}`yin2023`): it is what kriging needs to map a variable from scattered
# samples. In this lab you sample the run's July soil moisture (SM) at a few
# hundred random pixels, fit the paper's four models with `smvar.variogram`,
# hand them to pykrige's ordinary kriging with `to_pykrige`, map SM back on a
# coarse grid, and choose a model by leave-one-out cross-validation. Because the
# run has the full map, you can also see how far the kriged map is from it.
#
# **Learning goals.** After this lab you can
# 1. convert a fitted model to pykrige's parameter conventions and explain why a
#    conversion is needed;
# 2. krige a sample back to a map and read the kriging standard deviation;
# 3. run leave-one-out cross-validation and choose a model by its RMSE.
#
# ## Prerequisites
#
# | concept | importance | notes |
# | --- | --- | --- |
# | {doc}`lab1_semivariogram` | Necessary | the fitted semivariogram models |
# | {doc}`../methods_geostatistics` | Helpful | the range conventions of GS+ and pykrige |
#
# *Time to read:* 60 minutes with the exercises.

# %% tags=["parameters"]
basin_file = "../data/basins/heihe.yaml"
run_dir = "../runs/heihe"
seed = 0
n_sample = 300
n_cv = 150

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from IPython.display import Markdown
from pykrige.ok import OrdinaryKriging

from smvar import plots, plots_geostat
from smvar import variogram as vg
from smvar.pipeline import Run

plots.book_page()  # the book's figure theme and tables; run-time messages to the run's log

rng = np.random.default_rng(seed)
run = Run(basin_file, run_dir)
monthly = run.downscaled().monthly
mask = monthly["basin_mask"] == 1
july = monthly["sm"].sel(month=7).where(mask)
settings = run.config.variogram
Markdown(plots.data_banner(run.config))

# %% [markdown]
# ## 1. A random sample of July SM
#
# `n_sample` pixels inside the basin, drawn without replacement with this
# notebook's `seed` (a teacher can give each student another seed through
# papermill).

# %%
table = july.to_dataframe(name="sm").dropna().reset_index()[["x", "y", "sm"]]
sample = table.iloc[rng.choice(len(table), min(n_sample, len(table)), replace=False)].reset_index(drop=True)
sample.describe().round(4)

# %% [markdown]
# ## 2. Fit the four models to the sample
#
# The lags are the run's (`variogram.bin_width_m`, `variogram.max_lag_m`), the
# fit is the paper's unweighted least squares.

# %%
edges = vg.lag_bin_edges(settings.max_lag_m, int(round(settings.max_lag_m / settings.bin_width_m)))
empirical = vg.empirical_variogram(sample[["x", "y"]].values, sample["sm"].values, edges, closed=settings.closed)
fits = vg.fit_all_models(empirical, settings.models)
pd.DataFrame({name: {"nugget C0": f.model.nugget, "sill C0+C": f.model.sill,
                     "range, GS+ (km)": f.model.effective_range / 1000, "R²": f.r2}
              for name, f in fits.items()}).T.style.format("{:.4g}")

# %% tags=["hide-input"] mystnb={"image": {"alt": "Empirical semivariogram of the July sample with points sized by pair count and the four fitted model curves"}, "figure": {"caption": "Semivariogram of the July sample (points sized by their number of pairs) and the four fitted models. The kriging below uses each of these curves in turn.", "name": "fig-lab2-fits"}}
plots_geostat.models_figure(empirical, fits, title=f"July, random sample of {len(sample)} pixels")
plt.show()

# %% [markdown]
# ## 3. From smvar to pykrige
#
# pykrige states the same models with other parameters: its exponential `range`
# is $3a$, its Gaussian `range` is $\tfrac74 a$ (not GS+'s $\sqrt3\,a$), its
# `psill` is the partial sill $C$, and its linear model takes a `slope`.
# `to_pykrige` makes the conversion:

# %%
converted = {name: vg.to_pykrige(f.model) for name, f in fits.items()}
pd.DataFrame({name: {"variogram_model": c["variogram_model"], **c["variogram_parameters"]}
              for name, c in converted.items()}).T.style.format(
    lambda v: f"{v:.4g}" if isinstance(v, float) else v, na_rep="—")

# %% [markdown]
# ## 4. Ordinary kriging back to a map
#
# To run in seconds, the map is kriged on a coarser grid: the July field is
# averaged over blocks of `factor × factor` pixels (the block mean is what we
# compare with; kriging at block centres from point samples is point kriging,
# a small approximation). The best model by RSS is used here.

# %%
factor = max(1, int(np.ceil(max(july.sizes["y"], july.sizes["x"]) / 100)))
coarse = july.coarsen(y=factor, x=factor, boundary="trim").mean()
coarse_inside = coarse.notnull()
best_name = vg.best_model(fits)
kriging = OrdinaryKriging(sample["x"].values, sample["y"].values, sample["sm"].values,
                          **vg.to_pykrige(fits[best_name].model))
gx, gy = np.meshgrid(coarse["x"].values, coarse["y"].values)
inside = coarse_inside.values
estimate, variance = kriging.execute("points", gx[inside], gy[inside], backend="vectorized")
kriged = xr.full_like(coarse, np.nan)
kriged.values[inside] = estimate
kriging_sd = xr.full_like(coarse, np.nan)
kriging_sd.values[inside] = np.sqrt(np.clip(variance, 0, None))
error = kriged - coarse
pd.DataFrame({"value": [best_name, f"{factor} × {factor} pixels ({factor * run.fine_grid.resolution_m / 1000:g} km)",
                        int(inside.sum()), float(np.sqrt((error ** 2).mean())), float(error.mean()),
                        float(xr.corr(kriged, coarse))]},
             index=["model", "kriging grid", "cells kriged", "RMSE against the map (m³/m³)",
                    "bias (m³/m³)", "Pearson r"])

# %% tags=["hide-input"] mystnb={"image": {"alt": "Three maps of the basin: July soil moisture from all pixels, the ordinary kriging estimate from the random sample with the sample points, and the kriging standard deviation"}, "figure": {"caption": "July SM block means (left), the ordinary-kriging map from the random sample (middle; sample points in orange) and the kriging standard deviation (right, m³/m³). Kriging smooths: fine features between samples disappear. The SD is small near samples and grows in the gaps and at the edges; it depends on the sample layout and the model, not on the values.", "name": "fig-lab2-kriging"}}
plots_geostat.kriging_figure(coarse, kriged, kriging_sd, sample)
plt.show()

# %% [markdown]
# ```{exercise}
# :label: lab2-ex1
# Why is the kriging SD map almost blind to where SM is high or low? What would
# you need to change for it to reflect that the warm, wet upper reach is more
# variable than the desert?
# ```
#
# ```{solution} lab2-ex1
# :class: dropdown
# Ordinary kriging variance depends only on the semivariogram and on the
# positions of the samples relative to the target, never on the sampled values.
# One stationary semivariogram for the whole basin assumes the same variability
# everywhere. To reflect the contrast, fit separate semivariograms by reach (a
# stratified or non-stationary model), krige a transformed variable, or krige
# the residuals of a trend (universal kriging or regression kriging with the
# driving factors of the paper's section 3.2).
# ```
#
# ## 5. Leave-one-out cross-validation
#
# Each point of a cross-validation set is predicted from all the *other* points
# of the set, with each model in turn. The model with the lowest root mean
# squared error (RMSE) predicts best. Refitting the kriging system without each
# point in turn would cost `n_cv` solves; `smvar.variogram.cross_validation_scores`
# gets every prediction from one inverse of the full kriging matrix
# (Dubrule 1983), exactly what pykrige gives point by point (the package's
# tests check it). The cross-validation set is a random subset of `n_cv` of the
# sampled points.

# %%
cv = sample.iloc[rng.choice(len(sample), min(n_cv, len(sample)), replace=False)].reset_index(drop=True)
scores, predictions = vg.cross_validation_scores(cv["x"], cv["y"], cv["sm"],
                                                 {name: fit.model for name, fit in fits.items()})
scores = scores.rename(columns={"rmse": "RMSE (m³/m³)", "bias": "bias (m³/m³)", "rank": "rank by RMSE"})
scores.insert(2, "R² of the fit", [fits[name].r2 for name in scores.index])
scores.style.format({"RMSE (m³/m³)": "{:.5f}", "bias (m³/m³)": "{:+.5f}", "R² of the fit": "{:.3f}"})

# %% tags=["hide-input"] mystnb={"image": {"alt": "Four scatter plots, one per model, of leave-one-out predicted July soil moisture against the observed value, with the one-to-one line and the RMSE in the title"}, "figure": {"caption": "Leave-one-out predictions against the observed July SM at the cross-validation points, one panel per model, with the 1:1 line and the RMSE (m³/m³). Points flatter than the 1:1 line show kriging's smoothing: high values are under-predicted and low ones over-predicted.", "name": "fig-lab2-cv"}}
plots_geostat.cv_figure(cv["sm"].values, predictions)
plt.show()

# %% tags=["hide-input"]
chosen = scores["RMSE (m³/m³)"].idxmin()
Markdown(f"Cross-validation chooses **{chosen}**; the lowest RSS of the semivariogram fit chose "
         f"**{best_name}**. " + ("They agree." if chosen == best_name else
                                  "They disagree: the fit is judged on the binned semivariogram at all lags, "
                                  "cross-validation on predictions, which depend mostly on the shortest lags."))

# %% [markdown]
# ```{exercise}
# :label: lab2-ex2
# Rerun the lab with `seed = 1` and `seed = 2`. Does cross-validation choose the
# same model each time? Are the RMSE differences between the models larger or
# smaller than the differences between seeds?
# ```
#
# ```{solution} lab2-ex2
# :class: dropdown
# Usually the RMSE of the four models differ by a few per cent only, less than
# the change from one seed to another; the choice can then flip between seeds.
# Kriging predictions depend mostly on the model near the origin (the nugget and
# the initial slope), where the models fitted to the same points are alike. A
# model choice is only meaningful when its advantage is larger than this
# sampling noise.
# ```
#
# ```{exercise}
# :label: lab2-ex3
# Set `n_sample = 100` (and `n_cv = 100`). How do the kriged map, the kriging SD
# and the RMSE against the map change? Relate the answer to the range of the
# fitted model and the typical distance between samples.
# ```
#
# ```{solution} lab2-ex3
# :class: dropdown
# With fewer samples the typical distance between them grows (roughly as
# $1/\sqrt{n}$), the kriged map gets smoother, the kriging SD rises towards the
# sill in the gaps and the RMSE against the map grows. As long as samples are
# much closer together than the range, kriging still interpolates between
# correlated neighbours; once the spacing approaches the range, the estimate
# falls back to the sample mean away from the points.
# ```
#
# ## What differs from the paper
#
# The paper does not krige; it reports the semivariogram parameters only. This
# lab shows what they are for. The sample is random rather than the paper's
# systematic ~8 km grid, the kriging runs on a coarsened grid for speed, and the
# cross-validation uses a subset of the sample. Unless the banner says otherwise,
# the SM is that of the synthetic twin.
#
# ## Summary
#
# `to_pykrige` carries a model fitted with `smvar.variogram` into pykrige with the
# right range and sill conventions. Ordinary kriging maps SM from a few hundred
# samples, smoothing it and giving a standard deviation that reflects the sample
# layout, not the values. Leave-one-out cross-validation ranks the models by
# their predictions; its differences are often within the noise of the sample.
#
# ## What next
#
# {doc}`lab3_geodetector` turns from interpolation to explaining SM with strata.
#
# ## Resources
#
# - pykrige's documentation (ordinary kriging)
# - {cite:t}`pebesma2004` (gstat)
