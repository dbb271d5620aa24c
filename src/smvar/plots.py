"""One function per figure of the book, with colour-blind-safe palettes.

Provides
--------
data_banner
    A sentence saying whether the run's data are synthetic.
grid_table, grids_figure
    The run's three grids (study-area chapter).
study_area_figure, reach_table
    Elevation and land cover with the reaches outlined (the paper's Fig. 1).
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

locator_figure
    Where the basin lies in China (the locator of the paper's Fig. 1), from the
    Natural Earth outlines shipped in ``data/locator/``.
monthly_boxplots
    The distribution of the basin's pixels month by month (the box plots of Fig. 4).
book_page
    What every notebook of the book calls first: one seaborn theme for every
    figure, tables through :func:`smvar.tables.show`, and run-time messages
    (warnings of the steps, the storage library's notes) to the run's log
    instead of the page.

Palettes: ``viridis``/``cividis`` for continuous values and the Okabe–Ito
colours for categories; units are on every axis and colour bar. seaborn draws
the statistical figures (box plots, the q heat map); maps and the QQ panels
stay in plain matplotlib, where ``imshow`` of a grid and a line per month are
the whole figure and seaborn would add nothing.
"""

from __future__ import annotations

import json
import os
import warnings
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
    "q_heatmap", "interaction_matrices", "interaction_figure", "locator_figure", "monthly_boxplots",
    "book_page", "LOCATOR_FILE",
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


LOCATOR_FILE = Path(__file__).resolve().parents[2] / "data" / "locator" / "east_asia_countries.json"


def book_page() -> None:
    """Set up a notebook page of the book (every chapter calls it once, after its imports).

    - one seaborn theme (``ticks``, the Okabe–Ito colours) for every figure;
    - pandas frames shown through :func:`smvar.tables.show` (headers in words,
      rounded numbers, nothing cut, long tables scrolling in their box);
    - warnings written to the run's log (:func:`smvar.compute.log_message`)
      as one line without the file path, not on the page. A chapter that
      wants to tell the reader about a step's warnings records them and says
      so in words, as the downscaling chapter does.
    """
    import seaborn as sns

    sns.set_theme(context="notebook", style="ticks", palette=OKABE_ITO,
                  rc={"figure.dpi": 100, "savefig.dpi": 150, "axes.titleweight": "bold"})
    from smvar import tables

    tables.use_in_notebook()

    from smvar.compute import log_message

    def to_log(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
        log_message(f"{category.__name__}: {message}")

    warnings.showwarning = to_log
    # zarr 3 notes that consolidated metadata is not in its format's specification: a
    # storage detail of the run folder, not the reader's business
    warnings.filterwarnings("ignore", message="Consolidated metadata", module="zarr")


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
    """Elevation and land cover of the basin with its three reaches outlined (the paper's Fig. 1).

    Two large maps, one above the other, each across the page's full width
    (about 1.5 screen pixels per km for the default basin, more for smaller
    ones), so that a 1 km pattern (an oasis, a valley) can be read; the
    reaches are drawn as outlines on both and named at their centres.
    """
    mask = factors["basin_mask"]
    ny, nx = mask.shape
    aspect = ny / max(nx, 1)
    width = 11.0
    fig, axes = plt.subplots(2, 1, figsize=(width, min(30.0, 2 * (width - 2.5) * aspect + 1.2)),
                             constrained_layout=True, sharex=True, sharey=True)
    image = _map(axes[0], factors["dem"], mask, cmap="cividis")
    fig.colorbar(image, ax=axes[0], label="elevation (m)", shrink=0.7)
    axes[0].set_title("Elevation")
    codes = factors["lucc"].where(mask).values.astype(float)
    cmap, norm, present = _land_cover_colours(codes)
    image = _map(axes[1], factors["lucc"].astype(float), mask, cmap=cmap, norm=norm, interpolation="nearest")
    bar = fig.colorbar(image, ax=axes[1], ticks=present, shrink=0.7, label="land cover (IGBP class)")
    bar.ax.set_yticklabels([LAND_COVER_CLASSES.get(c, str(c)) for c in present], fontsize=8)
    axes[1].set_title("Land cover")
    reach = factors["reach"].values
    x, y = factors["x"].values / 1000, factors["y"].values / 1000
    for ax, colour in zip(axes, ("white", "black")):
        for code, name in REACH_NAMES.items():
            inside = (reach == code).astype(float)
            if not inside.any():
                continue
            ax.contour(x, y, inside, levels=[0.5], colors=colour, linewidths=1.2)
            rows, cols = np.nonzero(reach == code)
            ax.text(x[int(np.median(cols))], y[int(np.median(rows))], f"{name} reach", ha="center",
                    va="center", fontsize=10, color="black", weight="bold",
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.75, "lw": 0})
        ax.label_outer()
    return fig


def locator_figure(config: BasinConfig, fine: FineGrid, mask: xr.DataArray | None = None,
                   path: str | Path | None = None) -> plt.Figure:
    """Where the basin lies: China among its neighbours, the extent and the basin's cells.

    Parameters
    ----------
    config : BasinConfig
        Its ``extent`` is drawn as a rectangle.
    fine : FineGrid
        The analysis grid (its cells are placed in longitude and latitude).
    mask : xarray.DataArray, optional
        The basin mask on ``fine``; its cells are drawn in dark blue.
    path : path, optional
        The outline file (default :data:`LOCATOR_FILE`, Natural Earth country
        outlines cropped by ``scripts/make_locator_outlines.py``).
    """
    from matplotlib.patches import Polygon as Patch, Rectangle

    document = json.loads(Path(path or LOCATOR_FILE).read_text(encoding="utf-8"))
    fig, ax = plt.subplots(figsize=(8, 5.6))
    for country in document["countries"]:
        geometry = country["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for rings in polygons:
            ax.add_patch(Patch(rings[0], closed=True, lw=0.8 if country["china"] else 0.4,
                               facecolor="#F3E9C6" if country["china"] else "#EDEDED",
                               edgecolor="0.25" if country["china"] else "0.6"))
    e = config.extent
    if mask is not None:
        lon, lat = fine.lonlat
        inside = np.asarray(mask.values, bool)
        step = max(1, int(np.sqrt(inside.sum() / 4000)))
        ax.scatter(lon[::step, ::step][inside[::step, ::step]], lat[::step, ::step][inside[::step, ::step]],
                   s=1.5, color=OKABE_ITO[4], linewidths=0, label="the run's basin", rasterized=True)
    ax.add_patch(Rectangle((e.west, e.south), e.east - e.west, e.north - e.south, fill=False,
                           edgecolor=OKABE_ITO[5], lw=1.6, label="extent in the parameter file"))
    west, south, east, north = document["box"]
    ax.set_xlim(max(west, 72), min(east, 136))
    ax.set_ylim(max(south, 17), min(north, 54))
    ax.set_aspect(1 / np.cos(np.deg2rad(35)))
    ax.set_xlabel("longitude (° E)")
    ax.set_ylabel("latitude (° N)")
    ax.text(104, 33, "CHINA", ha="center", va="center", fontsize=11, color="0.35", style="italic")
    ax.legend(loc="lower right", fontsize=9, framealpha=0.9, markerscale=6)
    ax.annotate("Outlines: Natural Earth (public domain)", xy=(0.01, 0.01), xycoords="axes fraction",
                fontsize=7, color="0.35")
    return fig


def monthly_boxplots(sm: xr.DataArray, mask: xr.DataArray, label: str = "SM (m³/m³)") -> plt.Figure:
    """The distribution of the basin's pixels in each month: box plots (the paper's Fig. 4).

    Boxes span the quartiles, whiskers 1.5 IQR, the white dot marks the mean;
    outliers are not drawn (there are thousands of pixels a month).
    """
    import seaborn as sns

    inside = np.asarray(mask.values, bool)
    frames = []
    for month in sm["month"].values:
        values = np.asarray(sm.sel(month=month).values)[inside]
        values = values[np.isfinite(values)]
        frames.append(pd.DataFrame({"month": MONTH_NAMES[int(month) - 1], "value": values}))
    data = pd.concat(frames, ignore_index=True)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.boxplot(data=data, x="month", y="value", color=OKABE_ITO[1], showfliers=False, showmeans=True,
                meanprops={"marker": "o", "markerfacecolor": "white", "markeredgecolor": "black",
                           "markersize": 5}, width=0.6, ax=ax)
    ax.set_xlabel("month")
    ax.set_ylabel(label)
    sns.despine(ax=ax)
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
    # two columns across the page's full width: each month about 1 screen pixel per km for the
    # default basin, enough to read a 1 km pattern
    aspect = mask.shape[0] / max(mask.shape[1], 1)
    fig, axes = plt.subplots(6, 2, figsize=(12, min(48.0, 6 * 5.2 * aspect + 1.5)), constrained_layout=True,
                             sharex=True, sharey=True)
    for ax, month in zip(axes.ravel(), months):
        image = _map(ax, sm.sel(month=month), mask, cmap="viridis_r", vmin=low, vmax=high)
        ax.set_title(MONTH_NAMES[int(month) - 1])
        ax.label_outer()
    for ax in axes.ravel()[len(months):]:
        ax.axis("off")
    fig.colorbar(image, ax=axes, label=label, shrink=0.3, location="right")
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
    import seaborn as sns

    long = pd.DataFrame({"reach": np.repeat(labels, [len(d) for d in data]),
                         "sd": np.concatenate(data) if data else np.array([])})
    sns.boxplot(data=long, x="reach", y="sd", hue="reach", palette=[OKABE_ITO[4], OKABE_ITO[2], OKABE_ITO[0]][:len(labels)],
                showfliers=False, width=0.55, legend=False, ax=axes[1])
    axes[1].set_xlabel("reach")
    axes[1].set_ylabel("SD of the monthly means (m³/m³)")
    axes[1].set_title("SD by reach")
    return fig


def q_heatmap(q: pd.DataFrame, p: pd.DataFrame | None = None, alpha: float = 0.05) -> plt.Figure:
    """q of every factor (rows) and month (columns) (Fig. 6); dots mark p ≥ alpha."""
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(10, 7))
    shown = pd.DataFrame(q.values, index=q.index, columns=[MONTH_NAMES[int(m) - 1] for m in q.columns])
    sns.heatmap(shown, cmap="viridis", vmin=0, vmax=max(0.01, float(np.nanmax(q.values))), annot=True,
                fmt=".2f", annot_kws={"fontsize": 7}, linewidths=0.4, linecolor="white",
                cbar_kws={"label": "q (1)"}, ax=ax)
    ax.set_xlabel("month")
    ax.set_ylabel("driving factor")
    if p is not None:
        rows, cols = np.nonzero(p.values >= alpha)
        ax.scatter(cols + 0.5, rows + 0.82, marker=".", color="red", s=10, label=f"p ≥ {alpha}")
        if rows.size:
            ax.legend(loc="upper right", bbox_to_anchor=(1.0, 1.08), fontsize=8)
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
