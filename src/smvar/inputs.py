"""The input contract: what every data source hands to the analysis.

Provides
--------
CONTRACT
    Every variable: its grid (``fine``, ``reanalysis`` or ``microwave``), its
    dimensions, its units and a description.
LAND_COVER_CLASSES
    The land-cover codes used on the fine grid (IGBP, as MODIS MCD12Q1 LC_Type1).
Inputs
    The three datasets of one run: ``fine`` (the analysis grid, dims
    ``y, x`` plus ``time`` or ``month``), ``reanalysis`` (0.1 degree, dims
    ``time, lat, lon``) and ``microwave`` (0.25 degree, dims ``time, lat, lon``).
validate_inputs
    Check names, dimensions and unit attributes against the contract, with a
    message naming the variable, what is wrong and the fix.
write_inputs, read_inputs, open_inputs_once
    The on-disk layout shared by ``smvar synth`` and the ``local`` loader:
    ``DIR/fine.zarr``, ``DIR/reanalysis.zarr``, ``DIR/microwave.zarr``
    (Zarr, chunked by time), each written to a temporary name and renamed.

The sources that produce these objects (the twin, a local folder, per-variable
files, downloads) are registered in :mod:`smvar.sources`, which imports this
module; this module imports none of them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dask
import xarray as xr

from smvar.errors import UserError
from smvar.store import atomic_path

if TYPE_CHECKING:
    from smvar.config import BasinConfig

__all__ = [
    "CONTRACT",
    "LAND_COVER_CLASSES",
    "Inputs",
    "InputError",
    "validate_inputs",
    "write_inputs",
    "read_inputs",
    "write_store",
    "open_inputs_once",
]

# name: (grid, dims, units, description)
CONTRACT: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    # fine grid, static
    "dem": ("fine", ("y", "x"), "m", "elevation above sea level"),
    "slope": ("fine", ("y", "x"), "degree", "terrain slope"),
    "aspect": ("fine", ("y", "x"), "degree", "terrain aspect, clockwise from north; -1 where flat"),
    "twi": ("fine", ("y", "x"), "1", "topographic wetness index ln(a / tan b)"),
    "landcover": ("fine", ("y", "x"), "1", "land-cover code (IGBP, MCD12Q1 LC_Type1)"),
    "bulk_density": ("fine", ("y", "x"), "cg cm-3", "soil bulk density, 0-5 cm (SoilGrids units)"),
    "organic_carbon": ("fine", ("y", "x"), "dg kg-1", "soil organic carbon content, 0-5 cm (SoilGrids units)"),
    "field_capacity": ("fine", ("y", "x"), "m3 m-3", "volumetric water content at field capacity"),
    "ksat": ("fine", ("y", "x"), "cm day-1", "saturated hydraulic conductivity"),
    "saturated_water_content": ("fine", ("y", "x"), "m3 m-3", "volumetric water content at saturation"),
    "basin_mask": ("fine", ("y", "x"), "1", "1 inside the basin, 0 outside"),
    "reach": ("fine", ("y", "x"), "1", "0 outside, 1 upper, 2 middle, 3 lower reach"),
    # fine grid, daily
    "lst_day": ("fine", ("time", "y", "x"), "K", "daytime land surface temperature (MODIS ~10:30)"),
    "lst_night": ("fine", ("time", "y", "x"), "K", "night-time land surface temperature (MODIS ~22:30)"),
    "ndvi": ("fine", ("time", "y", "x"), "1", "daily NDVI (16-day composites smoothed by Savitzky-Golay)"),
    "sm_reference": ("fine", ("time", "y", "x"), "m3 m-3", "1 km reference soil moisture for validation (SMCI role)"),
    # fine grid, monthly
    "evi": ("fine", ("month", "y", "x"), "1", "monthly EVI, maximum-value composite"),
    "fvc": ("fine", ("month", "y", "x"), "1", "monthly fractional vegetation cover"),
    "pet": ("fine", ("month", "y", "x"), "mm month-1", "monthly potential evapotranspiration"),
    "precipitation": ("fine", ("month", "y", "x"), "mm month-1", "monthly precipitation"),
    # reanalysis grid (0.1 degree), daily
    "sm": ("reanalysis", ("time", "lat", "lon"), "m3 m-3", "reanalysis surface soil moisture (ERA5-Land role)"),
    "lst_day_reanalysis": ("reanalysis", ("time", "lat", "lon"), "K", "reanalysis skin temperature at the daytime overpass"),
    "lst_night_reanalysis": ("reanalysis", ("time", "lat", "lon"), "K", "reanalysis skin temperature at the night-time overpass"),
    # microwave grid (0.25 degree), daily
    "sm_cci": ("microwave", ("time", "lat", "lon"), "m3 m-3", "microwave soil moisture with gaps (ESA CCI role)"),
    "sm_smops": ("microwave", ("time", "lat", "lon"), "m3 m-3", "gap-free, noisier microwave soil moisture (SMOPS role)"),
}
# Optional: read when present. The factors' LST (paper section 2.2: MOD11A2, 8-day clear-sky
# composites averaged by month) is another product than the daily all-weather LST of the
# downscaling (TRIMS); without these, the factors use the monthly means of lst_day and lst_night.
OPTIONAL = {
    "sm_truth": ("fine", ("time", "y", "x"), "m3 m-3", "soil-moisture truth (synthetic runs only)"),
    "lst_day_monthly": ("fine", ("month", "y", "x"), "K",
                        "monthly mean daytime LST of the factors (MOD11A2 role, clear sky)"),
    "lst_night_monthly": ("fine", ("month", "y", "x"), "K",
                          "monthly mean night-time LST of the factors (MOD11A2 role, clear sky)"),
}

# In the reanalysis dataset the LST variables are stored under these names.
REANALYSIS_NAMES = {"lst_day_reanalysis": "lst_day", "lst_night_reanalysis": "lst_night"}

LAND_COVER_CLASSES: dict[int, str] = {
    1: "evergreen needleleaf forest",
    2: "evergreen broadleaf forest",
    3: "deciduous needleleaf forest",
    4: "deciduous broadleaf forest",
    5: "mixed forest",
    6: "closed shrubland",
    7: "open shrubland",
    8: "woody savanna",
    9: "savanna",
    10: "grassland",
    11: "permanent wetland",
    12: "cropland",
    13: "urban and built-up",
    14: "cropland/natural vegetation mosaic",
    15: "permanent snow and ice",
    16: "barren",
    17: "water",
}

GRID_OF_DATASET = {"fine": ("y", "x"), "reanalysis": ("lat", "lon"), "microwave": ("lat", "lon")}


class InputError(UserError, ValueError):
    """Inputs that break the contract, with a message naming the variable and the fix."""


@dataclass
class Inputs:
    """The three datasets of one run (see :data:`CONTRACT`)."""

    fine: xr.Dataset
    reanalysis: xr.Dataset
    microwave: xr.Dataset

    def datasets(self) -> dict[str, xr.Dataset]:
        """The datasets by grid name."""
        return {"fine": self.fine, "reanalysis": self.reanalysis, "microwave": self.microwave}


def _stored_name(name: str) -> str:
    return REANALYSIS_NAMES.get(name, name)


def validate_inputs(inputs: Inputs, where: str = "inputs") -> None:
    """Check every contract variable's presence, dimensions and units.

    Raises
    ------
    InputError
        Naming the dataset, the variable, what is wrong and the fix.
    """
    datasets = inputs.datasets()
    problems = []
    for name, (grid, dims, units, description) in {**CONTRACT, **OPTIONAL}.items():
        ds = datasets[grid]
        stored = _stored_name(name)
        if stored not in ds:
            if name in CONTRACT:
                problems.append(
                    f"{where}/{grid}: variable {stored!r} ({description}) is missing; "
                    f"add it with dims {dims} and units {units!r}"
                )
            continue
        var = ds[stored]
        if tuple(var.dims) != dims:
            problems.append(
                f"{where}/{grid}: variable {stored!r} has dims {tuple(var.dims)}; "
                f"the contract wants {dims} (transpose or rename the dimensions)"
            )
        if var.attrs.get("units") != units:
            problems.append(
                f"{where}/{grid}: variable {stored!r} has units {var.attrs.get('units')!r}; "
                f"the contract wants {units!r} (convert it and set attrs['units'])"
            )
    if problems:
        raise InputError("the inputs break the contract:\n  - " + "\n  - ".join(problems))


def write_inputs(inputs: Inputs, folder: str | Path) -> Path:
    """Write the inputs in the on-disk layout, each store via a temporary name.

    Returns the folder. An existing store of the same name is replaced only
    once the new one is complete.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for grid, ds in inputs.datasets().items():
        with atomic_path(folder / f"{grid}.zarr", folder=True) as partial:
            write_store(ds, partial)
    return folder


def write_store(ds: xr.Dataset, path: str | Path) -> None:
    """Write one in-memory dataset as a Zarr store of the layout, replacing ``path``.

    Chunked by 31 days along ``time``, written from this process (with dask's
    thread scheduler, not shipped to a cluster: the data are here already).
    """
    shutil.rmtree(path, ignore_errors=True)
    with dask.config.set(scheduler="threads"):
        _chunked_by_time(ds).to_zarr(path, mode="w", consolidated=True)


def _chunked_by_time(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.copy()
    for name in ds.variables:
        ds[name].encoding.pop("chunks", None)
        ds[name].encoding.pop("preferred_chunks", None)
    if "time" in ds.dims:
        ds = ds.chunk({"time": 31})
    return ds


def read_inputs(folder: str | Path, chunks: dict | None = None) -> Inputs:
    """Read the on-disk layout written by :func:`write_inputs` or ``smvar synth``.

    Parameters
    ----------
    folder : str or Path
        Holding ``fine.zarr``, ``reanalysis.zarr`` and ``microwave.zarr``.
    chunks : dict, optional
        Passed to :func:`xarray.open_zarr`; None loads lazily with the stored chunks.
    """
    folder = Path(folder)
    datasets = {}
    for grid in GRID_OF_DATASET:
        store = folder / f"{grid}.zarr"
        if not store.exists():
            raise InputError(
                f"{store}: missing. A local input folder holds fine.zarr, reanalysis.zarr "
                "and microwave.zarr; write one with `smvar synth BASIN.yaml --out FOLDER`"
            )
        datasets[grid] = xr.open_zarr(store, chunks=chunks if chunks is not None else {})
    inputs = Inputs(**datasets)
    validate_inputs(inputs, where=str(folder))
    return inputs


_OPENED: dict[tuple, Inputs] = {}


def open_inputs_once(folder: str | Path) -> Inputs:
    """:func:`read_inputs`, opened once per process while the stores are unchanged.

    A worker of a dask cluster runs many tasks on the same inputs; opening
    and validating the three stores each time cost 0.1 s per task.
    """
    folder = Path(folder)
    stamp = tuple((folder / f"{grid}.zarr").stat().st_mtime_ns if (folder / f"{grid}.zarr").exists() else 0
                  for grid in GRID_OF_DATASET)
    key = (str(folder.resolve()), stamp)
    if key not in _OPENED:
        _OPENED.clear()
        _OPENED[key] = read_inputs(folder)
    return _OPENED[key]
