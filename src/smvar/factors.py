"""The 17 driving factors of the paper's Table 1, on the analysis grid, by month.

Provides
--------
FACTORS
    Each factor's name, category, product (in the paper), units, whether it
    changes by month, and whether the geographical detector treats it as
    categorical.
factor_table
    Table 1 as a pandas DataFrame, optionally with the run's basin statistics.
monthly_factors
    The factor fields from the inputs: static ones as they are; NDVI as the
    monthly maximum-value composite of the daily NDVI; LST day and night as
    monthly means of the daily LST and their difference (paper section 2.2), or
    the optional monthly LST of another product (``lst_day_monthly``,
    ``lst_night_monthly``: the paper's MOD11A2) when the inputs carry it.
monthly_composites, averaged_lst_names
    The monthly NDVI maximum and LST means made in tasks from the input
    stores, and which daily LST they average (none when the inputs carry the
    factors' own monthly LST).
"""

from __future__ import annotations

from pathlib import Path

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from smvar.composites import maximum_value_composite, monthly_mean
from smvar.compute import day_blocks
from smvar.inputs import Inputs, open_inputs_once, read_inputs

if TYPE_CHECKING:
    from smvar.compute import Executor

__all__ = ["Factor", "FACTORS", "FACTOR_NAMES", "factor_table", "monthly_factors", "monthly_composites",
           "averaged_lst_names"]


@dataclass(frozen=True)
class Factor:
    """One driving factor of Table 1 of Yin et al. 2023."""

    name: str
    label: str
    category: str
    product: str
    units: str
    monthly: bool
    categorical: bool = False


FACTORS: tuple[Factor, ...] = (
    Factor("bulk_density", "Bulk density", "Soil", "SoilGrids", "cg cm-3", False),
    Factor("organic_carbon", "Organic carbon", "Soil", "SoilGrids", "dg kg-1", False),
    Factor("field_capacity", "Field capacity", "Soil", "Zhang et al. 2018", "m3 m-3", False),
    Factor("ksat", "Ksat", "Soil", "Zhang et al. 2018", "cm day-1", False),
    Factor("dem", "DEM", "Topographic", "GEBCO", "m", False),
    Factor("aspect", "Aspect", "Topographic", "from the DEM", "degree", False),
    Factor("slope", "Slope", "Topographic", "from the DEM", "degree", False),
    Factor("twi", "TWI", "Topographic", "from the DEM", "1", False),
    Factor("lucc", "LUCC", "Land", "MCD12Q1", "1", False, categorical=True),
    Factor("ndvi", "NDVI", "Land", "MOD13A2", "1", True),
    Factor("evi", "EVI", "Land", "MOD13A2", "1", True),
    Factor("pet", "PET", "Land", "MOD16A2", "mm month-1", True),
    Factor("fvc", "FVC", "Land", "TPDC FVC", "1", True),
    Factor("precipitation", "Precipitation", "Meteorological", "Peng et al. 2019", "mm month-1", True),
    Factor("lst_day", "LST_day", "Meteorological", "MOD11A2", "K", True),
    Factor("lst_night", "LST_night", "Meteorological", "MOD11A2", "K", True),
    Factor("lst_diff", "LST_differ", "Meteorological", "from LST day and night", "K", True),
)
FACTOR_NAMES: tuple[str, ...] = tuple(f.name for f in FACTORS)


def monthly_factors(inputs: Inputs, composites: xr.Dataset | None = None) -> xr.Dataset:
    """The 17 factor fields on the analysis grid.

    Parameters
    ----------
    inputs : Inputs
        The run's inputs (see :mod:`smvar.inputs`).
    composites : xarray.Dataset, optional
        The monthly ``ndvi`` maximum and ``lst_day``, ``lst_night`` means, if
        already made (:func:`monthly_composites`, in tasks); made here otherwise.

    Returns
    -------
    xarray.Dataset
        Static factors with dims ``(y, x)``, monthly ones with ``(month, y, x)``;
        also ``basin_mask`` and ``reach``. Units in ``attrs``.
    """
    fine = inputs.fine
    out = xr.Dataset(coords={"y": fine["y"], "x": fine["x"]})
    for name in ("bulk_density", "organic_carbon", "field_capacity", "ksat", "dem", "aspect", "slope", "twi"):
        out[name] = fine[name].astype("float32")
    out["lucc"] = fine["landcover"].astype("int16")
    lst_names = averaged_lst_names(fine)
    if composites is None:
        # Maximum-value composite for NDVI, as the paper does for MOD13A2 (section 2.2).
        out["ndvi"] = maximum_value_composite(fine["ndvi"])
        # Monthly averages for LST (section 2.2).
        for name in lst_names:
            out[name] = monthly_mean(fine[name])
    else:
        for name in ("ndvi", *lst_names):
            out[name] = composites[name]
    if not lst_names:
        # The paper's LST factors are another product (MOD11A2) than the downscaling's LST.
        out["lst_day"] = fine["lst_day_monthly"]
        out["lst_night"] = fine["lst_night_monthly"]
    out["lst_diff"] = out["lst_day"] - out["lst_night"]
    for name in ("evi", "pet", "fvc", "precipitation"):
        out[name] = fine[name]
    for factor in FACTORS:
        out[factor.name].attrs.update(units=factor.units, long_name=factor.label)
    out["basin_mask"] = fine["basin_mask"].astype(bool)
    out["reach"] = fine["reach"].astype("int8")
    out.attrs.update(fine.attrs)
    return out.compute()


def averaged_lst_names(fine: xr.Dataset) -> tuple[str, ...]:
    """The daily LST variables whose monthly means are the LST factors.

    ``("lst_day", "lst_night")``, or none when the fine dataset carries the
    factors' own monthly LST (``lst_day_monthly`` and ``lst_night_monthly``).
    """
    if "lst_day_monthly" in fine and "lst_night_monthly" in fine:
        return ()
    return ("lst_day", "lst_night")


def monthly_composites(inputs_folder: str | Path, executor: "Executor", chunk_days: int = 31) -> xr.Dataset:
    """Monthly NDVI maximum and LST day and night means, one task per month.

    Parameters
    ----------
    inputs_folder : str or Path
        The run's input stores (:func:`smvar.inputs.read_inputs`).
    executor : smvar.compute.Executor
        Runs the twelve tasks (here or on a dask cluster).
    chunk_days : int
        Days read at a time by a task (bounds its memory).

    Returns
    -------
    xarray.Dataset, (month, y, x), float32
        ``ndvi`` (1), and ``lst_day`` and ``lst_night`` (K) unless the inputs
        carry the factors' own monthly LST (:func:`averaged_lst_names`); NaN
        where a month has no value.
    """

    fine = read_inputs(inputs_folder).fine
    times = pd.DatetimeIndex(fine["time"].values)
    months = day_blocks(times, len(times) + 1)
    lst_names = averaged_lst_names(fine)
    parts = executor.map(_month_composite, [(str(inputs_folder), a, b, chunk_days, lst_names) for a, b in months],
                         label="monthly composites")
    out = xr.concat(parts, dim="month")
    out.coords.update({"y": fine["y"], "x": fine["x"]})
    return out


def _month_composite(job: tuple[str, int, int, int, tuple[str, ...]]) -> xr.Dataset:
    """One month's NDVI maximum and the means of ``lst_names``, read ``chunk_days`` days at a time (a task)."""

    folder, start, stop, chunk_days, lst_names = job
    fine = open_inputs_once(folder).fine
    shape = fine["basin_mask"].shape
    ndvi_max = np.full(shape, -np.inf)
    sums = {name: np.zeros(shape) for name in lst_names}
    counts = {name: np.zeros(shape) for name in sums}
    for first in range(start, stop, chunk_days):
        days = slice(first, min(first + chunk_days, stop))
        ndvi = np.asarray(fine["ndvi"].isel(time=days).values, dtype=np.float64)
        ndvi_max = np.fmax(ndvi_max, np.fmax.reduce(ndvi, axis=0))
        for name in sums:
            values = np.asarray(fine[name].isel(time=days).values, dtype=np.float64)
            valid = np.isfinite(values)
            sums[name] += np.where(valid, values, 0.0).sum(axis=0)
            counts[name] += valid.sum(axis=0)
    month = int(pd.Timestamp(fine["time"].values[start]).month)
    layers = {"ndvi": np.where(np.isfinite(ndvi_max), ndvi_max, np.nan)}
    with np.errstate(invalid="ignore", divide="ignore"):
        layers.update({name: np.where(counts[name] > 0, sums[name] / counts[name], np.nan) for name in sums})
    return xr.Dataset({name: (("month", "y", "x"), values.astype(np.float32)[None])
                       for name, values in layers.items()}, coords={"month": [month]})


def factor_table(factors: xr.Dataset | None = None) -> pd.DataFrame:
    """Table 1 of Yin et al. 2023; with ``factors``, the run's basin mean and range.

    Monthly factors are summarised over every month and basin pixel.
    """
    rows = []
    for factor in FACTORS:
        row = {"category": factor.category, "factor": factor.label, "product in the paper": factor.product,
               "units": factor.units, "time step": "monthly" if factor.monthly else "static"}
        if factors is not None:
            values = factors[factor.name].where(factors["basin_mask"]).values
            values = values[np.isfinite(values)]
            if factor.categorical:
                row["basin mean"] = "—"
                row["range in basin"] = f"{np.unique(values).size} classes"
            else:
                row["basin mean"] = f"{values.mean():.4g}"
                row["range in basin"] = f"{values.min():.4g} – {values.max():.4g}"
        rows.append(row)
    return pd.DataFrame(rows).set_index("factor")
