"""Tests of the ``smvar variogram`` command (smvar.variogram.cli)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smvar.variogram import cli
from smvar.variogram.cli import main, register
from smvar.variogram.empirical import empirical_variogram, lag_bin_edges

#: The installed console script, beside the interpreter running the tests.
SMVAR = Path(sys.executable).with_name("smvar")


@pytest.fixture()
def points(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    x, y = rng.uniform(0, 50_000, n).round(), rng.uniform(0, 40_000, n).round()
    sm = 0.12 + 0.03 * np.sin(x / 12_000) + 0.01 * rng.normal(size=n)
    table = pd.DataFrame({"easting": x, "northing": y, "sm": sm})
    path = tmp_path / "pts.csv"
    table.to_csv(path, index=False)
    return path, table


def _args(path, *extra):
    return [str(path), "--x", "easting", "--y", "northing", "--value", "sm", *extra]


def test_writes_json_with_bins_fits_and_best_model(points, tmp_path, capsys):
    path, _ = points
    out = tmp_path / "sub" / "vario.json"
    assert main(_args(path, "--bins", "10", "--max-lag", "20000", "--json", str(out))) == 0
    payload = json.loads(out.read_text())
    assert len(payload["bins"]["gamma"]) == 10
    assert set(payload["fits"]) == {"linear", "spherical", "exponential", "gaussian"}
    assert payload["best_model"] in payload["fits"]
    assert not list(out.parent.glob("*.tmp"))  # temporary file renamed away
    assert "best (lowest RSS)" in capsys.readouterr().out


def test_register_adds_the_subcommand():
    parser = argparse.ArgumentParser(prog="smvar")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["variogram", "p.csv", "--x", "a", "--y", "b", "--value", "c", "--models", "gaussian"])
    assert args.command == "variogram" and args.models == ["gaussian"] and args.handler is cli.run


def _error(capsys, code):
    assert code == 2
    return capsys.readouterr().err


def test_missing_file_names_the_path(tmp_path, capsys):
    err = _error(capsys, main(_args(tmp_path / "nope.csv")))
    assert "nope.csv: no such file" in err


def test_missing_column_lists_available_columns_and_fix(points, capsys):
    path, _ = points
    err = _error(capsys, main([str(path), "--x", "lon", "--y", "northing", "--value", "sm"]))
    assert "'lon' not found" in err and "'easting'" in err and "--x, --y and --value" in err


def test_duplicate_locations_are_reported(points, tmp_path, capsys):
    _, table = points
    dup = pd.concat([table, table.iloc[:2]])
    path = tmp_path / "dup.csv"
    dup.to_csv(path, index=False)
    err = _error(capsys, main(_args(path)))
    assert "dup.csv" in err and "4 rows share a location" in err and "average or drop the duplicates" in err


def test_fewer_than_30_points_is_refused(points, tmp_path, capsys):
    _, table = points
    path = tmp_path / "few.csv"
    table.iloc[:29].to_csv(path, index=False)
    err = _error(capsys, main(_args(path)))
    assert "only 29 points" in err and "'sm'" in err and "at least 30" in err


def test_constant_value_is_refused(points, tmp_path, capsys):
    _, table = points
    path = tmp_path / "const.csv"
    table.assign(sm=0.2).to_csv(path, index=False)
    err = _error(capsys, main(_args(path)))
    assert "column 'sm' is constant" in err and "Choose a column that varies" in err


def test_non_numeric_column_is_refused(points, tmp_path, capsys):
    _, table = points
    path = tmp_path / "text.csv"
    table.assign(sm=["wet"] * len(table)).to_csv(path, index=False)
    err = _error(capsys, main(_args(path)))
    assert "column 'sm' is not numeric" in err


def test_model_names_of_the_parser_are_those_of_the_models_module():
    from smvar.variogram import models

    assert cli._MODEL_NAMES == tuple(models.MODEL_NAMES)
    assert cli._ALL_MODELS == tuple(models.ALL_MODELS)


# --- through the installed console script, as a user types it ------------------------------------


def _smvar(*args, cwd=None):
    if not SMVAR.exists():
        pytest.skip(f"console script not installed at {SMVAR}")
    proc = subprocess.run([str(SMVAR), "variogram", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300)
    assert "Traceback" not in proc.stderr
    return proc


def _console_error(proc):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr  # one line
    assert lines[0].startswith("smvar variogram: error: ")
    return lines[0]


def test_console_script_runs_as_typed(points):
    path, _ = points
    proc = _smvar(*_args(path))
    assert proc.returncode == 0, proc.stderr
    assert "best (lowest RSS)" in proc.stdout and proc.stderr == ""


def test_longitude_latitude_coordinates_get_a_warning_about_degrees(points, tmp_path):
    _, table = points
    path = tmp_path / "lonlat.csv"
    table.assign(easting=97.1 + table["easting"] / 1e4, northing=37.7 + table["northing"] / 1e4).to_csv(path, index=False)
    proc = _smvar(*_args(path))
    assert proc.returncode == 0
    warning = proc.stderr
    assert "lonlat.csv" in warning and "'easting', 'northing'" in warning
    assert "in degrees, not metres" in warning and "Project the points to metres" in warning


def test_projected_coordinates_get_no_degree_warning(points):
    path, _ = points
    assert "degrees" not in _smvar(*_args(path)).stderr


def test_rows_with_nan_or_infinite_coordinates_are_dropped_and_named(points, tmp_path):
    _, table = points
    bad = table.astype({"easting": float, "northing": float}).copy()
    bad.loc[3, "easting"] = np.nan
    bad.loc[5, "northing"] = np.inf
    bad.loc[8, "sm"] = np.nan
    path = tmp_path / "gaps.csv"
    bad.to_csv(path, index=False)
    proc = _smvar(*_args(path, "--json", tmp_path / "out.json"))
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr
    assert "gaps.csv" in err
    assert "coordinate in column 'easting' dropped (line 5 of the file)" in err  # row 3 is line 5 (header is 1)
    assert "coordinate in column 'northing' dropped (line 7 of the file)" in err
    assert "value in column 'sm' dropped (line 10 of the file)" in err
    assert json.loads((tmp_path / "out.json").read_text())["input"]["n_points"] == len(table) - 3


def test_empty_file_names_the_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    line = _console_error(_smvar(*_args(path)))
    assert "empty.csv: the file is empty" in line and "header row" in line


def test_header_only_table_says_it_has_no_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("easting,northing,sm\n")
    line = _console_error(_smvar(*_args(path)))
    assert "header.csv: the table has a header but no rows" in line and "not numeric" not in line


def test_one_row_table_asks_for_more_points(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("easting,northing,sm\n1000,2000,0.2\n")
    line = _console_error(_smvar(*_args(path)))
    assert "one.csv: only 1 point with coordinates and a value in column 'sm'" in line and "at least 30" in line


@pytest.mark.parametrize("bins", ["1", "2", "0", "-4"])
def test_too_few_bins_is_reported_as_the_users_flag(points, bins):
    path, _ = points
    line = _console_error(_smvar(*_args(path, "--bins", bins)))
    assert f"--bins {bins}: the model fits need at least 3 lag bins" in line and "--bins 3 or more" in line
    assert "bin_edges_m" not in line and "n_bins" not in line


def test_too_few_filled_bins_names_the_flags(points):
    path, _ = points
    line = _console_error(_smvar(*_args(path, "--bins", "200", "--max-lag", "200")))  # 1 m bins: almost no pairs
    assert "--bins 200" in line and "Raise --max-lag" in line and "bin_edges_m" not in line


def _json_targets(tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    a_file = tmp_path / "table.csv"
    a_file.write_text("x\n")
    return {"folder": (folder, "is a folder"), "under_a_file": (a_file / "out.json", "is a file, not a folder")}


@pytest.mark.parametrize("case", ["folder", "under_a_file", "read_only", "proc"])
def test_unwritable_json_path_is_refused_before_computing(points, tmp_path, case):
    path, _ = points
    targets = _json_targets(tmp_path)
    if case == "read_only":
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        try:
            (locked / "probe").touch()
        except OSError:
            pass
        else:
            (locked / "probe").unlink()
            locked.chmod(0o755)
            pytest.skip("this user can write in a read-only folder (root); the /proc case covers it")
        target, expected = locked / "out.json", "cannot write in folder"
    elif case == "proc":
        if not Path("/proc/self").is_dir():
            pytest.skip("no /proc here")
        target, expected = Path("/proc/smvar-variogram.json"), "cannot write in folder /proc"
    else:
        target, expected = targets[case]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    proc = _smvar(*_args(path, "--json", target))
    line = _console_error(proc)
    assert f"--json {target}" in line and expected in line
    assert proc.stdout == ""  # refused before anything was computed or printed
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing half-written
    if case == "read_only":
        (tmp_path / "locked").chmod(0o755)


def test_json_folders_that_do_not_exist_yet_are_created(points, tmp_path):
    path, _ = points
    out = tmp_path / "new" / "deeper" / "v.json"
    assert _smvar(*_args(path, "--json", out)).returncode == 0
    assert json.loads(out.read_text())["best_model"]


def test_directional_semivariograms_from_the_command_match_the_library(points, tmp_path):
    path, table = points
    out = tmp_path / "dir.json"
    proc = _smvar(*_args(path, "--alpha", "0", "90", "--max-lag", "30000", "--bins", "6", "--closed", "right",
                         "--json", out))
    assert proc.returncode == 0, proc.stderr
    assert "direction 0 deg clockwise from north, tolerance +-45 deg" in proc.stdout  # gstat: 90 / 2 directions
    payload = json.loads(out.read_text())
    assert [d["alpha_deg"] for d in payload["directions"]] == [0.0, 90.0]
    xy = table[["easting", "northing"]].to_numpy(float)
    for d in payload["directions"]:
        ref = empirical_variogram(xy, table["sm"].to_numpy(), lag_bin_edges(30000.0, 6), closed="right",
                                  direction_deg=d["alpha_deg"], tolerance_deg=45.0)
        assert d["tol_hor_deg"] == 45.0
        np.testing.assert_array_equal(d["bins"]["n_pairs"], ref.n_pairs)
        np.testing.assert_allclose(d["bins"]["gamma"], ref.gamma, rtol=1e-12)
        np.testing.assert_allclose(d["bins"]["lag_mean_m"], ref.lag_mean, rtol=1e-12)


def test_tol_hor_without_alpha_is_refused(points):
    path, _ = points
    line = _console_error(_smvar(*_args(path, "--tol-hor", "20")))
    assert "--tol-hor" in line and "give --alpha too" in line


def test_the_command_loads_no_xarray_dask_zarr_matplotlib_or_rasterio(points):
    path, _ = points
    heavy = ["xarray", "dask", "zarr", "matplotlib", "rasterio", "pykrige"]
    code = (
        "import sys\n"
        "from smvar.cli import main\n"
        f"code = main(['variogram', {str(path)!r}, '--x', 'easting', '--y', 'northing', '--value', 'sm'])\n"
        f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r}), code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr
    assert "LOADED [] 0" in proc.stdout


def test_help_loads_neither_numpy_nor_pandas():
    code = (
        "import sys\n"
        "from smvar.cli import main\n"
        "try:\n    main(['variogram', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'scipy', 'numba'}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stdout
