"""Constructed inputs with a planted linear relation, for tests, benchmarks and teaching.

Provides
--------
constructed_config
    A tiny basin parameter set (about 70 x 65 km, 2 km cells) for tests.
constructed_inputs
    Inputs that satisfy the contract's downscaling variables, in which the
    0.1 degree soil moisture is *exactly* a·ΔLST + b with known a and b for
    every day and class, so that a correct Eq. 1 fit recovers them exactly.

Notes
-----
This is not the synthetic twin (:mod:`smvar.synthetic`): it builds in the
method's own assumption, so it can check the code but not the method's skill.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from smvar.config import BasinConfig
from smvar.downscaling.classes import N_CLASSES, class_code, coarse_land_cover, group_land_cover, ndvi_level
from smvar.grid import analysis_grid, block_mean, fine_to_coarse_index, microwave_grid, reanalysis_grid
from smvar.inputs import Inputs

__all__ = ["constructed_config", "constructed_inputs"]

_DOMINANT = np.array([1, 6, 7, 10, 12, 14, 16, 13])


def constructed_config(
    start: str = "2020-01-01", end: str = "2020-02-29", resolution_m: float = 2000.0, min_cells: int = 3
) -> BasinConfig:
    """A tiny basin in the middle Heihe for tests: 0.6 x 0.75 degree, daily.

    Parameters
    ----------
    start, end : str
        First and last day, ISO dates.
    resolution_m : float, default 2000
        Fine cell size, m (2 km keeps tests fast).
    min_cells : int, default 3
        ``downscaling.min_cells_per_class``.
    """
    import datetime as dt

    return BasinConfig.model_validate({
        "name": "constructed", "title": "constructed test basin",
        "extent": {"south": 39.0, "north": 39.6, "west": 100.0, "east": 100.75},
        "period": {"start": dt.date.fromisoformat(start), "end": dt.date.fromisoformat(end)},
        "resolution_m": float(resolution_m),
        "crs": "+proj=aea +lat_0=40.2 +lon_0=99.55 +lat_1=38.5 +lat_2=41.9 +datum=WGS84 +units=m +no_defs",
        "downscaling": {"min_cells_per_class": min_cells},
    })


def constructed_inputs(
    config: BasinConfig, *, seed: int = 0, cci_gap_share: float = 0.3, dtype: type = np.float32
) -> tuple[Inputs, dict[str, np.ndarray]]:
    """Inputs on the grids of ``config`` with a planted Eq. 1 relation.

    Parameters
    ----------
    config : BasinConfig
        Extent, period, resolutions and NDVI breaks.
    seed : int, default 0
        Seed of every random draw.
    cci_gap_share : float, default 0.3
        Share of 0.25 degree cells and days where ``sm_cci`` is NaN.
    dtype : numpy dtype, default float32
        Of the daily fine-grid variables.

    Returns
    -------
    inputs : Inputs
        Fine ``landcover``, ``basin_mask`` (an ellipse), ``saturated_water_content``,
        ``lst_day``, ``lst_night`` (K), ``ndvi``, ``sm_reference``, ``sm_truth``;
        reanalysis ``sm``, ``lst_day``, ``lst_night``; microwave ``sm_cci``, ``sm_smops``.
    planted : dict
        ``a`` (m3 m-3 K-1) and ``b`` (m3 m-3), each (n_days, 12), and
        ``classes01`` (n_days, n_cells) the class of each 0.1 degree cell.
    """
    rng = np.random.default_rng(seed)
    fine_g, re_g, mw_g = analysis_grid(config), reanalysis_grid(config), microwave_grid(config)
    times = pd.DatetimeIndex(config.dates())
    n_t, (ny, nx) = times.size, fine_g.shape
    index01 = fine_to_coarse_index(fine_g, re_g)
    landcover = _landcover(rng, index01, re_g.size)
    basin = _ellipse(ny, nx)
    # 1 km daily fields: ΔLST 5-25 K, NDVI around a per-0.1-degree-cell value.
    dlst = (5 + 20 * rng.random((n_t, ny, nx), dtype=np.float32)).astype(dtype)
    ndvi01 = rng.uniform(0.02, 0.9, re_g.size)
    ndvi = (ndvi01[np.maximum(index01, 0)][None] + 0.02 * rng.standard_normal((n_t, ny, nx))).astype(dtype)
    night = (265 + 20 * np.sin(np.linspace(0, np.pi, n_t)))[:, None, None].astype(dtype)
    # The planted relation and its classes at 0.1 degree.
    a = rng.uniform(-0.015, -0.004, (n_t, N_CLASSES))
    b = rng.uniform(0.25, 0.40, (n_t, N_CLASSES))
    group01 = coarse_land_cover(group_land_cover(landcover), index01, re_g.size)
    classes01 = class_code(group01[None], ndvi_level(block_mean(ndvi, index01, re_g.size),
                                                     config.downscaling.ndvi_breaks))
    dlst01 = block_mean(dlst, index01, re_g.size) + rng.normal(0, 1.0, (n_t, re_g.size))
    sm01 = _planted(a, b, classes01, dlst01)
    classes = class_code(group_land_cover(landcover)[None], ndvi_level(ndvi, config.downscaling.ndvi_breaks))
    truth = _planted(a, b, classes.reshape(n_t, -1), dlst.reshape(n_t, -1)).reshape(n_t, ny, nx)
    fine = _fine_dataset(fine_g, times, landcover, basin, dlst, night, ndvi, truth, rng, dtype)
    reanalysis = _geo_dataset(re_g, times, {"sm": sm01, "lst_day": 270 + dlst01, "lst_night": np.full_like(dlst01, 270.0)})
    index25 = fine_to_coarse_index(fine_g, mw_g)
    mean25 = block_mean(truth, index25, mw_g.size)
    smops = mean25 + rng.normal(0, 0.02, mean25.shape)
    cci = np.where(rng.random(mean25.shape) < cci_gap_share, np.nan, mean25 + rng.normal(0, 0.005, mean25.shape))
    microwave = _geo_dataset(mw_g, times, {"sm_cci": cci, "sm_smops": smops})
    return Inputs(fine=fine, reanalysis=reanalysis, microwave=microwave), {"a": a, "b": b, "classes01": classes01}


def _planted(a, b, classes, x):
    """a[t, class] * x + b[t, class], NaN where class is -1."""
    n_t = a.shape[0]
    key = np.arange(n_t)[:, None] * a.shape[1] + np.maximum(classes, 0)
    out = a.ravel()[key] * x + b.ravel()[key]
    return np.where(classes >= 0, out, np.nan)


def _landcover(rng, index01, n01):
    dominant = rng.choice(_DOMINANT, size=n01)
    lc = dominant[np.maximum(index01, 0)]
    other = rng.random(index01.shape)
    lc = np.where(other < 0.15, rng.choice(np.arange(1, 18), size=index01.shape), lc)
    return np.where(index01 >= 0, lc, 16).astype(np.int16)


def _ellipse(ny, nx):
    yy, xx = np.mgrid[0:ny, 0:nx]
    return (((yy - ny / 2) / (0.48 * ny)) ** 2 + ((xx - nx / 2) / (0.48 * nx)) ** 2 <= 1).astype(np.int8)


def _fine_dataset(grid, times, landcover, basin, dlst, night, ndvi, truth, rng, dtype):
    dims3 = ("time", "y", "x")
    sat = np.full(grid.shape, 0.45)
    reference = truth + rng.normal(0, 0.02, truth.shape)
    data = {
        "landcover": (("y", "x"), landcover, {"units": "1"}),
        "basin_mask": (("y", "x"), basin, {"units": "1"}),
        "saturated_water_content": (("y", "x"), sat, {"units": "m3 m-3"}),
        "lst_day": (dims3, (night + dlst).astype(dtype), {"units": "K"}),
        "lst_night": (dims3, np.broadcast_to(night, dlst.shape).astype(dtype), {"units": "K"}),
        "ndvi": (dims3, ndvi, {"units": "1"}),
        "sm_truth": (dims3, truth.astype(dtype), {"units": "m3 m-3"}),
        "sm_reference": (dims3, reference.astype(dtype), {"units": "m3 m-3"}),
    }
    return xr.Dataset(data, coords={"time": times, **grid.coords()})


def _geo_dataset(grid, times, variables):
    shape = (times.size, *grid.shape)
    units = {"lst_day": "K", "lst_night": "K"}
    data = {name: (("time", "lat", "lon"), np.asarray(v, float).reshape(shape), {"units": units.get(name, "m3 m-3")})
            for name, v in variables.items()}
    return xr.Dataset(data, coords={"time": times, **grid.coords()})
