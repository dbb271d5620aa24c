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
irrigation_phase, lat_range_of
    What a band of rows needs to know of its place in the grid: the
    irrigation rotation (keyed by the cell's place) and the latitude range of
    the whole grid (the weather's radiation fit).
CoarseCells, BlockSums, block_means
    Block means of the truth and LST on the coarse grids from partial sums
    kept per fixed band of rows, identical for any split into tiles.
coarse_datasets
    The reanalysis and microwave datasets made from the block means.

Notes
-----
The twin is defined in geographic terms: every field is a function of
longitude, latitude and date (random fields keyed by location and date), so a
parameter file with a sub-extent (``data/basins/small.yaml``) crops the same
twin. Two things depend on the grid itself: the TWI (flow accumulation sees
only the cells of the grid) and the per-pixel sensor noise of the products,
drawn for fixed bands of :data:`NOISE_BAND_ROWS` rows.

The day loop (:func:`_simulate`) runs on any band of whole noise bands and
gives every cell the values it has in the whole grid: :func:`generate` runs it
once over the grid, :func:`smvar.synthetic.stream.write_synthetic_inputs` once
per tile of rows. The coarse block means are summed per noise band
(:class:`BlockSums`) and the bands added in order (:func:`block_means`), so
they too are the same for any tiling.
The static factor maps of the fine dataset (soils, land cover, DEM and what
derives from it) and the monthly EVI and FVC are products of the true fields
with errors (:mod:`smvar.synthetic.factors`); the daily NDVI is the true one.
The water balance always starts 60 days before 1 January of the first year
and runs every day to the end of the last month, whatever ``step_days`` is, so
the truth of a date does not depend on the sampling of the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import xarray as xr
from scipy import ndimage

from smvar.config import BasinConfig
from smvar.grid import FineGrid, GeoGrid, analysis_grid, fine_to_coarse_index, microwave_grid, reanalysis_grid
from smvar.inputs import CONTRACT, OPTIONAL, REANALYSIS_NAMES, Inputs
from smvar.synthetic import products
from smvar.synthetic import factors
from smvar.synthetic.parameters import current as current_parameters
from smvar.synthetic._noise import hash_uniform, key_of
from smvar.synthetic.basin import basin_mask, reach, river_distance_km
from smvar.synthetic.geography import ndvi_range_at
from smvar.synthetic.landcover import land_cover
from smvar.synthetic.lst import lst_pair
from smvar.synthetic.meteorology import Weather
from smvar.synthetic.soils import soil_properties
from smvar.synthetic.terrain import make_terrain
from smvar.terrain import slope_aspect, topographic_wetness_index
from smvar.synthetic.vegetation import Phenology, fvc_from_ndvi
from smvar.synthetic.water_balance import Bucket

__all__ = ["generate", "static_fields", "factor_maps", "irrigation_phase", "lat_range_of", "CoarseCells",
           "BlockSums", "block_means", "coarse_datasets", "NOISE_BAND_ROWS", "DAILY"]

SPIN_UP_DAYS = 60
# Rows of the fixed bands that key the per-pixel sensor noise and the partial
# block sums: a tile of the streamed twin is a whole number of bands.
NOISE_BAND_ROWS = 64
# The daily fine variables (time, y, x) and the monthly ones (month, y, x).
DAILY = ("sm_truth", "sm_reference", "lst_day", "lst_night", "ndvi")
MONTHLY = ("precipitation", "pet", "evi", "fvc", "lst_day_monthly", "lst_night_monthly")
# The fine variables averaged over every coarse grid, and the block cubes' names.
BLOCK_VARIABLES = {"reanalysis": ("sm_truth", "lst_day", "lst_night"), "microwave": ("sm_truth",)}
BLOCK_NAMES = {"reanalysis": ("sm_rean_block", "lst_day_block", "lst_night_block"),
               "microwave": ("sm_micro_block",)}
DESCRIPTION = (
    "Synthetic twin of the Heihe River Basin made by smvar.synthetic: NOT observations. "
    "Its static geography is real (ETOPO1 elevation with synthetic relief below 0.1 degree, MODIS "
    "MCD12C1 land cover, the yearly NDVI range; outline and rivers by flow routing); "
    "soils, weather, vegetation phenology and a soil-moisture truth from a "
    "daily water balance; LST responds nonlinearly to soil moisture; the coarse products "
    "are block means of the truth with bias, noise and gaps; the factor maps (soils, DEM, "
    "land cover, EVI, FVC) are the true fields with the errors of their products."
)


def static_fields(lon: np.ndarray, lat: np.ndarray, resolution_m: float, seed: int,
                  whole_extent: bool = False) -> dict[str, np.ndarray]:
    """Terrain, basin, reaches, land cover and soils of the twin at the grid points.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        2-D longitude and latitude (degrees) of the cell centres.
    resolution_m : float
        Cell size, m (for slope, aspect and TWI).
    seed : int
        Seed of the twin.
    whole_extent : bool, default False
        Every cell is in the basin (``data.synthetic_basin: extent``, a
        region); otherwise the Heihe outline derived by flow routing
        (:func:`smvar.synthetic.basin.basin_mask`).

    Returns
    -------
    dict of numpy.ndarray
        ``dem, slope, aspect, twi, landcover, basin_mask, reach, river_km``,
        the real yearly ``ndvi_min`` and ``ndvi_max`` and the soil properties
        of :func:`smvar.synthetic.soils.soil_properties`.
    """
    river_km = river_distance_km(lon, lat)
    out = make_terrain(lon, lat, resolution_m, seed, river_km)
    mask = np.ones(lon.shape, dtype=bool) if whole_extent else basin_mask(lon, lat)
    out["basin_mask"] = mask.astype(np.int8)
    out["reach"] = reach(lon, lat, mask)
    out["river_km"] = river_km
    out["landcover"] = land_cover(lon, lat, out["dem"], out["aspect"], river_km, seed).astype(np.int16)
    out["ndvi_min"], out["ndvi_max"] = ndvi_range_at(lon, lat)
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


def irrigation_phase(grid: FineGrid, rows: slice, seed: int) -> np.ndarray:
    """Day (0-9) of every cell of ``rows`` in its 10-day irrigation rotation.

    Keyed by the cell's place on the CRS's lattice of ``resolution_m`` cells
    (counter-based hash), so it is the same for any band of rows and any
    extent snapped to the same lattice.
    """
    res = grid.resolution_m
    ix = np.rint(grid.x / res - 0.5).astype(np.int64)
    iy = np.rint(grid.y[rows] / res - 0.5).astype(np.int64)
    u = hash_uniform(ix[None, :], iy[:, None], key_of(seed, 601))
    return np.minimum((u * 10.0).astype(np.int64), 9)


def _bands(row0: int, n_rows: int) -> list[tuple[int, slice]]:
    """The fixed noise bands (global index, local rows) of rows ``row0 .. row0 + n_rows``."""
    if row0 % NOISE_BAND_ROWS:
        raise ValueError(f"_bands: a band of rows must start on a multiple of {NOISE_BAND_ROWS}, not {row0}")
    return [((row0 + start) // NOISE_BAND_ROWS, slice(start, min(start + NOISE_BAND_ROWS, n_rows)))
            for start in range(0, n_rows, NOISE_BAND_ROWS)]


class CoarseCells:
    """Where the fine cells fall on a coarse grid, for block means made from partial sums.

    Parameters
    ----------
    fine : FineGrid
    coarse : GeoGrid

    Attributes
    ----------
    index : numpy.ndarray of int64
        Flat coarse index of every fine cell (-1 outside), ``fine.shape``.
    counts : numpy.ndarray of int64
        Fine cells in every coarse cell, ``coarse.shape``.
    fill_from : numpy.ndarray of intp
        For every coarse cell (flat), the nearest cell holding fine cells.
    """

    def __init__(self, fine: FineGrid, coarse: GeoGrid) -> None:
        self.shape = coarse.shape
        self.index = fine_to_coarse_index(fine, coarse)
        inside = self.index[self.index >= 0]
        self.counts = np.bincount(inside, minlength=coarse.size).reshape(coarse.shape)
        empty = self.counts == 0
        if empty.all():
            raise ValueError("no fine-grid cell falls inside the coarse grid; check the basin extent")
        _, (rows, cols) = ndimage.distance_transform_edt(empty, return_indices=True)
        self.fill_from = (rows * coarse.shape[1] + cols).ravel()

    def means(self, sums: np.ndarray) -> np.ndarray:
        """Block means (float32) from summed partial sums ``(..., lat, lon)``; empty cells filled."""
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (sums / self.counts).astype(np.float32)
        lead = means.shape[:-2]
        flat = means.reshape(*lead, -1)[..., self.fill_from]
        return flat.reshape(*lead, *self.shape)


class BlockSums:
    """Sums of daily fine fields per coarse cell, kept per fixed band of rows.

    Each noise band of :data:`NOISE_BAND_ROWS` rows keeps its own sums
    (float64) over the coarse rows it touches; summing the bands in band
    order (:func:`block_means`) gives the same block means whatever the
    tiling of the grid.

    Parameters
    ----------
    index_rows : dict of str to numpy.ndarray
        For every coarse grid (``"reanalysis"``, ``"microwave"``), the flat
        coarse index of the cells of the rows (from :class:`CoarseCells`).
    n_lon : dict of str to int
        Columns of every coarse grid.
    row0 : int
        First fine row (a multiple of :data:`NOISE_BAND_ROWS`).
    n_days : int
        Number of output days.
    """

    def __init__(self, index_rows: dict[str, np.ndarray], n_lon: dict[str, int], row0: int,
                 n_days: int) -> None:
        self.parts: list[tuple[str, int, int, slice, np.ndarray, np.ndarray, np.ndarray]] = []
        for name, index in index_rows.items():
            variables = BLOCK_VARIABLES[name]
            for band, rows in _bands(row0, index.shape[0]):
                flat = index[rows].ravel()
                keep = np.flatnonzero(flat >= 0)
                if keep.size == 0:
                    continue
                cells = flat[keep]
                first, last = int(cells.min()) // n_lon[name], int(cells.max()) // n_lon[name] + 1
                sums = np.zeros((len(variables), n_days, last - first, n_lon[name]), dtype=np.float64)
                self.parts.append((name, band, first, rows, keep, cells - first * n_lon[name], sums))

    def add(self, i: int, fields: dict[str, np.ndarray]) -> None:
        """Sum the fields of output day ``i`` (``sm_truth``, ``lst_day``, ``lst_night``)."""
        for name, _, _, rows, keep, local, sums in self.parts:
            size = sums[0, 0].size
            for k, variable in enumerate(BLOCK_VARIABLES[name]):
                values = fields[variable][rows].ravel()[keep]
                sums[k, i] = np.bincount(local, weights=values, minlength=size).reshape(sums.shape[2:])

    def arrays(self) -> dict[str, np.ndarray]:
        """The sums as named arrays (for ``numpy.savez``): ``GRID_BAND`` and ``GRID_BAND_row0``."""
        out = {}
        for name, band, first, _, _, _, sums in self.parts:
            out[f"{name}_{band:06d}"] = sums
            out[f"{name}_{band:06d}_row0"] = np.array(first)
        return out


def block_means(parts: Iterable[dict[str, np.ndarray]], cells: dict[str, CoarseCells],
                n_days: int) -> dict[str, np.ndarray]:
    """Block-mean cubes of the truth and LST from :meth:`BlockSums.arrays` of all bands.

    Parameters
    ----------
    parts : iterable of dict
        The arrays of every tile, tiles in row order.
    cells : dict of str to CoarseCells
        ``"reanalysis"`` and ``"microwave"``.
    n_days : int
        Number of output days.

    Returns
    -------
    dict of numpy.ndarray
        ``sm_rean_block``, ``lst_day_block``, ``lst_night_block`` and
        ``sm_micro_block``, (time, lat, lon) float32.
    """
    totals = {name: np.zeros((len(BLOCK_VARIABLES[name]), n_days, *c.shape)) for name, c in cells.items()}
    for arrays in parts:
        for key in sorted(k for k in arrays if not k.endswith("_row0")):
            name = key.rsplit("_", 1)[0]
            sums = arrays[key]
            first = int(arrays[f"{key}_row0"])
            totals[name][:, :, first:first + sums.shape[2]] += sums
    out = {}
    for name, total in totals.items():
        means = cells[name].means(total)
        for k, block in enumerate(BLOCK_NAMES[name]):
            out[block] = means[k]
    return out


def _simulate(static: dict, lon: np.ndarray, lat: np.ndarray, row0: int, dates: list[dt.date], seed: int,
              lat_range: tuple[float, float, float], phase: np.ndarray,
              on_day: Callable[[int, dict[str, np.ndarray]], None]) -> dict[str, np.ndarray]:
    """Run weather, phenology, water balance and LST day by day for a band of rows.

    Parameters
    ----------
    static : dict
        The true static fields of the rows.
    lon, lat : numpy.ndarray
        Degrees of the rows' cells.
    row0 : int
        Global index of the first row (a multiple of :data:`NOISE_BAND_ROWS`).
    dates : list of datetime.date
        The output days.
    seed : int
    lat_range : tuple of float
        ``(south, north, centre)`` of the whole grid (see :class:`Weather`).
    phase : numpy.ndarray
        Irrigation rotation of the rows (:func:`irrigation_phase`).
    on_day : callable
        Called as ``on_day(i, fields)`` for output day ``i`` with ``sm_truth,
        sm_reference, lst_day, lst_night, ndvi`` of the rows (arrays that
        may be reused: copy them).

    Returns
    -------
    dict of numpy.ndarray
        The monthly layers of the rows: ``precipitation``, ``pet``, ``evi``,
        ``fvc``, ``lst_day_monthly``, ``lst_night_monthly`` (month, rows, x)
        and ``month``.

    Notes
    -----
    Every cell's values depend only on its place, the whole grid's latitude
    range and its noise band, so any split of the grid into bands of whole
    noise bands gives the same values.
    """
    shape = static["dem"].shape
    months = _months(dates)
    first_year, last_year = dates[0].year, dates[-1].year
    monthly = {name: np.zeros((len(months), *shape), dtype=np.float32) for name in ("precipitation", "pet")}
    ndvi_max = np.full((len(months), *shape), -1.0, dtype=np.float32)
    # LST sums over the output days, all sky and clear sky (the factors' MOD11A2 role)
    lst_all = np.zeros((2, len(months), *shape), dtype=np.float32)
    lst_clear = np.zeros((2, len(months), *shape), dtype=np.float32)
    n_clear = np.zeros((len(months), *shape), dtype=np.float32)
    weather = Weather(lon, lat, static["dem"], seed, lat_range=lat_range)
    phen = Phenology(lon, lat, static["landcover"], static["dem"], weather.annual_p, seed,
                     ndvi_range=(static["ndvi_min"], static["ndvi_max"]))
    bucket = Bucket(static, static["landcover"], static["twi"], static["river_km"], seed, phase=phase)
    wanted = {d: i for i, d in enumerate(dates)}
    dormant_fvc = fvc_from_ndvi(phen.base)
    # Per-pixel sensor noise: one pool per fixed band of rows, so that it does
    # not depend on how the grid is split into tiles.
    pools = [(band, rows, products.NoisePool((rows.stop - rows.start, shape[1]),
                                             np.random.default_rng([seed, 701, band])))
             for band, rows in _bands(row0, shape[0])]
    noise = np.empty((3, *shape), dtype=np.float32)
    lst_noise_k = current_parameters().lst_noise_k
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
        for band, rows, pool in pools:
            rng = np.random.default_rng([seed, 700, day.toordinal(), band])
            for k in range(3):
                noise[k, rows] = pool.draw(rng)
        snow = bucket.swe > 5.0
        lst_day, lst_night = lst_pair(theta, static["saturated_water_content"], fvc, static["dem"], w, snow,
                                      noise[0], noise[1], noise_k=lst_noise_k)
        on_day(i, {"sm_truth": theta, "sm_reference": products.reference_sm(theta, noise[2]),
                   "lst_day": lst_day, "lst_night": lst_night, "ndvi": ndvi})
        k = months.index(day.month)
        clear = w["cloud"] < factors.CLEAR_SKY_CLOUD
        for part, lst in enumerate((lst_day, lst_night)):
            lst_all[part, k] += lst
            np.add(lst_clear[part, k], lst, out=lst_clear[part, k], where=clear)
        n_clear[k] += clear
    monthly["evi"] = factors.evi_product(lon, lat, ndvi_max, static["sand"], np.asarray(months), seed)
    monthly["fvc"] = factors.fvc_product(lon, lat, ndvi_max, np.asarray(months), seed)
    days_per_month = np.array([sum(d.month == month for d in dates) for month in months], dtype=np.float32)
    all_sky = lst_all / days_per_month[None, :, None, None]
    monthly["lst_day_monthly"], monthly["lst_night_monthly"] = factors.modis_lst_product(
        lon, lat, lst_clear, n_clear[None], all_sky, np.asarray(months), seed)
    monthly["month"] = np.asarray(months)
    return monthly


def lat_range_of(lat: np.ndarray) -> tuple[float, float, float]:
    """``(south, north, centre)`` of a grid's latitudes: the radiation fit of its weather."""
    return float(lat.min()), float(lat.max()), float(np.mean(lat))


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
    static = static_fields(lon, lat, fine.resolution_m, seed, config.data.synthetic_basin == "extent")
    dates = config.dates()
    rean_grid, micro_grid = reanalysis_grid(config), microwave_grid(config)
    cells = {"reanalysis": CoarseCells(fine, rean_grid), "microwave": CoarseCells(fine, micro_grid)}
    cubes = {name: np.empty((len(dates), *fine.shape), dtype=np.float32) for name in DAILY}
    sums = BlockSums({name: c.index for name, c in cells.items()},
                     {name: c.shape[1] for name, c in cells.items()}, 0, len(dates))

    def keep(i: int, fields: dict[str, np.ndarray]) -> None:
        for name in DAILY:
            cubes[name][i] = fields[name]
        sums.add(i, fields)

    phase = irrigation_phase(fine, slice(None), seed)
    cubes.update(_simulate(static, lon, lat, 0, dates, seed, lat_range_of(lat), phase, keep))
    blocks = block_means([sums.arrays()], cells, len(dates))
    mapped = {**static, **factor_maps(lon, lat, fine.resolution_m, static, seed)}
    time = _time_index(dates)
    reanalysis, microwave = coarse_datasets(config, blocks, dates)
    return Inputs(**_with_attrs(config, {"fine": _fine_dataset(fine, mapped, cubes, time),
                                         "reanalysis": reanalysis, "microwave": microwave}))


def _time_index(dates: list[dt.date]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.array(dates, dtype="datetime64[ns]"))


def coarse_datasets(config: BasinConfig, blocks: dict[str, np.ndarray],
                    dates: list[dt.date]) -> tuple[xr.Dataset, xr.Dataset]:
    """The reanalysis and microwave datasets made from the block means (before attrs).

    Parameters
    ----------
    config : BasinConfig
    blocks : dict of numpy.ndarray
        From :func:`block_means`.
    dates : list of datetime.date
        The output days.
    """
    seed = config.data.seed
    rean_grid, micro_grid = reanalysis_grid(config), microwave_grid(config)
    time = _time_index(dates)
    months = time.month.to_numpy()
    ordinals = np.array([d.toordinal() for d in dates])
    rean_errors = products.ErrorFields(rean_grid, seed, 800, (30.0, 150.0))
    micro_errors = products.ErrorFields(micro_grid, seed, 810, (40.0, 150.0))
    micro_gaps = products.ErrorFields(micro_grid, seed, 820, (250.0,))
    lst_d, lst_n = products.reanalysis_lst(blocks["lst_day_block"], blocks["lst_night_block"],
                                           rean_errors, ordinals)
    reanalysis = {"sm": products.reanalysis_sm(blocks["sm_rean_block"], rean_errors, ordinals),
                  "lst_day_reanalysis": lst_d, "lst_night_reanalysis": lst_n}
    block = blocks["sm_micro_block"]
    microwave = {"sm_cci": products.microwave_cci(block, months, micro_errors, micro_gaps, ordinals),
                 "sm_smops": products.microwave_smops(block, micro_errors, ordinals)}
    rean = _coarse_dataset(rean_grid, reanalysis, time)
    micro = _coarse_dataset(micro_grid, microwave, time)
    rean.attrs["resolution_deg"] = str(rean_grid.resolution_deg)
    micro.attrs["resolution_deg"] = str(micro_grid.resolution_deg)
    return rean, micro


def _with_attrs(config: BasinConfig, datasets: dict[str, xr.Dataset]) -> dict[str, xr.Dataset]:
    """Set the attrs every dataset of the twin carries (first, before ``resolution_deg``)."""
    attrs = {"crs": config.crs, "synthetic": "true", "seed": str(config.data.seed), "basin": config.name,
             "description": DESCRIPTION}
    for ds in datasets.values():
        ds.attrs = {**attrs, **ds.attrs}
    return datasets
