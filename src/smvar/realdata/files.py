"""Per-variable local files: any GeoTIFF or NetCDF, brought to the input contract.

Provides
--------
load_files
    The :class:`~smvar.inputs.Inputs` of a parameter file with
    ``data.source: files``: every contract variable read from the file (or
    glob of daily files) named in ``data.files``, reprojected, resampled and
    clipped to the basin's grids, converted to the contract's units, its
    provenance recorded.
read_variable
    One contract variable from one or more files, with its provenance.
convert_units, to_mm_per_day
    The explicit unit table (:data:`CONVERSIONS`, :data:`RATES`).
date_from_name
    The date in a file name (``2020-07-15``, ``20200715``, MODIS ``A2020197``,
    ``2020-07`` for a month).
FilesError, UnitError
    Bad files or units, with a message naming the field ``data.files.<name>``,
    the file and the fix.

How a file is read
------------------
* GeoTIFF: band 1 (or every band as time steps when the file name holds no
  date and the variable is daily or monthly; 12 bands are months 1-12), CRS
  and transform from the file, ``units`` from the band tags, scale and offset
  applied, nodata masked.
* NetCDF: the only data variable, or the one named after ``::`` in the
  parameter file (``era5.nc::swvl1``); dimensions ``lat``/``latitude``/``y`` and
  ``lon``/``longitude``/``x``; ``time`` or ``valid_time``; CRS from the grid
  mapping, else WGS 84 for latitude-longitude files.
* HDF4-EOS (MODIS ``.hdf`` granules): the field named after ``::``
  (``MOD11A1.A2020197.h25v05.061.*.hdf::LST_Day_1km``) or in a GDAL name
  ``HDF4_EOS:EOS_GRID:"file":grid:field``, read with pyhdf
  (:mod:`smvar.realdata.hdf4`): sinusoidal grid from ``StructMetadata.0``,
  fill values and valid range masked, MOD11 QC applied to LST, the date from
  ``CoreMetadata.0``, digital numbers with their scale as the unit
  (``0.02 K``).
* Product conventions: ESA CCI / C3S soil moisture ``sm`` is kept where its
  ``flag`` is 0 (the product user guide's "no data inconsistency detected")
  and inside ``valid_range``; soil water in ``kg m-2`` (GLDAS
  ``SoilMoi0_10cm_inst``) becomes m3 m-3 over the layer's depth, taken from
  the variable's name or the ``layer_depth_m`` option.
* A glob (``lst/*.tif``) reads many files; their dates come from the names or
  their time coordinate. Files of the same day (tiles) are mosaicked (mean of
  the finite values); several values in one day are averaged.

Resampling is ``average`` for continuous variables and ``mode`` for land cover,
the basin mask and the reaches (rioxarray/GDAL). A file without a ``units``
attribute is taken to be in the contract's units; the provenance says so.
"""

from __future__ import annotations

import datetime as dt
import difflib
import glob as globmod
import json
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from smvar.inputs import CONTRACT, REANALYSIS_NAMES, Inputs, InputError
from smvar import composites
from smvar.outline import outline_mask
from smvar.terrain import reaches_from_dem, slope_aspect, topographic_wetness_index

if TYPE_CHECKING:
    from smvar.config import BasinConfig

__all__ = [
    "CONVERSIONS",
    "RATES",
    "CATEGORICAL",
    "DERIVABLE",
    "FilesError",
    "UnitError",
    "convert_units",
    "to_mm_per_day",
    "date_from_name",
    "read_variable",
    "load_files",
    "derive_slope_aspect",
    "derive_missing",
]

CATEGORICAL = ("landcover", "basin_mask", "reach")
# Variables computed from another one when their file is not given: slope and
# aspect by finite differences, TWI by D8 flow on the depression-filled DEM,
# the reaches as thirds of the longest flow path inside the basin mask
# (smvar.terrain); the basin mask itself from the parameter file's `basin` outline.
DERIVABLE = {"slope": "dem", "aspect": "dem", "twi": "dem", "reach": "dem"}
# How each monthly variable is harmonised to months (paper section 2.2).
MONTHLY_METHOD = {"evi": "maximum-value composite", "fvc": "maximum-value composite",
                  "pet": "maximum-value composite of the daily rate x days in month",
                  "precipitation": "mean daily rate x days in month (the monthly total)"}


class FilesError(InputError):
    """A file named in ``data.files`` that cannot be used; the message says why and the fix."""


class UnitError(FilesError):
    """A unit with no entry in the conversion table."""


# contract unit -> {normalised source unit: (factor, offset)}; contract = source * factor + offset
CONVERSIONS: dict[str, dict[str, tuple[float, float]]] = {
    "K": {"k": (1.0, 0.0), "kelvin": (1.0, 0.0), "degc": (1.0, 273.15), "c": (1.0, 273.15),
          "celsius": (1.0, 273.15), "degrees_celsius": (1.0, 273.15),
          "0.02k": (0.02, 0.0),                 # MODIS MOD11 digital numbers (scale 0.02 K)
          "degc50": (0.02, 273.15), "50degc": (0.02, 273.15), "degc*50": (0.02, 273.15)},
    "m3 m-3": {"m3m-3": (1.0, 0.0), "m3/m3": (1.0, 0.0), "cm3/cm3": (1.0, 0.0), "cm3cm-3": (1.0, 0.0),
               "1": (1.0, 0.0), "fraction": (1.0, 0.0), "%": (0.01, 0.0), "percent": (0.01, 0.0),
               "%vol": (0.01, 0.0), "vol%": (0.01, 0.0)},
    "m": {"m": (1.0, 0.0), "metre": (1.0, 0.0), "meter": (1.0, 0.0), "metres": (1.0, 0.0),
          "meters": (1.0, 0.0), "km": (1000.0, 0.0), "ft": (0.3048, 0.0)},
    "degree": {"degree": (1.0, 0.0), "degrees": (1.0, 0.0), "deg": (1.0, 0.0),
               "radian": (180.0 / np.pi, 0.0), "radians": (180.0 / np.pi, 0.0), "rad": (180.0 / np.pi, 0.0)},
    "1": {"1": (1.0, 0.0), "": (1.0, 0.0), "-": (1.0, 0.0), "unitless": (1.0, 0.0),
          "dimensionless": (1.0, 0.0), "none": (1.0, 0.0), "0.0001": (1e-4, 0.0), "1e-4": (1e-4, 0.0),
          "%": (0.01, 0.0), "percent": (0.01, 0.0)},
    "cg cm-3": {"cgcm-3": (1.0, 0.0), "cg/cm3": (1.0, 0.0), "gcm-3": (100.0, 0.0), "g/cm3": (100.0, 0.0),
                "kgdm-3": (100.0, 0.0), "kg/dm3": (100.0, 0.0), "tm-3": (100.0, 0.0), "t/m3": (100.0, 0.0),
                "kgm-3": (0.1, 0.0), "kg/m3": (0.1, 0.0)},
    "dg kg-1": {"dgkg-1": (1.0, 0.0), "dg/kg": (1.0, 0.0), "gkg-1": (10.0, 0.0), "g/kg": (10.0, 0.0),
                "permille": (10.0, 0.0), "%": (100.0, 0.0), "percent": (100.0, 0.0)},
    "cm day-1": {"cmday-1": (1.0, 0.0), "cm/day": (1.0, 0.0), "cmd-1": (1.0, 0.0), "cm/d": (1.0, 0.0),
                 "mmday-1": (0.1, 0.0), "mm/day": (0.1, 0.0), "mm/d": (0.1, 0.0),
                 "mmh-1": (2.4, 0.0), "mm/h": (2.4, 0.0), "cmh-1": (24.0, 0.0), "cm/h": (24.0, 0.0),
                 "ms-1": (8.64e6, 0.0), "m/s": (8.64e6, 0.0), "um/s": (8.64, 0.0), "ums-1": (8.64, 0.0)},
}
# source rate -> factor to mm day-1 (precipitation, PET); "mm month-1" divides by the month's days
RATES: dict[str, float] = {
    "mmday-1": 1.0, "mm/day": 1.0, "mmd-1": 1.0, "mm/d": 1.0, "kgm-2day-1": 1.0, "kgm-2d-1": 1.0,
    "mm8day-1": 1 / 8, "mm/8day": 1 / 8, "kgm-28day-1": 1 / 8, "kg/m2/8day": 1 / 8,
    "0.1kgm-28day-1": 0.1 / 8,                 # MOD16A2 PET digital numbers (scale 0.1)
    "0.1kg/m2/8day": 0.1 / 8,                  # the same, as the MOD16A2 HDF4 granules write it
    "mmh-1": 24.0, "mm/h": 24.0, "kgm-2s-1": 86400.0, "mms-1": 86400.0, "mm/s": 86400.0,
    "mday-1": 1000.0, "m/day": 1000.0,
}
MONTHLY_RATES = ("mmmonth-1", "mm/month", "mmmon-1")


def _normalise(units: str | None) -> str:
    text = "" if units is None else str(units)
    for old, new in (("°", "deg"), ("·", ""), ("**", ""), ("^", ""), ("μ", "u"), (" ", "")):
        text = text.replace(old, new)
    return text.lower()


def convert_units(values: xr.DataArray, to_units: str, from_units: str | None,
                  where: str = "") -> tuple[xr.DataArray, str]:
    """Convert values to a contract unit with the explicit table :data:`CONVERSIONS`.

    Parameters
    ----------
    values : xarray.DataArray
        The values in ``from_units``.
    to_units : str
        A contract unit (``"K"``, ``"m3 m-3"``, ``"cg cm-3"`` ...).
    from_units : str or None
        The source unit (case, spaces, ``^``, ``**`` and ``°`` do not matter).
    where : str
        Prefix for error messages (file and field).

    Returns
    -------
    (xarray.DataArray, str)
        The converted values (``attrs["units"] = to_units``) and a description
        of the conversion such as ``"degC -> K: x * 1 + 273.15"``.

    Raises
    ------
    UnitError
        When the pair is not in the table; the message lists the units accepted.
    """
    table = CONVERSIONS.get(to_units, {})
    key = _normalise(from_units)
    if key not in table:
        allowed = sorted({k for k in table if k})
        raise UnitError(
            f"{where}units {from_units!r} cannot be converted to the contract's {to_units!r}. "
            f"Accepted units: {', '.join(allowed)}. Fix: convert the file, or set its 'units' "
            "attribute (GeoTIFF band tag or NetCDF attribute) to one of these."
        )
    factor, offset = table[key]
    out = values * factor + offset if (factor, offset) != (1.0, 0.0) else values.copy()
    out.attrs = {**values.attrs, "units": to_units}
    return out, f"{from_units} -> {to_units}: x * {factor:g} + {offset:g}"


def to_mm_per_day(values: xr.DataArray, from_units: str | None, where: str = "") -> tuple[xr.DataArray, str]:
    """Convert a precipitation or evapotranspiration rate to mm day-1 (table :data:`RATES`).

    ``mm month-1`` is divided by the number of days of each time step's month.
    """
    key = _normalise(from_units)
    if key in MONTHLY_RATES:
        days = values["time"].dt.days_in_month
        out = values / days
        text = f"{from_units} -> mm day-1: x / days in month"
    elif key in RATES:
        out = values * RATES[key]
        text = f"{from_units} -> mm day-1: x * {RATES[key]:g}"
    else:
        raise UnitError(
            f"{where}units {from_units!r} are not a known rate. Accepted: "
            f"{', '.join(sorted(RATES) + list(MONTHLY_RATES))}. Fix: set the 'units' attribute "
            "(for example 'mm day-1' or 'mm month-1')."
        )
    out.attrs = {**values.attrs, "units": "mm day-1"}
    return out, text


# ---------------------------------------------------------------------- dates
_PATTERNS = (
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)"), "ymd"),
    (re.compile(r"A(\d{4})(\d{3})(?!\d)"), "yj"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})\d{6}(?!\d)"), "ymd"),   # ESA CCI: 20161227000000
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{4})[-_.]?(\d{2})(?!\d)"), "ym"),
)


def date_from_name(name: str) -> dt.date | None:
    """The date written in a file name, or None.

    Recognised, in this order: ``YYYY-MM-DD`` (or ``_``/``.`` separators), MODIS
    ``AYYYYDDD`` (day of year), ``YYYYMMDDhhmmss`` (ESA CCI and C3S soil
    moisture), ``YYYYMMDD``, and ``YYYY-MM``/``YYYYMM`` (the first day of the
    month).
    """
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(name):
            try:
                numbers = [int(g) for g in match.groups()]
                if kind == "ymd":
                    return dt.date(*numbers)
                if kind == "yj":
                    return dt.date(numbers[0], 1, 1) + dt.timedelta(days=numbers[1] - 1)
                return dt.date(numbers[0], numbers[1], 1)
            except ValueError:
                continue
    return None


# ---------------------------------------------------------------------- opening
def _split_spec(spec: str) -> tuple[str, str | None]:
    path, sep, variable = spec.partition("::")
    return path, (variable or None) if sep else None


def _expand(spec: str, base: Path, field: str) -> tuple[list[Path], str | None]:
    from smvar.realdata.hdf4 import parse_gdal_name

    gdal_hdf4 = parse_gdal_name(spec)
    if gdal_hdf4 is not None:  # HDF4_EOS:EOS_GRID:"file":grid:field, read with pyhdf
        spec = f"{gdal_hdf4[0]}::{gdal_hdf4[2]}"
    pattern, variable = _split_spec(spec)
    if pattern.startswith(("NETCDF:", "HDF5:", "/vsi")):  # a GDAL dataset name
        return [Path(pattern)], variable
    full = pattern if Path(pattern).is_absolute() else str(base / pattern)
    paths = sorted(Path(p) for p in globmod.glob(full))
    if not paths:
        raise FilesError(
            f"field '{field}' = {spec!r}: no file matches {full}. Fix: correct the path or glob "
            "(relative paths are read from the parameter file's folder)."
        )
    return paths, variable


def _open_geotiff(path: Path) -> xr.DataArray:
    import rioxarray

    da = rioxarray.open_rasterio(path, masked=True, mask_and_scale=True)
    if isinstance(da, list | xr.Dataset):
        raise FilesError(f"{path}: holds several sub-datasets; name one GeoTIFF per variable")
    return da.load()


_Y_NAMES, _X_NAMES = ("y", "lat", "latitude"), ("x", "lon", "longitude")


def _open_netcdf(path: Path, variable: str | None, field: str) -> xr.DataArray:
    with warnings.catch_warnings():
        # GLDAS files name a time_bnds variable they do not hold: xarray's note is not the user's business
        warnings.filterwarnings("ignore", message="Variable\\(s\\) referenced in bounds not in variables")
        ds = xr.open_dataset(path, mask_and_scale=True, decode_coords="all")
    names = [v for v in ds.data_vars if ds[v].ndim >= 2]
    if variable is None and _is_cci_sm(ds):
        variable = "sm"
    if variable is None and len(names) != 1:
        raise FilesError(
            f"field '{field}': {path} holds the variables {names}; name one after '::', "
            f"for example '{path.name}::{names[0] if names else 'var'}'"
        )
    name = variable or names[0]
    if name not in ds:
        raise FilesError(f"field '{field}': {path} has no variable {name!r}; it holds {names}")
    da = _product_conventions(ds, name)
    renames = {d: "time" for d in da.dims if d == "valid_time"}
    renames.update({d: "y" for d in da.dims if d in _Y_NAMES and d != "y"})
    renames.update({d: "x" for d in da.dims if d in _X_NAMES and d != "x"})
    geographic = any(d in ("lat", "latitude") for d in da.dims)
    da = da.rename(renames).load()
    for dim in [d for d in da.dims if d not in ("time", "y", "x")]:
        if da.sizes[dim] != 1:
            raise FilesError(f"field '{field}': {path}: variable {name!r} has an extra dimension {dim!r}")
        da = da.squeeze(dim, drop=True)
    if "y" not in da.dims or "x" not in da.dims:
        raise FilesError(f"field '{field}': {path}: variable {name!r} has no lat/lon or y/x dimensions")
    da = da.rio.set_spatial_dims(x_dim="x", y_dim="y")
    if da.rio.crs is None:
        if not geographic:
            raise FilesError(
                f"field '{field}': {path}: no CRS (grid_mapping). Fix: add a CF grid_mapping or "
                "write the file as a GeoTIFF"
            )
        da = da.rio.write_crs("EPSG:4326")
    return da


def _is_cci_sm(ds: xr.Dataset) -> bool:
    """An ESA CCI SM or C3S soil-moisture file (by its global attributes and variables)."""
    text = " ".join(str(ds.attrs.get(k, "")) for k in ("id", "title", "product_id", "project"))
    return "sm" in ds and "flag" in ds and ("SOILMOISTURE" in text.upper() or "Soil Moisture" in text)


# GLDAS-2.x Noah layers are named after their depths (GLDAS README: 0-10, 10-40, 40-100, 100-200 cm).
_LAYER_NAME = re.compile(r"(?:SoilMoi|SoilM_|soilm)(\d+)_(\d+)cm", re.IGNORECASE)


def _product_conventions(ds: xr.Dataset, name: str) -> xr.DataArray:
    """The variable with its product's quality flags and valid range applied (noted in ``quality``)."""
    da = ds[name]
    notes = []
    encoded = da.encoding.get("scale_factor", 1) == 1 and da.encoding.get("add_offset", 0) == 0
    valid = da.attrs.get("valid_range")
    if encoded and valid is not None and np.size(valid) == 2 and np.issubdtype(da.dtype, np.floating):
        da = da.where((da >= valid[0]) & (da <= valid[1]))
        notes.append(f"outside valid_range {[float(v) for v in np.ravel(valid)]} masked")
    if name == "sm" and _is_cci_sm(ds):
        # ESA CCI SM Product User Guide (v04.2, section on the flag variable): 0 = no data
        # inconsistency detected; 1 snow or temperature below zero, 2 dense vegetation, 4 no
        # convergence, 8 value exceeds the physical boundary, 16 weight of measurement below
        # threshold (sums combine them), 127 fill. Later versions add 64 "barren ground", an
        # advisory flag whose retrievals are kept.
        flag = ds["flag"]
        advisory = 64 if "barren" in str(flag.attrs.get("flag_meanings", "")).lower() else 0
        codes = flag.fillna(127).astype(np.int64)
        da = da.where((codes & ~advisory) == 0)
        notes.append("kept where flag == 0" + (" (or only the advisory barren-ground bit 64)" if advisory else "")
                     + " (ESA CCI SM Product User Guide)")
    match = _LAYER_NAME.search(name)
    attrs = dict(da.attrs)
    if match:
        attrs["layer_depth_m"] = (int(match.group(2)) - int(match.group(1))) / 100.0
    if notes:
        attrs["quality"] = "; ".join(notes)
    return da.assign_attrs(attrs)


def _open(path: Path, variable: str | None, field: str) -> xr.DataArray:
    if path.suffix.lower() in (".nc", ".nc4", ".netcdf", ".h5", ".hdf5"):
        return _open_netcdf(path, variable, field)
    if path.suffix.lower() in (".hdf", ".hdf4", ".h4", ".he4"):
        from smvar.realdata.hdf4 import Hdf4Error, open_hdf4_eos

        try:
            return open_hdf4_eos(path, variable, field_name=field)
        except Hdf4Error as exc:
            raise FilesError(str(exc)) from None
    return _open_geotiff(path)


def _with_time(da: xr.DataArray, path: Path, static: bool, months_year: int) -> xr.DataArray:
    """Give a file's array a ``time`` dimension (from the name or the bands), or none if static."""
    if "time" in da.dims:
        return da.isel(time=0, drop=True) if static and da.sizes["time"] == 1 else da
    if static:  # a yearly map (MCD12Q1.A2020001): its date does not matter
        return da.isel(band=0, drop=True) if "band" in da.dims else da
    stamp = date_from_name(path.name)
    bands = da.sizes.get("band", 1)
    if stamp is not None:
        da = da.isel(band=0, drop=True) if "band" in da.dims else da
        return da.expand_dims(time=[pd.Timestamp(stamp)])
    if "band" in da.dims and bands > 1 and not static:
        if bands != 12:
            raise FilesError(f"{path}: {bands} bands and no date in the name; give one file per date "
                             "with the date in its name, or 12 bands for months 1-12")
        times = pd.date_range(f"{months_year}-01-01", periods=12, freq="MS")
        return da.rename(band="time").assign_coords(time=times)
    return da.isel(band=0, drop=True) if "band" in da.dims else da


# ---------------------------------------------------------------------- reprojection
def _target(config: "BasinConfig", grid_name: str) -> tuple[str, Any, tuple[int, int], dict]:
    from affine import Affine

    from smvar.grid import analysis_grid, microwave_grid, reanalysis_grid

    if grid_name == "fine":
        g = analysis_grid(config)
        res = g.resolution_m
        transform = Affine(res, 0, g.x[0] - res / 2, 0, -res, g.y[0] + res / 2)
        return g.crs, transform, g.shape, {"y": g.y, "x": g.x}
    g = reanalysis_grid(config) if grid_name == "reanalysis" else microwave_grid(config)
    res = g.resolution_deg
    transform = Affine(res, 0, g.lon[0] - res / 2, 0, -res, g.lat[0] + res / 2)
    return "EPSG:4326", transform, g.shape, {"y": g.lat, "x": g.lon}


def _reproject(da: xr.DataArray, target: tuple, categorical: bool) -> xr.DataArray:
    from rasterio.enums import Resampling

    crs, transform, shape, coords = target
    da = da.astype(np.float64).rio.write_nodata(np.nan, encoded=False)
    out = da.rio.reproject(crs, shape=shape, transform=transform, nodata=np.nan,
                           resampling=Resampling.mode if categorical else Resampling.average)
    out = out.assign_coords(y=coords["y"], x=coords["x"])
    return out.drop_vars([c for c in out.coords if c not in ("time", "y", "x")])


# Dated layers of one source grid are stacked and reprojected together, up to this many values.
_BATCH_VALUES = 32_000_000


def _grid_key(da: xr.DataArray) -> tuple:
    """What two arrays must share to be reprojected in one call."""
    x, y = da["x"].values, da["y"].values
    return (str(da.rio.crs), da.dims, da.shape[1:], x[0], x[-1], y[0], y[-1])


def _resolution(da: xr.DataArray) -> list[float]:
    try:
        return [abs(float(r)) for r in da.rio.resolution()]
    except Exception:  # noqa: BLE001 - one-pixel arrays have no resolution
        return []


# ---------------------------------------------------------------------- one variable
def read_variable(name: str, spec: str | Sequence[str], config: "BasinConfig", *,
                  units: str | None = None, nodata: float | None = None,
                  recode: dict[int, int] | None = None,
                  layer_depth_m: float | None = None,
                  qc: Sequence[str | None] | None = None) -> tuple[xr.DataArray, dict]:
    """Read one contract variable from its file(s) and bring it to the contract.

    Parameters
    ----------
    name : str
        A contract variable (:data:`smvar.inputs.CONTRACT`).
    spec : str or sequence of str
        A path or glob, relative to the parameter file, optionally followed by
        ``::VARIABLE`` for NetCDF; or a list of them.
    config : BasinConfig
        Gives the grids, the dates and the parameter file's folder.
    units : str, optional
        The source units, overriding the files' ``units`` attribute.
    nodata : float, optional
        A fill value to mask besides the files' own nodata.
    recode : dict of int to int, optional
        Class codes to replace before resampling (e.g. ESA CCI -> IGBP);
        codes not in it become missing.
    layer_depth_m : float, optional
        Depth of the soil layer, m, for soil water given as a mass per area
        (``kg m-2``, i.e. mm of water): volumetric = mass / (1000 kg m-3 x
        depth). Default: from the variable's name (GLDAS ``SoilMoi0_10cm_inst``
        is 0.10 m).
    qc : sequence of str or None, optional
        MOD11 QC GeoTIFFs (``QC_Day``/``QC_Night`` assets), one per entry of
        ``spec`` (None where there is none): the pixels the MOD11 rule
        rejects (:func:`smvar.realdata.hdf4.mod11_qc_mask`) are masked.

    Returns
    -------
    (xarray.DataArray, dict)
        The variable on its contract grid with the contract's dims and units
        (``attrs["provenance"]`` holds the JSON of the dict), and the
        provenance: files, source CRS and resolution, resampling, unit
        conversion, time handling.
    """
    field = f"data.files.{name}"
    where = f"field '{field}': "
    grid_name, dims, contract_units, description = CONTRACT[name]
    static = "time" not in dims and "month" not in dims
    categorical = name in CATEGORICAL
    target = _target(config, grid_name)
    specs = [spec] if isinstance(spec, str) else list(spec)
    dates = config.dates()
    pieces, sources, crs_seen, res_seen, units_seen = [], [], set(), [], set()
    depths_seen, quality_seen = set(), []
    batch: list[xr.DataArray] = []  # dated layers on one source grid, reprojected in one call
    batch_key: tuple = ()

    def flush() -> None:
        if batch:
            stacked = batch[0] if len(batch) == 1 else xr.concat(batch, "time", coords="minimal",
                                                                  compat="override")
            pieces.append(_reproject(stacked, target, categorical))
            batch.clear()

    if qc is not None and len(qc) != len(specs):
        raise FilesError(f"{where}{len(qc)} QC files for {len(specs)} files; give one per file (or None)")
    for i, one in enumerate(specs):
        paths, variable = _expand(one, config.base_dir, field)
        for path in paths:
            raw = _with_time(_open(path, variable, field), path, static, dates[0].year)
            raw = _mask_and_recode(raw, nodata, recode)
            if qc is not None and qc[i]:
                raw = _apply_mod11_qc(raw, Path(qc[i]), where)
            if 0 in raw.shape:  # an empty file (no time step): nothing to add
                continue
            crs_seen.add(str(raw.rio.crs))
            res_seen.append(_resolution(raw))
            units_seen.add(raw.attrs.get("units"))
            if raw.attrs.get("layer_depth_m") is not None:
                depths_seen.add(float(raw.attrs["layer_depth_m"]))
            if raw.attrs.get("quality") and raw.attrs["quality"] not in quality_seen:
                quality_seen.append(raw.attrs["quality"])
            sources.append(str(path))
            if "time" not in raw.dims:
                pieces.append(_reproject(raw, target, categorical))
                continue
            key = _grid_key(raw)
            if batch and (key != batch_key or sum(b.size for b in batch) + raw.size > _BATCH_VALUES):
                flush()
            batch.append(raw)
            batch_key = key
    flush()
    if not pieces:
        raise FilesError(f"{where}the files {specs} hold no data (every time step is empty)")
    if len(units_seen) > 1:
        raise FilesError(f"{where}the files disagree on units {sorted(map(str, units_seen))}; "
                         "give files in one unit")
    source_units = units if units is not None else next(iter(units_seen))
    da = _combine(pieces, static, categorical, where)
    provenance = {"variable": name, "files": sources[:20], "n_files": len(sources),
                  "source_crs": sorted(crs_seen), "source_resolution": res_seen[0] if res_seen else [],
                  "target_grid": grid_name, "target_crs": str(target[0]),
                  "resampling": "mode" if categorical else "average"}
    assumed = source_units is None
    if assumed:
        source_units = "mm day-1" if name in ("precipitation", "pet") else contract_units
        provenance["units_note"] = f"no units attribute: taken as {source_units!r}"
    if quality_seen:
        provenance["quality"] = quality_seen
    da, source_units, layer_note = _water_mass_to_volumetric(da, source_units, contract_units,
                                                              layer_depth_m, depths_seen, where)
    if layer_note:
        provenance["layer"] = layer_note
    da, conversion, time_note = _harmonise(da, name, dims, source_units, contract_units, dates, where)
    provenance.update({"units_from": source_units, "units_to": contract_units,
                       "conversion": conversion, "time": time_note})
    da = _finish(da, name, dims, categorical, grid_name)
    da.attrs = {"units": contract_units, "long_name": description,
                "provenance": json.dumps(provenance)}
    return da, provenance


# soil water as a mass per area: kg m-2 = mm of water
_WATER_MASS = ("kgm-2", "kg/m2", "kgm**-2", "mm")


def _water_mass_to_volumetric(da: xr.DataArray, source_units: str, contract_units: str,
                              layer_depth_m: float | None, depths: set[float],
                              where: str) -> tuple[xr.DataArray, str, str | None]:
    """kg m-2 of water in a layer -> m3 m-3: divide by 1000 kg m-3 x the layer depth (m)."""
    if contract_units != "m3 m-3" or _normalise(source_units) not in _WATER_MASS:
        return da, source_units, None
    depth = layer_depth_m if layer_depth_m is not None else (next(iter(depths)) if len(depths) == 1 else None)
    if depth is None or depth <= 0:
        raise UnitError(
            f"{where}units {source_units!r} are soil water per area; converting them to m3 m-3 needs "
            "the layer's depth, which the variable's name does not give"
            + (f" (the files give several: {sorted(depths)})" if len(depths) > 1 else "")
            + ". Fix: name a layer variable such as GLDAS 'SoilMoi0_10cm_inst', or give "
            "`layer_depth_m` (m) with the file")
    out = (da / (1000.0 * depth)).assign_attrs({**da.attrs, "units": "m3 m-3"})
    return out, "m3 m-3", (f"{source_units} over a {depth:g} m layer -> m3 m-3: x / {1000.0 * depth:g} "
                           "(water density 1000 kg m-3)")


def _apply_mod11_qc(da: xr.DataArray, qc_path: Path, where: str) -> xr.DataArray:
    """Mask the pixels of an LST layer that its MOD11 QC GeoTIFF rejects."""
    import rioxarray

    from smvar.realdata.hdf4 import mod11_qc_mask

    qc = rioxarray.open_rasterio(qc_path, masked=False)
    codes = np.asarray(qc.values)[0] if qc.ndim == 3 else np.asarray(qc.values)
    if codes.shape != da.shape[-2:]:
        raise FilesError(f"{where}{qc_path}: QC shape {codes.shape} differs from its LST layer's {da.shape[-2:]}; "
                         "give the QC asset of the same item")
    kept = xr.DataArray(mod11_qc_mask(np.clip(codes, 0, 255).astype(np.uint8)), dims=("y", "x"))
    out = da.where(kept.assign_coords(y=da["y"], x=da["x"]))
    rule = "MOD11 QC: mandatory QA 00, or 01 with LST error <= 2 K (MOD11 C6 User's Guide, table 10)"
    return out.assign_attrs({**da.attrs, "quality": "; ".join(filter(None, [da.attrs.get("quality"), rule]))})


def _mask_and_recode(da: xr.DataArray, nodata: float | None, recode: dict[int, int] | None) -> xr.DataArray:
    if nodata is not None:
        da = da.where(da != nodata)
    if recode:
        lookup = np.full(max(max(recode), 0) + 2, np.nan)
        lookup[list(recode)] = list(recode.values())
        codes = np.nan_to_num(da.values, nan=-1).astype(np.int64)
        inside = (codes >= 0) & (codes < lookup.size - 1)
        da = da.copy(data=np.where(inside, lookup[np.where(inside, codes, lookup.size - 1)], np.nan))
    return da


def _combine(pieces: list[xr.DataArray], static: bool, categorical: bool, where: str) -> xr.DataArray:
    """Mosaic tiles and merge time steps: mean of finite values per day (first value if categorical)."""
    if static:
        if any("time" in p.dims for p in pieces):
            raise FilesError(f"{where}a static variable was given with a time dimension; give one layer")
        if categorical:  # tiles: the first finite code wins
            out = pieces[0]
            for piece in pieces[1:]:
                out = out.combine_first(piece)
            return out
        return xr.concat(pieces, "tile").mean("tile", skipna=True) if len(pieces) > 1 else pieces[0]
    if any("time" not in p.dims for p in pieces):
        raise FilesError(f"{where}some files have no date: put the date in each file name "
                         "(2020-07-15, 20200715 or A2020197) or use a NetCDF time coordinate")
    stacked = xr.concat(pieces, "time")
    day = stacked["time"].dt.floor("D")
    return stacked.assign_coords(time=day).groupby("time").mean(skipna=True)


def _harmonise(da: xr.DataArray, name: str, dims: tuple, source_units: str, contract_units: str,
               dates: list[dt.date], where: str) -> tuple[xr.DataArray, str, str]:
    """Convert units and bring the time axis to the analysis days or months."""
    wanted = pd.DatetimeIndex(pd.to_datetime(dates))
    months = sorted({d.month for d in dates})
    if name in ("precipitation", "pet"):
        rate, conversion = to_mm_per_day(da, source_units, where)
        how = "max" if name == "pet" else "mean"
        return (composites.monthly_total(rate, months, how=how),
                conversion + " -> mm month-1", MONTHLY_METHOD[name])
    da, conversion = convert_units(da, contract_units, source_units, where)
    if "month" in dims:
        return composites.maximum_value_composite(da, months), conversion, MONTHLY_METHOD[name]
    if "time" not in dims:
        return da, conversion, "static"
    covered = wanted.isin(pd.DatetimeIndex(da["time"].values)).all()
    if name == "ndvi" and not covered and da.sizes["time"] > 1:
        step = int(np.median(np.diff(da["time"].values).astype("timedelta64[D]").astype(int)))
        daily = composites.savgol_daily(da, wanted)
        return daily, conversion, f"{step}-day composites -> daily by Savitzky-Golay"
    selected = da.reindex(time=wanted)
    missing = int((~np.isfinite(selected).any(dim=[d for d in selected.dims if d != "time"])).sum())
    return selected, conversion, f"daily; {missing} of {len(wanted)} analysis days without data"


def _finish(da: xr.DataArray, name: str, dims: tuple, categorical: bool, grid_name: str) -> xr.DataArray:
    if grid_name != "fine":
        da = da.rename(y="lat", x="lon")
    da = da.transpose(*dims)
    if categorical:
        fill = -1 if name == "landcover" else 0
        return xr.where(np.isfinite(da), da, fill).round().astype(np.int16)
    return da.astype(np.float32)


# ---------------------------------------------------------------------- derived
def derive_slope_aspect(dem: xr.DataArray, resolution_m: float) -> tuple[xr.DataArray, xr.DataArray]:
    """Slope and aspect from a DEM on the equal-area grid (central differences).

    Parameters
    ----------
    dem : xarray.DataArray
        Elevation in m, dims ``(y, x)``, ``y`` decreasing (north-up rows).
    resolution_m : float
        Cell size, m.

    Returns
    -------
    (slope, aspect) : xarray.DataArray
        Degrees; aspect clockwise from north (the direction the slope faces),
        -1 where the slope is below 0.01 degree (:func:`smvar.terrain.slope_aspect`,
        the twin's rule too).
    """
    slope, aspect = slope_aspect(np.asarray(dem.values, dtype=float), resolution_m)
    coords = {"y": dem["y"], "x": dem["x"]}
    make = lambda v, desc: xr.DataArray(v.astype(np.float32), dims=("y", "x"), coords=coords,  # noqa: E731
                                        attrs={"units": "degree", "long_name": desc,
                                               "provenance": json.dumps({"derived_from": "dem"})})
    return make(slope, CONTRACT["slope"][3]), make(aspect, CONTRACT["aspect"][3])


# ---------------------------------------------------------------------- all variables
# Variables no public route provides: they must be given as files; how to make each.
MAKE_YOURSELF = {
    "twi": "derive it from the DEM, ln(a / tan b) with a the specific catchment area "
           "(e.g. WhiteboxTools WetnessIndex, SAGA 'Topographic Wetness Index' or pysheds), "
           "and give the GeoTIFF as `twi: twi.tif`",
    "basin_mask": "give the basin's outline at the top of the parameter file as `basin: outline.geojson` "
                  "(or a shapefile; it is rasterised onto the analysis grid), or a raster of 1 inside and "
                  "0 outside as `basin_mask: basin_mask.tif`",
    "reach": "rasterise the reaches' polygons with codes 1 upper, 2 middle, 3 lower and 0 outside "
             "(e.g. `gdal_rasterize -a code -init 0 -ot Byte -tr RES RES reaches.shp reach.tif`), and give "
             "it as `reach: reach.tif`",
}


def missing_message(missing: Sequence[str], source: str) -> str:
    """One message naming every missing ``data.files.<name>`` with its units, dims and the fix.

    Variables with no ``smvar fetch`` route (the TWI, the basin mask and the
    reaches among them) are marked as such, with how to make the file.
    """
    from smvar.realdata.routes import ROUTES

    fetchable = {v for route in ROUTES.values() for v in route.variables}
    lines = [f"{source}: {len(missing)} contract variable(s) have no file in the parameter file:"]
    for name in missing:
        grid, dims, units, description = CONTRACT[name]
        line = f"  - data.files.{name}: {description}; units {units!r}, dims {dims} on the {grid} grid"
        if name in MAKE_YOURSELF:
            line += f"; no download route, give it as a file: {MAKE_YOURSELF[name]}"
        elif name not in fetchable:
            line += "; no download route, give it as a file"
        lines.append(line)
    lines.append("Fix: add each under `data: files:` (a GeoTIFF/NetCDF path or a glob of daily "
                 "files, relative to the parameter file)"
                 + (", or fetch those with a route with `smvar fetch BASIN.yaml --out DIR`"
                    if any(n in fetchable for n in missing) else "")
                 + "; see the book page 'Rerun with real data'.")
    return "\n".join(lines)


def _check_names(config: "BasinConfig") -> None:
    unknown = [k for k in config.data.files if k not in CONTRACT]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, list(CONTRACT), n=1)
            hints.append(f"'data.files.{key}'" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise FilesError(f"{config.source_file}: unknown contract variable(s) {', '.join(hints)}. "
                         f"Allowed: {', '.join(CONTRACT)}. Fix: rename or remove them.")


def load_files(config: "BasinConfig", files: dict[str, Any] | None = None) -> Inputs:
    """The inputs of a parameter file with ``data.source: files``.

    Parameters
    ----------
    config : BasinConfig
        Its ``data.files`` maps contract variables to files.
    files : dict, optional
        Overrides ``config.data.files`` (used by ``smvar fetch``); values are a
        path/glob, a list of them, or a dict ``{"paths": [...], "units": ...}``.

    Returns
    -------
    Inputs
        ``fine``, ``reanalysis`` and ``microwave`` datasets; every variable's
        ``attrs["provenance"]`` and each dataset's ``attrs["provenance"]``
        (JSON of all variables of that dataset) record where it came from.

    Raises
    ------
    FilesError
        Listing, in one message, every variable with no file, or naming the
        file and field that cannot be used.
    """
    mapping = dict(config.data.files if files is None else files)
    if files is None:
        _check_names(config)
    missing = [n for n in CONTRACT if n not in mapping
               and not (n in DERIVABLE and DERIVABLE[n] in mapping)
               and not (n == "basin_mask" and config.basin_outline is not None)]
    if missing:
        raise FilesError(missing_message(missing, str(config.source_file or "parameter file")))
    arrays, provenance = read_all(config, mapping)
    return assemble(config, arrays, provenance)


def read_all(config: "BasinConfig", mapping: dict[str, Any]) -> tuple[dict[str, xr.DataArray], dict]:
    """Read every variable of ``mapping``, then derive what is absent (:func:`derive_missing`)."""
    arrays, provenance = {}, {}
    for name, spec in mapping.items():
        options = spec if isinstance(spec, dict) else {"paths": spec}
        arrays[name], provenance[name] = read_variable(
            name, options["paths"], config, units=options.get("units"),
            nodata=options.get("nodata"), recode=options.get("recode"),
            layer_depth_m=options.get("layer_depth_m"), qc=options.get("qc"))
    derive_missing(config, arrays, provenance)
    return arrays, provenance


def derive_missing(config: "BasinConfig", arrays: dict[str, xr.DataArray], provenance: dict) -> None:
    """Add what can be derived and was not given: the basin mask from the ``basin`` outline, then
    slope, aspect, TWI and reaches from the DEM (:data:`DERIVABLE`), in place."""
    from smvar.grid import analysis_grid

    grid = analysis_grid(config)
    coords = grid.coords()
    if config.basin_outline is not None:
        mask = outline_mask(config.basin_outline, grid, config.extent)
        arrays["basin_mask"] = xr.DataArray(mask, dims=("y", "x"), coords=coords,
                                            attrs={"units": "1", "long_name": "1 inside the basin, 0 outside"})
        provenance["basin_mask"] = {"variable": "basin_mask", "derived_from": f"basin outline {config.basin}"}
    if "dem" not in arrays:
        return
    dem = np.asarray(arrays["dem"].values, dtype=float)
    if "slope" not in arrays or "aspect" not in arrays:
        slope, aspect = derive_slope_aspect(arrays["dem"], grid.resolution_m)
        for derived_name, derived in (("slope", slope), ("aspect", aspect)):
            arrays.setdefault(derived_name, derived)
            provenance.setdefault(derived_name, {"variable": derived_name, "derived_from": "dem"})
    made = {}
    if "twi" not in arrays:
        made["twi"] = (topographic_wetness_index(np.nan_to_num(dem, nan=float(np.nanmax(dem))), grid.resolution_m),
                       {"units": "1", "long_name": "topographic wetness index ln(a / tan b), from the DEM"})
    if "reach" not in arrays and "basin_mask" in arrays:
        mask = np.asarray(arrays["basin_mask"].values) > 0
        made["reach"] = (reaches_from_dem(np.where(mask, dem, np.nan), mask, grid.resolution_m),
                         {"units": "1", "long_name": "reach: 1 upper, 2 middle, 3 lower (thirds of the flow "
                                                     "length to the outlet), 0 outside"})
    for name, (values, attrs) in made.items():
        arrays[name] = xr.DataArray(values, dims=("y", "x"), coords=coords, attrs=attrs)
        provenance[name] = {"variable": name, "derived_from": "dem"}


def assemble(config: "BasinConfig", arrays: dict[str, xr.DataArray], provenance: dict) -> Inputs:
    """Put variables into the three datasets of :class:`~smvar.inputs.Inputs` (any subset)."""
    from smvar.grid import analysis_grid, microwave_grid, reanalysis_grid

    grids = {"fine": analysis_grid(config).coords(), "reanalysis": reanalysis_grid(config).coords(),
             "microwave": microwave_grid(config).coords()}
    datasets = {}
    for grid_name, coords in grids.items():
        names = [n for n in arrays if CONTRACT[n][0] == grid_name]
        data = {REANALYSIS_NAMES.get(n, n): arrays[n] for n in names}
        ds = xr.Dataset(data)
        ds = ds.assign_coords({k: v for k, v in coords.items()})
        ds.attrs.update({"crs": config.crs if grid_name == "fine" else "EPSG:4326",
                         "synthetic": "false", "basin": config.name, "source": "files",
                         "provenance": json.dumps({n: provenance.get(n, {}) for n in names})})
        datasets[grid_name] = ds
    return Inputs(**datasets)
