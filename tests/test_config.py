"""The basin parameter file: good files load, every bad one gives a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from smvar.config import ConfigError, load_config


def write_variant(tmp_path: Path, source: Path, change) -> Path:
    data = yaml.safe_load(source.read_text())
    change(data)
    path = tmp_path / "basin.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


def test_default_basin_is_the_papers_extent_and_year(heihe_yaml):
    config = load_config(heihe_yaml)
    extent = config.extent
    assert (extent.south, extent.north, extent.west, extent.east) == (37.7, 42.7, 97.1, 102.0)
    assert config.period.start.year == 2020 and len(config.dates()) == 366
    assert config.resolution_m == 1000
    assert config.data.source == "synthetic"
    assert config.sampling.spacing_m == 8000


def test_small_basin_spans_all_twelve_months(small_yaml):
    config = load_config(small_yaml)
    assert sorted({d.month for d in config.dates()}) == list(range(1, 13))


def test_fingerprint_changes_with_any_parameter(tmp_path, small_yaml):
    base = load_config(small_yaml).fingerprint()
    changed = write_variant(tmp_path, small_yaml, lambda d: d["data"].update(seed=99))
    assert load_config(changed).fingerprint() != base


def test_unknown_key_is_named_with_a_suggestion(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d.update(resolutoin_m=500))
    message = error_of(path)
    assert str(path) in message
    assert "'resolutoin_m' is not a known key" in message
    assert "Did you mean 'resolution_m'?" in message


def test_unknown_nested_key_lists_the_allowed_keys(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d["variogram"].update(bins=12))
    message = error_of(path)
    assert "'variogram.bins' is not a known key" in message
    assert "bin_width_m" in message and "max_lag_m" in message


def test_wrong_type_names_field_and_value(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d.update(resolution_m="one km"))
    message = error_of(path)
    assert "field 'resolution_m' = 'one km'" in message
    assert "valid number" in message


def test_south_above_north_is_refused_with_the_fix(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d["extent"].update(south=43.0, north=42.7))
    message = error_of(path)
    assert "field 'extent'" in message
    assert "south (43.0) must be less than north (42.7)" in message
    assert "swap" in message


def test_zero_resolution_says_what_is_allowed(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d.update(resolution_m=0))
    message = error_of(path)
    assert "field 'resolution_m' = 0" in message
    assert "greater than 0" in message


def test_missing_data_folder_names_the_folder_and_the_fix(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d.update(data={"source": "local", "folder": "nowhere"}))
    message = error_of(path)
    assert "'data.folder' = 'nowhere'" in message
    assert str(tmp_path / "nowhere") in message
    assert "smvar synth" in message


def test_local_source_without_folder_is_refused(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d.update(data={"source": "local"}))
    assert "source 'local' needs a folder" in error_of(path)


def test_existing_local_folder_is_resolved_from_the_file(tmp_path, small_yaml):
    (tmp_path / "inputs").mkdir()
    path = write_variant(tmp_path, small_yaml, lambda d: d.update(data={"source": "local", "folder": "inputs"}))
    assert load_config(path).data_folder == (tmp_path / "inputs").resolve()


def test_unknown_data_source_lists_the_choices(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d["data"].update(source="era5"))
    message = error_of(path)
    assert "'data.source' = 'era5'" in message
    assert "'synthetic', 'local' or 'files'" in message


def test_missing_field_is_named(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d.pop("crs"))
    assert "field 'crs' is missing" in error_of(path)


def test_geographic_crs_is_refused(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d.update(crs="EPSG:4326"))
    assert "needs a projected CRS in metres" in error_of(path)


def test_end_before_start_is_refused(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d["period"].update(end="2019-01-01"))
    assert "end (2019-01-01) is before start (2020-01-01)" in error_of(path)


def test_bad_validation_date_is_refused(tmp_path, small_yaml):
    path = write_variant(tmp_path, small_yaml, lambda d: d["downscaling"].update(validation_dates=["15 Jan"]))
    message = error_of(path)
    assert "'downscaling.validation_dates'" in message and "MM-DD" in message


def test_several_problems_are_reported_together(tmp_path, small_yaml):
    def change(d):
        d.update(resolution_m=-5)
        d["geodetector"].update(intervals=[8, 3])
    message = error_of(write_variant(tmp_path, small_yaml, change))
    assert "2 problem(s)" in message
    assert "'resolution_m'" in message and "'geodetector.intervals'" in message


def test_missing_file_and_bad_yaml_are_explained(tmp_path):
    assert "no such parameter file" in error_of(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    assert "not valid YAML" in error_of(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    assert "must hold a mapping" in error_of(listing)
