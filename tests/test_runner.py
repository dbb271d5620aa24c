"""The papermill runner: order, parameters, resume after an interruption, failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from smvar.config import load_config
from smvar.runner import NotebookFailed, notebook_order, run_notebooks

NOTEBOOK = '''# %% tags=["parameters"]
basin_file = ""
run_dir = ""

# %%
from pathlib import Path
from smvar.pipeline import Run
run = Run(basin_file, run_dir)
counter = Path(run_dir) / "{name}.count"
counter.write_text(str(int(counter.read_text()) + 1 if counter.exists() else 1))
if (Path(run_dir) / "fail-{name}").exists():
    raise RuntimeError("asked to fail")
print(run.config.{field})
'''
#: The parameter-file field each test notebook reads.
FIELDS = {"first": "data.seed", "second": "sampling.spacing_m"}


@pytest.fixture
def project(tmp_path: Path, small_yaml: Path) -> tuple[Path, Path]:
    """A tiny project with two notebooks that count their executions."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    toc = {"format": "jb-book", "root": "book/intro", "parts": [
        {"caption": "Paper", "chapters": [{"file": "book/_executed/first"}, {"file": "book/_executed/second"}]}]}
    (root / "_toc.yml").write_text(yaml.safe_dump(toc))
    for name in ("first", "second"):
        (root / "notebooks" / f"{name}.py").write_text(NOTEBOOK.format(name=name, field=FIELDS[name]))
    basin = tmp_path / "basin.yaml"
    shutil.copy(small_yaml, basin)
    return root, basin


def count(run_dir: Path, name: str) -> int:
    path = run_dir / f"{name}.count"
    return int(path.read_text()) if path.exists() else 0


def test_notebooks_follow_the_table_of_contents(project):
    root, _ = project
    assert notebook_order(root) == ["first", "second"]


def test_repository_toc_names_existing_notebooks(repo):
    names = notebook_order(repo)
    assert names[0] == "01_study_area"


def test_parameters_are_injected(project, tmp_path):
    root, basin = project
    run_dir = tmp_path / "run"
    run_notebooks(load_config(basin), run_dir, root=root, progress=False)
    executed = json.loads((run_dir / "notebooks" / "second.ipynb").read_text())
    injected = [c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and "basin_file" in "".join(injected[0]["source"])
    assert set(executed["metadata"]["papermill"]["parameters"]) == {"basin_file", "run_dir"}


def test_interrupted_run_resumes_without_reexecuting_finished_notebooks(project, tmp_path):
    root, basin = project
    config = load_config(basin)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "fail-second").touch()
    with pytest.raises(NotebookFailed):
        run_notebooks(config, run_dir, root=root, progress=False)
    assert (count(run_dir, "first"), count(run_dir, "second")) == (1, 1)
    (run_dir / "fail-second").unlink()
    report = run_notebooks(config, run_dir, root=root, progress=False)
    assert report.executed == ["second"] and report.skipped == ["first"]
    assert (count(run_dir, "first"), count(run_dir, "second")) == (1, 2)
    # nothing changed: nothing runs
    assert run_notebooks(config, run_dir, root=root, progress=False).executed == []


def test_changed_parameter_reexecutes(project, tmp_path):
    root, basin = project
    run_dir = tmp_path / "run"
    run_notebooks(load_config(basin), run_dir, root=root, progress=False)
    data = yaml.safe_load(basin.read_text())
    data["data"]["seed"] = 1
    basin.write_text(yaml.safe_dump(data))
    report = run_notebooks(load_config(basin), run_dir, root=root, progress=False)
    assert report.executed == ["first"]  # second reads sampling, not data
    assert (count(run_dir, "first"), count(run_dir, "second")) == (2, 1)
    data["sampling"] = {"spacing_m": 9000.0}
    basin.write_text(yaml.safe_dump(data))
    assert run_notebooks(load_config(basin), run_dir, root=root, progress=False).executed == ["second"]


def test_a_changed_notebook_reexecutes_alone(project, tmp_path):
    root, basin = project
    run_dir = tmp_path / "run"
    config = load_config(basin)
    run_notebooks(config, run_dir, root=root, progress=False)
    source = root / "notebooks" / "first.py"
    source.write_text(source.read_text() + "\n# %% [markdown]\n# More prose.\n")
    assert run_notebooks(config, run_dir, root=root, progress=False).executed == ["first"]


def test_force_and_only(project, tmp_path):
    root, basin = project
    run_dir = tmp_path / "run"
    config = load_config(basin)
    run_notebooks(config, run_dir, root=root, progress=False)
    report = run_notebooks(config, run_dir, root=root, progress=False, only="second", force=True)
    assert report.executed == ["second"] and report.not_selected == ["first"]
    with pytest.raises(ValueError, match="--only 'third': no such notebook"):
        run_notebooks(config, run_dir, root=root, progress=False, only="third")


def test_failure_names_notebook_and_cell_and_keeps_the_partial_notebook(project, tmp_path):
    root, basin = project
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "fail-first").touch()
    with pytest.raises(NotebookFailed) as info:
        run_notebooks(load_config(basin), run_dir, root=root, progress=False)
    message = str(info.value)
    assert "notebook first (notebooks/first.py) failed in cell 3" in message
    assert "RuntimeError: asked to fail" in message
    failed = run_dir / "notebooks" / "first.failed.ipynb"
    assert failed.is_file() and str(failed) in message
    assert not (run_dir / "notebooks" / "first.ipynb").exists()
    assert count(run_dir, "second") == 0


def test_cli_reports_a_bad_parameter_file_without_traceback(tmp_path, capsys):
    from smvar.cli import main
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "smvar run: error:" in err and "field 'title' is missing" in err
