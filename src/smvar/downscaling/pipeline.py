"""The downscaling of Yin et al. 2023 (section 2.3.1, Eq. 1-4) from the input contract.

Provides
--------
DownscalingResult
    Daily 1 km soil moisture with every record of how it was made: the
    coefficient table, the fallback of each (day, class), the source of each
    0.25 degree value, the correction Δθ and the clipping counts.
downscale
    Inputs (:class:`smvar.inputs.Inputs`) and the three grids to the daily
    1 km soil moisture. Works on numpy- and dask-backed inputs alike: the days
    are processed in blocks (31 by default) so that memory stays bounded.

The monthly means of the daily field, the cube every later section uses, are
:func:`smvar.composites.monthly_mean`.

Notes
-----
Per block of days: ΔLST at 0.1 degree (reanalysis) and 1 km (MODIS role);
classes (land-cover group x NDVI level) at both scales; Eq. 1 fits per day
and class (:mod:`.regression`); Eq. 2 at every basin pixel (:mod:`.apply`);
Eq. 3-4 with the CCI-role product, else the SMOPS-role one
(:mod:`.correction`); clipping to [0, saturated water content].
Only pixels inside the basin (``basin_mask`` = 1) are estimated; the mean of
Eq. 3 is taken over the basin pixels of each 0.25 degree cell.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from smvar.downscaling.apply import apply_coefficients, lst_difference
from smvar.downscaling.classes import (
    EXCLUDED,
    LAND_COVER_GROUPS,
    NDVI_LEVELS,
    class_code,
    coarse_land_cover,
    coarse_ndvi,
    group_land_cover,
    ndvi_level,
)
from smvar.downscaling.correction import (
    SOURCES,
    bilinear_weights,
    clip_to_range,
    interpolation_matrix,
    coarse_product,
    correct_to_coarse,
)
from smvar.downscaling.regression import FALLBACKS, ClassFits, fit_classes
from smvar.grid import FineGrid, GeoGrid, block_mean, fine_to_coarse_index

if TYPE_CHECKING:
    from smvar.config import BasinConfig
    from smvar.inputs import Inputs

__all__ = ["CORRECTIONS", "DownscalingResult", "StaticLayers", "downscale", "static_layers",
           "warn_of_empty_months"]

CORRECTIONS: tuple[str, ...] = ("even", "smooth", "interpolated")

SM_ATTRS = {"units": "m3 m-3", "long_name": "downscaled surface soil moisture",
            "standard_name": "volume_fraction_of_condensed_water_in_soil",
            "method": "Yin et al. 2023 section 2.3.1, Eq. 1-4"}


@dataclass
class DownscalingResult:
    """Everything :func:`downscale` produces.

    Attributes
    ----------
    sm : xarray.DataArray, (time, y, x), float32, m3 m-3
        Daily 1 km soil moisture after correction and clipping; NaN outside the
        basin and where no estimate could be made.
    coefficients : xarray.Dataset, (time, land_cover, ndvi_level)
        ``a`` (m3 m-3 K-1), ``b`` (m3 m-3), ``n`` and ``r2`` of the fit used,
        ``fallback`` (code into ``FALLBACKS``) and ``n_class`` (cells of the
        class itself).
    sources : xarray.DataArray, (time, lat, lon), int8
        Which 0.25 degree product corrected each cell: 0 cci, 1 smops, 2 none.
    delta : xarray.DataArray, (time, lat, lon), float32, m3 m-3
        Δθ of Eq. 3 (NaN where the cell holds no valid pixel or no product value).
    clipping : xarray.Dataset, (time,)
        ``n_low`` and ``n_high`` (pixels clipped to 0 and to the saturated
        water content), ``n_valid`` (pixels with a value) and
        ``max_cell_shift`` (largest change, m3 m-3, that clipping made to the
        mean of a 0.25 degree cell: the departure from Eq. 3-4's exact mean).
    sm_alternative : xarray.DataArray or None
        Like ``sm`` with the ``alternative`` rule of :func:`downscale`, if asked.
    """

    sm: xr.DataArray
    coefficients: xr.Dataset
    sources: xr.DataArray
    delta: xr.DataArray
    clipping: xr.Dataset
    sm_alternative: xr.DataArray | None = None

    def summary(self) -> dict[str, float]:
        """Shares of fallbacks and sources, and clipped shares, as plain numbers."""
        fallback = self.coefficients["fallback"].values.ravel()
        source = self.sources.values.ravel()
        n_valid = max(int(self.clipping["n_valid"].sum()), 1)
        out = {f"fallback_{name}": float(np.mean(fallback == k)) for k, name in enumerate(FALLBACKS)}
        out.update({f"source_{name}": float(np.mean(source == k)) for k, name in enumerate(SOURCES)})
        out["clipped_low"] = int(self.clipping["n_low"].sum()) / n_valid
        out["clipped_high"] = int(self.clipping["n_high"].sum()) / n_valid
        out["max_cell_shift"] = float(self.clipping["max_cell_shift"].max())
        return out


@dataclass
class StaticLayers:
    """What does not change from day to day."""

    pixels: np.ndarray  # flat fine indices of the basin pixels estimated
    cell25: np.ndarray  # 0.25 degree cell of each pixel
    group: np.ndarray  # land-cover group of each pixel
    upper: np.ndarray  # saturated water content of each pixel
    index01: np.ndarray  # (ny, nx) 0.1 degree cell of each fine cell
    group01: np.ndarray  # majority group of each 0.1 degree cell, -1 if unused
    smooth: tuple | None  # bilinear corners, weights and their sparse matrix, or None


def downscale(
    inputs: "Inputs",
    fine_grid: FineGrid,
    reanalysis_grid: GeoGrid,
    microwave_grid: GeoGrid,
    config: "BasinConfig",
    *,
    block_days: int = 31,
    basin_fraction: float = 0.5,
    min_dlst_std: float = 0.1,
    correction: str = "even",
    alternative: str | None = None,
    warn_empty_months: bool = True,
    static: "StaticLayers | None" = None,
) -> DownscalingResult:
    """Daily 1 km soil moisture by Eq. 1-4 of Yin et al. 2023.

    Parameters
    ----------
    inputs : smvar.inputs.Inputs
        Fine dataset with ``landcover``, ``basin_mask``,
        ``saturated_water_content``, daily ``lst_day``, ``lst_night`` (K) and
        ``ndvi``; reanalysis dataset with ``sm`` (m3 m-3), ``lst_day``,
        ``lst_night`` (K); microwave dataset with ``sm_cci`` and ``sm_smops``
        (m3 m-3). numpy- or dask-backed.
    fine_grid, reanalysis_grid, microwave_grid : FineGrid, GeoGrid, GeoGrid
        The 1 km, 0.1 degree and 0.25 degree grids of the inputs.
    config : smvar.config.BasinConfig
        Uses ``downscaling.ndvi_breaks`` and ``downscaling.min_cells_per_class``.
    block_days : int, default 31
        Days processed together; bounds memory (about 0.5 GB per 31 days on
        the default 559 x 434 grid).
    basin_fraction : float, default 0.5
        A 0.1 degree cell takes part in the Eq. 1 fits when at least this
        share of its 1 km cells lies in the basin.
    min_dlst_std : float, default 0.1
        Smallest ΔLST standard deviation (K) of a usable fit.
    correction : {"even", "smooth", "interpolated"}, default "even"
        How Δθ of Eq. 3 reaches the pixels. "even": added evenly to every
        pixel of the 0.25 degree cell (Eq. 4, as the paper does). "smooth"
        (ours): interpolated bilinearly between cell centres, then evened out
        so that each cell's mean is still exact. "interpolated" (ours):
        interpolated bilinearly between cell centres and left so; the cell
        means are then close to, not equal to, the product's values. The
        parameter file's ``downscaling.correction`` chooses it in a run.
    alternative : str, optional
        A second rule, applied to the same Eq. 2 field; its clipped result is
        returned as ``sm_alternative`` (for comparing the rules on the twin).
    warn_empty_months : bool, default True
        False when the caller downscales a run in pieces and warns once about
        the whole (:mod:`smvar.downscaling.stream`).
    static : StaticLayers, optional
        From :func:`static_layers` with the same inputs, grids, rules and
        ``basin_fraction``: saves preparing them again for every piece.

    Returns
    -------
    DownscalingResult

    Warns
    -----
    UserWarning
        Naming the month, when a month has no valid reanalysis data (its days
        get no value) or no valid 0.25 degree value (its days stay uncorrected).
    """
    if alternative is not None and alternative not in CORRECTIONS:
        raise ValueError(f"downscale: alternative={alternative!r}; use one of {', '.join(CORRECTIONS)}")
    if correction not in CORRECTIONS:
        raise ValueError(f"downscale: correction={correction!r}; use 'even' (Eq. 4 of the paper), "
                         "'smooth' or 'interpolated'")
    fine, re, mw = inputs.fine, inputs.reanalysis, inputs.microwave
    _check_inputs(fine, re, mw, fine_grid, reanalysis_grid, microwave_grid)
    settings = config.downscaling
    rules = (correction,) if alternative is None else (correction, alternative)
    if static is None:
        static = static_layers(fine, fine_grid, reanalysis_grid, microwave_grid, rules, basin_fraction)
    basin01 = static.group01 >= 0
    times = fine["time"]
    re = _on_days(re, times, "reanalysis")
    mw = _on_days(mw, times, "microwave")
    n_days, (ny, nx) = times.size, fine_grid.shape
    out = np.full((n_days, ny * nx), np.nan, dtype=np.float32)
    out_alt = None if alternative is None else np.full((n_days, ny * nx), np.nan, dtype=np.float32)
    fits, sources, deltas, clip = [], [], [], []
    for start in range(0, n_days, block_days):
        days = slice(start, min(start + block_days, n_days))
        fit, source, delta, counts, values = _one_block(
            fine, re, mw, days, static, basin01, settings, min_dlst_std, rules
        )
        out[days][:, static.pixels] = values[0]
        if out_alt is not None:
            out_alt[days][:, static.pixels] = values[1]
        fits.append(fit), sources.append(source), deltas.append(delta), clip.append(counts)
    result = _assemble(out.reshape(n_days, ny, nx), times, fine_grid, microwave_grid,
                       fits, sources, deltas, clip)
    result.sm.attrs["correction"] = correction
    if out_alt is not None:
        result.sm_alternative = result.sm.copy(data=out_alt.reshape(n_days, ny, nx))
        result.sm_alternative.attrs["correction"] = alternative
    if warn_empty_months:
        warn_of_empty_months(result)
    return result


# ---------------------------------------------------------------- the steps
def _one_block(fine, re, mw, days, static, basin01, settings, min_dlst_std, rules):
    ny, nx = fine.sizes["y"], fine.sizes["x"]
    lst_day = _load(fine["lst_day"], days).reshape(-1, ny * nx)
    lst_night = _load(fine["lst_night"], days).reshape(-1, ny * nx)
    ndvi = _load(fine["ndvi"], days).reshape(-1, ny * nx)
    n01 = static.group01.size
    # Eq. 1 at 0.1 degree.
    ndvi01 = coarse_ndvi(ndvi.reshape(-1, ny, nx), static.index01, n01)
    classes01 = class_code(static.group01[None, :], ndvi_level(ndvi01, settings.ndvi_breaks))
    classes01 = np.where(basin01[None, :], classes01, EXCLUDED)
    theta01 = _load(re["sm"], days).reshape(classes01.shape)
    dlst01 = lst_difference(_load(re["lst_day"], days), _load(re["lst_night"], days)).reshape(classes01.shape)
    fit = fit_classes(theta01, dlst01, classes01, settings.min_cells_per_class, min_dlst_std)
    # Eq. 2 at 1 km, basin pixels only.
    pix = static.pixels
    classes = class_code(static.group[None, :], ndvi_level(ndvi[:, pix], settings.ndvi_breaks))
    theta = apply_coefficients(lst_difference(lst_day[:, pix], lst_night[:, pix]), classes, fit.a, fit.b)
    del lst_day, lst_night, ndvi
    # Eq. 3-4 with the 0.25 degree product, then the physical range.
    n_t = theta.shape[0]
    coarse, source = coarse_product(_load(mw["sm_cci"], days).reshape(n_t, -1),
                                    _load(mw["sm_smops"], days).reshape(n_t, -1))
    values = []
    for k, rule in enumerate(rules):
        smooth = static.smooth if rule != "even" else None
        corrected, delta_k = correct_to_coarse(theta, static.cell25, coarse, smooth, rule != "interpolated")
        clipped, n_low, n_high = clip_to_range(corrected, static.upper)
        if k == 0:  # the records describe the run's own rule
            delta = delta_k
            shift = _max_cell_shift(clipped - corrected, corrected, static.cell25, coarse.shape[1])
            counts = np.stack([n_low, n_high, np.isfinite(clipped).sum(axis=1)], axis=1)
        values.append(clipped.astype(np.float32))
    return fit, source, delta, (counts, shift), values


def _max_cell_shift(change: np.ndarray, values: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Largest absolute change of a 0.25 degree cell's mean, per day (m3 m-3)."""
    n_days = change.shape[0]
    valid = np.isfinite(values)
    key = (np.arange(n_days)[:, None] * n_cells + cell[None, :])[valid]
    sums = np.bincount(key, weights=change[valid], minlength=n_days * n_cells)
    counts = np.bincount(key, minlength=n_days * n_cells)
    shift = np.abs(sums) / np.maximum(counts, 1)
    return shift.reshape(n_days, n_cells).max(axis=1, initial=0.0)


def static_layers(fine: xr.Dataset, fine_grid: FineGrid, reanalysis_grid: GeoGrid, microwave_grid: GeoGrid,
                  rules: tuple[str, ...] = ("even",), basin_fraction: float = 0.5) -> "StaticLayers":
    """What :func:`downscale` needs that does not change from day to day.

    Parameters
    ----------
    fine : xarray.Dataset
        The fine dataset (``basin_mask``, ``landcover``, ``saturated_water_content``).
    fine_grid, reanalysis_grid, microwave_grid
        The grids of the inputs.
    rules : tuple of str
        The correction rules that will be used (bilinear weights are prepared
        if one of them needs them).
    basin_fraction : float
        As in :func:`downscale`.
    """
    basin = np.asarray(fine["basin_mask"].values) > 0
    group = group_land_cover(np.asarray(fine["landcover"].values))
    index01 = fine_to_coarse_index(fine_grid, reanalysis_grid)
    index25 = fine_to_coarse_index(fine_grid, microwave_grid)
    n01 = reanalysis_grid.size
    group01 = coarse_land_cover(group, index01, n01)
    share = block_mean(basin.astype(float), index01, n01)
    group01 = np.where(np.nan_to_num(share) >= basin_fraction, group01, EXCLUDED).astype(np.int8)
    pixels = np.flatnonzero(basin.ravel() & (index25.ravel() >= 0) & (group.ravel() >= 0))
    upper = np.asarray(fine["saturated_water_content"].values, dtype=np.float64).ravel()[pixels]
    smooth = None
    if {"smooth", "interpolated"} & set(rules):
        lon, lat = fine_grid.lonlat
        corners, weights = bilinear_weights(microwave_grid.lat, microwave_grid.lon,
                                            lat.ravel()[pixels], lon.ravel()[pixels])
        smooth = (corners, weights, interpolation_matrix(corners, weights, microwave_grid.size))
    return StaticLayers(pixels=pixels, cell25=index25.ravel()[pixels], group=group.ravel()[pixels],
                   upper=upper, index01=index01, group01=group01, smooth=smooth)


def _load(var: xr.DataArray, days: slice) -> np.ndarray:
    """One block of days as a numpy array (computes dask-backed data)."""
    return np.asarray(var.isel(time=days).values, dtype=np.float64)


def _on_days(ds: xr.Dataset, times: xr.DataArray, name: str) -> xr.Dataset:
    """The dataset on the fine dataset's days; days it lacks become NaN."""
    if "time" not in ds.dims:
        raise ValueError(f"downscale: the {name} dataset has no 'time' dimension; it needs daily values")
    if not np.isin(times.values, ds["time"].values).any():
        raise ValueError(
            f"downscale: the {name} dataset shares no day with the fine dataset "
            f"({str(ds['time'].values[0])[:10]}... vs {str(times.values[0])[:10]}...); "
            "give both the same daily time coordinate (dates at 00:00)"
        )
    return ds.reindex(time=times)


def _check_inputs(fine, re, mw, fine_grid, reanalysis_grid, microwave_grid) -> None:
    needs = {"fine": (fine, ["lst_day", "lst_night", "ndvi", "landcover", "basin_mask",
                             "saturated_water_content"], ("y", "x"), fine_grid.shape),
             "reanalysis": (re, ["sm", "lst_day", "lst_night"], ("lat", "lon"), reanalysis_grid.shape),
             "microwave": (mw, ["sm_cci", "sm_smops"], ("lat", "lon"), microwave_grid.shape)}
    for where, (ds, names, dims, shape) in needs.items():
        for name in names:
            if name not in ds:
                raise ValueError(f"downscale: the {where} dataset has no variable {name!r}; "
                                 "see smvar.inputs.CONTRACT for what it must hold")
            got = tuple(ds[name].sizes[d] for d in dims if d in ds[name].dims)
            if got != shape:
                raise ValueError(
                    f"downscale: {where} variable {name!r} has {dims} sizes {got}, but the "
                    f"{where} grid is {shape}; build the grids from the same basin file as the inputs"
                )


# ---------------------------------------------------------------- assembling
def _assemble(sm, times, fine_grid, microwave_grid, fits, sources, deltas, clip) -> DownscalingResult:
    coords = {"time": times, **fine_grid.coords()}
    sm_da = xr.DataArray(sm, dims=("time", "y", "x"), coords=coords, name="sm",
                         attrs={**SM_ATTRS, "crs": fine_grid.crs})
    geo = {"time": times, **microwave_grid.coords()}
    shape = (times.size, *microwave_grid.shape)
    sources_da = xr.DataArray(np.concatenate(sources).reshape(shape), dims=("time", "lat", "lon"),
                              coords=geo, name="source",
                              attrs={"flag_values": list(range(len(SOURCES))),
                                     "flag_meanings": " ".join(SOURCES)})
    delta_da = xr.DataArray(np.concatenate(deltas).reshape(shape).astype(np.float32),
                            dims=("time", "lat", "lon"), coords=geo, name="delta",
                            attrs={"units": "m3 m-3", "long_name": "correction of Eq. 3"})
    counts = np.concatenate([c for c, _ in clip])
    shift = np.concatenate([s for _, s in clip])
    clipping = xr.Dataset(
        {"n_low": ("time", counts[:, 0]), "n_high": ("time", counts[:, 1]),
         "n_valid": ("time", counts[:, 2]),
         "max_cell_shift": ("time", shift, {"units": "m3 m-3"})}, coords={"time": times})
    return DownscalingResult(sm=sm_da, coefficients=_coefficients(fits, times), sources=sources_da,
                             delta=delta_da, clipping=clipping)


def _coefficients(fits: list[ClassFits], times: xr.DataArray) -> xr.Dataset:
    dims = ("time", "land_cover", "ndvi_level")
    shape = (times.size, len(LAND_COVER_GROUPS), len(NDVI_LEVELS))

    def stack(name):
        return np.concatenate([getattr(f, name) for f in fits]).reshape(shape)

    return xr.Dataset(
        {"a": (dims, stack("a"), {"units": "m3 m-3 K-1", "long_name": "slope of Eq. 1"}),
         "b": (dims, stack("b"), {"units": "m3 m-3", "long_name": "intercept of Eq. 1"}),
         "n": (dims, stack("n"), {"long_name": "0.1 degree cells in the fit used"}),
         "r2": (dims, stack("r2"), {"long_name": "R2 of the fit used"}),
         "fallback": (dims, stack("fallback"), {"flag_values": list(range(len(FALLBACKS))),
                                                "flag_meanings": " ".join(FALLBACKS)}),
         "n_class": (dims, stack("n_class"), {"long_name": "0.1 degree cells in the class itself"})},
        coords={"time": times, "land_cover": list(LAND_COVER_GROUPS), "ndvi_level": list(NDVI_LEVELS)},
    )


def warn_of_empty_months(result: DownscalingResult) -> None:
    """Warn, month by month, where no class could be fitted or no product covered the basin."""
    months = pd.DatetimeIndex(result.sm["time"].values).to_period("M")
    no_fit = (result.coefficients["fallback"] == FALLBACKS.index("none")).all(("land_cover", "ndvi_level"))
    no_product = (result.sources == SOURCES.index("none")).all(("lat", "lon"))
    for month in months.unique():
        days = np.asarray(months == month)
        if bool(no_fit.values[days].all()):
            warnings.warn(
                f"downscale: month {month} has no valid reanalysis data (sm, lst_day, lst_night at "
                "0.1 degree) on any day, so Eq. 1 could not be fitted and its days have no "
                "downscaled value; check the reanalysis input for that month", stacklevel=3)
        if bool(no_product.values[days].all()):
            warnings.warn(
                f"downscale: month {month} has no valid 0.25 degree soil moisture (sm_cci nor "
                "sm_smops) on any day, so its values are left uncorrected (Eq. 2 only); check "
                "the microwave input for that month", stacklevel=3)
