"""Assemble the synthetic twin into the input contract.

Provides
--------
generate
    ``generate(config) -> Inputs``: every variable of
    :data:`smvar.inputs.CONTRACT` plus ``sm_truth``, on the grids of a basin
    parameter file, deterministic for ``config.data.seed``.
static_fields
    The true time-invariant layers (terrain, basin, land cover, soils) as numpy
    arrays: they drive the water balance and the LST.
factor_maps
    The static driving factors as products of the truth with realistic errors
    (:mod:`smvar.synthetic.factors`): what the fine dataset carries.

Notes
-----
The twin is defined in geographic terms: every field is a function of
longitude, latitude and date (random fields keyed by location and date), so a
parameter file with a sub-extent (``data/basins/small.yaml``) crops the same
twin. Two things depend on the grid itself: the TWI (flow accumulation sees
only the cells of the grid) and the per-pixel sensor noise of the products.
The static factor maps of the fine dataset (soils, land cover, DEM and what
derives from it) and the monthly EVI and FVC are products of the true fields
with errors (:mod:`smvar.synthetic.factors`); the daily NDVI is the true one.
The water balance always starts 60 days before 1 January of the first year
and runs every day to the end of the last month, whatever ``step_days`` is, so
the truth of a date does not depend on the sampling of the period.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import xarray as xr

from smvar.config import BasinConfig
from smvar.grid import FineGrid, GeoGrid, analysis_grid, microwave_grid, reanalysis_grid
from smvar.inputs import CONTRACT, OPTIONAL, REANALYSIS_NAMES, Inputs
from smvar.synthetic import products
from smvar.synthetic import factors
from smvar.synthetic.basin import basin_mask, reach, river_distance_km
from smvar.synthetic.landcover import land_cover
from smvar.synthetic.lst import lst_pair
from smvar.synthetic.meteorology import Weather
from smvar.synthetic.soils import soil_properties
from smvar.synthetic.terrain import make_terrain, slope_aspect, topographic_wetness_index
from smvar.synthetic.vegetation import Phenology, fvc_from_ndvi
from smvar.synthetic.water_balance import Bucket

__all__ = ["generate", "static_fields", "factor_maps"]

SPIN_UP_DAYS = 60
DESCRIPTION = (
    "Synthetic twin of the Heihe River Basin made by smvar.synthetic: NOT observations. "
    "Terrain, land cover, soils, weather, vegetation and a soil-moisture truth from a "
    "daily water balance; LST responds nonlinearly to soil moisture; the coarse products "
    "are block means of the truth with bias, noise and gaps; the factor maps (soils, DEM, "
    "land cover, EVI, FVC) are the true fields with the errors of their products."
)


def static_fields(lon: np.ndarray, lat: np.ndarray, resolution_m: float, seed: int) -> dict[str, np.ndarray]:
    """Terrain, basin, reaches, land cover and soils of the twin at the grid points.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        2-D longitude and latitude (degrees) of the cell centres.
    resolution_m : float
        Cell size, m (for slope, aspect and TWI).
    seed : int
        Seed of the twin.

    Returns
    -------
    dict of numpy.ndarray
        ``dem, slope, aspect, twi, landcover, basin_mask, reach, river_km`` and
        the soil properties of :func:`smvar.synthetic.soils.soil_properties`.
    """
    river_km = river_distance_km(lon, lat)
    out = make_terrain(lon, lat, resolution_m, seed, river_km)
    mask = basin_mask(lon, lat)
    out["basin_mask"] = mask.astype(np.int8)
    out["reach"] = reach(lon, lat, mask)
    out["river_km"] = river_km
    out["landcover"] = land_cover(lon, lat, out["dem"], out["aspect"], river_km, seed).astype(np.int16)
    out.update(soil_properties(lon, lat, out["dem"], out["landcover"], seed))
    return out


def factor_maps(lon: np.ndarray, lat: np.ndarray, resolution_m: float, static: dict, seed: int) -> dict[str, np.ndarray]:
    """The static driving factors as their products map them.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        2-D longitude and latitude (degrees) of the cell centres.
    resolution_m : float
        Cell size, m.
    static : dict
        The true fields of :func:`static_fields`.
    seed : int
        Seed of the twin.

    Returns
    -------
    dict of numpy.ndarray
        ``dem`` (GEBCO role), ``slope``, ``aspect`` and ``twi`` derived from
        that DEM, ``landcover`` (MCD12Q1 role), ``bulk_density``,
        ``organic_carbon`` (SoilGrids role), ``field_capacity``, ``ksat`` and
        ``saturated_water_content`` (hydraulic maps role).
    """
    dem = factors.dem_product(lon, lat, static["dem"], seed)
    slope, aspect = slope_aspect(dem, resolution_m)
    out = {"dem": dem, "slope": slope, "aspect": aspect,
           "twi": topographic_wetness_index(dem, resolution_m),
           "landcover": factors.land_cover_product(lon, lat, static["landcover"], static["dem"], seed)}
    out.update(factors.soil_products(lon, lat, static, seed))
    return out


def _loop_days(dates: list[dt.date]) -> list[dt.date]:
    first = dt.date(dates[0].year, 1, 1) - dt.timedelta(days=SPIN_UP_DAYS)
    last = dates[-1]
    end = (dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1) - dt.timedelta(days=1))
    return [first + dt.timedelta(days=i) for i in range((end - first).days + 1)]


def _months(dates: list[dt.date]) -> list[int]:
    return sorted({d.month for d in dates})


def _simulate(static: dict, lon, lat, dates: list[dt.date], seed: int,
              to_rean: products.Aggregator, to_micro: products.Aggregator) -> dict[str, np.ndarray]:
    """Run weather, phenology, water balance and LST day by day; fill the daily cubes.

    Also returns the block means of the truth and LST on the coarse grids
    (``*_block``), aggregated day by day.
    """
    shape = static["dem"].shape
    n_t = len(dates)
    cubes = {name: np.empty((n_t, *shape), dtype=np.float32)
             for name in ("sm_truth", "sm_reference", "lst_day", "lst_night", "ndvi")}
    for name, agg in (("sm_rean_block", to_rean), ("lst_day_block", to_rean),
                      ("lst_night_block", to_rean), ("sm_micro_block", to_micro)):
        cubes[name] = np.empty((n_t, *agg.shape), dtype=np.float32)
    months = _months(dates)
    first_year, last_year = dates[0].year, dates[-1].year
    monthly = {name: np.zeros((len(months), *shape), dtype=np.float32) for name in ("precipitation", "pet")}
    ndvi_max = np.full((len(months), *shape), -1.0, dtype=np.float32)
    weather = Weather(lon, lat, static["dem"], seed)
    phen = Phenology(lon, lat, static["landcover"], static["dem"], weather.annual_p, seed)
    bucket = Bucket(static, static["landcover"], static["twi"], static["river_km"], seed)
    wanted = {d: i for i, d in enumerate(dates)}
    dormant_fvc = fvc_from_ndvi(phen.base)
    pool = products.NoisePool(shape, np.random.default_rng([seed, 701]))
    n_years = last_year - first_year + 1
    for day in _loop_days(dates):
        doy = day.timetuple().tm_yday
        w = weather.day(day)
        ndvi = phen.ndvi(doy)
        fvc = dormant_fvc if ndvi is phen.base else fvc_from_ndvi(ndvi)
        theta = bucket.step(w, fvc, doy)
        if first_year <= day.year <= last_year and day.month in months:
            k = months.index(day.month)
            monthly["precipitation"][k] += w["precipitation"] / n_years
            monthly["pet"][k] += w["pet"] / n_years
            np.maximum(ndvi_max[k], ndvi, out=ndvi_max[k])
        i = wanted.get(day)
        if i is None:
            continue
        rng = np.random.default_rng([seed, 700, day.toordinal()])
        cubes["sm_truth"][i] = theta
        cubes["ndvi"][i] = ndvi
        snow = bucket.swe > 5.0
        cubes["lst_day"][i], cubes["lst_night"][i] = lst_pair(
            theta, static["saturated_water_content"], fvc, static["dem"], w, snow,
            pool.draw(rng), pool.draw(rng))
        cubes["sm_reference"][i] = products.reference_sm(theta, pool.draw(rng))
        cubes["sm_rean_block"][i] = to_rean.day(theta)
        cubes["sm_micro_block"][i] = to_micro.day(theta)
        cubes["lst_day_block"][i] = to_rean.day(cubes["lst_day"][i])
        cubes["lst_night_block"][i] = to_rean.day(cubes["lst_night"][i])
    cubes.update(monthly)
    cubes["evi"] = factors.evi_product(lon, lat, ndvi_max, static["sand"], np.asarray(months), seed)
    cubes["fvc"] = factors.fvc_product(lon, lat, ndvi_max, np.asarray(months), seed)
    cubes["month"] = np.asarray(months)
    return cubes


def _attrs(name: str) -> dict[str, str]:
    _, _, units, description = {**CONTRACT, **OPTIONAL}[name]
    return {"units": units, "long_name": description}


def _fine_dataset(grid: FineGrid, static: dict, cubes: dict, time: pd.DatetimeIndex) -> xr.Dataset:
    coords = {**grid.coords(), "time": ("time", time),
              "month": ("month", cubes["month"], {"long_name": "calendar month", "units": "1"})}
    data = {}
    for name, (where, dims, _, _) in {**CONTRACT, **OPTIONAL}.items():
        if where != "fine":
            continue
        values = static[name] if dims == ("y", "x") else cubes[name]
        data[name] = (dims, values, _attrs(name))
    return xr.Dataset(data, coords=coords)


def _coarse_dataset(grid: GeoGrid, variables: dict[str, np.ndarray], time: pd.DatetimeIndex) -> xr.Dataset:
    data = {}
    for name, values in variables.items():
        stored = REANALYSIS_NAMES.get(name, name)
        data[stored] = (("time", "lat", "lon"), values, _attrs(name))
    return xr.Dataset(data, coords={**grid.coords(), "time": ("time", time)})


def generate(config: BasinConfig) -> Inputs:
    """The synthetic twin of a basin parameter file.

    Parameters
    ----------
    config : BasinConfig
        Extent, period, grids and ``data.seed``.

    Returns
    -------
    Inputs
        ``fine`` (dims ``y, x`` in metres plus ``time`` or ``month``; daily
        cubes float32), ``reanalysis`` (0.1 degree) and ``microwave``
        (0.25 degree), with every variable of :data:`smvar.inputs.CONTRACT`
        and ``sm_truth``; attrs ``crs``, ``synthetic = "true"``, ``seed`` and
        a description.

    Notes
    -----
    Monthly layers (``month`` = 1-12, the calendar months the period touches)
    cover whole calendar months, every day, even when ``step_days`` > 1; for a
    period spanning several years they are averages over those years.
    """
    seed = config.data.seed
    fine = analysis_grid(config)
    lon, lat = fine.lonlat
    static = static_fields(lon, lat, fine.resolution_m, seed)
    dates = config.dates()
    rean_grid, micro_grid = reanalysis_grid(config), microwave_grid(config)
    to_rean = products.Aggregator(fine, rean_grid)
    to_micro = products.Aggregator(fine, micro_grid)
    cubes = _simulate(static, lon, lat, dates, seed, to_rean, to_micro)
    mapped = {**static, **factor_maps(lon, lat, fine.resolution_m, static, seed)}
    time = pd.DatetimeIndex(np.array(dates, dtype="datetime64[ns]"))
    months = time.month.to_numpy()
    ordinals = np.array([d.toordinal() for d in dates])
    rean_errors = products.ErrorFields(rean_grid, seed, 800, (30.0, 150.0))
    micro_errors = products.ErrorFields(micro_grid, seed, 810, (40.0, 150.0))
    micro_gaps = products.ErrorFields(micro_grid, seed, 820, (250.0,))
    lst_d, lst_n = products.reanalysis_lst(cubes["lst_day_block"], cubes["lst_night_block"],
                                           rean_errors, ordinals)
    reanalysis = {"sm": products.reanalysis_sm(cubes["sm_rean_block"], rean_errors, ordinals),
                  "lst_day_reanalysis": lst_d, "lst_night_reanalysis": lst_n}
    block = cubes["sm_micro_block"]
    microwave = {"sm_cci": products.microwave_cci(block, months, micro_errors, micro_gaps, ordinals),
                 "sm_smops": products.microwave_smops(block, micro_errors, ordinals)}
    attrs = {"crs": config.crs, "synthetic": "true", "seed": str(seed), "basin": config.name,
             "description": DESCRIPTION}
    datasets = {
        "fine": _fine_dataset(fine, mapped, cubes, time),
        "reanalysis": _coarse_dataset(rean_grid, reanalysis, time),
        "microwave": _coarse_dataset(micro_grid, microwave, time),
    }
    for ds in datasets.values():
        ds.attrs.update(attrs)
    datasets["reanalysis"].attrs["resolution_deg"] = str(rean_grid.resolution_deg)
    datasets["microwave"].attrs["resolution_deg"] = str(micro_grid.resolution_deg)
    return Inputs(**datasets)
