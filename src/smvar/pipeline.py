"""Cached, resumable steps that produce each artifact of a run.

Provides
--------
Run
    The steps of one run folder. Each step returns its artifact, computing it
    only when the artifact is missing or its key changed: the key of a step
    (:data:`STEPS`) covers exactly the parameter-file fields it reads, the
    steps upstream of it and the modules that compute it
    (:mod:`smvar.steps`). Artifacts are written whole or not at all and
    marked complete with their key (:mod:`smvar.store`).
STEPS
    The step graph: inputs, provenance, factors, downscaled,
    monthly_statistics, table3, stability, sample, detectors.
ConfigView
    The parameter file as a notebook reads it (``run.config``): the fields
    it reads are recorded, so the notebook's key covers them alone.

Artifacts (``RUN/artifacts/``):

==============================  ===============================================
``inputs/``                     the input stores (Zarr), synthetic twin or files
``factors.nc``                  the 17 driving factors (Table 1), basin mask, reach
``sm_monthly.nc``               downscaled monthly mean SM (and truth, synthetic runs)
``downscaling_*.csv``           validation (Fig. 2), daily skill, coefficients
``sample.csv``                  the systematic sample: SM and factors by month
``provenance.json``             where the inputs came from (files, CRS, resampling, units)
``detector_*.csv``              OPGD and the four detectors, month by month
==============================  ===============================================

Work files (``RUN/work/``): the daily 1 km field (``downscaling/sm_daily.zarr``)
and each task's records, kept so that an interrupted run resumes
(:mod:`smvar.downscaling.stream`). The steps run their tasks on the run's
executor (:mod:`smvar.compute`): a local dask cluster by default.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd
import xarray as xr

from smvar import grid, stats
from smvar import variogram as vg
from smvar.compute import chunk_days_for, shared_executor
from smvar.config import BasinConfig, load_config
from smvar.downscaling.stream import downscale_streamed
from smvar.factors import FACTOR_NAMES, FACTORS, monthly_composites, monthly_factors
from smvar.geodetector import geodetector, rows_outside, systematic_sample
from smvar.inputs import Inputs, read_inputs
from smvar.sources import write_inputs_folder
from smvar.steps import DOMAIN_FIELDS, NOTEBOOK_VARIABLE, Step, StepGraph
from smvar.store import is_complete, mark_complete, write_csv, write_json, write_netcdf

if TYPE_CHECKING:
    from smvar.compute import Executor
    from smvar.config import GeodetectorSection

__all__ = ["Run", "STEPS", "ConfigView", "DownscalingArtifacts", "DetectorArtifacts"]

#: What each step reads. A change elsewhere (a plot's code, another section of
#: the parameter file, a chapter's prose) leaves its key, and its artifact, alone.
STEPS = StepGraph([
    Step("inputs", reads=(*DOMAIN_FIELDS, "data"),
         modules=("smvar.inputs", "smvar.sources", "smvar.grid", "smvar.synthetic", "smvar.realdata")),
    Step("provenance", upstream=("inputs",), modules=("smvar.inputs",)),
    Step("factors", upstream=("inputs",), modules=("smvar.factors", "smvar.composites")),
    Step("downscaled", reads=("downscaling",), upstream=("inputs",),
         modules=("smvar.downscaling", "smvar.composites")),
    Step("monthly_statistics", upstream=("downscaled",), modules=("smvar.stats",)),
    Step("table3", reads=("variogram", "sampling"), upstream=("downscaled",), modules=("smvar.variogram",)),
    Step("stability", upstream=("downscaled",), modules=("smvar.stats",)),
    Step("sample", reads=("sampling",), upstream=("downscaled", "factors"),
         modules=("smvar.geodetector.sampling", "smvar.factors")),
    Step("detectors", reads=("geodetector", "sampling"), upstream=("downscaled", "factors"),
         modules=("smvar.geodetector", "smvar.factors")),
])


class ConfigView:
    """The parameter file as a notebook reads it, recording the top-level fields read.

    Attribute access is passed to the :class:`~smvar.config.BasinConfig`.
    Reading a field (``run.config.geodetector``) records that field; calling
    a method (``to_dict``) records every field, since it may read any.
    """

    def __init__(self, config: BasinConfig, on_read: Callable[[list[str]], None]) -> None:
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_on_read", on_read)

    def __getattr__(self, name: str):
        value = getattr(self._config, name)
        fields = type(self._config).model_fields
        self._on_read([name] if name in fields else list(fields))
        return value



class Run:
    """The cached steps of one run.

    Parameters
    ----------
    basin_file : str or Path
        The basin parameter file.
    run_dir : str or Path
        The run folder; artifacts go to ``run_dir/artifacts``.
    """

    def __init__(self, basin_file: str | Path, run_dir: str | Path) -> None:
        self._config: BasinConfig = load_config(basin_file)
        self.run_dir = Path(run_dir).resolve()
        self.artifacts = self.run_dir / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.fine_grid = grid.analysis_grid(self._config)
        self.reanalysis_grid = grid.reanalysis_grid(self._config)
        self.microwave_grid = grid.microwave_grid(self._config)
        self._inputs: Inputs | None = None
        self._keys = STEPS.keys(self._config)
        self._notebook = os.environ.get(NOTEBOOK_VARIABLE)
        self._reads: dict = {"steps": {}, "fields": []}

    @property
    def config(self) -> "BasinConfig":
        """The parameter file; the fields a notebook reads are recorded for its key."""
        return ConfigView(self._config, self._read_fields)  # type: ignore[return-value]

    # ------------------------------------------------------------ caching
    def step_key(self, name: str) -> str:
        """The key of step ``name`` for this parameter file and this code (see :data:`STEPS`)."""
        return self._keys[name]

    def _used(self, name: str) -> None:
        """Record that the executing notebook read step ``name`` (its key goes into the notebook's key)."""
        if self._notebook and self._reads["steps"].get(name) != self._keys[name]:
            self._reads["steps"][name] = self._keys[name]
            self._save_reads()

    def _read_fields(self, fields: list[str]) -> None:
        new = sorted(set(self._reads["fields"]) | set(fields))
        if self._notebook and new != self._reads["fields"]:
            self._reads["fields"] = new
            self._save_reads()

    def _save_reads(self) -> None:
        write_json(self._reads, self.run_dir / ".smvar" / "reads" / f"{self._notebook}.json")

    def _fresh(self, path: Path, step: str) -> bool:
        return is_complete(path, self._keys[step])

    def _stamp(self, path: Path, step: str) -> None:
        mark_complete(path, self._keys[step])

    def _cached_dataset(self, name: str, step: str, compute: Callable[[], xr.Dataset]) -> xr.Dataset:
        path = self.artifacts / name
        if not self._fresh(path, step):
            write_netcdf(compute(), path)
            self._stamp(path, step)
        self._used(step)
        return xr.load_dataset(path)

    def _cached_table(self, name: str, step: str, compute: Callable[[], pd.DataFrame], **read) -> pd.DataFrame:
        path = self.artifacts / name
        if not self._fresh(path, step):
            write_csv(compute(), path)
            self._stamp(path, step)
        self._used(step)
        return pd.read_csv(path, **read)

    # ------------------------------------------------------------- steps
    @property
    def executor(self) -> "Executor":
        """Where the tasks of this process's steps run (``compute`` settings; one per process)."""
        return shared_executor(self._config.compute)

    @property
    def chunk_days(self) -> int:
        """Days per downscaling task and per Zarr chunk of the daily inputs."""
        return chunk_days_for(self._config)

    def inputs_folder(self) -> Path:
        """The folder of the run's input stores (``fine.zarr``, ``reanalysis.zarr``, ``microwave.zarr``).

        A local folder is used where it is. The synthetic twin is generated
        into ``artifacts/inputs`` in tasks (row bands of the grid), resuming
        from the bands already written; files are read, put on the grids and
        written there once.
        """
        if self._config.data.source == "local":
            assert self._config.data_folder is not None  # guaranteed by the config's validation
            return Path(self._config.data_folder)
        folder = self.artifacts / "inputs"
        if not self._fresh(folder, "inputs"):
            # the source resumes its own interrupted work (the twin's tiles) and
            # replaces stores made from other parameters whole
            self._write_inputs(folder)
            self._stamp(folder, "inputs")
        self._used("inputs")
        return folder

    def _write_inputs(self, folder: Path) -> None:
        write_inputs_folder(self._config, folder, self.executor)

    def inputs(self) -> Inputs:
        """The inputs of the run, opened lazily from their Zarr stores (see :meth:`inputs_folder`)."""
        if self._inputs is None:
            self._inputs = read_inputs(self.inputs_folder())
            if not self._fresh(self.artifacts / "provenance.json", "provenance"):
                self._write_provenance(self._inputs)
        return self._inputs

    def provenance(self) -> dict:
        """Where the inputs came from (``provenance.json``).

        For ``data.source: files``, each contract variable's files, source CRS
        and resolution, target grid, resampling, unit conversion and time
        handling (or ``derived_from``); for the synthetic twin, the seed; for
        a local folder, the folder (and the variables' provenance if
        ``smvar fetch`` wrote it).
        """
        path = self.artifacts / "provenance.json"
        if not self._fresh(path, "provenance"):
            self._write_provenance(self.inputs())
        self._used("provenance")
        return json.loads(path.read_text(encoding="utf-8"))

    def _write_provenance(self, inputs: Inputs) -> None:
        data = self._config.data
        record: dict = {"basin": self._config.name, "parameter_file": self._config.source_file,
                        "source": data.source}
        if data.source == "synthetic":
            record["seed"] = data.seed
        else:
            if data.source == "local":
                record["folder"] = str(self._config.data_folder)
            variables: dict = {}  # files runs, and folders written by `smvar fetch`
            for ds in inputs.datasets().values():
                variables.update(json.loads(ds.attrs.get("provenance", "{}")))
            record["variables"] = variables
        path = self.artifacts / "provenance.json"
        write_json(record, path)
        self._stamp(path, "provenance")

    def factors(self) -> xr.Dataset:
        """The 17 driving factors of Table 1 with the basin mask and reaches."""
        def compute() -> xr.Dataset:
            composites = monthly_composites(self.inputs_folder(), self.executor, self.chunk_days)
            return monthly_factors(self.inputs(), composites)

        return self._cached_dataset("factors.nc", "factors", compute)

    def downscaled(self) -> "DownscalingArtifacts":
        """Downscaled monthly SM (Eq. 1-4) with its validation tables (Fig. 2)."""
        path = self.artifacts / "sm_monthly.nc"
        if not self._fresh(path, "downscaled"):
            self._compute_downscaling(path)
            self._stamp(path, "downscaled")
        self._used("downscaled")
        return DownscalingArtifacts.load(self.artifacts)

    def _compute_downscaling(self, path: Path) -> None:
        result = downscale_streamed(self.inputs_folder(), self.run_dir / "work" / "downscaling", self._config,
                                    key=self.step_key("downscaled"), executor=self.executor, chunk_days=self.chunk_days)
        write_csv(result.validation, self.artifacts / "downscaling_validation.csv")
        write_csv(result.samples, self.artifacts / "downscaling_validation_samples.csv")
        write_csv(result.coefficients.reset_index(), self.artifacts / "downscaling_coefficients.csv")
        if result.daily_skill is not None:
            write_csv(result.daily_skill.reset_index(), self.artifacts / "downscaling_daily_skill.csv")
        write_json(result.summary, self.artifacts / "downscaling_summary.json")
        write_netcdf(result.monthly, path)

    # ------------------------------------------------------ geostatistics
    def _sm(self) -> tuple[xr.DataArray, xr.DataArray]:
        monthly = self.downscaled().monthly
        return monthly["sm"], monthly["basin_mask"] == 1

    def monthly_statistics(self) -> pd.DataFrame:
        """MAX, MIN, MEAN, SD, CV of each month over the basin (Fig. 4), with IQR/SD."""
        def compute() -> pd.DataFrame:
            sm, mask = self._sm()
            table = stats.monthly_statistics(sm, mask).to_dataframe()
            table["iqr_sd"] = stats.iqr_sd_ratio(sm, mask).to_series()
            table = table.rename(columns={"max": "MAX", "min": "MIN", "mean": "MEAN", "sd": "SD", "cv": "CV"})
            return table.reset_index()

        return self._cached_table("monthly_statistics.csv", "monthly_statistics", compute).set_index("month")

    def variogram_sample_step(self) -> int:
        """Every how many pixels the systematic sample takes one (the paper's ~8 km)."""
        return max(1, int(round(self._config.sampling.spacing_m / self.fine_grid.resolution_m)))

    def variogram_bins(self):
        """Lag-bin edges (m) of the parameter file."""
        settings = self._config.variogram
        return vg.lag_bin_edges(settings.max_lag_m, int(round(settings.max_lag_m / settings.bin_width_m)))

    def semivariograms(self, full_grid: bool = False) -> dict:
        """Empirical semivariogram of each month (Eq. 5), on the systematic sample or the full grid."""


        sm, mask = self._sm()
        edges, closed = self.variogram_bins(), self._config.variogram.closed
        results = {}
        if full_grid:
            for month in sm["month"].values:
                results[int(month)] = vg.grid_variogram(sm.sel(month=month).values, self.fine_grid.resolution_m,
                                                        edges, mask=mask.values, closed=closed)
            return results
        # The systematic sample is itself a grid (every step-th cell), so the
        # FFT method gives its exact pairwise semivariogram too, in O(n log n)
        # instead of O(n^2): 150 s -> seconds for a sample of 23,000 points.
        step = self.variogram_sample_step()
        keep = mask.values[::step, ::step]
        for month in sm["month"].values:
            values = sm.sel(month=month).values[::step, ::step]
            results[int(month)] = vg.grid_variogram(values, self.fine_grid.resolution_m * step, edges,
                                                    mask=keep, closed=closed)
        return results

    def table3(self) -> pd.DataFrame:
        """The run's Table 3: every model's fit per month on the systematic sample (``best`` marks the chosen)."""
        def compute() -> pd.DataFrame:
            return vg.table3(self.semivariograms(), self._config.variogram.models, all_models=True)

        return self._cached_table("table3_all_models.csv", "table3", compute)

    def stability(self) -> xr.Dataset:
        """Per-pixel temporal stability (Eq. 6): mean, SD of the monthly means and class."""
        def compute() -> xr.Dataset:
            sm, mask = self._sm()
            out = stats.temporal_stability(sm, mask)
            out["reach"] = self.downscaled().monthly["reach"]
            return out

        return self._cached_dataset("stability.nc", "stability", compute)

    def detectors(self) -> DetectorArtifacts:
        """OPGD and the factor, interaction, risk and ecological detectors, month by month.

        Run on the systematic sample (:meth:`sample`), or on every basin pixel
        when ``geodetector.pixels`` is ``all``; one task per month. Continuous
        factors are discretised by OPGD with the parameter file's methods and
        intervals, land cover (``lucc``) is used as it is.
        """
        stamp = self.artifacts / "detector_factor.csv"
        if not self._fresh(stamp, "detectors"):
            tables = self._compute_detectors()
            for name, table in tables.items():
                write_csv(table, self.artifacts / f"detector_{name}.csv")
            self._stamp(stamp, "detectors")
        self._used("detectors")
        return DetectorArtifacts.load(self.artifacts)

    def _compute_detectors(self) -> dict[str, pd.DataFrame]:
        tables = self._detector_table().groupby("month")
        results = self.executor.map(_detect_month, [(int(month), table, self._config.geodetector)
                                                    for month, table in tables], label="detectors")
        parts: dict[str, list[pd.DataFrame]] = {name: [] for name in DetectorArtifacts.TABLES}
        for frames in results:
            for name, frame in frames.items():
                parts[name].append(frame)
        return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}

    def _detector_table(self) -> pd.DataFrame:
        """The rows the detectors see: the systematic sample, or every basin pixel (``geodetector.pixels``)."""
        if self._config.geodetector.pixels == "sample":
            return self.sample()
        return self._pixel_table(self.fine_grid.resolution_m)

    def _pixel_table(self, spacing_m: float) -> pd.DataFrame:
        factors = self.factors()
        fields = xr.Dataset({"sm": self.downscaled().monthly["sm"]})
        for factor in FACTORS:
            fields[factor.name] = factors[factor.name]
        return systematic_sample(fields, spacing_m, mask=factors["basin_mask"]).dropna()

    def sample(self) -> pd.DataFrame:
        """The systematic sample of the basin: SM and the 17 factors, one row per pixel and month."""
        def compute() -> pd.DataFrame:
            return self._pixel_table(self._config.sampling.spacing_m)

        return self._cached_table("sample.csv", "sample", compute)


class DownscalingArtifacts:
    """The downscaling step's artifacts, read back from the run folder."""

    def __init__(self, monthly: xr.Dataset, validation: pd.DataFrame, samples: pd.DataFrame,
                 coefficients: pd.DataFrame, summary: dict, daily_skill: pd.DataFrame | None) -> None:
        self.monthly = monthly
        self.validation = validation
        self.samples = samples
        self.coefficients = coefficients
        self.summary = summary
        self.daily_skill = daily_skill

    @classmethod
    def load(cls, folder: Path) -> "DownscalingArtifacts":
        """Read the artifacts written by :meth:`Run.downscaled`."""
        skill = folder / "downscaling_daily_skill.csv"
        return cls(
            monthly=xr.load_dataset(folder / "sm_monthly.nc"),
            validation=pd.read_csv(folder / "downscaling_validation.csv"),
            samples=pd.read_csv(folder / "downscaling_validation_samples.csv"),
            coefficients=pd.read_csv(folder / "downscaling_coefficients.csv"),
            summary=json.loads((folder / "downscaling_summary.json").read_text()),
            daily_skill=pd.read_csv(skill, parse_dates=["time"]) if skill.exists() else None,
        )


def _detect_month(job: tuple[int, pd.DataFrame, "GeodetectorSection"]) -> dict[str, pd.DataFrame]:
    """OPGD and the four detectors on one month's rows (a task: runs on a worker if there is a cluster)."""

    month, table, settings = job
    continuous = [f.name for f in FACTORS if not f.categorical]
    categorical = [f.name for f in FACTORS if f.categorical]
    low, high = settings.intervals
    result = geodetector(table[["sm", *continuous, *categorical]], "sm", continuous=continuous,
                         categorical=categorical, methods=settings.methods,
                         intervals=range(low, high + 1), convention=settings.convention)
    best = result.optimal.best.reset_index()
    factor_table = result.factor.reset_index()
    outside = rows_outside(result, table["sm"].to_numpy())
    factor_table = factor_table.merge(outside, on="factor", how="left")
    best["breaks"] = best["breaks"].map(lambda b: " ".join(f"{v:.6g}" for v in b))
    best["counts"] = best["counts"].map(lambda c: " ".join(str(int(v)) for v in c))
    frames = {"factor": factor_table, "optimal": best, "interaction": result.interaction,
              "risk_mean": result.risk_mean, "risk": result.risk, "ecological": result.ecological}
    return {name: frame.assign(month=month) for name, frame in frames.items()}


class DetectorArtifacts:
    """The geographical detector's tables for every month (long format, column ``month``)."""

    TABLES = ("factor", "optimal", "interaction", "risk_mean", "risk", "ecological")

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self.tables = tables
        for name, table in tables.items():
            setattr(self, name, table)

    @classmethod
    def load(cls, folder: Path) -> "DetectorArtifacts":
        """Read the tables written by :meth:`Run.detectors`."""
        return cls({name: pd.read_csv(folder / f"detector_{name}.csv") for name in cls.TABLES})

    def q_matrix(self, column: str = "q") -> pd.DataFrame:
        """Factor (rows, Table 1 order) by month (columns) of the factor detector's ``q`` or ``p``."""
        matrix = self.factor.pivot(index="factor", columns="month", values=column)
        return matrix.reindex([f for f in FACTOR_NAMES if f in matrix.index])
