"""Validation of the downscaled soil moisture: the paper's Fig. 2 and a twin experiment.

Provides
--------
metrics
    N, Pearson R, RMSE, bias and unbiased RMSE of an estimate against a reference.
validate_against_reference
    Seeded random basin pixels compared with the 1 km reference product
    (``sm_reference``, the SMCI role) on the validation dates, as in Fig. 2 of
    Yin et al. 2023: a table per date and the sampled pairs for the scatter.
microwave_product
    The 0.25 degree product of the correction (CCI where it has a value, else SMOPS).
bilinear_baseline
    A naive 1 km field: the 0.25 degree product interpolated bilinearly in
    latitude and longitude at the 1 km cell centres.
daily_errors
    The metrics of every day over the basin pixels (estimate against truth).
twin_skill
    Daily RMSE against the synthetic truth of the downscaled field and of the
    baseline, with medians and the share of days the downscaled field wins.
coefficients_by_month
    The Eq. 1 coefficient table by month: mean a, b, N and R² per class.

Notes
-----
bias = mean(estimate − reference); unbiased RMSE = sqrt(RMSE² − bias²), the
RMSE after removing each side's mean. All metrics are in m3 m-3 except N and R.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from smvar.downscaling.correction import bilinear_weights, interpolate_cells, interpolation_matrix
from smvar.grid import FineGrid

__all__ = [
    "metrics",
    "row_metrics",
    "validate_against_reference",
    "microwave_product",
    "bilinear_baseline",
    "BilinearBaseline",
    "daily_errors",
    "twin_skill",
    "skill_summary",
    "coefficients_by_month",
]

METRICS = ("n", "r", "rmse", "bias", "ubrmse")


def metrics(estimate: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """N, Pearson R, RMSE, bias and unbiased RMSE over the pairs where both are finite.

    Parameters
    ----------
    estimate, reference : numpy.ndarray
        Soil moisture, m3 m-3, same shape.

    Returns
    -------
    dict
        ``n`` (pairs), ``r`` (NaN with fewer than 2 pairs or no spread),
        ``rmse``, ``bias`` (estimate minus reference) and ``ubrmse``, m3 m-3.
    """
    est = np.asarray(estimate, dtype=np.float64).ravel()[None, :]
    ref = np.asarray(reference, dtype=np.float64).ravel()[None, :]
    row = row_metrics(est, ref)
    return {k: (int(v[0]) if k == "n" else float(v[0])) for k, v in row.items()}


def row_metrics(est: np.ndarray, ref: np.ndarray) -> dict[str, np.ndarray]:
    """The metrics along axis 1 of two (rows, values) arrays, vectorised over rows."""
    ok = np.isfinite(est) & np.isfinite(ref)
    n = ok.sum(axis=1)
    e, r = np.where(ok, est, 0.0), np.where(ok, ref, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        me, mr = e.sum(axis=1) / n, r.sum(axis=1) / n
        de = np.where(ok, est - me[:, None], 0.0)
        dr = np.where(ok, ref - mr[:, None], 0.0)
        cov = (de * dr).sum(axis=1)
        corr = cov / np.sqrt((de**2).sum(axis=1) * (dr**2).sum(axis=1))
        corr = np.where(n >= 2, corr, np.nan)
        rmse = np.sqrt((np.where(ok, est - ref, 0.0) ** 2).sum(axis=1) / n)
        ubrmse = np.sqrt(((de - dr) ** 2).sum(axis=1) / n)
    return {"n": n, "r": corr, "rmse": rmse, "bias": me - mr, "ubrmse": ubrmse}


def validate_against_reference(
    sm: xr.DataArray,
    reference: xr.DataArray,
    basin_mask: xr.DataArray,
    dates: Sequence[str] = ("01-15", "04-15", "07-15", "10-15"),
    n_pixels: int = 1000,
    seed: int = 7,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare random basin pixels with the 1 km reference on the validation dates (Fig. 2).

    Parameters
    ----------
    sm : xarray.DataArray, (time, y, x)
        Downscaled soil moisture, m3 m-3.
    reference : xarray.DataArray, (time, y, x)
        The 1 km reference product (``sm_reference``, the SMCI role), m3 m-3.
    basin_mask : xarray.DataArray, (y, x)
        1 inside the basin.
    dates : sequence of str, default the paper's four
        ``"MM-DD"`` in the year of ``sm``; a date not in ``sm`` is replaced by
        the nearest day there, with a warning (``date_used`` says which).
    n_pixels : int, default 1000
        Pixels drawn at random, without replacement, among the basin pixels;
        the same pixels serve every date.
    seed : int, default 7
        Seed of the draw (``downscaling.seed``).

    Returns
    -------
    table : pandas.DataFrame
        One row per date: ``date``, ``date_used`` and the :func:`metrics`.
    samples : pandas.DataFrame
        The pairs for the scatter: ``date``, ``y``, ``x``, ``downscaled``, ``reference``.
    """
    inside = np.flatnonzero(np.asarray(basin_mask.values).ravel() > 0)
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(inside, size=min(n_pixels, inside.size), replace=False))
    rows, cols = np.unravel_index(chosen, basin_mask.shape)
    times = pd.DatetimeIndex(sm["time"].values)
    table, samples = [], []
    for date in dates:
        wanted = pd.Timestamp(f"{times[0].year}-{date}")
        used = times[np.abs(times - wanted).argmin()]
        if used != wanted:
            warnings.warn(f"validate_against_reference: {wanted.date()} is not among the days "
                          f"analysed; using the nearest day, {used.date()}", stacklevel=2)
        est = _pick(sm, used, rows, cols)
        ref = _pick(reference, used, rows, cols)
        table.append({"date": wanted.date(), "date_used": used.date(), **metrics(est, ref)})
        samples.append(pd.DataFrame({"date": wanted.date(), "y": sm["y"].values[rows],
                                     "x": sm["x"].values[cols], "downscaled": est, "reference": ref}))
    return pd.DataFrame(table), pd.concat(samples, ignore_index=True)


def _pick(field: xr.DataArray, day: pd.Timestamp, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    layer = np.asarray(field.sel(time=day).values, dtype=np.float64)
    return layer[rows, cols]


def microwave_product(microwave: xr.Dataset) -> xr.DataArray:
    """The 0.25 degree soil moisture of the correction: ``sm_cci`` where valid, else ``sm_smops``.

    Parameters
    ----------
    microwave : xarray.Dataset
        With ``sm_cci`` and ``sm_smops`` (time, lat, lon), m3 m-3.

    Returns
    -------
    xarray.DataArray, (time, lat, lon), m3 m-3
    """
    combined = microwave["sm_cci"].where(microwave["sm_cci"].notnull(), microwave["sm_smops"])
    combined.attrs = {"units": "m3 m-3", "long_name": "CCI-role soil moisture, else SMOPS-role"}
    return combined.rename("sm_microwave")


def bilinear_baseline(
    coarse: xr.DataArray, fine_grid: FineGrid, mask: xr.DataArray | None = None, block_days: int = 31
) -> xr.DataArray:
    """The coarse product interpolated bilinearly to the 1 km cell centres (a naive baseline).

    Interpolation is in latitude and longitude between the four surrounding
    coarse cell centres, at each fine cell's longitude and latitude
    (:attr:`smvar.grid.FineGrid.lonlat`). Beyond the outermost centres the edge
    value is held. NaN corners are left out and the remaining weights
    renormalised.

    Parameters
    ----------
    coarse : xarray.DataArray, (time, lat, lon)
        For example :func:`microwave_product`, m3 m-3; regular lat and lon.
    fine_grid : FineGrid
        The 1 km grid.
    mask : xarray.DataArray, (y, x), optional
        Interpolate only where it is > 0 (NaN elsewhere); default everywhere.
    block_days : int, default 31
        Days interpolated together.

    Returns
    -------
    xarray.DataArray, (time, y, x), float32, m3 m-3
    """
    keep = np.ones(fine_grid.shape, bool) if mask is None else np.asarray(mask.values) > 0
    pix = np.flatnonzero(keep.ravel())
    baseline = BilinearBaseline(coarse, fine_grid, pix)
    n_days = coarse.sizes["time"]
    out = np.full((n_days, keep.size), np.nan, dtype=np.float32)
    for start in range(0, n_days, block_days):
        days = slice(start, start + block_days)
        out[days][:, pix] = baseline(days)
    coords = {"time": coarse["time"], **fine_grid.coords()}
    return xr.DataArray(out.reshape(n_days, *fine_grid.shape), dims=("time", "y", "x"), coords=coords,
                        name="sm_baseline", attrs={"units": "m3 m-3",
                                                   "long_name": "0.25 degree product, bilinear to 1 km"})


class BilinearBaseline:
    """The coarse product interpolated bilinearly at chosen 1 km pixels; the weights are made once.

    Parameters
    ----------
    coarse : xarray.DataArray, (time, lat, lon)
        For example :func:`microwave_product`, m3 m-3; regular lat and lon.
    fine_grid : FineGrid
        The 1 km grid.
    pixels : numpy.ndarray of int
        Flat indices of the fine cells wanted.
    """

    def __init__(self, coarse: xr.DataArray, fine_grid: FineGrid, pixels: np.ndarray) -> None:
        lon, lat = fine_grid.lonlat
        corners, weights = bilinear_weights(coarse["lat"].values, coarse["lon"].values,
                                            lat.ravel()[pixels], lon.ravel()[pixels])
        self.coarse = coarse
        n_cells = coarse["lat"].size * coarse["lon"].size
        self.weights = (corners, weights, interpolation_matrix(corners, weights, n_cells))

    def __call__(self, days: slice | np.ndarray) -> np.ndarray:
        """(days, pixels) float64, m3 m-3: a slice of the time axis, or dates (a date it lacks gives NaN)."""
        part = self.coarse.isel(time=days) if isinstance(days, slice) else self.coarse.reindex(time=days)
        values = np.asarray(part.values, dtype=np.float64)
        return interpolate_cells(values.reshape(values.shape[0], -1), *self.weights)


def daily_errors(
    estimate: xr.DataArray, truth: xr.DataArray, mask: xr.DataArray | None = None, block_days: int = 31
) -> pd.DataFrame:
    """The :func:`metrics` of every day, over the pixels where ``mask`` > 0.

    Parameters
    ----------
    estimate, truth : xarray.DataArray, (time, y, x)
        m3 m-3, on the same days and grid.
    mask : xarray.DataArray, (y, x), optional
        Pixels to score (the basin); default all.
    block_days : int, default 31
        Days loaded together.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``time``; columns ``n``, ``r``, ``rmse``, ``bias``, ``ubrmse``.
    """
    n_days = estimate.sizes["time"]
    ny, nx = estimate.sizes["y"], estimate.sizes["x"]
    pix = np.arange(ny * nx) if mask is None else np.flatnonzero(np.asarray(mask.values).ravel() > 0)
    parts = []
    for start in range(0, n_days, block_days):
        days = slice(start, start + block_days)
        est = np.asarray(estimate.isel(time=days).values, dtype=np.float64).reshape(-1, ny * nx)[:, pix]
        ref = np.asarray(truth.isel(time=days).values, dtype=np.float64).reshape(-1, ny * nx)[:, pix]
        parts.append(pd.DataFrame(row_metrics(est, ref)))
    table = pd.concat(parts, ignore_index=True)
    table.index = pd.DatetimeIndex(estimate["time"].values, name="time")
    return table


def twin_skill(
    downscaled: xr.DataArray, baseline: xr.DataArray, truth: xr.DataArray, mask: xr.DataArray | None = None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Daily RMSE against the synthetic truth of the downscaled field and the baseline.

    Parameters
    ----------
    downscaled, baseline, truth : xarray.DataArray, (time, y, x)
        m3 m-3 (``truth`` is ``sm_truth`` of a synthetic run).
    mask : xarray.DataArray, (y, x), optional
        The basin. Both fields are scored on the same pixels: those where
        both have a value (the downscaled field has none over snow, ice and
        water, the baseline has).

    Returns
    -------
    daily : pandas.DataFrame
        Indexed by time: ``rmse_downscaled``, ``rmse_baseline``, ``r_downscaled``,
        ``r_baseline``, ``ubrmse_downscaled``, ``ubrmse_baseline``.
    summary : dict
        ``median_rmse_downscaled``, ``median_rmse_baseline`` (m3 m-3),
        ``share_days_better`` (share of days with a valid score on both where
        the downscaled RMSE is lower) and ``median_rmse_reduction`` (relative).
    """
    # Score both on the same pixels: where both fields and the truth have a value.
    both = downscaled.notnull() & baseline.notnull()
    ours = daily_errors(downscaled.where(both), truth, mask)
    base = daily_errors(baseline.where(both), truth, mask)
    daily = pd.concat({"downscaled": ours, "baseline": base}, axis=1)
    daily.columns = [f"{metric}_{name}" for name, metric in daily.columns]
    return daily, skill_summary(daily)


def skill_summary(daily: pd.DataFrame) -> dict[str, float]:
    """The summary of :func:`twin_skill` from its daily table (also from blocks of days joined)."""
    both = daily[["rmse_downscaled", "rmse_baseline"]].dropna()
    return {
        "median_rmse_downscaled": float(both["rmse_downscaled"].median()),
        "median_rmse_baseline": float(both["rmse_baseline"].median()),
        "share_days_better": float((both["rmse_downscaled"] < both["rmse_baseline"]).mean()),
        "median_rmse_reduction": float((1 - both["rmse_downscaled"] / both["rmse_baseline"]).median()),
        "n_days": int(len(both)),
    }


def coefficients_by_month(coefficients: xr.Dataset) -> pd.DataFrame:
    """The Eq. 1 coefficients by month and class: mean a, b, N, R², share of own fits.

    Parameters
    ----------
    coefficients : xarray.Dataset
        ``DownscalingResult.coefficients`` (time, land_cover, ndvi_level).

    Returns
    -------
    pandas.DataFrame
        Indexed by (month, land_cover, ndvi_level): ``a`` (m3 m-3 K-1), ``b``
        (m3 m-3), ``n`` and ``r2`` averaged over the month's days with a fit,
        and ``own_fit_share`` (share of days fitted on the class's own cells).
    """
    month = coefficients["time"].dt.month.rename("month")
    table = coefficients[["a", "b", "n", "r2"]].astype(float)
    table["n"] = table["n"].where(coefficients["fallback"] < 3)
    table["own_fit_share"] = (coefficients["fallback"] == 0).astype(float)
    means = table.groupby(month).mean("time", skipna=True)
    return means.to_dataframe()[["a", "b", "n", "r2", "own_fit_share"]]
