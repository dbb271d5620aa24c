"""Cached, resumable steps that produce each artifact of a run.

Provides
--------
Run
    The steps of one run folder. Each step returns its artifact, computing it
    only when the artifact is missing or was made from other parameters or
    another version of the package. Artifacts are written to a temporary name
    and renamed, so an interrupted step leaves nothing half-written.

Artifacts (``RUN/artifacts/``):

==============================  ===============================================
``factors.nc``                  the 17 driving factors (Table 1), basin mask, reach
``sm_monthly.nc``               downscaled monthly mean SM (and truth, synthetic runs)
``downscaling_*.csv``           validation (Fig. 2), daily skill, coefficients
``sample.csv``                  the systematic sample: SM and factors by month
==============================  ===============================================
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pandas as pd
import xarray as xr

from smvar import grid
from smvar.config import BasinConfig, load_config
from smvar.inputs import Inputs, load_inputs

__all__ = ["Run"]


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
        self.config: BasinConfig = load_config(basin_file)
        self.run_dir = Path(run_dir).resolve()
        self.artifacts = self.run_dir / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.fine_grid = grid.analysis_grid(self.config)
        self.reanalysis_grid = grid.reanalysis_grid(self.config)
        self.microwave_grid = grid.microwave_grid(self.config)
        self._inputs: Inputs | None = None

    # ------------------------------------------------------------ caching
    def _key(self) -> str:
        from smvar.runner import _package_fingerprint

        return f"{self.config.fingerprint()}-{_package_fingerprint()[:16]}"

    def _fresh(self, path: Path) -> bool:
        stamp = path.with_name(path.name + ".key")
        return path.exists() and stamp.exists() and stamp.read_text() == self._key()

    def _stamp(self, path: Path) -> None:
        stamp = path.with_name(path.name + ".key")
        partial = stamp.with_name(stamp.name + ".partial")
        partial.write_text(self._key())
        partial.replace(stamp)

    def _cached_dataset(self, name: str, compute: Callable[[], xr.Dataset]) -> xr.Dataset:
        path = self.artifacts / name
        if not self._fresh(path):
            _write_netcdf(compute(), path)
            self._stamp(path)
        return xr.load_dataset(path)

    def _cached_table(self, name: str, compute: Callable[[], pd.DataFrame], **read) -> pd.DataFrame:
        path = self.artifacts / name
        if not self._fresh(path):
            _write_csv(compute(), path)
            self._stamp(path)
        return pd.read_csv(path, **read)

    # ------------------------------------------------------------- steps
    def inputs(self) -> Inputs:
        """The inputs of the run (generated or read; kept in memory once made)."""
        if self._inputs is None:
            self._inputs = load_inputs(self.config)
        return self._inputs

    def factors(self) -> xr.Dataset:
        """The 17 driving factors of Table 1 with the basin mask and reaches."""
        from smvar.factors import monthly_factors

        return self._cached_dataset("factors.nc", lambda: monthly_factors(self.inputs()))


def _write_netcdf(ds: xr.Dataset, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    encoding = {name: {"zlib": True, "complevel": 1} for name in ds.data_vars}
    ds.to_netcdf(partial, engine="h5netcdf", encoding=encoding)
    partial.replace(path)


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    table.to_csv(partial, index=False)
    partial.replace(path)


def write_json(data: dict, path: Path) -> None:
    """Write JSON via a temporary name."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    partial.replace(path)
