"""One function per figure of the book, with colour-blind-safe palettes.

Provides
--------
data_banner
    A sentence saying whether the run's data are synthetic.
grid_table, grids_figure
    The run's three grids (study-area chapter).
study_area_figure, reach_table
    Elevation, land cover and reaches (the paper's Fig. 1).
validation_figure
    Downscaled SM against the 1 km reference on the validation dates (Fig. 2).
monthly_maps
    Twelve monthly maps on one colour scale (Fig. 3).
monthly_statistics_figure
    MAX, MIN, MEAN, SD and CV by month (Fig. 4).
stability_figure
    Temporal-stability classes and SD by reach (Fig. 5).
q_heatmap
    q of every factor and month with significance (Fig. 6).
interaction_figure
    Interaction q and types of every factor pair for chosen months (Fig. S1).

Palettes: ``viridis``/``cividis`` for continuous values and the Okabe–Ito
colours for categories; units are on every axis and colour bar.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.colors import BoundaryNorm, ListedColormap

from smvar.config import BasinConfig
from smvar.grid import FineGrid, GeoGrid
from smvar.inputs import LAND_COVER_CLASSES

__all__ = [
    "OKABE_ITO", "MONTH_NAMES", "extent_km", "data_banner", "grid_table", "grids_figure", "study_area_figure", "reach_table",
    "validation_figure", "monthly_maps", "monthly_statistics_figure", "stability_figure",
    "q_heatmap", "interaction_matrices", "interaction_figure",
]

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999"]
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
REACH_NAMES = {1: "upper", 2: "middle", 3: "lower"}


def data_banner(config: BasinConfig) -> str:
    """A Markdown admonition saying what data the run shows."""
    if config.data.source == "synthetic":
        return (
            ":::{important}\n"
            f"This page shows **synthetic data**: the seeded twin of the basin "
            f"(seed {config.data.seed}), not the satellite and reanalysis products of the paper. "
            "Compare its patterns with the paper's, not its exact numbers.\n:::"
        )
    if config.data.source == "files":
        specs = list(config.data.files.values())
        folders = sorted({os.path.dirname(spec.split("::")[0]) or "." for spec in specs})
        try:
            common = os.path.commonpath(folders)
        except ValueError:  # relative and absolute paths mixed
            common = ""
        if common not in ("", os.sep):
            folders = [common]
        where = ", ".join(f"`{f}/`" if f not in (".", "") else "the parameter file's folder" for f in folders[:4])
        if len(folders) > 4:
            where += f" and {len(folders) - 4} more folders"
        parameter_file = Path(config.source_file).name if config.source_file else "the parameter file"
        return (
            ":::{note}\n"
            f"This page shows **local data files**: the {len(specs)} variables named under "
            f"`data: files:` in `{parameter_file}`, read from {where}, reprojected and resampled to "
            "the basin's grids and converted to the contract's units. Each variable's files, source "
            "CRS and resolution, resampling and unit conversion are recorded in the run's "
            "`artifacts/provenance.json`.\n:::"
        )
    return f":::{{note}}\nThis page shows the local data of `{config.data.folder}`.\n:::"


def grid_table(fine: FineGrid, reanalysis: GeoGrid, microwave: GeoGrid) -> pd.DataFrame:
    """Size, cell size and cell area of the three grids."""
    rows = [{"grid": "analysis (equal-area)", "cells (rows × columns)": f"{fine.shape[0]} × {fine.shape[1]}",
             "cell size": f"{fine.resolution_m:g} m", "cell area (km²)": f"{fine.cell_area_m2 / 1e6:.3f}"}]
    for label, coarse in (("reanalysis", reanalysis), ("microwave", microwave)):
        area = coarse.cell_area_km2()
        rows.append({"grid": label, "cells (rows × columns)": f"{coarse.shape[0]} × {coarse.shape[1]}",
                     "cell size": f"{coarse.resolution_deg:g}°",
                     "cell area (km²)": f"{area.min():.1f} – {area.max():.1f}"})
    return pd.DataFrame(rows).set_index("grid")


def grids_figure(config: BasinConfig, fine: FineGrid, microwave: GeoGrid) -> plt.Figure:
    """The extent, the 0.25 degree grid and the outline of the analysis grid, in lon/lat."""
    lon, lat = fine.lonlat
    fig, ax = plt.subplots(figsize=(6, 6))
    half = microwave.resolution_deg / 2
    for value in np.append(microwave.lon - half, microwave.lon[-1] + half):
        ax.axvline(value, color="0.8", lw=0.5)
    for value in np.append(microwave.lat + half, microwave.lat[-1] - half):
        ax.axhline(value, color="0.8", lw=0.5)
    edge = np.concatenate([
        np.c_[lon[0, :], lat[0, :]], np.c_[lon[:, -1], lat[:, -1]],
        np.c_[lon[-1, ::-1], lat[-1, ::-1]], np.c_[lon[::-1, 0], lat[::-1, 0]],
    ])
    ax.plot(edge[:, 0], edge[:, 1], color=OKABE_ITO[4], lw=1.5, label="1 km analysis grid")
    e = config.extent
    ax.plot([e.west, e.east, e.east, e.west, e.west], [e.south, e.south, e.north, e.north, e.south],
            color="black", lw=1.5, label="extent in the parameter file")
    ax.set_xlabel("longitude (° E)")
    ax.set_ylabel("latitude (° N)")
    ax.set_aspect(1 / np.cos(np.deg2rad((e.south + e.north) / 2)))
    ax.legend(loc="lower left")
    return fig


def extent_km(field: xr.DataArray) -> list[float]:
    """The ``imshow`` extent of a (y, x) field in km: [left, right, bottom, top] cell edges."""
    x, y = field["x"].values / 1000, field["y"].values / 1000
    dx = (x[1] - x[0]) if x.size > 1 else 1.0
    dy = (y[0] - y[1]) if y.size > 1 else 1.0
    return [x[0] - dx / 2, x[-1] + dx / 2, y[-1] - dy / 2, y[0] + dy / 2]


def _map(ax, field: xr.DataArray, mask: xr.DataArray | None = None, **kwargs):
    values = field.where(mask) if mask is not None else field
    image = ax.imshow(values.values, extent=extent_km(field), origin="upper", **kwargs)
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    return image


def _land_cover_colours(codes: np.ndarray) -> tuple[ListedColormap, BoundaryNorm, list[int]]:
    present = [int(c) for c in np.unique(codes[np.isfinite(codes)]) if c > 0]
    preferred = {1: "#009E73", 2: "#009E73", 3: "#009E73", 4: "#009E73", 5: "#009E73", 7: "#CC79A7",
                 10: "#F0E442", 12: "#E69F00", 13: "#000000", 15: "#FFFFFF", 16: "#D9CBA3", 17: "#0072B2"}
    colours = [preferred.get(c, "#999999") for c in present]
    bounds = np.append(np.array(present) - 0.5, present[-1] + 0.5) if present else [0, 1]
    return ListedColormap(colours or ["#999999"]), BoundaryNorm(bounds, max(len(colours), 1)), present


def study_area_figure(factors: xr.Dataset) -> plt.Figure:
    """Elevation, land cover and reaches of the basin (the paper's Fig. 1)."""
    mask = factors["basin_mask"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 5.2), constrained_layout=True)
    image = _map(axes[0], factors["dem"], mask, cmap="cividis")
    fig.colorbar(image, ax=axes[0], label="elevation (m)", shrink=0.8)
    axes[0].set_title("Elevation")
    codes = factors["lucc"].where(mask).values.astype(float)
    cmap, norm, present = _land_cover_colours(codes)
    image = _map(axes[1], factors["lucc"].astype(float), mask, cmap=cmap, norm=norm, interpolation="nearest")
    bar = fig.colorbar(image, ax=axes[1], ticks=present, shrink=0.8, label="land cover (IGBP class)")
    bar.ax.set_yticklabels([LAND_COVER_CLASSES.get(c, str(c)) for c in present], fontsize=7)
    axes[1].set_title("Land cover")
    reach_cmap = ListedColormap([OKABE_ITO[4], OKABE_ITO[2], OKABE_ITO[0]])
    image = _map(axes[2], factors["reach"].astype(float).where(factors["reach"] > 0), None,
                 cmap=reach_cmap, norm=BoundaryNorm([0.5, 1.5, 2.5, 3.5], 3), interpolation="nearest")
    bar = fig.colorbar(image, ax=axes[2], ticks=[1, 2, 3], shrink=0.8, label="reach")
    bar.ax.set_yticklabels(["upper", "middle", "lower"])
    axes[2].set_title("Reaches")
    return fig


def reach_table(factors: xr.Dataset, cell_area_m2: float) -> pd.DataFrame:
    """Area, elevation and dominant land cover of each reach."""
    rows = []
    reach = factors["reach"].values
    for code, name in REACH_NAMES.items():
        inside = reach == code
        if not inside.any():
            continue
        dem = factors["dem"].values[inside]
        lucc = factors["lucc"].values[inside].astype(int)
        dominant = np.bincount(lucc).argmax()
        rows.append({"reach": name, "area (km²)": round(inside.sum() * cell_area_m2 / 1e6),
                     "median elevation (m)": round(float(np.median(dem))),
                     "elevation range (m)": f"{dem.min():.0f} – {dem.max():.0f}",
                     "dominant land cover": LAND_COVER_CLASSES.get(int(dominant), str(dominant))})
    total = int((reach > 0).sum() * cell_area_m2 / 1e6)
    rows.append({"reach": "whole basin", "area (km²)": total, "median elevation (m)": "",
                 "elevation range (m)": "", "dominant land cover": ""})
    return pd.DataFrame(rows).set_index("reach")


def validation_figure(samples: pd.DataFrame, table: pd.DataFrame) -> plt.Figure:
    """Downscaled SM against the reference on each validation date, with the 1:1 line (Fig. 2)."""
    dates = list(dict.fromkeys(samples["date"]))
    fig, axes = plt.subplots(1, len(dates), figsize=(3.6 * len(dates), 3.8), constrained_layout=True,
                             squeeze=False)
    top = float(np.nanmax(samples[["downscaled", "reference"]].values)) * 1.05
    for ax, date in zip(axes[0], dates):
        part = samples[samples["date"] == date]
        ax.scatter(part["reference"], part["downscaled"], s=5, alpha=0.5, color=OKABE_ITO[4])
        ax.plot([0, top], [0, top], color="black", lw=1, label="1:1")
        row = table[table["date"].astype(str) == str(date)].iloc[0]
        ax.set_title(f"{date}\nR = {row['r']:.2f}, RMSE = {row['rmse']:.3f}", fontsize=9)
        ax.set_xlim(0, top), ax.set_ylim(0, top)
        ax.set_xlabel("reference SM (m³/m³)")
        ax.set_aspect("equal")
    axes[0][0].set_ylabel("downscaled SM (m³/m³)")
    axes[0][0].legend(loc="upper left")
    return fig


def monthly_maps(sm: xr.DataArray, mask: xr.DataArray, label: str = "SM (m³/m³)") -> plt.Figure:
    """Twelve monthly maps on one colour scale (Fig. 3)."""
    months = sm["month"].values
    values = sm.where(mask).values
    low, high = np.nanpercentile(values, [1, 99])
    fig, axes = plt.subplots(3, 4, figsize=(13, 11), constrained_layout=True, sharex=True, sharey=True)
    for ax, month in zip(axes.ravel(), months):
        image = _map(ax, sm.sel(month=month), mask, cmap="viridis_r", vmin=low, vmax=high)
        ax.set_title(MONTH_NAMES[int(month) - 1])
        ax.label_outer()
    for ax in axes.ravel()[len(months):]:
        ax.axis("off")
    fig.colorbar(image, ax=axes, label=label, shrink=0.6)
    return fig


def monthly_statistics_figure(stats: pd.DataFrame) -> plt.Figure:
    """MAX, MIN, MEAN and SD (left axis) and CV (right axis) by month (Fig. 4)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    months = stats.index.values
    styles = {"MAX": (OKABE_ITO[5], "^"), "MEAN": (OKABE_ITO[4], "o"), "MIN": (OKABE_ITO[0], "v"),
              "SD": (OKABE_ITO[2], "s")}
    for column, (colour, marker) in styles.items():
        ax.plot(months, stats[column], color=colour, marker=marker, label=column)
    ax.set_xlabel("month of the year")
    ax.set_ylabel("SM (m³/m³)")
    ax.set_xticks(months, [MONTH_NAMES[int(m) - 1] for m in months])
    right = ax.twinx()
    right.bar(months, stats["CV"], color=OKABE_ITO[8], alpha=0.35, label="CV")
    right.set_ylabel("coefficient of variation (1)")
    ax.set_zorder(right.get_zorder() + 1)
    ax.patch.set_visible(False)
    lines, labels = ax.get_legend_handles_labels()
    bars, bar_labels = right.get_legend_handles_labels()
    ax.legend(lines + bars, labels + bar_labels, loc="upper left", ncol=5, fontsize=8)
    return fig


def stability_figure(classes: xr.DataArray, sd: xr.DataArray, reach: xr.DataArray,
                     class_names: list[str]) -> plt.Figure:
    """Map of the stability classes and the SD distribution by reach (Fig. 5)."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), constrained_layout=True,
                             gridspec_kw={"width_ratios": [1.2, 1]})
    n = len(class_names)
    # From the steadiest (blue) to the least steady (vermillion): Okabe-Ito colours.
    cmap = ListedColormap(["#0072B2", "#56B4E9", "#F0E442", "#E69F00", "#D55E00"][:n])
    image = _map(axes[0], classes.astype(float), None, cmap=cmap,
                 norm=BoundaryNorm(np.arange(n + 1) - 0.5, n), interpolation="nearest")
    bar = fig.colorbar(image, ax=axes[0], ticks=range(n), shrink=0.8, label="temporal stability class")
    bar.ax.set_yticklabels(class_names)
    axes[0].set_title("Stability class of each pixel")
    data, labels = [], []
    for code, name in REACH_NAMES.items():
        values = sd.values[(reach.values == code) & np.isfinite(sd.values)]
        if values.size:
            data.append(values), labels.append(name)
    axes[1].boxplot(data, tick_labels=labels, showfliers=False)
    axes[1].set_xlabel("reach")
    axes[1].set_ylabel("SD of the monthly means (m³/m³)")
    axes[1].set_title("SD by reach")
    return fig


def q_heatmap(q: pd.DataFrame, p: pd.DataFrame | None = None, alpha: float = 0.05) -> plt.Figure:
    """q of every factor (rows) and month (columns) (Fig. 6); dots mark p ≥ alpha."""
    fig, ax = plt.subplots(figsize=(9, 6.5))
    image = ax.imshow(q.values, cmap="viridis", vmin=0, vmax=max(0.01, float(np.nanmax(q.values))),
                      aspect="auto")
    ax.set_yticks(range(q.shape[0]), q.index)
    ax.set_xticks(range(q.shape[1]), [MONTH_NAMES[int(m) - 1] for m in q.columns])
    ax.set_xlabel("month")
    ax.set_ylabel("driving factor")
    for (i, j), value in np.ndenumerate(q.values):
        if np.isfinite(value):
            colour = "white" if value < 0.6 * np.nanmax(q.values) else "black"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6.5, color=colour)
    if p is not None:
        rows, cols = np.nonzero(p.values >= alpha)
        ax.scatter(cols, rows + 0.3, marker=".", color="red", s=8, label=f"p ≥ {alpha}")
        if rows.size:
            ax.legend(loc="upper right", bbox_to_anchor=(1.0, 1.08), fontsize=8)
    fig.colorbar(image, ax=ax, label="q (1)")
    return fig


def interaction_matrices(interaction: pd.DataFrame, factor: pd.DataFrame,
                         order: list[str]) -> tuple[dict[int, pd.DataFrame], dict[int, pd.DataFrame]]:
    """Square q and type matrices per month from the long interaction table.

    Parameters
    ----------
    interaction : DataFrame
        Columns ``month, var1, var2, q12, type``.
    factor : DataFrame
        Columns ``month, factor, q`` (the diagonal).
    order : list of str
        Factor order of the rows and columns.
    """
    matrices, types = {}, {}
    for month, part in interaction.groupby("month"):
        q = pd.DataFrame(np.nan, index=order, columns=order)
        kind = pd.DataFrame("", index=order, columns=order)
        for a, b, value, label in zip(part["var1"], part["var2"], part["q12"], part["type"]):
            q.loc[a, b] = q.loc[b, a] = value
            kind.loc[a, b] = kind.loc[b, a] = str(label).lower()
        own = factor[factor["month"] == month].set_index("factor")["q"]
        for name in order:
            q.loc[name, name] = own.get(name, np.nan)
        matrices[int(month)], types[int(month)] = q, kind
    return matrices, types


def interaction_figure(matrices: dict[int, pd.DataFrame], types: dict[int, pd.DataFrame] | None = None,
                       ncols: int = 4) -> plt.Figure:
    """Interaction q of every factor pair, one panel per month (Fig. S1).

    Upper triangles show q(X1 ∩ X2); the diagonal shows each factor's own q.
    Cells whose interaction only weakens are hatched.
    """
    months = list(matrices)
    nrows = int(np.ceil(len(months) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 4.0 * nrows), constrained_layout=True,
                             squeeze=False)
    for ax, month in zip(axes.ravel(), months):
        matrix = matrices[month]
        image = ax.imshow(matrix.values, cmap="viridis", vmin=0, vmax=1)
        labels = list(matrix.index)
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        ax.set_yticks(range(len(labels)), labels, fontsize=6)
        ax.set_title(MONTH_NAMES[int(month) - 1])
        if types is not None:
            weak = types[month].isin(["nonlinear weaken", "uni-variable weaken"]).values
            rows, cols = np.nonzero(weak)
            ax.scatter(cols, rows, marker="x", color="red", s=10)
    for ax in axes.ravel()[len(months):]:
        ax.axis("off")
    fig.colorbar(image, ax=axes, label="q (1)", shrink=0.6)
    return fig
