"""Figures of the validation at stations (chapter 02).

Provides
--------
station_scatter_figure
    Product against station daily soil moisture, one panel per product, with
    the 1:1 line and the pooled metrics.
station_timeseries_figure
    Station and product daily series, one panel per station.

Both draw the pairs of :func:`smvar.downscaling.station_validation.validate_at_stations`
and return a :class:`matplotlib.figure.Figure`; colours are Okabe-Ito, axes
carry m³/m³.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from smvar.plots import OKABE_ITO

__all__ = ["station_scatter_figure", "station_timeseries_figure"]

UNIT = "m³/m³"


def station_scatter_figure(pairs: pd.DataFrame, metrics: pd.DataFrame):
    """Product against station, one panel per product, coloured by station.

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``station, time, product, estimate, observed`` (m3 m-3).
    metrics : pandas.DataFrame
        ``station, product, n, r, rmse, bias, ubrmse``; the ``"all"`` rows
        are written in each panel.
    """
    products = list(dict.fromkeys(pairs["product"]))
    stations = list(dict.fromkeys(pairs["station"]))
    fig, axes = plt.subplots(1, max(len(products), 1), figsize=(3.6 * max(len(products), 1), 3.6),
                             squeeze=False, sharex=True, sharey=True)
    high = float(np.nanmax(pairs[["estimate", "observed"]].to_numpy())) if len(pairs) else 0.5
    limit = (0.0, max(0.05, 1.05 * high))
    pooled = metrics[metrics["station"] == "all"].set_index("product")
    for ax, product in zip(axes[0], products):
        part = pairs[pairs["product"] == product]
        for i, station in enumerate(stations):
            one = part[part["station"] == station]
            ax.scatter(one["observed"], one["estimate"], s=6, alpha=0.5, color=OKABE_ITO[i % len(OKABE_ITO)],
                       label=station if ax is axes[0][0] else None)
        ax.plot(limit, limit, color="0.3", lw=0.8)
        ax.set(xlim=limit, ylim=limit, title=product, xlabel=f"station ({UNIT})")
        if product in pooled.index:
            row = pooled.loc[product]
            ax.text(0.03, 0.97, f"R {row['r']:.2f}\nRMSE {row['rmse']:.3f}\nbias {row['bias']:+.3f}\n"
                    f"ubRMSE {row['ubrmse']:.3f}\nN {int(row['n'])}", transform=ax.transAxes, va="top", fontsize=8)
    axes[0][0].set_ylabel(f"product ({UNIT})")
    if len(stations) <= 10:
        axes[0][0].legend(fontsize=7, loc="lower right", markerscale=2)
    fig.tight_layout()
    return fig


def station_timeseries_figure(pairs: pd.DataFrame, max_stations: int = 4):
    """Daily series of the station and of each product, one panel per station (the first ``max_stations``)."""
    stations = list(dict.fromkeys(pairs["station"]))[:max_stations]
    products = list(dict.fromkeys(pairs["product"]))
    fig, axes = plt.subplots(max(len(stations), 1), 1, figsize=(9, 2.2 * max(len(stations), 1)),
                             squeeze=False, sharex=True)
    for ax, station in zip(axes[:, 0], stations):
        part = pairs[pairs["station"] == station]
        observed = part.drop_duplicates("time").sort_values("time")
        ax.plot(observed["time"], observed["observed"], color=OKABE_ITO[7], lw=1.2, label="station")
        for i, product in enumerate(products):
            one = part[part["product"] == product].sort_values("time")
            ax.plot(one["time"], one["estimate"], lw=0.9, color=OKABE_ITO[i % 7], label=product)
        ax.set_ylabel(UNIT)
        ax.set_title(station, fontsize=9, loc="left")
    axes[0, 0].legend(fontsize=7, ncol=len(products) + 1, loc="upper right")
    axes[-1, 0].set_xlabel("date")
    fig.tight_layout()
    return fig
