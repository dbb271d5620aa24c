"""Tests of the ``smvar variogram`` command (smvar.variogram.cli)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from smvar.variogram.cli import main, register


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
    assert args.command == "variogram" and args.models == ["gaussian"] and callable(args.func)


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
