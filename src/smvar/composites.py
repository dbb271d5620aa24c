"""Bring daily, 8-day and 16-day fields to the analysis time steps: the one home of monthly composites.

Provides
--------
maximum_value_composite
    Monthly maximum-value composite (MVC) of a time series: NDVI, EVI and PET
    in the paper (section 2.2, item 3).
monthly_mean
    Monthly mean of a time series, NaN days ignored: LST in the paper
    (section 2.2, item 4) and the downscaled soil moisture.
monthly_total
    Monthly total (mm month-1) of a rate in mm day-1: mean daily rate in the
    month times the number of days of that month.
savgol_daily
    Daily values from 16-day composites with a Savitzky-Golay filter
    (:func:`scipy.signal.savgol_filter`), as the paper does for NDVI.

Every function takes and returns :class:`xarray.DataArray` with a ``time``
dimension (numpy or dask backed) and keeps the attributes. Used by the
per-variable file loader (:mod:`smvar.realdata.files`), the driving factors
(:mod:`smvar.factors`) and the downscaling (:mod:`smvar.downscaling`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["maximum_value_composite", "monthly_mean", "monthly_total", "savgol_daily"]


def _by_month(grouped: xr.DataArray, months: Sequence[int] | None, attrs: dict) -> xr.DataArray:
    out = grouped if months is None else grouped.reindex(month=np.asarray(months, dtype=np.int64))
    out["month"].attrs.update({"long_name": "calendar month", "units": "1"})
    out.attrs.update(attrs)
    return out


def maximum_value_composite(da: xr.DataArray, months: Sequence[int] | None = None) -> xr.DataArray:
    """Monthly maximum-value composite.

    Parameters
    ----------
    da : xarray.DataArray
        With a ``time`` dimension (any step: daily, 8-day, 16-day, monthly).
    months : sequence of int
        Calendar months (1-12) wanted, in output order; a month with no
        time step in ``da`` is all NaN.

    Returns
    -------
    xarray.DataArray
        Dimension ``month`` instead of ``time``: the maximum over the time
        steps of each calendar month (NaN ignored), in the units of ``da``.
    """
    return _by_month(da.groupby("time.month").max("time", skipna=True), months, da.attrs)


def monthly_mean(da: xr.DataArray, months: Sequence[int] | None = None) -> xr.DataArray:
    """Monthly mean of a time series, ignoring NaN days.

    Parameters
    ----------
    da : xarray.DataArray, (time, ...)
        For example the downscaled daily SM (m3 m-3) or LST (K); numpy- or
        dask-backed.
    months : sequence of int, optional
        Calendar months wanted (missing ones are NaN); default those present.

    Returns
    -------
    xarray.DataArray, (month, ...)
        NaN where a pixel has no value in a month; a floating dtype is kept
        (float32 stays float32). Units and attributes are kept, with
        ``cell_methods = "time: mean (monthly)"``.
    """
    if "time" not in da.dims:
        raise ValueError(f"monthly_mean: the field has dims {da.dims}; it needs a 'time' dimension")
    month = da["time"].dt.month.rename("month")
    total = da.fillna(0).groupby(month).sum("time")
    count = da.notnull().groupby(month).sum("time")
    dtype = da.dtype if np.issubdtype(da.dtype, np.floating) else np.float64
    mean = (total / count.where(count > 0)).astype(dtype)
    mean.name = da.name
    return _by_month(mean.transpose("month", ...), months, {**da.attrs, "cell_methods": "time: mean (monthly)"})


def monthly_total(rate_mm_day: xr.DataArray, months: Sequence[int], how: str = "mean") -> xr.DataArray:
    """Monthly total from a rate in mm day-1.

    Parameters
    ----------
    rate_mm_day : xarray.DataArray
        A rate in mm day-1 with a ``time`` dimension: daily values, or
        8-day/16-day/monthly means expressed per day.
    months : sequence of int
        Calendar months wanted.
    how : {"mean", "max"}
        ``"mean"``: the mean daily rate of the month times its days (a
        complete daily series gives exactly the sum). ``"max"``: the
        maximum-value composite of the rate times the days (the paper's MVC
        harmonisation of MOD16A2 PET).

    Returns
    -------
    xarray.DataArray
        mm month-1, dimension ``month``. With several years, the months are
        averaged over the years.
    """
    per_month = rate_mm_day * rate_mm_day["time"].dt.days_in_month
    grouped = per_month.groupby("time.month")
    reduced = grouped.max("time", skipna=True) if how == "max" else grouped.mean("time", skipna=True)
    return _by_month(reduced, months, {**rate_mm_day.attrs, "units": "mm month-1"})


def _fill_gaps(values: np.ndarray) -> np.ndarray:
    """Linear interpolation of NaN along axis 0 (nearest at the ends), vectorised."""
    n = values.shape[0]
    flat = values.reshape(n, -1)
    finite = np.isfinite(flat)
    idx = np.where(finite, np.arange(n)[:, None], -1)
    prev = np.maximum.accumulate(idx, axis=0)
    nxt = np.flip(np.minimum.accumulate(np.flip(np.where(finite, np.arange(n)[:, None], n), 0), axis=0), 0)
    prev_ok, next_ok = prev >= 0, nxt < n
    cols = np.arange(flat.shape[1])[None, :]
    p = np.where(prev_ok, prev, np.where(next_ok, nxt, 0))
    q = np.where(next_ok, nxt, p)
    vp, vq = flat[p, cols], flat[q, cols]
    weight = np.where(q > p, (np.arange(n)[:, None] - p) / np.maximum(q - p, 1), 0.0)
    return (vp + weight * (vq - vp)).reshape(values.shape)


def savgol_daily(composites: xr.DataArray, dates: Sequence, window: int = 5, polyorder: int = 2) -> xr.DataArray:
    """Daily series from 8- or 16-day composites, smoothed by Savitzky-Golay.

    Parameters
    ----------
    composites : xarray.DataArray
        Composite values with a ``time`` dimension (the composite dates,
        ascending); NaN gaps (clouds, fill) are filled linearly first.
    dates : sequence of date-like
        The days wanted.
    window : int, default 5
        Filter window in composites (odd; 5 x 16 days = 80 days). Shortened
        to the longest odd length the series allows.
    polyorder : int, default 2
        Order of the fitted polynomial.

    Returns
    -------
    xarray.DataArray
        The filtered composites interpolated linearly in time to ``dates``
        (dimension ``time``), held constant before the first and after the
        last composite; units kept. Pixels with no finite composite
        stay NaN.

    Notes
    -----
    Filtering the composites, then interpolating to days, is the usual
    TIMESAT-style reconstruction; the composite date is the first day of the
    compositing period, as in the MODIS file names.
    """
    from scipy.signal import savgol_filter

    da = composites.transpose("time", ...)
    values = np.asarray(da.values, dtype=float)
    empty = ~np.isfinite(values).any(axis=0)
    filled = _fill_gaps(values)
    n = values.shape[0]
    length = min(window, n if n % 2 else n - 1)
    if length > polyorder:
        filled = savgol_filter(filled, length, polyorder, axis=0, mode="interp")
    filled[:, empty] = np.nan
    smooth = da.copy(data=filled.astype(np.float32))
    wanted = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    times = pd.DatetimeIndex(smooth["time"].values)
    clamped = np.clip(wanted.values, times.values.min(), times.values.max())  # outside: nearest end
    daily = smooth.interp(time=clamped).assign_coords(time=wanted)
    daily.attrs.update(composites.attrs)
    return daily
