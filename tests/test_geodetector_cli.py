"""smvar detect: a normal run with JSON, and every bad input named in the message."""

import json

import numpy as np
import pandas as pd
import pytest

from smvar.geodetector.cli import main


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"sm": rng.normal(size=120), "dem": rng.normal(size=120),
                       "lc": rng.choice(["grass", "forest", "desert"], 120)})
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path, df


def test_detect_writes_json_with_every_table(table, tmp_path, capsys):
    path, _ = table
    out = tmp_path / "out" / "r.json"
    assert main([str(path), "--y", "sm", "--categorical", "lc", "--intervals", "3-5", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert {"factor", "interaction", "risk", "ecological", "optimal_discretisation"} <= set(result)
    assert not list(out.parent.glob("*.tmp"))


def test_missing_column_names_file_column_and_fix(table, capsys):
    path, _ = table
    assert main([str(path), "--y", "soil"]) == 2
    err = capsys.readouterr().err
    assert "t.csv" in err and "'soil'" in err and "check the spelling" in err


def test_non_numeric_target_is_refused(table, capsys):
    path, _ = table
    assert main([str(path), "--y", "lc"]) == 2
    assert "target column 'lc' is not numeric" in capsys.readouterr().err


def test_constant_factor_is_refused(table, tmp_path, capsys):
    _, df = table
    p = tmp_path / "c.csv"
    df.assign(flat=1.0).to_csv(p, index=False)
    assert main([str(p), "--y", "sm", "--categorical", "lc"]) == 2
    err = capsys.readouterr().err
    assert "factor 'flat' is constant" in err and "remove it" in err


def test_nan_rows_are_dropped_and_counted(table, tmp_path, capsys):
    _, df = table
    df.loc[:4, "dem"] = np.nan
    p = tmp_path / "n.csv"
    df.to_csv(p, index=False)
    out = tmp_path / "n.json"
    assert main([str(p), "--y", "sm", "--categorical", "lc", "--json", str(out)]) == 0
    assert "dropped 5 of 120 rows with missing values in dem" in capsys.readouterr().err
    assert json.loads(out.read_text())["dropped_rows"] == 5


def test_fewer_than_two_strata_is_refused(table, tmp_path, capsys):
    _, df = table
    p = tmp_path / "s.csv"
    df.assign(lc="grass").to_csv(p, index=False)
    assert main([str(p), "--y", "sm", "--categorical", "lc"]) == 2
    assert "fewer than two strata" in capsys.readouterr().err


def test_bad_intervals_and_methods_are_explained(table, capsys):
    path, _ = table
    assert main([str(path), "--y", "sm", "--categorical", "lc", "--intervals", "three"]) == 2
    assert "--intervals 'three'" in capsys.readouterr().err
    assert main([str(path), "--y", "sm", "--categorical", "lc", "--methods", "jenks"]) == 2
    assert "unknown method" in capsys.readouterr().err


def test_missing_file_is_named(tmp_path, capsys):
    assert main([str(tmp_path / "none.csv"), "--y", "sm"]) == 2
    assert "none.csv: no such file" in capsys.readouterr().err


def test_register_adds_detect_subcommand():
    import argparse

    from smvar.geodetector.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["detect", "t.csv", "--y", "sm"])
    assert args.command == "detect" and callable(args.func)
