"""Validation at in-situ stations: each station matched to its pixel, R, RMSE, bias and ubRMSE.

Provides
--------
station_pixels
    The cell of each station on a field's grid (the fine equal-area grid or a
    latitude-longitude grid), and whether it falls on the grid at all.
validate_at_stations
    Daily station means against the daily fields (the downscaled 1 km SM, the
    coarse products): metrics per station and product and over all stations,
    the matched pairs, and one line per station that could not be used (depth
    not matching, no overlap in space or time).
synthetic_stations
    Stations drawn from a known truth with a representativeness error (a
    constant offset per station and autocorrelated daily noise): the twin's
    stand-in for a network, so that the validation runs in every build.
StationValidation
    The tables of :func:`validate_at_stations`.

Takes tables and arrays only (no files): the readers of station files are in
:mod:`smvar.realdata.stations`. The metrics are those of
:func:`smvar.downscaling.validation.metrics` (bias = mean(product - station);
ubRMSE = sqrt(RMSE^2 - bias^2)); all in m3 m-3 except N and R.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from smvar.downscaling.validation import METRICS, metrics

__all__ = ["StationValidation", "station_pixels", "validate_at_stations", "synthetic_stations",
           "STATION_COLUMNS"]

STATION_COLUMNS = ("station", "latitude", "longitude", "depth_from_m", "depth_to_m")


@dataclass
class StationValidation:
    """The result of :func:`validate_at_stations`.

    Attributes
    ----------
    metrics : pandas.DataFrame
        One row per station and product (``station`` ``"all"`` for the pooled
        pairs of every station): ``n``, ``r``, ``rmse``, ``bias``, ``ubrmse``.
    pairs : pandas.DataFrame
        ``station, time, product, estimate, observed`` for every matched day.
    stations : pandas.DataFrame
        The stations used, with their row and column on each grid.
    problems : list of str
        One line per station left out, naming why and the fix.
    """

    metrics: pd.DataFrame
    pairs: pd.DataFrame
    stations: pd.DataFrame
    problems: list[str] = field(default_factory=list)


def _spatial_dims(da: xr.DataArray) -> tuple[str, str]:
    if "y" in da.dims and "x" in da.dims:
        return "y", "x"
    if "lat" in da.dims and "lon" in da.dims:
        return "lat", "lon"
    raise ValueError(f"field {da.name!r} has dims {da.dims}; expected (time, y, x) or (time, lat, lon)")


def _nearest(centres: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest centre of a regular axis, and whether the value lies in that cell."""
    step = abs(float(centres[1] - centres[0])) if centres.size > 1 else np.inf
    index = np.abs(values[:, None] - centres[None, :]).argmin(axis=1)
    inside = np.abs(values - centres[index]) <= step / 2 + 1e-9
    return index, inside


def station_pixels(stations: pd.DataFrame, da: xr.DataArray, crs: str | None = None) -> pd.DataFrame:
    """The cell of each station on the grid of ``da``.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns ``station``, ``latitude``, ``longitude`` (degrees, WGS 84).
    da : xarray.DataArray
        A field on the fine grid (dims ``y``, ``x``, metres in ``crs``) or on a
        latitude-longitude grid (dims ``lat``, ``lon``).
    crs : str, optional
        The fine grid's CRS (needed for ``y``/``x`` fields).

    Returns
    -------
    pandas.DataFrame
        ``station, row, col, inside`` (``inside`` False where the station
        falls outside the grid).
    """
    ydim, xdim = _spatial_dims(da)
    lon, lat = stations["longitude"].to_numpy(float), stations["latitude"].to_numpy(float)
    if ydim == "y":
        from pyproj import Transformer

        if crs is None:
            raise ValueError("a field on the fine grid needs its CRS to place stations")
        px, py = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    else:
        px, py = lon, lat
    row, in_y = _nearest(np.asarray(da[ydim].values, float), np.asarray(py, float))
    col, in_x = _nearest(np.asarray(da[xdim].values, float), np.asarray(px, float))
    return pd.DataFrame({"station": stations["station"].to_numpy(), "row": row, "col": col,
                         "inside": in_y & in_x})


def validate_at_stations(daily: pd.DataFrame, stations: pd.DataFrame, products: Mapping[str, xr.DataArray], *,
                         crs: str | None = None, max_depth_m: float = 0.10,
                         min_days: int = 3) -> StationValidation:
    """Daily station soil moisture against daily fields, per station and over all.

    Parameters
    ----------
    daily : pandas.DataFrame
        ``station, time, sm``: daily station means, m3 m-3 (times at midnight).
    stations : pandas.DataFrame
        :data:`STATION_COLUMNS`: position (degrees) and sensor depth (m).
    products : mapping of str to xarray.DataArray
        Daily fields, m3 m-3, dims ``(time, y, x)`` (fine grid) or
        ``(time, lat, lon)``: e.g. the downscaled 1 km SM and the coarse products.
    crs : str, optional
        CRS of the fine-grid fields.
    max_depth_m : float
        Deepest sensor bottom compared with the surface products, m (the
        microwave products sense the top few cm; ERA5-Land's layer 1 is 0-7 cm).
    min_days : int
        Fewest matched days a station needs for its metrics.

    Returns
    -------
    StationValidation
        Metrics, pairs, stations used and one line per station left out.
    """
    problems: list[str] = []
    stations = stations.reset_index(drop=True)
    deep = stations["depth_to_m"].to_numpy(float) > max_depth_m + 1e-9
    for row in stations[deep].itertuples(index=False):
        problems.append(f"station {row.station}: sensor at {row.depth_from_m:g}-{row.depth_to_m:g} m does not "
                        f"match the products' surface layer (0-{max_depth_m:g} m). Fix: give the station's "
                        f"sensor at most {max_depth_m:g} m deep")
    used = stations[~deep].reset_index(drop=True)
    pair_frames, placed = [], used[["station"]].copy()
    inside_any = np.zeros(len(used), dtype=bool)
    observed = daily.assign(time=pd.to_datetime(daily["time"]).dt.floor("D"))
    for name, da in products.items():
        pixels = station_pixels(used, da, crs)
        placed[f"row_{name}"], placed[f"col_{name}"] = pixels["row"], pixels["col"]
        inside = pixels["inside"].to_numpy()
        inside_any |= inside
        if not inside.any():
            continue
        ydim, xdim = _spatial_dims(da)
        at = da.isel({ydim: xr.DataArray(pixels["row"].to_numpy()[inside], dims="station"),
                      xdim: xr.DataArray(pixels["col"].to_numpy()[inside], dims="station")})
        values = np.asarray(at.transpose("time", "station").values, dtype=float)
        times = pd.DatetimeIndex(da["time"].values).floor("D")
        names = used["station"].to_numpy()[inside]
        frame = pd.DataFrame({"station": np.tile(names, len(times)), "time": np.repeat(times, len(names)),
                              "estimate": values.ravel()})
        frame = frame.merge(observed.rename(columns={"sm": "observed"}), on=["station", "time"], how="inner")
        frame = frame[np.isfinite(frame["estimate"]) & np.isfinite(frame["observed"])]
        pair_frames.append(frame.assign(product=name))
    for row in used[~inside_any].itertuples(index=False):
        problems.append(f"station {row.station} at {row.latitude:.4f} N, {row.longitude:.4f} E: no overlap in "
                        "space, it lies outside the basin's grids. Fix: list only stations inside the extent")
    pairs = (pd.concat(pair_frames, ignore_index=True) if pair_frames
             else pd.DataFrame(columns=["station", "time", "estimate", "observed", "product"]))
    counts = pairs.groupby("station")["time"].nunique() if len(pairs) else pd.Series(dtype=int)
    days = observed.groupby("station")["time"].agg(["min", "max"])
    product_times = [pd.DatetimeIndex(da["time"].values) for da in products.values()]
    span = (min(t.min() for t in product_times), max(t.max() for t in product_times)) if product_times else None
    for row in used[inside_any].itertuples(index=False):
        n = int(counts.get(row.station, 0))
        if n >= min_days:
            continue
        if row.station not in days.index:
            problems.append(f"station {row.station}: no daily value (no day with half its samples). Fix: check "
                            "the file's values and flags")
        elif days.loc[row.station, "max"] < span[0] or days.loc[row.station, "min"] > span[1]:
            first, last = days.loc[row.station, "min"], days.loc[row.station, "max"]
            problems.append(f"station {row.station}: no overlap in time: station days {first:%Y-%m-%d}.."
                            f"{last:%Y-%m-%d}, products {span[0]:%Y-%m-%d}..{span[1]:%Y-%m-%d}. Fix: give station "
                            "data of the analysis period")
        else:
            problems.append(f"station {row.station}: {n} day(s) with both a station value and a product value, "
                            f"fewer than {min_days} (its pixel may lie outside the basin mask, or the days are "
                            "gaps). Fix: check the station's position and the period")
        pairs = pairs[pairs["station"] != row.station]
    pairs = pairs[["station", "time", "product", "estimate", "observed"]].reset_index(drop=True)
    rows = []
    for (station, product), group in pairs.groupby(["station", "product"], sort=True):
        rows.append({"station": station, "product": product,
                     **metrics(group["estimate"].to_numpy(), group["observed"].to_numpy())})
    for product, group in pairs.groupby("product", sort=True):
        rows.append({"station": "all", "product": product,
                     **metrics(group["estimate"].to_numpy(), group["observed"].to_numpy())})
    table = pd.DataFrame(rows, columns=["station", "product", *METRICS])
    kept = placed[placed["station"].isin(pairs["station"].unique())]
    return StationValidation(metrics=table, pairs=pairs, stations=used.merge(kept, on="station"),
                             problems=problems)


def synthetic_stations(truth: xr.DataArray, basin_mask: xr.DataArray, crs: str, *, n: int = 8, seed: int = 2020,
                       offset_sd: float = 0.03, noise_sd: float = 0.02, noise_memory: float = 0.7,
                       depth_m: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stations drawn from a known truth, with a representativeness error.

    A point sensor sees its own few square metres, not the 1 km pixel mean:
    its series is the pixel's truth plus a constant offset (the point's
    wetter or drier soil, normal with ``offset_sd``) plus day-to-day noise
    that persists (AR(1) with lag-1 correlation ``noise_memory`` and standard
    deviation ``noise_sd``), limited to 0.01-0.6 m3 m-3.

    Parameters
    ----------
    truth : xarray.DataArray
        Daily truth, m3 m-3, dims ``(time, y, x)`` on the fine grid.
    basin_mask : xarray.DataArray
        1 inside the basin, dims ``(y, x)``.
    crs : str
        The fine grid's CRS.
    n : int
        Number of stations (at most the basin's pixels).
    seed : int
        Seed of the draw.
    offset_sd, noise_sd : float
        Standard deviations of the offset and of the daily noise, m3 m-3.
    noise_memory : float
        Lag-1 correlation of the daily noise.
    depth_m : float
        The sensors' depth, m.

    Returns
    -------
    (stations, daily) : pandas.DataFrame
        :data:`STATION_COLUMNS` (a random point inside each drawn pixel), and
        ``station, time, sm`` daily values.
    """
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    inside = np.flatnonzero(np.asarray(basin_mask.values).ravel() == 1)
    cells = rng.choice(inside, size=min(n, inside.size), replace=False)
    rows, cols = np.unravel_index(cells, basin_mask.shape)
    y, x = np.asarray(truth["y"].values, float), np.asarray(truth["x"].values, float)
    res = abs(float(x[1] - x[0]))
    px = x[cols] + rng.uniform(-0.4, 0.4, cells.size) * res
    py = y[rows] + rng.uniform(-0.4, 0.4, cells.size) * res
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(px, py)
    names = [f"SYN-{i + 1:02d}" for i in range(cells.size)]
    stations = pd.DataFrame({"station": names, "latitude": lat, "longitude": lon,
                             "depth_from_m": depth_m, "depth_to_m": depth_m})
    series = np.asarray(truth.isel(y=xr.DataArray(rows, dims="station"),
                                   x=xr.DataArray(cols, dims="station")).transpose("time", "station").values, float)
    from scipy.signal import lfilter

    innovations = rng.normal(0.0, noise_sd * np.sqrt(1 - noise_memory**2), series.shape)
    innovations[0] = rng.normal(0.0, noise_sd, cells.size)          # start in the stationary state
    noise = lfilter([1.0], [1.0, -noise_memory], innovations, axis=0)  # AR(1): e_t = rho e_(t-1) + u_t
    offsets = rng.normal(0.0, offset_sd, cells.size)
    observed = np.clip(series + offsets[None, :] + noise, 0.01, 0.6)
    observed[~np.isfinite(series)] = np.nan
    times = pd.DatetimeIndex(truth["time"].values).floor("D")
    daily = pd.DataFrame({"station": np.tile(names, len(times)), "time": np.repeat(times, len(names)),
                          "sm": observed.ravel()}).dropna()
    return stations, daily.reset_index(drop=True)
