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
# # Lab 3: The geographical detector
#
# ## Overview
#
# The paper measures how much of the spatial variance of soil
# moisture (SM) a driving factor explains with the q statistic of the
# geographical detector (section 2.3.3, Eq. 7 of {cite:t}`yin2023`;
# {cite:t}`wang2010`), and asks with the interaction detector whether two
# factors explain more together than apart (Table 2). In this lab you compute q
# by hand on a table of twelve rows, see how the way a continuous factor is cut
# into strata changes q and what the optimal-parameter detector (OPGD,
# {cite:t}`song2020`) does about it, and build small data sets that produce each
# of the five interaction types of Table 2.
#
# **Learning goals.** After this lab you can
# 1. compute SSW, SST and $q = 1 - \mathrm{SSW}/\mathrm{SST}$ by hand and say
#    what the p value of {cite:t}`wang2016` tests;
# 2. explain how the discretisation method and the number of intervals change
#    q, and how OPGD chooses between them (and what it rejects);
# 3. place $q_{12}$ relative to $\min(q_1, q_2)$, $\max(q_1, q_2)$ and
#    $q_1 + q_2$ to name the interaction type, and construct data for each type;
# 4. explain why the two "weaken" types can only appear when rows are dropped.
#
# ## Prerequisites
#
# | concept | importance | notes |
# | --- | --- | --- |
# | Python with numpy and pandas | Necessary | group-by, value counts |
# | {doc}`06_factor_detector` | Helpful | the detector on the run's data |
# | {doc}`07_interaction_detector` | Helpful | interactions on the run's data |
# | {doc}`../methods_geodetector` | Helpful | R `GD`'s choices |
#
# *Time to read:* 60–90 minutes with the exercises.

# %% tags=["parameters"]
basin_file = "../data/basins/heihe.yaml"
run_dir = "../runs/heihe"
seed = 0
month = 7
factor = "ndvi"

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from smvar import plots
from smvar.factors import FACTORS
from smvar.geodetector import (ALL_METHODS_ROW, GD, discretise, factor_detector, geometric_cuts_outside,
                               interaction_detector, optimal_discretisation, q_by_method, q_statistic)
from smvar.pipeline import Run

plots.book_page()  # the book's figure theme and tables; run-time messages to the run's log

rng = np.random.default_rng(seed)
run = Run(basin_file, run_dir)
settings = run.config.geodetector
sample = run.sample()
labels = {f.name: f.label for f in FACTORS}
units = {f.name: ("dimensionless" if f.units == "1" else f.units) for f in FACTORS}
continuous = [f.name for f in FACTORS if not f.categorical]
categorical = [f.name for f in FACTORS if f.categorical]
if factor not in continuous:
    raise ValueError(f"lab 3: factor {factor!r} is not a continuous factor of Table 1; "
                     f"use one of {continuous}")
Markdown(plots.data_banner(run.config))

# %% [markdown]
# ## 1. q by hand
#
# Twelve SM measurements (m³/m³) from three soil types, made up for the lab (the
# values change with `seed`). The soil type is the factor $X$; its three classes
# are the strata $h = 1, 2, 3$.

# %%
soil = np.array(["sand"] * 3 + ["loam"] * 4 + ["clay"] * 5)
centre = {"sand": 0.10, "loam": 0.16, "clay": 0.22}
sm = np.round([centre[s] + 0.025 * rng.standard_normal() for s in soil], 3)
table = pd.DataFrame({"soil": soil, "sm": sm})
table.T

# %% [markdown]
# Eq. 7 compares the spread of SM *within* the strata with its spread over the
# whole table:
#
# $$
# q = 1 - \frac{\sum_{h=1}^{L} N_h \sigma_h^2}{N \sigma^2} = 1 - \frac{\mathrm{SSW}}{\mathrm{SST}},
# $$
#
# where $N_h$ and $\sigma_h^2$ are the number of rows and the variance of stratum
# $h$, and $N$, $\sigma^2$ those of the whole table. Both variances are
# population variances (divide by $N_h$ and $N$), so $N_h\sigma_h^2$ is simply
# the sum of squared deviations from the stratum mean. Step by step:

# %%
strata = pd.DataFrame({
    "N_h": table.groupby("soil", sort=False)["sm"].size(),
    "mean_h": table.groupby("soil", sort=False)["sm"].mean(),
    "var_h": table.groupby("soil", sort=False)["sm"].var(ddof=0),       # population variance
})
strata["N_h * var_h"] = strata["N_h"] * strata["var_h"]               # = sum of (y - mean_h)² in h
N, mean = len(table), table["sm"].mean()
ssw = strata["N_h * var_h"].sum()
sst = N * table["sm"].var(ddof=0)                                     # = sum of (y - mean)²
q_by_hand = 1 - ssw / sst
strata.style.format("{:.6g}")

# %%
pd.DataFrame({"value": [N, mean, sst, ssw, sst - ssw, q_by_hand]},
             index=["N", "mean (m³/m³)", "SST ((m³/m³)²)", "SSW ((m³/m³)²)",
                    "SSB = SST − SSW ((m³/m³)²)", "q = 1 − SSW/SST"]).style.format("{:.6g}")

# %% tags=["hide-input"] mystnb={"image": {"alt": "Strip plot of twelve soil moisture values in three soil types with each stratum mean drawn as a short horizontal line and the overall mean as a dashed line"}, "figure": {"caption": "The hand table: SM of each row (points) in its soil type, the stratum means (short lines) and the overall mean (dashed). SST sums the squared distances of the points from the dashed line, SSW from their own stratum's line; q is the share of SST that the stratum means remove.", "name": "fig-lab3-hand"}}
fig, ax = plt.subplots(figsize=(6, 3.8))
order = list(strata.index)
for k, name in enumerate(order):
    values = table.loc[table["soil"] == name, "sm"].to_numpy()
    offsets = np.linspace(-0.12, 0.12, values.size)
    ax.scatter(k + offsets, values, color=plots.OKABE_ITO[[0, 2, 4][k]], zorder=3, label=f"{name}")
    ax.hlines(strata.loc[name, "mean_h"], k - 0.25, k + 0.25, color=plots.OKABE_ITO[[0, 2, 4][k]], linewidth=3)
    for dx, v in zip(offsets, values):
        ax.vlines(k + dx, strata.loc[name, "mean_h"], v, color=plots.OKABE_ITO[8], linewidth=0.8)
ax.axhline(mean, color=plots.OKABE_ITO[7], linestyle="--", linewidth=1, label="overall mean")
ax.set_xticks(range(len(order)), order)
ax.set_xlabel("stratum (soil type)")
ax.set_ylabel("SM (m³/m³)")
ax.set_title(f"q = {q_by_hand:.3f}")
ax.legend(fontsize=8, loc="upper left")
plt.show()

# %% [markdown]
# Now the same with `smvar.geodetector.factor_detector`, which takes the
# response and a table with one column of strata per factor:

# %%
detected = factor_detector(table["sm"], table[["soil"]])
detected

# %% tags=["hide-input"]
Markdown(f"By hand q = {q_by_hand:.12f}; `factor_detector` q = {detected.loc['soil', 'q']:.12f}. "
         f"They agree: **{bool(np.isclose(q_by_hand, detected.loc['soil', 'q'], rtol=0, atol=1e-12))}**.")

# %% [markdown]
# ### The p value
#
# Is a q this large likely if soil type did not matter? {cite:t}`wang2016`
# turned q into an F statistic, the variance *between* the stratum means per
# degree of freedom ($L - 1$) over the variance *within* the strata per degree of
# freedom ($N - L$):
#
# $$
# F = \frac{N - L}{L - 1}\,\frac{q}{1 - q},
# $$
#
# and showed that it follows a noncentral F distribution with $L - 1$ and
# $N - L$ degrees of freedom and a noncentrality $\lambda$ computed from the
# stratum means (see {doc}`../methods_geodetector` for the formula). The p value
# is the probability, under that distribution, of an F at least as large as the
# one observed: the smaller it is, the less likely it is that strata with no real
# difference would have separated SM this well {cite:p}`wang2016`. With
# $\lambda = 0$ the same F gives the p value of the classical one-way analysis of
# variance; a positive $\lambda$ moves the distribution to larger F, so the
# noncentral p is the larger, more cautious, of the two. By hand:

# %%
L = len(strata)
F = (N - L) / (L - 1) * q_by_hand / (1 - q_by_hand)
lam = ((strata["mean_h"] ** 2).sum() - (np.sqrt(strata["N_h"]) * strata["mean_h"]).sum() ** 2 / N) \
    / table["sm"].var(ddof=0)                                          # GD: population variance
p_noncentral = stats.ncf.sf(F, L - 1, N - L, lam)
p_anova = stats.f.sf(F, L - 1, N - L)
pd.DataFrame({"value": [F, lam, p_noncentral, detected.loc["soil", "p"], p_anova]},
             index=["F", "λ", "p, noncentral F (by hand)", "p, factor_detector",
                    "p, one-way ANOVA (λ = 0)"]).style.format("{:.4g}")

# %% [markdown]
# ```{exercise}
# :label: lab3-ex1
# Rename the strata: call sand "clay", loam "sand" and clay "loam" (or code them
# 2, 0, 1). What happens to SSW, SST, q and p? What happens if instead you *merge*
# loam and clay into one stratum?
# ```
#
# ```{solution} lab3-ex1
# :class: dropdown
# Renaming changes nothing: q depends only on which rows share a stratum (the
# partition of the rows), not on what the strata are called or in which order
# they come. SST does not depend on the strata at all, and SSW sums the same
# groups of rows in another order. Check with
# `factor_detector(table["sm"], table["soil"].map({"sand": "clay", "loam": "sand", "clay": "loam"}))`.
# Merging two strata is a different partition: the merged stratum's sum of
# squares about its common mean is at least the sum of the two separate ones, so
# SSW grows and q falls (unless loam and clay have the same mean); p changes too,
# because L and the F statistic change.
# ```
#
# ## 2. How discretisation changes q
#
# Soil type has natural strata; NDVI, temperature or precipitation do not. A
# continuous factor has to be cut into intervals first, and q depends on the cut.
# The run's sample holds one row per sampled pixel and month with SM and the 17
# factors of Table 1. We take the factor `factor` in month `month`:

# %%
this_month = sample[sample["month"] == month].reset_index(drop=True)
x = this_month[factor].to_numpy()
y = this_month["sm"].to_numpy()
methods = list(settings.methods)
intervals = list(range(settings.intervals[0], settings.intervals[1] + 1))
pd.DataFrame({"value": [len(this_month), f"{labels[factor]} ({units[factor]})", f"{x.min():.4g} to {x.max():.4g}",
                        ", ".join(methods), f"{intervals[0]}–{intervals[-1]}"]},
             index=["rows (sampled pixels)", "factor", "range", "methods", "numbers of intervals n"])

# %% [markdown]
# `discretise(x, method, n)` cuts x into n intervals the way R's `GD` does
# {cite:p}`song2020`: **equal** intervals, Jenks **natural** breaks (least
# within-class sum of squares of x), **quantile** intervals with equal counts,
# **geometric** intervals (widths growing by a constant ratio) and intervals of
# half a standard deviation about the mean (**sd**). Its result holds the break
# values, each row's stratum code and the counts. Here are two of them for five
# intervals:

# %%
equal5 = discretise(x, "equal", 5, name=factor)
quantile5 = discretise(x, "quantile", 5, name=factor)
print(equal5, "\n")
print(quantile5)

# %% tags=["hide-input"] mystnb={"image": {"alt": "Two scatter plots of soil moisture against the chosen factor, one with equal-interval breaks and one with quantile breaks drawn as vertical lines, and the mean soil moisture of each interval as a horizontal segment"}, "figure": {"caption": "SM against the factor in the chosen month, cut into five equal intervals (left) and five quantile intervals (right). Vertical lines are the breaks, thick horizontal segments the mean SM of each interval. Equal intervals follow the range of the factor and can leave a few rows in a stratum; quantile intervals hold equal counts and can put very different values together.", "name": "fig-lab3-breaks"}}
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, d in zip(axes, (equal5, quantile5)):
    ax.scatter(x, y, s=6, color=plots.OKABE_ITO[1], alpha=0.5, linewidths=0)
    b = np.unique(d.breaks)
    for v in b:
        ax.axvline(v, color=plots.OKABE_ITO[8], linewidth=0.8)
    means = pd.Series(y).groupby(d.codes).mean()
    for code, m in means.items():
        if code >= 0:
            ax.hlines(m, b[code], b[code + 1], color=plots.OKABE_ITO[5], linewidth=3)
    ax.set_title(f"{d.method}, n = {d.n}: q = {q_statistic(y, d.codes).q[0]:.3f}")
    ax.set_xlabel(f"{labels[factor]} ({units[factor]})")
axes[0].set_ylabel("SM (m³/m³)")
axes[1].legend(handles=[Line2D([], [], color=plots.OKABE_ITO[5], linewidth=3, label="mean SM of the interval"),
                        Line2D([], [], color=plots.OKABE_ITO[8], linewidth=0.8, label="break")], fontsize=8)
plt.show()

# %% [markdown]
# Now every method with every number of intervals. For each we take the stratum
# codes and compute q with `q_statistic` (which, like `GD`, leaves rows with code
# −1, outside every interval, in no stratum):

# %%
rows = []
for method in methods:
    for n in intervals:
        d = discretise(x, method, n, name=factor)
        rows.append({"method": method, "n": n, "strata": d.n_strata, "rows outside": int((d.codes < 0).sum()),
                     "smallest count": int(d.counts.min()), "q": q_statistic(y, d.codes).q[0]})
grid = pd.DataFrame(rows)
grid.pivot(index="n", columns="method", values="q")[methods].style.format("{:.4f}")

# %% [markdown]
# OPGD {cite:p}`song2020` keeps the combination with the largest q, but first
# rejects, as `GD`'s `optidisc` does, any combination whose breaks repeat (the
# method could not make n distinct intervals) or where an interval holds fewer
# than two rows; ties go to the first maximum in the order of the methods, then
# of n ({doc}`../methods_geodetector`). Two quirks of `GD` show in the table
# below: **geometric** intervals on data with a minimum of zero or more give only
# $n - 1$ strata, and **sd** grows its grid until it has *at least* n intervals,
# so it may give more.

# %%
opgd = optimal_discretisation(this_month, "sm", [factor], methods=methods, intervals=intervals)
grid = grid.merge(opgd.qtable[["method", "n", "rejected"]], on=["method", "n"])
best = opgd.best.loc[factor]
grid.pivot(index="n", columns="method", values="strata")[methods]

# %% tags=["hide-input"]
ok = grid["rejected"] == ""
same = np.allclose(grid.loc[ok, "q"], opgd.qtable.set_index(["method", "n"]).loc[
    list(zip(grid.loc[ok, "method"], grid.loc[ok, "n"])), "q"].to_numpy(), rtol=0, atol=1e-12)
rejected = grid.loc[~ok, ["method", "n", "rejected"]]
text = (f"OPGD chooses **{best['method']}** with n = {best['n']} ({best['n_strata']} strata), "
        f"q = {best['q']:.4f}. Its q values equal those of the table above: **{same}**. ")
text += (f"{len(rejected)} combination(s) rejected: "
         + "; ".join(f"{r.method} n = {r.n} ({r.rejected})" for r in rejected.itertuples()) + "."
         if len(rejected) else "No combination is rejected for this factor and month.")
Markdown(text)

# %% tags=["hide-input"] mystnb={"image": {"alt": "Line plot of q against the number of intervals from 3 to 8, one line per discretisation method, with rejected combinations as open markers and the optimal combination circled"}, "figure": {"caption": "q of the factor against the number of intervals asked for, one line per method. Open markers are combinations OPGD rejects (repeated breaks or an interval with fewer than two rows); the large ring marks OPGD's choice. q does not always grow with n: n + 1 intervals are not n intervals with one split added, so the breaks move.", "name": "fig-lab3-q-vs-n"}}
markers = dict(zip(methods, ["o", "s", "^", "D", "v"]))
colours = dict(zip(methods, [plots.OKABE_ITO[k] for k in (0, 1, 2, 5, 6)]))
fig, ax = plt.subplots(figsize=(8, 4.2))
for method in methods:
    part = grid[grid["method"] == method]
    ax.plot(part["n"], part["q"], color=colours[method], linewidth=1.5, label=method)
    good = part["rejected"] == ""
    ax.scatter(part.loc[good, "n"], part.loc[good, "q"], marker=markers[method], color=colours[method], zorder=3)
    ax.scatter(part.loc[~good, "n"], part.loc[~good, "q"], marker=markers[method], facecolors="white",
               edgecolors=colours[method], zorder=3)
ax.scatter([best["n"]], [best["q"]], s=260, facecolors="none", edgecolors=plots.OKABE_ITO[7], linewidths=1.5,
           zorder=4, label=f"OPGD: {best['method']}, n = {best['n']}")
ax.legend(handles=ax.get_legend_handles_labels()[0]
          + [Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                    markeredgecolor=plots.OKABE_ITO[8], label="rejected (GD's rules)")],
          fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
ax.set_xticks(intervals)
ax.set_xlabel("number of intervals asked for, n")
ax.set_ylabel("q (dimensionless)")
ax.set_title(f"{labels[factor]}, month {month}")
plt.show()

# %% [markdown]
# ```{exercise}
# :label: lab3-ex2
# Splitting a stratum in two never lowers q. Prove it (a sentence or two
# suffices). Then explain why the curves in the figure still go down at some n,
# and why OPGD's search over n is therefore not pointless.
# ```
#
# ```{solution} lab3-ex2
# :class: dropdown
# SST does not depend on the strata. Within a stratum, the mean is the value that
# minimises the sum of squared deviations; after a split, each part is measured
# from its own mean, which is at least as close as the old common one, so each
# part's sum of squares is at most its share of the old one, and SSW cannot grow.
# Hence $q = 1 - \mathrm{SSW}/\mathrm{SST}$ cannot fall. But the intervals for
# $n + 1$ are not those for $n$ with one more split: every method recomputes all
# breaks (quantile breaks at fifths become breaks at sixths), so the partitions
# are not nested and q can go down. Only nested partitions (adding breaks to the
# old ones) are guaranteed not to lose q. One exception matters in section 3:
# `GD` drops strata with a single row before computing q, which changes SST; a
# split that creates singletons can then lower q.
# ```
#
# ### Does the method change the dominant factor?
#
# The run's factor detector (Fig. 6, {doc}`06_factor_detector`) lets OPGD choose
# among all methods. What if a study had fixed one method and chosen only n? For
# each month and method, the factor with the largest q (land cover, categorical,
# is used as it is):

# %%
dominant, q_month_method, best_by_month = {}, {}, {}
for m, part in sample.groupby("month"):
    by_method, optimal = q_by_method(part, "sm", continuous, categorical, methods=methods, intervals=intervals)
    best_by_month[m] = optimal.best
    dominant[m] = by_method.idxmax(axis=1).map(labels)
    q_month_method[m] = by_method.rename(columns=labels)       # q of every factor, best n per method
dominant = pd.DataFrame(dominant).T.rename_axis("month")[methods + [ALL_METHODS_ROW]]
dominant["differs"] = dominant[methods].nunique(axis=1) > 1
dominant

# %% [markdown]
# ### Rows outside every interval
#
# The table of section 2 has a column "rows outside". `GD` computes geometric
# breaks with powers, and the lowest break can miss the data's minimum by one
# rounding step; rows at the minimum then fall in no interval. `GD` leaves them
# out of SSW but keeps them in SST and N, as if the strata explained them
# perfectly, and `smvar` does the same by default to agree with `GD`
# ({doc}`../methods_geodetector`). Usually one or two rows are affected. When
# many rows share the minimum (a vegetation index over bare ground in winter),
# the effect is no longer small. The geometric cuts of every factor and month
# with rows outside, largest inflation of q first, and whether OPGD chose the
# cut:

# %%
cuts = [geometric_cuts_outside(part, "sm", continuous, intervals).assign(month=m)
        for m, part in (sample.groupby("month") if "geometric" in methods else [])]
outside = pd.concat(cuts, ignore_index=True) if cuts else geometric_cuts_outside(sample.head(0), "sm", [])
chosen = pd.concat({m: best.reset_index() for m, best in best_by_month.items()}, names=["month"]).reset_index(0)
chosen = chosen[chosen["method"] == "geometric"][["month", "factor", "n"]].assign(choice=True)
outside = outside.merge(chosen, on=["month", "factor", "n"], how="left")
outside["OPGD's choice"] = outside.pop("choice").fillna(False).astype(bool)
outside["month's top factor"] = [dominant.loc[m, ALL_METHODS_ROW] == labels[f]
                                 for m, f in zip(outside["month"], outside["factor"])]
outside["factor"] = outside["factor"].map(labels)
outside = outside.rename(columns={"rows_outside": "rows outside", "q": "q (GD)",
                                  "q_outside_dropped": "q, outside rows dropped"})
outside = outside[["month", "factor", "n", "rows outside", "rows", "q (GD)", "q, outside rows dropped",
                   "OPGD's choice", "month's top factor", "inflation"]].sort_values("inflation", ascending=False)
outside.head(8).style.format(precision=3).hide(axis="index")

# %% tags=["hide-input"]
if len(outside):
    worst = outside.iloc[0]
    decisive = outside[outside["OPGD's choice"] & outside["month's top factor"]
                       & (outside["inflation"] > 0.01)]
    text = (f"The largest inflation is for {worst['factor']} in month {worst['month']} with n = {worst['n']}: "
            f"{worst['rows outside']} of {worst['rows']} rows lie outside the geometric intervals; counted as "
            f"explained, q = {worst['q (GD)']:.3f}; dropped, q = {worst['q, outside rows dropped']:.3f}. "
            "OPGD does not reject such a cut (each of its intervals holds two rows or more). ")
    text += (f"In {decisive['month'].nunique()} month(s) ({', '.join(map(str, sorted(decisive['month'].unique())))}) "
             "such a cut is OPGD's choice for the month's top factor, so the dominant factor of the run's Fig. 6 "
             "depends on this quirk there." if len(decisive)
             else "In no month is such a cut OPGD's choice for the month's top factor.")
else:
    text = "No geometric cut of this run leaves a row outside every interval."
Markdown(text)

# %% [markdown]
# ```{exercise}
# :label: lab3-ex3
# In which months does the dominant factor depend on the method? For those
# months, look at `q_month_method[month].round(3)` (one row per method, the best n
# of each factor): how far apart are the q of the competing factors? What would
# you report if you had to name one dominant factor for such a month?
# ```
#
# ```{solution} lab3-ex3
# :class: dropdown
# The months are those with `differs` true (`dominant.index[dominant["differs"]]`);
# the answer depends on the run and the seed. Two
# situations occur. Often the leading factors are nearly tied, a few hundredths
# of q apart under every method (for example NDVI, EVI and FVC in summer),
# and the method only decides the order.
# Sometimes one method lifts one factor well above the rest: a factor whose
# effect sits in a narrow range of its values gains from breaks that isolate
# that range, and loses with quantile breaks that spend most strata on crowded
# values. In the first case there is no single dominant factor worth
# reporting: name the tied factors with their q. In the second, report the
# factor with its method and say that the ranking depends on the
# discretisation. Before believing a geometric winner, check the table of rows
# outside every interval: a cut that leaves many rows at the factor's
# minimum outside the intervals gets a q that `GD` inflates, and such a cut can
# decide the month (it did for FVC in winter in an earlier version of the
# synthetic twin, whose FVC had one floor value over the desert). The leading
# factors are often strongly correlated (NDVI, EVI and FVC; the soil hydraulic
# properties), another reason not to over-read the ranking.
# ```
#
# ## 3. The five interaction types
#
# Crossing two factors' strata (every combination of a stratum of $X_1$ with one
# of $X_2$) gives $q_{12} = q(X_1 \cap X_2)$. Table 2 of the paper names five
# types by where $q_{12}$ falls relative to $\min(q_1, q_2)$,
# $\max(q_1, q_2)$ and $q_1 + q_2$. We build one small data set of twelve rows for
# each type. In every case $X_1$ and $X_2$ have two or four strata:
#
# * **Nonlinear enhance**, the "exclusive or": y is high where exactly one of
#   $X_1$, $X_2$ is 1. Neither factor alone separates high from low ($q_1 = q_2 = 0$),
#   together they do.
# * **Independent**: y is the *sum* of an effect of $X_1$ and an effect of $X_2$,
#   and each combination of strata holds the same number of rows (a balanced
#   design). Then the between-strata sums of squares add exactly.
# * **Bi-variable enhance**: the same additive y, but $X_2$ mostly agrees with
#   $X_1$ (four of the twelve rows differ). The two factors share information, so
#   together they explain more than either, but less than the sum.
# * **Nonlinear weaken** and **uni-variable weaken**: four rows of very high y
#   (about 8) that $X_1$ groups in pairs, plus eight ordinary rows. $X_2$ splits
#   each pair, so every crossed stratum holding a high row has a single row.
#   `GD` drops such singleton strata before computing q, and with them the rows
#   the factors explained. If $X_2$ also pairs the high rows (nonlinear weaken)
#   $q_2$ is large; if it does not (uni-variable weaken), $q_2$ is near zero.

# %%
x1 = np.repeat([0, 1], 6)                             # two strata, six rows each
x2 = np.tile(np.repeat([0, 1], 3), 2)                 # crossed with x1: four cells of three rows
noise = np.tile([-0.25, 0.0, 0.25], 4)                # the same spread in every cell
x2_shared = x1.copy()
x2_shared[[1, 2, 9, 10]] = 1 - x2_shared[[1, 2, 9, 10]]   # agrees with x1 on 8 of 12 rows
high = np.array([0, 0.5, 1, 1.5, 0.25, 0.75, 1.25, 1.75, 7.5, 8, 8.5, 8])
x1_pairs = np.array(["a"] * 4 + ["b"] * 4 + ["P", "P", "Q", "Q"])
cases = {
    "Nonlinear weaken": (high, x1_pairs, np.array(["c"] * 4 + ["d"] * 4 + ["S", "T", "S", "T"])),
    "Uni-variable weaken": (high, x1_pairs, np.array(["c", "d"] * 6)),
    "Bi-variable enhance": (1.0 * x1 + 0.5 * x2_shared + noise, x1, x2_shared),
    "Independent": (1.0 * x1 + 0.5 * x2 + noise, x1, x2),
    "Nonlinear enhance": ((x1 ^ x2) + noise, x1, x2),
}
pd.concat({name: pd.DataFrame({"y": yc, "x1": a, "x2": b}) for name, (yc, a, b) in cases.items()}, axis=1)

# %% [markdown]
# `interaction_detector(y, strata)` computes $q_1$, $q_2$, $q_{12}$ and the type
# for every pair of columns of `strata`. We run it on each case with `GD`'s
# convention (the default) and, for comparison, with that of R `geodetector`,
# which keeps singleton strata:

# %%
results = []
for name, (yc, a, b) in cases.items():
    pair = pd.DataFrame({"x1": a, "x2": b})
    gd = interaction_detector(yc, pair).iloc[0]
    kept = interaction_detector(yc, pair, convention="geodetector").iloc[0]
    results.append({"case": name, "q1": gd["q1"], "q2": gd["q2"], "q12": gd["q12"], "q1 + q2": gd["q1"] + gd["q2"],
                    "type (GD)": gd["type"], "q12, singletons kept": kept["q12"],
                    "type (geodetector)": kept["type"]})
results = pd.DataFrame(results).set_index("case")
results.style.format({c: "{:.4f}" for c in ["q1", "q2", "q12", "q1 + q2", "q12, singletons kept"]})

# %% tags=["hide-input"]
Markdown("Every constructed case gets its intended type under `GD`'s convention: "
         f"**{bool((results.index == results['type (GD)']).all())}**.")

# %% tags=["hide-input"] mystnb={"image": {"alt": "Five horizontal bars, one per interaction type, each divided into the ranges below the smaller q, between the smaller and larger q, between the larger q and the sum, and above the sum, with a marker at q12"}, "figure": {"caption": "The five constructed cases on the q₁₂ axis. Each bar is divided by min(q₁, q₂), max(q₁, q₂) and q₁ + q₂ (black tick) into the ranges of Table 2; the black diamond is q₁₂. In the two weakening cases q₁₂ falls below max(q₁, q₂) only because GD drops the singleton crossed strata; the grey ring shows q₁₂ with singletons kept.", "name": "fig-lab3-types"}}
zone_colours = {"Nonlinear weaken": plots.OKABE_ITO[5], "Uni-variable weaken": plots.OKABE_ITO[0],
                "Bi-variable enhance": plots.OKABE_ITO[1], "Nonlinear enhance": plots.OKABE_ITO[2]}
fig, ax = plt.subplots(figsize=(9, 3.8))
right = max(2.0, float(results[["q1 + q2", "q12"]].to_numpy().max()) + 0.1)
for k, (name, r) in enumerate(results.iterrows()):
    lo, hi, total = min(r["q1"], r["q2"]), max(r["q1"], r["q2"]), r["q1 + q2"]
    spans = [(0, lo, "Nonlinear weaken"), (lo, hi, "Uni-variable weaken"), (hi, total, "Bi-variable enhance"),
             (total, right, "Nonlinear enhance")]
    for start, stop, zone in spans:
        ax.barh(k, stop - start, left=start, height=0.5, color=zone_colours[zone], alpha=0.55, linewidth=0)
    ax.vlines(total, k - 0.32, k + 0.32, color=plots.OKABE_ITO[7], linewidth=2)
    ax.plot(r["q12"], k, marker="D", color=plots.OKABE_ITO[7], markersize=8)
    if abs(r["q12, singletons kept"] - r["q12"]) > 1e-9:
        ax.plot(r["q12, singletons kept"], k, marker="o", markersize=10, markerfacecolor="none",
                markeredgecolor=plots.OKABE_ITO[8], markeredgewidth=1.5)
ax.set_yticks(range(len(results)), results.index)
ax.invert_yaxis()
ax.set_xlim(0, right)
ax.set_xlabel("q (dimensionless)")
handles = [Patch(color=c, alpha=0.55, label=z) for z, c in zone_colours.items()]
handles += [Line2D([], [], color=plots.OKABE_ITO[7], linewidth=2, label="q₁ + q₂ (independent)"),
            Line2D([], [], marker="D", linestyle="none", color=plots.OKABE_ITO[7], label="q₁₂"),
            Line2D([], [], marker="o", linestyle="none", markerfacecolor="none",
                   markeredgecolor=plots.OKABE_ITO[8], label="q₁₂, singletons kept")]
ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %% [markdown]
# Two lessons from the table. First, crossing refines both factors' strata, so
# by the argument of exercise {ref}`lab3-ex2` $q_{12} \ge \max(q_1, q_2)$ whenever
# no row is dropped: with R `geodetector`'s convention (singletons kept) neither
# weakening case is a weakening. Under `GD`'s convention the two "weaken" types
# appear only when rows are treated differently in $q_{12}$ than in $q_1$ or
# $q_2$: when crossing creates strata of one row, which are dropped, or when a
# factor's breaks miss a row, which then counts in SST but in no stratum of that
# factor ({doc}`../methods_geodetector`). A weakening reported on real data is a
# reason to count the rows of the crossed strata. Second,
# **independent** is an equality. `GD` tests $q_{12} = q_1 + q_2$ exactly; our
# additive case passes only because its values (multiples of 0.25) are exact in
# binary floating point. With other values the two sides differ in the last
# digit:

# %%
y_other = 0.3 * x1 + 0.7 * x2 + 0.2 * noise + 0.137
pair = pd.DataFrame({"x1": x1, "x2": x2})
exact = interaction_detector(y_other, pair).iloc[0]
tolerant = interaction_detector(y_other, pair, convention=GD.with_options(independent_tol=1e-12)).iloc[0]
pd.DataFrame({"q12 − (q1 + q2)": [exact["q12"] - exact["q1"] - exact["q2"]] * 2,
              "type": [exact["type"], tolerant["type"]]},
             index=["GD (exact equality)", "GD with independent_tol = 1e-12"])

# %% [markdown]
# `Convention.independent_tol` ({doc}`../methods_geodetector`) is the absolute
# tolerance on $q_{12} - (q_1 + q_2)$; 0, the default, reproduces `GD`.
#
# ```{exercise}
# :label: lab3-ex4
# The "exclusive or" gives $q_1 = q_2 = 0$. Construct a nonlinear-enhance case in
# which both factors explain something on their own ($q_1, q_2 > 0$). Hint: keep
# the balanced design of `x1`, `x2` and change the rule for the high cells.
# ```
#
# ```{solution} lab3-ex4
# :class: dropdown
# Make y high only where *both* factors are 1 (an "and"):
# `interaction_detector((x1 & x2) + noise, pd.DataFrame({"x1": x1, "x2": x2}))`
# gives $q_1 = q_2 = 0.2727$ and $q_{12} = 0.8182 > q_1 + q_2 = 0.5455$. In a
# balanced design the crossed strata's between sum of squares is the sum of the
# two factors' sums of squares plus an interaction term, which is zero only when
# the effects add; any departure from additivity (here the jump in one cell
# only) makes $q_{12} > q_1 + q_2$. Unbalanced designs can do the same, but
# shared information between the factors (as in the bi-variable case) pulls
# $q_{12}$ down.
# ```
#
# ```{exercise}
# :label: lab3-ex5
# In the nonlinear-weaken case, give each high row a twin: duplicate rows 8–11
# (same y, x1 and x2), so that no crossed stratum holds a single row. What are
# $q_1$, $q_2$, $q_{12}$ and the type now? What does this tell you about
# weakening interactions reported on real data?
# ```
#
# ```{solution} lab3-ex5
# :class: dropdown
# With `y, a, b = cases["Nonlinear weaken"]; k = np.r_[0:12, 8:12]`,
# `interaction_detector(y[k], pd.DataFrame({"x1": a[k], "x2": b[k]}))` finds no
# singleton to drop: $q_{12} = 0.988$ is now above both $q_1 = 0.985$ and
# $q_2 = 0.983$, and the type becomes bi-variable enhance ($q_{12} < q_1 + q_2$).
# A weakening type is therefore a sign that some crossed strata were too small
# and were dropped (or, in `GD`, that rows fell outside all intervals), not that
# one factor cancels the other. Before interpreting it, count the rows in the
# crossed strata.
# ```
#
# ## What differs from the paper
#
# The paper gives neither its sample nor its discretisations; section 2 uses the
# run's ~8 km systematic sample and the methods and intervals of the basin file,
# as the book's {doc}`06_factor_detector` does. The constructed cases of section 3
# are made up to show the rules of Table 2; they do not come from the basin.
# Unless the banner says otherwise, the SM is that of the synthetic twin.
#
# ## Summary
#
# q is the share of the variance of SM removed by the stratum means,
# $1 - \mathrm{SSW}/\mathrm{SST}$; it depends only on which rows share a stratum,
# and its p value asks whether a separation that good could arise by chance. For
# a continuous factor the cut matters: different methods and numbers of intervals
# give different q, not always growing with n, and OPGD keeps the largest q among
# the combinations `GD` does not reject, which can change a month's dominant
# factor. Crossing two factors' strata never loses q unless rows are dropped, so
# in practice interactions are enhancements: independent when effects add in a
# balanced design, nonlinear when they do not, bi-variable when the factors share
# information; the weakening types point to singleton strata.
#
# ## What next
#
# Apply this to the run's factors in {doc}`07_interaction_detector`.
#
# ## Resources
#
# - {cite:t}`wang2010`, {cite:t}`wang2016`
# - {cite:t}`song2020` (OPGD, R `GD`)
# - {doc}`../methods_geodetector`
