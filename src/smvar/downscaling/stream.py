"""The downscaling of a whole run, streamed through Zarr in independent tasks (issue 9).

Provides
--------
downscale_streamed
    Inputs folder (Zarr, :func:`smvar.inputs.read_inputs`) to the run's
    downscaling artifacts, in tasks an :class:`smvar.compute.Executor` runs
    here or on a dask cluster. No task holds more than one block of days.
StreamedDownscaling
    What it returns: monthly means, the Fig. 2 validation, the Eq. 1
    coefficients, the records' summary and, on the twin, the daily skill.

Notes
-----
Stage 1, one task per block of days (at most ``chunk_days`` days, never
across the end of a month): Eq. 1-4 on the block (:func:`smvar.downscaling.downscale`),
its daily 1 km field written into ``sm_daily.zarr`` (one Zarr chunk per day,
so two tasks never write the same chunk), its records (coefficients,
sources, Δθ, clipping and, on the twin, the daily skill of both correction
rules) saved to ``blocks/NNNN.pickle``, and the sums and counts over its days
of the downscaled field, the reference and, on the twin, the truth and the
bilinear baseline at every basin pixel saved to ``partials/NNNN.npz``.

Stage 2, one task per month: those partial sums added up into the monthly
means (``months/MM.pickle``); the month's partial files are then removed.

Every task's file carries the run's key and is written under a temporary name
and renamed. A rerun skips the tasks whose file is there with the same key,
so a run that was killed resumes where it stopped; a task that was killed
half-way is simply done again (its writes are idempotent).
"""

from __future__ import annotations

import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from smvar.compute import chunk_days_for, day_blocks, release_memory
from smvar.downscaling.pipeline import DownscalingResult, downscale, static_layers, warn_of_empty_months
from smvar.downscaling.validation import (BilinearBaseline, coefficients_by_month, microwave_product, row_metrics,
                                         skill_summary, validate_against_reference)
from smvar.grid import analysis_grid, microwave_grid, reanalysis_grid
from smvar.inputs import Inputs, open_inputs_once, read_inputs
from smvar.store import is_complete, mark_complete, write_npz, write_pickle, write_zarr

if TYPE_CHECKING:
    from smvar.compute import Executor
    from smvar.config import BasinConfig

__all__ = ["StreamedDownscaling", "downscale_streamed"]


@dataclass
class StreamedDownscaling:
    """The artifacts of :func:`downscale_streamed` (all small, in memory).

    Attributes
    ----------
    monthly : xarray.Dataset, (month, y, x)
        ``sm`` (m3 m-3) and ``sm_reference``; on the twin also ``sm_truth``
        and ``sm_baseline``; ``basin_mask`` and ``reach``.
    validation, samples : pandas.DataFrame
        Fig. 2 (:func:`smvar.downscaling.validate_against_reference`).
    coefficients : pandas.DataFrame
        :func:`smvar.downscaling.coefficients_by_month`.
    summary : dict
        ``downscaling`` (shares of fallbacks, sources, clipping); on the twin
        ``twin`` and ``twin_alternative`` (:func:`smvar.downscaling.validation.skill_summary`).
    daily_skill : pandas.DataFrame or None
        The twin's daily RMSE, R and ubRMSE of the run's rule and the baseline.
    daily : Path
        The Zarr store of the daily 1 km field (``sm``, m3 m-3).
    """

    monthly: xr.Dataset
    validation: pd.DataFrame
    samples: pd.DataFrame
    coefficients: pd.DataFrame
    summary: dict
    daily_skill: pd.DataFrame | None
    daily: Path


@dataclass(frozen=True)
class _Job:
    """One task: a block of days (stage 1) or a month (stage 2)."""

    inputs: str
    work: str
    config: "BasinConfig"
    key: str
    start: int
    stop: int
    index: int
    chunk_days: int
    parts: tuple[int, ...] = ()  # stage 2: the stage-1 blocks of the month


def downscale_streamed(
    inputs_folder: str | Path,
    work_folder: str | Path,
    config: "BasinConfig",
    *,
    key: str,
    executor: "Executor",
    chunk_days: int | None = None,
) -> StreamedDownscaling:
    """Downscale a run's inputs in tasks, writing the daily field to Zarr.

    Parameters
    ----------
    inputs_folder : str or Path
        Holding ``fine.zarr``, ``reanalysis.zarr`` and ``microwave.zarr``.
    work_folder : str or Path
        Where ``sm_daily.zarr``, ``blocks/`` and ``months/`` go.
    config : smvar.config.BasinConfig
        Uses ``downscaling`` (including ``correction``) and the grids.
    key : str
        Identifies the parameters and code; files made with another key are
        not reused.
    executor : smvar.compute.Executor
        Runs the tasks (here, or on a dask cluster).
    chunk_days : int, optional
        Days per stage-1 task; default :func:`chunk_days_for` the config.

    Returns
    -------
    StreamedDownscaling
    """

    inputs_folder, work = Path(inputs_folder).resolve(), Path(work_folder).resolve()
    inputs = read_inputs(inputs_folder)
    fine = inputs.fine
    times = pd.DatetimeIndex(fine["time"].values)
    grid = analysis_grid(config)
    chunk_days = chunk_days or chunk_days_for(config)
    _prepare(work, key, times, grid)

    block_ranges = day_blocks(times, chunk_days)
    blocks = executor.map(_block_task, [_Job(str(inputs_folder), str(work), config, key, a, b, k, chunk_days)
                                        for k, (a, b) in enumerate(block_ranges)], label="downscaling")
    month_jobs = []
    for k, (a, b) in enumerate(day_blocks(times, len(times) + 1)):
        parts = tuple(j for j, (first, _) in enumerate(block_ranges) if a <= first < b)
        month_jobs.append(_Job(str(inputs_folder), str(work), config, key, a, b, k, chunk_days, parts))
    months = executor.map(_month_task, month_jobs, label="monthly means")
    return _assemble(inputs, work, config, blocks, months)


# ---------------------------------------------------------------- stage 1
def _block_task(job: _Job) -> str:
    """Downscale one block of days; write its daily field, records and monthly partial sums."""
    out = Path(job.work) / "blocks" / f"{job.index:04d}.pickle"
    if _done(out, job.key):
        return str(out)

    inputs = open_inputs_once(job.inputs)
    days = slice(job.start, job.stop)
    fine = inputs.fine.isel(time=days)
    twin = "sm_truth" in fine
    rule = job.config.downscaling.correction
    other = "even" if rule != "even" else "interpolated"
    prepared = _prepared(job, inputs, (rule, other) if twin else (rule,))
    result = downscale(Inputs(fine, inputs.reanalysis, inputs.microwave), *prepared.grids, job.config,
                       block_days=job.stop - job.start, correction=rule,
                       alternative=other if twin else None, warn_empty_months=False, static=prepared.static)
    sm = result.sm.values
    _write_days(Path(job.work) / "sm_daily.zarr", sm, job.start)
    pixels = prepared.pixels
    n_days = sm.shape[0]
    fields = {"sm": sm.reshape(n_days, -1)[:, pixels],
              "sm_reference": _at(fine["sm_reference"], pixels)}
    records = _records(result)
    if twin:
        fields["sm_truth"] = _at(fine["sm_truth"], pixels)
        fields["sm_baseline"] = prepared.baseline(fine["time"].values)
        alternative = result.sm_alternative.values.reshape(n_days, -1)[:, pixels]
        records = records.merge(_block_skill(fields, alternative, fine["time"].values))
    _save_partial_sums(Path(job.work) / "partials" / f"{job.index:04d}.npz", fields)
    records.attrs = {"key": job.key, "start": job.start, "stop": job.stop}
    _save(records, out, job.key)
    del result, sm, fields
    release_memory()
    return str(out)


@dataclass
class _Prepared:
    """What every block task of a run shares: grids, static layers, basin pixels, the baseline's weights."""

    grids: tuple
    static: object
    pixels: np.ndarray
    baseline: "BilinearBaseline"


_PREPARED: dict[tuple, _Prepared] = {}


def _prepared(job: _Job, inputs, rules: tuple[str, ...]) -> _Prepared:
    """The shared layers of a run, made once per worker process (they cost seconds on a large grid)."""

    key = (job.inputs, job.key, rules)
    if key not in _PREPARED:
        _PREPARED.clear()
        grids = analysis_grid(job.config), reanalysis_grid(job.config), microwave_grid(job.config)
        pixels = np.flatnonzero(np.asarray(inputs.fine["basin_mask"].values).ravel() > 0)
        baseline = BilinearBaseline(microwave_product(inputs.microwave), grids[0], pixels)
        _PREPARED[key] = _Prepared(grids, static_layers(inputs.fine, *grids, rules), pixels, baseline)
    return _PREPARED[key]


def _at(field: xr.DataArray, pixels: np.ndarray) -> np.ndarray:
    """(days, pixels) float64 values of a (time, y, x) field at the flat pixel indices."""
    values = np.asarray(field.values, dtype=np.float64)
    return values.reshape(values.shape[0], -1)[:, pixels]


def _records(result) -> xr.Dataset:
    records = result.coefficients.copy()
    records["source"] = result.sources
    records["delta"] = result.delta
    return records.merge(result.clipping)


def _block_skill(fields: dict[str, np.ndarray], alternative: np.ndarray, times: np.ndarray) -> xr.Dataset:
    """The twin's daily scores (as :func:`smvar.downscaling.twin_skill`) of both rules and the baseline."""

    truth, baseline = fields["sm_truth"], fields["sm_baseline"]
    both = np.isfinite(fields["sm"]) & np.isfinite(baseline)  # scored where both fields have a value
    ours = row_metrics(np.where(both, fields["sm"], np.nan), truth)
    base = row_metrics(np.where(both, baseline, np.nan), truth)
    other = row_metrics(np.where(both, alternative, np.nan), truth)
    skill = {f"skill_{metric}_downscaled": ("time", ours[metric].astype(float)) for metric in ours}
    skill.update({f"skill_{metric}_baseline": ("time", base[metric].astype(float)) for metric in base})
    skill["alternative_rmse_downscaled"] = ("time", other["rmse"])
    return xr.Dataset(skill, coords={"time": times})


def _save_partial_sums(path: Path, fields: dict[str, np.ndarray]) -> None:
    """Sums (float64) and counts of valid values over the block's days, per basin pixel."""
    arrays = {}
    for name, values in fields.items():
        valid = np.isfinite(values)
        arrays[f"{name}_sum"] = np.where(valid, values, 0.0).sum(axis=0)
        arrays[f"{name}_count"] = valid.sum(axis=0).astype(np.uint16)
    write_npz(path, **arrays)


def _prepare(work: Path, key: str, times: pd.DatetimeIndex, grid) -> None:
    """Create (or keep, if it belongs to this key) the daily store and the task folders."""
    import dask.array as da

    if work.exists() and not is_complete(work, key):  # made by other parameters or code
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for name in ("blocks", "partials", "months"):
        (work / name).mkdir(exist_ok=True)
    store = work / "sm_daily.zarr"
    if not store.exists():
        ny, nx = grid.shape
        template = xr.DataArray(
            da.full((len(times), ny, nx), np.nan, dtype=np.float32, chunks=(1, ny, nx)),
            dims=("time", "y", "x"), coords={"time": times, **grid.coords()}, name="sm",
            attrs={"units": "m3 m-3", "long_name": "downscaled surface soil moisture, daily, 1 km"})
        write_zarr(template.to_dataset(), store, compute=False, consolidated=False)
    mark_complete(work, key)  # the work folder belongs to this key (its tasks resume in it)


def _write_days(store: Path, values: np.ndarray, start: int) -> None:
    import zarr

    array = zarr.open_group(str(store), mode="r+")["sm"]
    array[start:start + values.shape[0]] = values.astype(np.float32)


# ---------------------------------------------------------------- stage 2
def _month_task(job: _Job) -> str:
    """Monthly means of one month: the sum of its blocks' partial sums, divided by the counts."""
    out = Path(job.work) / "months" / f"{job.index:02d}.pickle"
    if _done(out, job.key):
        return str(out)
    inputs = open_inputs_once(job.inputs)
    fine = inputs.fine
    shape = fine["basin_mask"].shape
    pixels = np.flatnonzero(np.asarray(fine["basin_mask"].values).ravel() > 0)
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    parts = [Path(job.work) / "partials" / f"{k:04d}.npz" for k in job.parts]
    for path in parts:
        with np.load(path) as part:
            for name in part.files:
                field, kind = name.rsplit("_", 1)
                target = sums if kind == "sum" else counts
                target[field] = target.get(field, 0) + part[name].astype(np.float64)
    month = int(pd.Timestamp(fine["time"].values[job.start]).month)
    means = {}
    for name in sums:
        layer = np.full(shape[0] * shape[1], np.nan, dtype=np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            layer[pixels] = np.where(counts[name] > 0, sums[name] / counts[name], np.nan)
        means[name] = (("month", "y", "x"), layer.reshape(1, *shape))
    result = xr.Dataset(means, coords={"month": [month], "y": fine["y"].values, "x": fine["x"].values},
                        attrs={"key": job.key})
    _save(result, out, job.key)
    for path in parts:  # the month file now holds what they held
        path.unlink(missing_ok=True)
    return str(out)


# ---------------------------------------------------------------- assembling
def _assemble(inputs, work: Path, config, blocks: list[str], months: list[str]) -> StreamedDownscaling:

    fine = inputs.fine
    records = xr.concat([_load(path) for path in blocks], dim="time")
    daily = xr.open_zarr(work / "sm_daily.zarr", consolidated=False)["sm"]
    clipping = records[["n_low", "n_high", "n_valid", "max_cell_shift"]]
    coefficients = records[["a", "b", "n", "r2", "fallback", "n_class"]]
    result = DownscalingResult(sm=daily, coefficients=coefficients, sources=records["source"],
                               delta=records["delta"], clipping=clipping)
    warn_of_empty_months(result)
    settings = config.downscaling
    mask = fine["basin_mask"]
    table, samples = validate_against_reference(daily, fine["sm_reference"], mask, settings.validation_dates,
                                                settings.validation_pixels, settings.seed)
    monthly = xr.concat([_load(path) for path in months], dim="month")
    monthly.attrs = {}
    monthly["sm"].attrs = {**daily.attrs, "cell_methods": "time: mean (monthly)"}
    monthly["basin_mask"] = mask.astype("int8").load()
    monthly["reach"] = fine["reach"].astype("int8").load()
    summary: dict = {"downscaling": result.summary()}
    daily_skill = None
    if "skill_rmse_downscaled" in records:
        columns = [name for name in records.data_vars if name.startswith("skill_")]
        daily_skill = records[columns].to_dataframe().rename(columns=lambda c: c[len("skill_"):])
        other = "even" if settings.correction != "even" else "interpolated"
        alternative = daily_skill[["rmse_baseline"]].assign(
            rmse_downscaled=records["alternative_rmse_downscaled"].to_numpy())
        summary["twin"] = {**skill_summary(daily_skill), "correction": settings.correction}
        summary["twin_alternative"] = {**skill_summary(alternative), "correction": other}
    return StreamedDownscaling(monthly=monthly, validation=table, samples=samples,
                               coefficients=coefficients_by_month(coefficients), summary=summary,
                               daily_skill=daily_skill, daily=work / "sm_daily.zarr")


# ---------------------------------------------------------------- files
# A task's file is a pickled Dataset: a work file of this run and this version
# of the code (its completion marker holds the key), read back only by this
# module. netCDF took 0.2 s per file here, most of a small task's time.
def _done(path: Path, key: str) -> bool:
    return is_complete(path, key)


def _load(path: str | Path) -> xr.Dataset:
    with open(path, "rb") as stream:
        return pickle.load(stream)


def _save(ds: xr.Dataset, path: Path, key: str) -> None:
    write_pickle(ds, path)
    mark_complete(path, key)
