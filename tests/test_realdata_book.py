"""Issue 8, done when: a parameter file naming local files for every contract variable produces the whole book.

The files are the small basin's synthetic variables written in a foreign CRS
and resolution (UTM 47N, 700 m, degC, %, mm/day; see
``tests/realdata_fixtures.py``), without ``sm_truth``: like real data, they
carry no truth, so the twin experiment must be skipped, and no page may say the
data are synthetic.
"""

from __future__ import annotations

import json
import re

import pytest
import xarray as xr

pytest.importorskip("rioxarray")

from realdata_fixtures import write_files_basin  # noqa: E402

from smvar.cli import main  # noqa: E402
from smvar.inputs import CONTRACT  # noqa: E402
from smvar.runner import notebook_order, project_root  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def files_book(tmp_path_factory):
    """Run every notebook on the files basin and build the book; the exit codes and folders."""
    folder = tmp_path_factory.mktemp("files_basin")
    basin = write_files_basin(folder / "basin")
    run_dir, out = folder / "run", folder / "book"
    run_code = main(["run", str(basin), "--out", str(run_dir), "--quiet"])
    book_code = main(["book", str(run_dir), "--out", str(out)]) if run_code == 0 else None
    return basin, run_dir, out, run_code, book_code


def _text(path) -> str:
    """The visible text of an HTML page."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_every_notebook_runs_and_the_book_builds_without_warnings(files_book):
    basin, run_dir, out, run_code, book_code = files_book
    assert "sm_truth" not in basin.read_text()
    assert run_code == 0
    names = notebook_order(project_root())
    assert names
    executed = run_dir / "notebooks"
    assert not list(executed.glob("*.failed.ipynb"))
    for name in names:
        notebook = json.loads((executed / f"{name}.ipynb").read_text(encoding="utf-8"))
        errors = [o for c in notebook["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, name
    assert book_code == 0
    log = (out / "build.log").read_text(encoding="utf-8")
    assert "WARNING" not in log, [line for line in log.splitlines() if "WARNING" in line][:5]
    pages = out / "_build" / "html" / "book" / "_executed"
    for name in names:
        text = _text(pages / f"{name}.html")
        assert "local data files" in text, name          # the data banner names the files
        assert "shows synthetic data" not in text, name   # and never calls them synthetic


def test_the_run_records_the_provenance_of_every_variable(files_book):
    basin, run_dir, *_ = files_book
    record = json.loads((run_dir / "artifacts" / "provenance.json").read_text(encoding="utf-8"))
    assert record["source"] == "files" and record["parameter_file"] == str(basin.resolve())
    assert set(record["variables"]) == set(CONTRACT)
    lst = record["variables"]["lst_day"]
    assert lst["source_crs"] == ["EPSG:32647"] and lst["source_resolution"] == [700.0, 700.0]
    assert lst["units_from"] == "degC" and lst["units_to"] == "K" and lst["resampling"] == "average"
    assert lst["n_files"] > 1 and lst["files"][0].endswith(".tif")
    assert record["variables"]["landcover"]["resampling"] == "mode"
    assert record["variables"]["sm_cci"]["units_from"] == "%"
    assert not list((run_dir / "artifacts").glob("*.partial"))


def test_without_truth_the_twin_experiment_is_skipped(files_book):
    _, run_dir, out, *_ = files_book
    artifacts = run_dir / "artifacts"
    monthly = xr.load_dataset(artifacts / "sm_monthly.nc")
    assert "sm" in monthly and "sm_truth" not in monthly and "sm_baseline" not in monthly
    assert not (artifacts / "downscaling_daily_skill.csv").exists()
    assert "twin" not in json.loads((artifacts / "downscaling_summary.json").read_text())
    page = _text(out / "_build" / "html" / "book" / "_executed" / "02_downscaling.html")
    assert "the twin experiment does not apply" in page
    assert "fig-twin-skill" not in (out / "_build" / "html" / "book" / "_executed" / "02_downscaling.html").read_text()
