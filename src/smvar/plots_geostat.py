"""Figures of the geostatistics chapters (paper section 3.1) and the teaching labs.

Provides
--------
iqr_sd_figure
    IQR/SD of each month against the normal value 1.349 and the paper's range.
qq_figure
    Normal QQ plots, one panel per month.
variogram_figure
    Empirical semivariograms per month (full grid and sample) with the best model.
models_figure
    One empirical semivariogram with several fitted models (labs).
mrd_figure
    Vachaud's ranked mean relative difference with +-SD bars.
spearman_figure
    Spearman rank correlation of the spatial pattern between months.
kriging_figure
    A field, its kriged estimate from a sample, and the kriging standard deviation (lab 2).
cv_figure
    Leave-one-out predictions against the observations, one panel per model (lab 2).

Every function draws results computed elsewhere (``smvar.stats``,
``smvar.variogram``, pykrige) and returns a :class:`matplotlib.figure.Figure`.
Palettes are colour-blind safe (Okabe-Ito, viridis, cividis); every axis and
colour bar carries its unit. They use the book's seaborn theme
(:func:`smvar.plots.book_page`) but draw with matplotlib: the QQ panels plot
99 precomputed quantiles of each month (seaborn has no QQ plot, and its
regression plots would refit what :func:`smvar.stats.qq_data` already
computed over every pixel), and the semivariogram, MRD, Spearman and kriging
figures are lines, bars and grids on which seaborn adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr

from smvar.plots import MONTH_NAMES, OKABE_ITO, extent_km

__all__ = [
    "iqr_sd_figure", "qq_figure", "variogram_figure", "models_figure", "mrd_figure",
    "spearman_figure", "kriging_figure", "cv_figure", "MODEL_COLOURS",
]

#: One Okabe-Ito colour per variogram model.
MODEL_COLOURS = {"linear": OKABE_ITO[0], "spherical": OKABE_ITO[4], "exponential": OKABE_ITO[5],
                 "gaussian": OKABE_ITO[2], "linear_sill": OKABE_ITO[6]}

_GAMMA_LABEL = "semivariance γ ((m³/m³)²)"


def _month_label(month) -> str:
    return MONTH_NAMES[int(month) - 1]


def _panel_grid(n: int, ncols: int = 4, size: tuple[float, float] = (3.2, 2.6), **kwargs):
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             constrained_layout=True, squeeze=False, **kwargs)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()


def iqr_sd_figure(ratio: pd.Series, published_range: tuple[float, float] | None = None,
                  normal_value: float = 1.349) -> plt.Figure:
    """IQR/SD by month (paper section 3.1).

    Parameters
    ----------
    ratio : pandas.Series
        IQR/SD (dimensionless) indexed by month number 1-12.
    published_range : (float, float), optional
        The range the paper reports (1.28-1.40), drawn as a band.
    normal_value : float, default 1.349
        IQR/SD of a normal distribution, drawn as a dashed line.
    """
    fig, ax = plt.subplots(figsize=(8, 3.6), constrained_layout=True)
    months = np.asarray(ratio.index, dtype=int)
    if published_range is not None:
        ax.axhspan(*published_range, color=OKABE_ITO[8], alpha=0.3, label="range published (paper)")
    ax.axhline(normal_value, color=OKABE_ITO[7], linestyle="--", label=f"normal distribution ({normal_value:.3f})")
    ax.plot(months, ratio.values, color=OKABE_ITO[4], marker="o", label="this run")
    ax.set_xticks(months, [_month_label(m) for m in months])
    ax.set_xlabel("month of the year")
    ax.set_ylabel("IQR / SD (1)")
    ax.legend(fontsize=8, loc="best")
    return fig


def qq_figure(qq: xr.Dataset, dim: str = "month") -> plt.Figure:
    """Normal QQ plots of standardised SM, one panel per month.

    Parameters
    ----------
    qq : xarray.Dataset
        Output of :func:`smvar.stats.qq_data`: ``theoretical`` and ``sample``
        (standardised) along ``p``, for each ``dim``.
    """
    months = qq[dim].values
    fig, axes = _panel_grid(len(months), sharex=True, sharey=True)
    theoretical = qq["theoretical"].values
    lim = float(np.nanmax(np.abs([theoretical.min(), theoretical.max(),
                                  np.nanmin(qq["sample"].values), np.nanmax(qq["sample"].values)])))
    for ax, month in zip(axes, months):
        sample = qq["sample"].sel({dim: month}).values
        ax.plot([-lim, lim], [-lim, lim], color=OKABE_ITO[8], linewidth=1)
        ax.plot(theoretical, sample, linestyle="none", marker="o", markersize=3, color=OKABE_ITO[4])
        ax.set_title(_month_label(month))
        ax.set_xlabel("normal quantile (SD units)")
        ax.set_ylabel("SM quantile (SD units)")
        ax.label_outer()
    return fig


def _plot_result(ax, result, colour, marker, label, scale=1.0):
    ok = np.isfinite(result.gamma) & (result.n_pairs > 0)
    ax.plot(result.lag_mean[ok] / 1000, result.gamma[ok] * scale, linestyle="none", marker=marker,
            markersize=4, color=colour, label=label, markerfacecolor="none" if marker == "s" else colour)


def variogram_figure(full: Mapping[int, object], models: Mapping[int, object],
                     sample: Mapping[int, object] | None = None, sharey: bool = False) -> plt.Figure:
    """Empirical semivariograms per month with the best fitted model.

    Parameters
    ----------
    full : mapping of month to VariogramResult
        Semivariogram of every pair of basin pixels (``grid_variogram``).
    models : mapping of month to VariogramModel
        The model drawn over the points (fitted to ``full``).
    sample : mapping of month to VariogramResult, optional
        Semivariogram of the systematic sample, drawn as open squares.
    sharey : bool, default False
        One semivariance scale for all months.
    """
    months = list(full)
    fig, axes = _panel_grid(len(months), sharex=True, sharey=sharey)
    for ax, month in zip(axes, months):
        result = full[month]
        _plot_result(ax, result, OKABE_ITO[4], "o", "all pixels (exact)")
        if sample is not None and month in sample:
            _plot_result(ax, sample[month], OKABE_ITO[0], "s", "systematic sample")
        model = models.get(month)
        if model is not None:
            h = np.linspace(0, result.bin_edges[-1], 300)[1:]
            ax.plot(h / 1000, model(h), color=OKABE_ITO[7], linewidth=1.5, label=f"{model.name} fit")
            ax.text(0.97, 0.05, model.name, transform=ax.transAxes, ha="right", fontsize=8)
        ax.set_title(_month_label(month))
        ax.set_xlabel("lag distance h (km)")
        ax.set_ylabel(_GAMMA_LABEL)
        ax.set_ylim(bottom=0)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
        if sharey:
            ax.label_outer()
        elif not ax.get_subplotspec().is_last_row() and ax is not axes[len(months) - 1]:
            ax.set_xlabel("")
            ax.tick_params(labelbottom=False)
        if not sharey and not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
    handles, labels = [], []
    for ax in axes[: len(months)]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            key = label if not label.endswith(" fit") else "fitted model (best, named in each panel)"
            if key not in labels:
                handles.append(handle), labels.append(key)
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=9)
    return fig


def models_figure(result, fits: Mapping[str, object], title: str | None = None,
                  ax: plt.Axes | None = None) -> plt.Figure:
    """One empirical semivariogram with several fitted models.

    Parameters
    ----------
    result : VariogramResult
        The binned semivariogram (points sized by their pair count).
    fits : mapping of model name to FitResult or VariogramModel
        The curves to draw; a FitResult's R^2 goes into the legend.
    title : str, optional
        Axis title.
    ax : matplotlib.axes.Axes, optional
        Draw into this axis instead of a new figure.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.2), constrained_layout=True)
    else:
        fig = ax.figure
    ok = np.isfinite(result.gamma) & (result.n_pairs > 0)
    sizes = 10 + 60 * result.n_pairs[ok] / max(result.n_pairs[ok].max(), 1)
    ax.scatter(result.lag_mean[ok] / 1000, result.gamma[ok], s=sizes, color=OKABE_ITO[7],
               label="empirical (size ∝ pairs)", zorder=3)
    h = np.linspace(0, result.bin_edges[-1], 400)[1:]
    styles = ["-", "--", "-.", ":", (0, (5, 1))]
    for (name, fit), style in zip(fits.items(), styles):
        model = getattr(fit, "model", fit)
        label = name if not hasattr(fit, "r2") else f"{name} (R² = {fit.r2:.3f})"
        ax.plot(h / 1000, model(h), linestyle=style, color=MODEL_COLOURS.get(model.name, OKABE_ITO[8]),
                label=label, linewidth=2)
    ax.set_xlabel("lag distance h (km)")
    ax.set_ylabel(_GAMMA_LABEL)
    ax.set_ylim(bottom=0)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def mrd_figure(ranking: pd.DataFrame, n_bars: int = 150) -> plt.Figure:
    """Ranked mean relative difference with +-SDRD (Vachaud et al. 1985).

    Parameters
    ----------
    ranking : pandas.DataFrame
        Output of :func:`smvar.stats.mrd_ranking` (columns ``rank, mrd, sdrd``).
    n_bars : int, default 150
        Error bars are drawn on this many evenly spaced ranks (all pixels
        appear in the shaded band).
    """
    fig, ax = plt.subplots(figsize=(9, 4.2), constrained_layout=True)
    rank, mrd, sdrd = ranking["rank"].values, ranking["mrd"].values, ranking["sdrd"].values
    ax.fill_between(rank, mrd - sdrd, mrd + sdrd, color=OKABE_ITO[1], alpha=0.35, linewidth=0,
                    label="MRD ± SDRD (every pixel)")
    step = max(1, len(rank) // n_bars)
    ax.errorbar(rank[::step], mrd[::step], yerr=sdrd[::step], fmt="none", ecolor=OKABE_ITO[4],
                elinewidth=0.8, label=f"± SDRD (every {step}th pixel)")
    ax.plot(rank, mrd, color=OKABE_ITO[7], linewidth=1.5, label="MRD")
    ax.axhline(0, color=OKABE_ITO[5], linestyle="--", linewidth=1, label="basin mean")
    ax.set_xlabel("rank of the pixel by MRD (1 = driest)")
    ax.set_ylabel("relative difference (1)")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def spearman_figure(matrix: xr.DataArray) -> plt.Figure:
    """Heat map of the Spearman correlation between the monthly SM patterns.

    Parameters
    ----------
    matrix : xarray.DataArray
        Output of :func:`smvar.stats.spearman_between_months` (square).
    """
    values = np.asarray(matrix.values, dtype=float)
    labels = [_month_label(m) for m in matrix[matrix.dims[0]].values]
    fig, ax = plt.subplots(figsize=(7.2, 6), constrained_layout=True)
    image = ax.imshow(values, cmap="cividis", vmin=min(0.0, np.nanmin(values)), vmax=1)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("month")
    ax.set_ylabel("month")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=7,
                    color="black" if values[i, j] > 0.6 else "white")
    fig.colorbar(image, ax=ax, label="Spearman's ρ (1)", shrink=0.85)
    return fig


def kriging_figure(field: xr.DataArray, estimate: xr.DataArray, sd: xr.DataArray,
                   points: pd.DataFrame | None = None, label: str = "SM (m³/m³)") -> plt.Figure:
    """The field, its kriged estimate and the kriging standard deviation.

    Parameters
    ----------
    field, estimate, sd : xarray.DataArray
        2-D maps on ``(y, x)`` in metres (NaN outside the basin); ``sd`` is the
        square root of the kriging variance, in the units of ``field``.
    points : pandas.DataFrame, optional
        Sample locations (columns ``x, y`` in metres), drawn on the first two maps.
    label : str
        Colour-bar label of the field and the estimate.
    """
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.8), constrained_layout=True, sharex=True, sharey=True)
    low, high = np.nanpercentile(field.values, [1, 99])
    titles = ["field (all pixels)", "ordinary kriging from the sample", "kriging SD"]
    for ax, data, title in zip(axes, [field, estimate, sd], titles):
        if data is sd:
            image = ax.imshow(data.values, extent=extent_km(data), origin="upper", cmap="cividis")
            fig.colorbar(image, ax=ax, label=label.replace("SM", "kriging SD"), shrink=0.8)
        else:
            image = ax.imshow(data.values, extent=extent_km(data), origin="upper", cmap="viridis_r",
                              vmin=low, vmax=high)
            if points is not None:
                ax.plot(points["x"] / 1000, points["y"] / 1000, linestyle="none", marker=".",
                        markersize=2.5, color=OKABE_ITO[5])
        ax.set_title(title)
        ax.set_xlabel("x (km)")
        ax.set_ylabel("y (km)")
        ax.label_outer()
    fig.colorbar(axes[1].images[0], ax=axes[:2], label=label, shrink=0.8)
    return fig


def cv_figure(observed: np.ndarray, predictions: Mapping[str, np.ndarray],
              label: str = "SM (m³/m³)") -> plt.Figure:
    """Leave-one-out predictions against observations, one panel per model.

    Parameters
    ----------
    observed : array_like
        Observed values at the sample points.
    predictions : mapping of model name to array_like
        Prediction at each point from all the other points.
    label : str
        Axis label with the unit.
    """
    observed = np.asarray(observed, dtype=float)
    fig, axes = _panel_grid(len(predictions), ncols=min(4, len(predictions)), size=(3.4, 3.3),
                            sharex=True, sharey=True)
    low, high = np.nanmin(observed), np.nanmax(observed)
    for ax, (name, predicted) in zip(axes, predictions.items()):
        predicted = np.asarray(predicted, dtype=float)
        rmse = float(np.sqrt(np.nanmean((predicted - observed) ** 2)))
        ax.plot([low, high], [low, high], color=OKABE_ITO[8], linewidth=1)
        ax.plot(observed, predicted, linestyle="none", marker="o", markersize=3, alpha=0.6,
                color=MODEL_COLOURS.get(name, OKABE_ITO[4]))
        ax.set_title(f"{name}: RMSE {rmse:.4f}")
        ax.set_xlabel(f"observed {label}")
        ax.set_ylabel(f"predicted {label}")
        ax.label_outer()
    return fig
