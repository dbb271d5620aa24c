"""``smvar detect`` through the installed console script: results equal the library's, bad input one line."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from console import one_line_error, smvar

from smvar.geodetector import METHODS, geodetector
from smvar.geodetector.cli import DEFAULT_METHODS


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"sm": rng.normal(size=120), "dem": rng.normal(size=120),
                       "lc": rng.choice(["grass", "forest", "desert"], 120)})
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path, df


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_detect_json_equals_the_library_field_by_field(table, tmp_path):
    path, df = table
    out = tmp_path / "out" / "r.json"
    ran = smvar("detect", path, "--y", "sm", "--categorical", "lc", "--intervals", "3-5", "--json", out)
    assert ran.returncode == 0, ran.stderr
    assert "Factor detector" in ran.stdout and f"written: {out}" in ran.stdout
    result = json.loads(out.read_text())
    lib = geodetector(df, "sm", continuous=["dem"], categorical=["lc"], intervals=range(3, 6)).to_dict()
    for row, expected in zip(result["factor"], lib["factor"]):
        assert row["factor"] == expected["factor"]
        assert row["q"] == pytest.approx(expected["q"], rel=1e-12)
        assert row["p"] == pytest.approx(expected["p"], rel=1e-9, abs=1e-15)
    assert [(r["var1"], r["var2"], r["interaction"]) for r in result["interaction"]] == \
        [(r["var1"], r["var2"], r["interaction"]) for r in lib["interaction"]]
    assert result["optimal_discretisation"][0]["method"] == lib["optimal_discretisation"][0]["method"]
    assert len(result["risk"]) == len(lib["risk"]) and len(result["ecological"]) == len(lib["ecological"])
    assert not list(out.parent.glob("*.partial"))


def test_the_default_methods_are_gd_methods_in_gd_order():
    assert tuple(DEFAULT_METHODS.split(",")) == tuple(METHODS)


def test_detect_help_is_offered_both_ways():
    for module in (False, True):
        ran = smvar("detect", "--help", module=module)
        assert ran.returncode == 0 and "--intervals" in ran.stdout


@pytest.mark.parametrize("where", ["folder", "under_a_file", "read_only"])
def test_unwritable_json_is_refused_before_computing(table, tmp_path, where):
    path, _ = table
    if where == "folder":
        target = tmp_path
    elif where == "under_a_file":
        target = path / "r.json"
    else:
        if os.geteuid() == 0:
            target = "/proc/smvar-test/r.json"  # root writes anywhere but in /proc
        else:
            locked = tmp_path / "locked"
            locked.mkdir()
            locked.chmod(0o555)
            target = locked / "r.json"
    ran = smvar("detect", path, "--y", "sm", "--categorical", "lc", "--json", target)
    line = one_line_error(ran, "detect")
    assert "--json" in line and str(target) in line
    assert "Factor detector" not in ran.stdout  # nothing was computed


def test_missing_column_names_file_column_and_fix(table):
    path, _ = table
    line = one_line_error(smvar("detect", path, "--y", "soil"), "detect")
    assert "t.csv" in line and "'soil'" in line and "check the spelling" in line


def test_text_response_is_refused(table):
    path, _ = table
    line = one_line_error(smvar("detect", path, "--y", "lc"), "detect")
    assert "--y 'lc' is text" in line


def test_a_stray_text_cell_is_reported_with_its_line(tmp_path):
    rows = ["sm,dem"] + [f"{0.1 + i / 100},{i}" for i in range(20)]
    rows[6] = "0.15,n/a?"  # line 7 of the file (line 1 is the header)
    line = one_line_error(smvar("detect", write(tmp_path, "s.csv", "\n".join(rows)), "--y", "sm"), "detect")
    assert "'dem'" in line and "line 7" in line and "'n/a?'" in line
    assert "--categorical" not in line


def test_a_text_factor_is_pointed_to_categorical(table):
    path, _ = table
    line = one_line_error(smvar("detect", path, "--y", "sm", "--continuous", "lc"), "detect")
    assert "--categorical lc" in line


def test_constant_factor_is_refused(table, tmp_path):
    _, df = table
    p = tmp_path / "c.csv"
    df.assign(flat=1.0).to_csv(p, index=False)
    line = one_line_error(smvar("detect", p, "--y", "sm", "--categorical", "lc"), "detect")
    assert "factor 'flat' is constant" in line and "remove it" in line


def test_infinite_and_constant_response_name_y_and_rows(table, tmp_path):
    _, df = table
    p = tmp_path / "inf.csv"
    df.assign(sm=df["sm"].where(df.index != 3, np.inf)).to_csv(p, index=False)
    line = one_line_error(smvar("detect", p, "--y", "sm", "--categorical", "lc"), "detect")
    assert "--y 'sm' is infinite at line 5" in line
    p = tmp_path / "flat.csv"
    df.assign(sm=0.2).to_csv(p, index=False)
    line = one_line_error(smvar("detect", p, "--y", "sm", "--categorical", "lc"), "detect")
    assert "--y 'sm' is constant" in line and "120 rows" in line


def test_nan_rows_are_dropped_and_counted(table, tmp_path):
    _, df = table
    df.loc[:4, "dem"] = np.nan
    p = tmp_path / "n.csv"
    df.to_csv(p, index=False)
    out = tmp_path / "n.json"
    ran = smvar("detect", p, "--y", "sm", "--categorical", "lc", "--json", out)
    assert ran.returncode == 0, ran.stderr
    assert "dropped 5 of 120 rows with missing values in dem" in ran.stderr
    assert json.loads(out.read_text())["dropped_rows"] == 5


def test_fewer_than_two_strata_is_refused(table, tmp_path):
    _, df = table
    p = tmp_path / "s.csv"
    df.assign(lc="grass").to_csv(p, index=False)
    assert "fewer than two strata" in one_line_error(smvar("detect", p, "--y", "sm", "--categorical", "lc"),
                                                     "detect")


def test_bad_flags_are_explained_in_the_users_terms(table):
    path, _ = table
    base = ["detect", path, "--y", "sm", "--categorical", "lc"]
    assert "--intervals 'three'" in one_line_error(smvar(*base, "--intervals", "three"), "detect")
    line = one_line_error(smvar(*base, "--intervals", "8-3"), "detect")
    assert "runs backwards" in line and "3-8" in line
    assert "2 or more" in one_line_error(smvar(*base, "--intervals", "1-4"), "detect")
    assert "unknown method(s) jenks" in one_line_error(smvar(*base, "--methods", "jenks"), "detect")


def test_missing_empty_header_only_and_one_row_files_are_named(tmp_path):
    assert "none.csv: no such file" in one_line_error(smvar("detect", tmp_path / "none.csv", "--y", "sm"),
                                                      "detect")
    empty = write(tmp_path, "empty.csv", "")
    assert "empty.csv: the file is empty" in one_line_error(smvar("detect", empty, "--y", "sm"), "detect")
    header = write(tmp_path, "header.csv", "sm,dem\n")
    assert "header.csv: the table has a header but no rows" in one_line_error(
        smvar("detect", header, "--y", "sm"), "detect")
    one = write(tmp_path, "one.csv", "sm,dem\n0.1,3\n")
    line = one_line_error(smvar("detect", one, "--y", "sm"), "detect")
    assert "only 1 usable row(s)" in line and "at least 4" in line


def test_duplicate_column_names_are_refused(tmp_path):
    p = write(tmp_path, "dup.csv", "sm,a,a\n" + "\n".join(f"{i / 10},{i},{i % 3}" for i in range(10)))
    line = one_line_error(smvar("detect", p, "--y", "sm"), "detect")
    assert "'a' appear more than once" in line


def test_non_utf8_table_is_named(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("sm,höhe\n0.1,3\n".encode("latin-1"))
    assert "latin.csv: is not UTF-8" in one_line_error(smvar("detect", p, "--y", "sm"), "detect")


def test_five_rows_give_no_interaction_type_to_an_undefined_q12(tmp_path):
    p = write(tmp_path, "five.csv", "sm,a,b\n0.1,1,1\n0.2,1,2\n0.3,2,1\n0.5,2,2\n0.4,1,1\n")
    out = tmp_path / "five.json"
    ran = smvar("detect", p, "--y", "sm", "--categorical", "a,b", "--json", out)
    assert ran.returncode == 0, ran.stderr
    for row in json.loads(out.read_text())["interaction"]:
        if row["q12"] is None:
            assert row["interaction"] is None and row["type"] is None


def test_a_factor_of_thousands_of_levels_runs_in_bounded_memory(tmp_path):
    n = 6000
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"sm": rng.normal(size=n), "id": [f"site{i}" for i in range(n)],
                       "zone": rng.integers(0, 4, n), "dem": rng.normal(size=n)})
    p = tmp_path / "ids.csv"
    df.to_csv(p, index=False)
    out = tmp_path / "ids.json"
    ran = smvar("detect", p, "--y", "sm", "--categorical", "id,zone", "--json", out)
    assert ran.returncode == 0, ran.stderr
    assert "'id' has 6,000 levels" in ran.stderr and "tests no pairs" in ran.stderr
    print(f"peak memory with a 6,000-level factor: {ran.peak_mb:.0f} MB")
    assert ran.peak_mb < 1500  # was 22 GB (every pair of 6,000 strata)
    result = json.loads(out.read_text())
    assert not [r for r in result["risk"] if r["factor"] == "id"]
    assert len([r for r in result["risk_mean"] if r["factor"] == "id"]) == n
