"""MODIS HDF4-EOS grids read with pyhdf: fields, the grid's projection and transform, QC.

Provides
--------
open_hdf4_eos
    One field of an HDF4-EOS grid granule (MOD11A1, MOD13A2, MCD12Q1,
    MOD16A2 ...) as a georeferenced :class:`xarray.DataArray` of digital
    numbers: fill values and the valid range masked, the MOD11 QC applied to
    LST, the date taken from the granule's metadata, the digital-number unit
    (scale included) in ``attrs["units"]``.
parse_struct_metadata
    The grids of ``StructMetadata.0`` (size, corners, projection, fields).
mod11_qc_mask
    Which MOD11 LST pixels pass the quality rule.
Hdf4Error
    A granule or field that cannot be read, in one line naming the file and the fix.

Why pyhdf
---------
The GDAL in the rasterio wheels is built without the HDF4 driver, so the
``HDF4_EOS:EOS_GRID:...`` names of GDAL cannot be opened from a plain
``pip install``. ``pyhdf`` ships the HDF4 library in its wheels for Linux,
macOS and Windows (and is on conda-forge); it reads the scientific data sets
(SDS) and the global attributes. HDF-EOS itself is not needed: the grid's
geolocation is written as text in the ``StructMetadata.0`` attribute (HDF-EOS
grid "ODL" metadata), which this module parses.

Conventions (cited from the product user guides)
------------------------------------------------
* MODIS sinusoidal grid (``GCTP_SNSOID``): a sphere of radius 6 371 007.181 m,
  the first value of ``ProjParams`` (MODIS Land grid documentation; the tile
  corners are ``UpperLeftPointMtrs`` / ``LowerRightMtrs`` in metres).
* Calibration: the HDF4 convention is ``value = scale_factor * (DN - add_offset)``.
  MOD11 (scale_factor 0.02, LST in K; MOD11 C6 User's Guide, Wan 2013,
  table 3) and MOD16 (0.1, kg m-2 8day-1; MOD16 User's Guide) follow it.
  MOD13 writes ``scale_factor = 10000`` and its guide tells to *divide*
  (MOD13 C6 User's Guide, Didan et al. 2015, table 3: NDVI/EVI valid range
  -2000..10000, scale 0.0001): a scale factor above 1 is read as a divisor.
* ``_FillValue`` and values outside ``valid_range`` (both in DN) are missing.
* MOD11 QC (MOD11 C6 User's Guide, table 10, bits of ``QC_Day``/``QC_Night``):
  bits 1-0 mandatory QA (00 produced, good quality; 01 produced, other
  quality; 10 not produced, cloud; 11 not produced, other reasons); bits 3-2
  data quality (00 good, 01 other); bits 5-4 emissivity error (00 <= 0.01,
  01 <= 0.02, 10 <= 0.04, 11 > 0.04); bits 7-6 LST error (00 <= 1 K,
  01 <= 2 K, 10 <= 3 K, 11 > 3 K). The rule kept here: mandatory QA 00, or
  01 with an LST error of at most ``max_lst_error_k`` (2 K by default).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["Hdf4Error", "EosGrid", "parse_struct_metadata", "mod11_qc_mask", "open_hdf4_eos",
           "granule_date", "parse_gdal_name", "MOD11_QC", "SINUSOIDAL_RADIUS_M"]

SINUSOIDAL_RADIUS_M = 6371007.181
# MOD11A1/MOD11A2/MYD11A1 LST fields -> their QC field (MOD11 C6 User's Guide, table 2).
MOD11_QC = {"LST_Day_1km": "QC_Day", "LST_Night_1km": "QC_Night"}
# units written by the MODIS files that mean "no unit"
_DIMENSIONLESS = {"", "none", "ndvi", "evi", "1", "class", "class number", "reflectance"}


class Hdf4Error(OSError):
    """An HDF4 granule or field that cannot be read; the message names the file and the fix."""


@dataclass(frozen=True)
class EosGrid:
    """One grid of an HDF-EOS ``StructMetadata.0``."""

    name: str
    xdim: int
    ydim: int
    upper_left: tuple[float, float]      # metres (sinusoidal) or packed DMS degrees (geographic)
    lower_right: tuple[float, float]
    projection: str
    proj_params: tuple[float, ...]
    fields: tuple[str, ...] = field(default_factory=tuple)


def _value(block: str, key: str) -> str | None:
    match = re.search(rf"^\s*{key}=(.*)$", block, re.MULTILINE)
    return match.group(1).strip() if match else None


def _numbers(text: str | None) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?", text or ""))


def parse_struct_metadata(text: str) -> dict[str, EosGrid]:
    """The grids of an HDF-EOS ``StructMetadata.0`` attribute.

    Parameters
    ----------
    text : str
        The attribute's text (ODL: ``GROUP=GRID_1 ... END_GROUP=GRID_1``).

    Returns
    -------
    dict of str to EosGrid
        By grid name (``"MODIS_Grid_Daily_1km_LST"`` ...).
    """
    grids = {}
    for block in re.findall(r"GROUP=GRID_\d+(.*?)END_GROUP=GRID_\d+", text, re.DOTALL):
        name = (_value(block, "GridName") or "").strip('"')
        upper_left = _numbers(_value(block, "UpperLeftPointMtrs"))
        lower_right = _numbers(_value(block, "LowerRightMtrs"))
        fields = tuple(re.findall(r'DataFieldName="([^"]+)"', block))
        grids[name] = EosGrid(name=name, xdim=int(_value(block, "XDim") or 0), ydim=int(_value(block, "YDim") or 0),
                              upper_left=upper_left[:2], lower_right=lower_right[:2],  # type: ignore[arg-type]
                              projection=_value(block, "Projection") or "",
                              proj_params=_numbers(_value(block, "ProjParams")), fields=fields)
    return grids


def _dms_to_degrees(packed: float) -> float:
    """GCTP packed degrees-minutes-seconds (DDDMMMSSS.SS) to decimal degrees."""
    sign = -1.0 if packed < 0 else 1.0
    packed = abs(packed)
    degrees = int(packed // 1_000_000)
    minutes = int((packed - degrees * 1_000_000) // 1000)
    seconds = packed - degrees * 1_000_000 - minutes * 1000
    return sign * (degrees + minutes / 60 + seconds / 3600)


def _georeference(grid: EosGrid, where: str) -> tuple[str, np.ndarray, np.ndarray]:
    """(CRS, x centres, y centres) of a grid's cells."""
    if grid.projection == "GCTP_SNSOID":
        radius = grid.proj_params[0] if grid.proj_params and grid.proj_params[0] > 0 else SINUSOIDAL_RADIUS_M
        crs = f"+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R={radius:.3f} +units=m +no_defs"
        (ulx, uly), (lrx, lry) = grid.upper_left, grid.lower_right
    elif grid.projection == "GCTP_GEO":  # climate-modelling grids: corners in packed DMS
        crs = "EPSG:4326"
        ulx, uly = (_dms_to_degrees(v) for v in grid.upper_left)
        lrx, lry = (_dms_to_degrees(v) for v in grid.lower_right)
    else:
        raise Hdf4Error(f"{where}: grid {grid.name!r} has projection {grid.projection}, which is not read "
                        "here (only GCTP_SNSOID and GCTP_GEO). Fix: convert the field to GeoTIFF "
                        "(e.g. with HEG or pyModis) and give the GeoTIFF")
    dx, dy = (lrx - ulx) / grid.xdim, (uly - lry) / grid.ydim
    x = ulx + dx * (np.arange(grid.xdim) + 0.5)
    y = uly - dy * (np.arange(grid.ydim) + 0.5)
    return crs, x, y


def granule_date(core_metadata: str) -> dt.date | None:
    """``RANGEBEGINNINGDATE`` of an ECS ``CoreMetadata.0`` text, or None."""
    match = re.search(r"OBJECT\s*=\s*RANGEBEGINNINGDATE.*?VALUE\s*=\s*\"(\d{4})-(\d{2})-(\d{2})\"",
                      core_metadata, re.DOTALL)
    return dt.date(*map(int, match.groups())) if match else None


def mod11_qc_mask(qc: np.ndarray, max_lst_error_k: int = 2) -> np.ndarray:
    """True where a MOD11 LST value passes the quality rule.

    Parameters
    ----------
    qc : numpy.ndarray
        The ``QC_Day`` or ``QC_Night`` bytes (uint8).
    max_lst_error_k : int
        Largest average LST error accepted for "other quality" pixels, K
        (1, 2 or 3: the LST error classes of bits 7-6).

    Returns
    -------
    numpy.ndarray of bool
        Mandatory QA (bits 1-0) 00, or 01 with the LST error class (bits 7-6)
        at most ``max_lst_error_k - 1``.
    """
    qc = np.asarray(qc, dtype=np.uint8)
    mandatory = qc & 0b11
    lst_error_class = (qc >> 6) & 0b11         # 0: <= 1 K, 1: <= 2 K, 2: <= 3 K, 3: > 3 K
    return (mandatory == 0) | ((mandatory == 1) & (lst_error_class <= max_lst_error_k - 1))


def _dn_units(attrs: dict) -> tuple[str | None, float, float]:
    """(unit of one digital number, factor, offset) from an SDS's attributes."""
    scale = float(attrs.get("scale_factor", 1.0))
    offset = float(attrs.get("add_offset", 0.0))
    factor = 1.0 / scale if scale > 1.0 else scale  # MOD13: scale_factor 10000 means divide
    units = attrs.get("units")
    units = None if units is None else str(units).strip()
    if factor == 1.0 and offset == 0.0:
        return ("1" if units is not None and units.lower() in _DIMENSIONLESS else units), factor, offset
    if units is None or units.lower() in _DIMENSIONLESS:
        return f"{factor:g}", factor, offset
    return f"{factor:g} {units}", factor, offset


def _open_sd(path: Path):
    try:
        from pyhdf.SD import SD, SDC
        from pyhdf.error import HDF4Error
    except ImportError:
        raise Hdf4Error(f"{path}: reading HDF4 needs the pyhdf package: pip install pyhdf "
                        "(or conda install -c conda-forge pyhdf)") from None
    if not path.is_file():
        raise Hdf4Error(f"{path}: no such file. Fix: correct the path")
    try:
        return SD(str(path), SDC.READ)
    except HDF4Error as exc:
        raise Hdf4Error(f"{path}: not a readable HDF4 file ({exc}). Fix: download the granule again "
                        "(a partial download is not a valid HDF4 file)") from None


def open_hdf4_eos(path: str | Path, variable: str | None, *, grid_name: str | None = None,
                  field_name: str = "", max_lst_error_k: int = 2) -> xr.DataArray:
    """One field of an HDF4-EOS grid granule, georeferenced, as digital numbers.

    Parameters
    ----------
    path : str or Path
        The ``.hdf`` granule.
    variable : str or None
        The field (SDS) name, e.g. ``"LST_Day_1km"`` or ``"1 km 16 days NDVI"``;
        None if the granule holds a single field.
    grid_name : str, optional
        The HDF-EOS grid holding it (default: the grid listing the field).
    field_name : str
        ``data.files.<name>`` for messages.
    max_lst_error_k : int
        The MOD11 QC rule (:func:`mod11_qc_mask`), K.

    Returns
    -------
    xarray.DataArray
        Dims ``(time, y, x)`` when the granule's date is known, else
        ``(y, x)``; float64 digital numbers, NaN where missing (fill value,
        outside the valid range, QC rejected); CRS and transform written;
        ``attrs``: ``units`` (the unit of one DN, e.g. ``"0.02 K"``),
        ``scale_factor``, ``add_offset``, ``quality`` (what was masked).

    Raises
    ------
    Hdf4Error
        One line naming the file, the field and the fix.
    """
    path = Path(path)
    where = f"field '{field_name}': {path}" if field_name else str(path)
    sd = _open_sd(path)
    try:
        attrs = sd.attributes()
        names = list(sd.datasets())
        if variable is None:
            if len(names) != 1:
                raise Hdf4Error(f"{where} holds the fields {names}; name one after '::', for example "
                                f"'{path.name}::{names[0] if names else 'LST_Day_1km'}'")
            variable = names[0]
        if variable not in names:
            close = [n for n in names if n.lower() == variable.lower()]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise Hdf4Error(f"{where} has no field {variable!r}{hint}; it holds {names}")
        grids = parse_struct_metadata(str(attrs.get("StructMetadata.0", "")))
        if grid_name is not None and grid_name not in grids:
            raise Hdf4Error(f"{where} has no HDF-EOS grid {grid_name!r}; it holds {sorted(grids)}")
        owner = grids.get(grid_name) if grid_name else next(
            (g for g in grids.values() if variable in g.fields), None)
        if owner is None:
            raise Hdf4Error(f"{where}: no HDF-EOS grid (StructMetadata.0) lists the field {variable!r}; "
                            "the file is not an HDF-EOS grid. Fix: give a GeoTIFF of the field")
        sds = sd.select(variable)
        sds_attrs = sds.attributes()
        raw = np.asarray(sds.get())
        if raw.shape != (owner.ydim, owner.xdim):
            raise Hdf4Error(f"{where}: field {variable!r} has shape {raw.shape}, not the grid's "
                            f"{(owner.ydim, owner.xdim)}")
        values = raw.astype(np.float64)
        notes = []
        fill = sds_attrs.get("_FillValue")
        if fill is not None:
            values[raw == fill] = np.nan
            notes.append(f"_FillValue {fill} masked")
        valid = sds_attrs.get("valid_range")
        if valid is not None and len(valid) == 2:
            values[(raw < valid[0]) | (raw > valid[1])] = np.nan
            notes.append(f"outside valid_range {list(valid)} masked")
        qc_name = MOD11_QC.get(variable)
        if qc_name and qc_name in names:
            passed = mod11_qc_mask(np.asarray(sd.select(qc_name).get()), max_lst_error_k)
            values[~passed] = np.nan
            notes.append(f"{qc_name}: mandatory QA 00, or 01 with LST error <= {max_lst_error_k} K "
                         "(MOD11 C6 User's Guide, table 10)")
        stamp = granule_date(str(attrs.get("CoreMetadata.0", "")))
    finally:
        sd.end()
    import rioxarray  # noqa: F401 - registers the .rio accessor

    crs, x, y = _georeference(owner, where)
    units, factor, offset = _dn_units(sds_attrs)
    da = xr.DataArray(values, dims=("y", "x"), coords={"y": y, "x": x}, name=variable,
                      attrs={"units": units, "scale_factor": factor, "add_offset": offset,
                             "long_name": str(sds_attrs.get("long_name", variable)),
                             "quality": "; ".join(notes), "hdf_eos_grid": owner.name})
    da = da.rio.write_crs(crs).rio.set_spatial_dims(x_dim="x", y_dim="y")
    if stamp is not None:
        da = da.expand_dims(time=[pd.Timestamp(stamp)])
    return da


def parse_gdal_name(spec: str) -> tuple[str, str | None, str | None] | None:
    """``(path, grid, field)`` of a GDAL ``HDF4_EOS:EOS_GRID:"file":grid:field`` name, or None."""
    match = re.match(r'^HDF4_EOS:EOS_GRID:(?:"([^"]+)"|([^:"]+)):([^:]+):([^:]+)$', spec)
    if not match:
        return None
    return match.group(1) or match.group(2), match.group(3), match.group(4)
