"""Every sub-command through the installed ``smvar`` console script and ``python -m smvar``.

``smvar detect`` and ``smvar variogram`` have their own files (test_geodetector_cli.py,
test_variogram_cli.py); here: ``--help`` of each, ``run``, ``book``, ``synth``,
``fetch``, and the bad inputs of the parameter file, each in a subprocess.
"""

from __future__ import annotations

import json

import pytest
from console import one_line_error, smvar

from smvar.cli import build_parser

COMMANDS = ("run", "book", "synth", "fetch", "detect", "variogram")


def test_every_command_is_registered_with_a_handler():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    assert all(callable(p.get_default("handler")) for p in sub.choices.values())


@pytest.mark.parametrize("module", [False, True], ids=["smvar", "python -m smvar"])
def test_help_of_smvar_and_of_every_command(module):
    ran = smvar("--help", module=module)
    assert ran.returncode == 0 and all(c in ran.stdout for c in COMMANDS)
    for command in COMMANDS:
        ran = smvar(command, "--help", module=module)
        assert ran.returncode == 0, (command, ran.stderr)
        assert ran.stdout.startswith("usage:") and command in ran.stdout.splitlines()[0]


def test_help_imports_no_science_stack():
    import subprocess
    import sys

    code = ("import sys; from smvar.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('xarray', 'dask', 'zarr', 'matplotlib', 'rasterio', 'pandas', 'scipy') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_synth_writes_the_three_stores(small_yaml, tmp_path):
    out = tmp_path / "twin"
    ran = smvar("synth", small_yaml, "--out", out, env={"SMVAR_SCHEDULER": "synchronous"})
    assert ran.returncode == 0, ran.stderr
    assert "SYNTHETIC" in ran.stdout
    assert {p.name for p in out.iterdir()} >= {"fine.zarr", "reanalysis.zarr", "microwave.zarr"}


def test_run_one_notebook_then_build_its_book(small_yaml, tmp_path):
    run_dir = tmp_path / "run"
    ran = smvar("run", small_yaml, "--out", run_dir, "--only", "01_study_area", "--scheduler", "synchronous",
                "--quiet")
    assert ran.returncode == 0, ran.stderr
    assert "executed: 01_study_area" in ran.stdout
    assert (run_dir / "notebooks" / "01_study_area.ipynb").is_file()
    again = smvar("run", small_yaml, "--out", run_dir, "--only", "01_study_area", "--scheduler", "synchronous",
                  "--quiet")
    assert again.returncode == 0 and "up to date (not executed): 01_study_area" in again.stdout
    # a book of a run that has not executed every notebook is refused in one line
    line = one_line_error(smvar("book", run_dir), "book")
    assert "no executed notebook" in line and "smvar run" in line


def test_fetch_plan_prints_every_request_as_json(repo):
    ran = smvar("fetch", repo / "data" / "basins" / "heihe_real.yaml", "--plan")
    assert ran.returncode == 0, ran.stderr
    assert isinstance(json.loads(ran.stdout), dict)


def test_fetch_without_out_is_explained(repo):
    ran = smvar("fetch", repo / "data" / "basins" / "heihe_real.yaml")
    assert ran.returncode == 2 and "--out DIR is required" in ran.stderr


def test_run_refuses_an_unknown_notebook_in_one_line(small_yaml, tmp_path):
    line = one_line_error(smvar("run", small_yaml, "--out", tmp_path / "r", "--only", "nosuch"), "run")
    assert "--only 'nosuch': no such notebook" in line and "01_study_area" in line


def test_run_refuses_a_date_that_is_no_calendar_date(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nperiod:\n  start: 2020-13-45\n  end: 2020-12-31\n")
    line = one_line_error(smvar("run", bad), "run")
    assert "line 3 (2020-13-45) is not a calendar date" in line and "YYYY-MM-DD" in line


def test_run_refuses_a_parameter_file_that_is_not_utf8(tmp_path):
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("name: höhe\n".encode("latin-1"))
    line = one_line_error(smvar("run", bad), "run")
    assert "latin.yaml: line 1 is not UTF-8" in line


def test_missing_parameter_file_is_named(tmp_path):
    for command in ("run", "synth"):
        args = [command, tmp_path / "none.yaml"] + (["--out", tmp_path / "o"] if command == "synth" else [])
        assert "none.yaml: no such parameter file" in one_line_error(smvar(*args), command)


def test_ctrl_c_during_a_run_says_how_to_resume(small_yaml, tmp_path):
    import signal
    import subprocess
    import time

    from console import SMVAR

    run_dir = tmp_path / "run"
    proc = subprocess.Popen([str(SMVAR), "run", str(small_yaml), "--out", str(run_dir), "--scheduler",
                             "synchronous", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not (run_dir / ".smvar" / "sources").exists() and time.monotonic() < deadline:
        time.sleep(0.2)  # the first notebook is starting
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "smvar run: interrupted; rerun the same command to resume"
