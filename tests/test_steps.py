"""Steps keyed on exactly what they read; one store and one completion marker."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
import yaml

from smvar.config import load_config
from smvar.pipeline import STEPS, Run
from smvar.steps import Step, StepGraph, notebook_imports, source_digest
from smvar.store import atomic_path, is_complete, mark_complete, write_csv, write_netcdf, write_zarr

ROOT = Path(__file__).resolve().parents[1]


def edited(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load((ROOT / "data" / "basins" / "small.yaml").read_text())
    change(raw)
    path = tmp_path / f"edited_{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def changed_steps(tmp_path: Path, change) -> set[str]:
    before = STEPS.keys(load_config(ROOT / "data" / "basins" / "small.yaml"))
    after = STEPS.keys(load_config(edited(tmp_path, change)))
    return {name for name in before if before[name] != after[name]}


def test_changing_the_intervals_changes_the_detectors_key_alone(tmp_path):
    def intervals(raw):
        raw.setdefault("geodetector", {})["intervals"] = [4, 7]
    assert changed_steps(tmp_path, intervals) == {"detectors"}


def test_changing_the_variogram_bins_changes_table3_alone(tmp_path):
    def bins(raw):
        raw.setdefault("variogram", {})["bin_width_m"] = 5000.0
    assert changed_steps(tmp_path, bins) == {"table3"}


def test_changing_the_seed_changes_every_step(tmp_path):
    def seed(raw):
        raw["data"]["seed"] = 7
    assert changed_steps(tmp_path, seed) == set(STEPS.steps)


def test_the_compute_section_and_the_title_change_no_step(tmp_path):
    def elsewhere(raw):
        raw["title"] = "Another title"
        raw.setdefault("compute", {})["workers"] = 1
    assert changed_steps(tmp_path, elsewhere) == set()


def test_code_of_plots_is_in_no_step():
    modules = {m for step in STEPS.steps.values() for m in step.modules}
    assert not any(m.startswith(("smvar.plots", "smvar.comparison", "smvar.pipeline")) for m in modules)


def test_a_step_key_follows_its_modules_source(tmp_path, monkeypatch):
    package = tmp_path / "pkg_for_steps"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "science.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = StepGraph([Step("a", modules=("pkg_for_steps.science",)), Step("b", upstream=("a",))])
    config = load_config(ROOT / "data" / "basins" / "small.yaml")
    first = graph.keys(config)
    (package / "science.py").write_text("X = 2  # edited\n")
    second = graph.keys(config)
    assert first["a"] != second["a"] and first["b"] != second["b"]
    assert source_digest(["pkg_for_steps"]) != source_digest(["pkg_for_steps.science"])


def test_unknown_upstream_step_is_refused():
    with pytest.raises(ValueError, match="unknown step"):
        StepGraph([Step("a", upstream=("nope",))])


def test_notebook_imports_are_found_in_its_source():
    source = ("from smvar.pipeline import Run\nimport smvar.plots as plots\nfrom smvar import stats\n"
              "from smvar import plots_geostat, variogram as vg\nfrom smvar.geodetector import (GD,\n    q_statistic)\n"
              "import numpy\n")
    assert notebook_imports(source) == ["smvar.geodetector", "smvar.pipeline", "smvar.plots",
                                        "smvar.plots_geostat", "smvar.stats", "smvar.variogram"]


def test_writers_leave_nothing_half_written(tmp_path):
    target = tmp_path / "table.csv"
    write_csv(pd.DataFrame({"a": [1, 2]}), target)
    with pytest.raises(RuntimeError):
        with atomic_path(target) as partial:
            partial.write_text("half")
            raise RuntimeError("interrupted")
    assert pd.read_csv(target)["a"].tolist() == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]
    ds = xr.Dataset({"v": ("x", [1.0, 2.0])})
    write_netcdf(ds, tmp_path / "d.nc")
    write_zarr(ds, tmp_path / "d.zarr")
    write_zarr(ds * 2, tmp_path / "d.zarr")  # an existing store is replaced whole
    xr.testing.assert_equal(xr.open_zarr(tmp_path / "d.zarr").load(), ds * 2)
    xr.testing.assert_equal(xr.load_dataset(tmp_path / "d.nc"), ds)
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name or ".old" in p.name]


def test_completion_marker_holds_the_key(tmp_path):
    target = tmp_path / "artifact.csv"
    assert not is_complete(target, "k1")
    target.write_text("x")
    assert not is_complete(target, "k1")
    mark_complete(target, "k1")
    assert is_complete(target, "k1") and not is_complete(target, "k2")
    assert (tmp_path / ".artifact.csv.complete").read_text() == "k1"


@pytest.mark.slow
def test_a_new_interval_range_recomputes_the_detectors_and_nothing_upstream(tmp_path):
    def short(raw):
        raw["period"]["end"] = "2020-02-29"
    basin = edited(tmp_path, short)
    run_dir = tmp_path / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Run(basin, run_dir).detectors()
        monthly = run_dir / "artifacts" / "sm_monthly.nc"
        stamp = monthly.stat().st_mtime_ns

        def intervals(raw):
            short(raw)
            raw.setdefault("geodetector", {})["intervals"] = [3, 5]
        again = Run(edited(tmp_path, intervals), run_dir)
        assert is_complete(monthly, again.step_key("downscaled"))
        assert not is_complete(run_dir / "artifacts" / "detector_factor.csv", again.step_key("detectors"))
        again.detectors()
    assert monthly.stat().st_mtime_ns == stamp
    assert is_complete(run_dir / "artifacts" / "detector_factor.csv", again.step_key("detectors"))
