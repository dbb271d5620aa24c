"""Station validation: ISMN and CSV readers, pixel matching, metrics, bad files, the twin's stations.

The MAQU ISMN files and the Huazhaizi series are read in place from
``shared/reference/realdata/stations`` (never copied into the repository);
those tests skip, saying why, where the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from peer_reference import reference_folder

from smvar.config import load_config
from smvar.downscaling.station_validation import station_pixels, synthetic_stations, validate_at_stations
from smvar.downscaling.validation import metrics
from smvar.realdata import stations as st

ROOT = Path(__file__).resolve().parents[1]
MAQU_EXTENT = {"south": 33.5, "north": 34.1, "west": 101.9, "east": 102.4}
MAQU_CRS = "+proj=aea +lat_0=33.8 +lon_0=102.15 +lat_1=33.5 +lat_2=34.1 +datum=WGS84 +units=m +no_defs"


@pytest.fixture(scope="module")
def maqu() -> list[Path]:
    pytest.importorskip("ismn", reason="ISMN files are read with the ismn package (pip install ismn)")
    return sorted((reference_folder("realdata") / "stations" / "ismn_maqu").glob("*.stm"))


def _config(folder: Path, extent: dict, crs: str, start: str, end: str, resolution_m: float = 1000):
    raw = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    raw.update(name="stations", extent=extent, crs=crs, resolution_m=resolution_m)
    raw["period"] = {"start": start, "end": end}
    (folder / "basin.yaml").write_text(yaml.safe_dump(raw))
    return load_config(folder / "basin.yaml")


def _by_hand(path: Path) -> pd.DataFrame:
    """The .stm file parsed without the ismn package: CR-separated lines of date time value flag orig_flag."""
    lines = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode().split("\n")
    rows = [line.split() for line in lines[1:] if line.strip()]
    frame = pd.DataFrame(rows, columns=["date", "time", "sm", "flag", "orig"])
    frame.index = pd.to_datetime(frame["date"] + " " + frame["time"], format="%Y/%m/%d %H:%M")
    return frame


# ---------------------------------------------------------------------- readers
def test_ismn_file_gives_position_depth_and_the_values_the_flags_keep(maqu):
    for path in maqu:
        station = st.read_ismn_file(path)
        header = path.read_bytes().split(b"\r", 1)[0].split()
        assert station.network == header[0].decode() == "MAQU"
        assert station.latitude == float(header[3]) and station.longitude == float(header[4])
        assert station.depth_from_m == float(header[6]) == 0.05 and station.depth_to_m == float(header[7])
        raw = _by_hand(path)
        keep = raw["flag"].str.split(",").map(lambda flags: all(f in ("G", "U") for f in flags)).to_numpy()
        expected = pd.to_numeric(raw["sm"]).where(keep)
        assert station.series.index.equals(raw.index)
        np.testing.assert_array_equal(station.series.to_numpy(), expected.to_numpy())
        assert 0 < np.isfinite(expected).sum() < len(expected)            # C03 and D0x values are dropped


def test_daily_means_keep_days_with_half_their_samples():
    hours = pd.date_range("2020-07-01", periods=48, freq="h")
    values = pd.Series(np.arange(48, dtype=float), index=hours)
    values.iloc[24 + 11:] = np.nan                                        # day 2 has 11 of 24 hours
    out = st.daily_means(values)
    assert list(out.index) == [pd.Timestamp("2020-07-01")]
    assert out.iloc[0] == pytest.approx(np.arange(24).mean())


def test_csv_series_through_a_station_index_converts_percent_and_shifts_to_utc(tmp_path):
    folder = reference_folder("realdata") / "stations" / "huazhaizi"
    csv = folder / "Huazhaizi_valid_10d_periods.csv"
    index = tmp_path / "stations.csv"
    pd.DataFrame([{"station": "Huazhaizi", "file": str(csv), "latitude": 38.7659, "longitude": 100.3201,
                   "depth_from_m": 0.02, "depth_to_m": 0.02, "column": "Ms_2cm", "units": "%",
                   "utc_offset_hours": 8, "network": "HiWATER"}]).to_csv(index, index=False)
    found, problems = st.read_stations(str(index))
    assert problems == [] and len(found) == 1
    station = found[0]
    raw = pd.read_csv(csv, usecols=["time", "Ms_2cm"])
    assert station.series.index[0] == pd.Timestamp(raw["time"].iloc[0]) - pd.Timedelta(hours=8)
    expected = raw["Ms_2cm"].to_numpy() / 100.0
    expected = np.where((expected < 0) | (expected > 0.6), np.nan, expected)   # ISMN C01/C02 range checks
    np.testing.assert_allclose(station.series.to_numpy(), expected, rtol=0, atol=1e-12)
    assert (raw["Ms_2cm"] < 0).any()                                       # the real series dips below 0 %
    assert "% -> m3 m-3" in station.notes[0]


# ---------------------------------------------------------------------- matching and metrics
def _fields_at_stations(config, table: pd.DataFrame, daily: pd.DataFrame, fine_of, coarse_of):
    """A fine and a 0.25 degree field that equal fine_of/coarse_of(observed) at the stations' cells, NaN elsewhere."""
    from smvar.grid import analysis_grid, microwave_grid

    fine_grid, coarse_grid = analysis_grid(config), microwave_grid(config)
    times = pd.DatetimeIndex(sorted(daily["time"].unique()))
    fine = xr.DataArray(np.full((len(times), *fine_grid.shape), np.nan), dims=("time", "y", "x"),
                        coords={"time": times, "y": fine_grid.y, "x": fine_grid.x})
    coarse = xr.DataArray(np.full((len(times), *coarse_grid.shape), np.nan), dims=("time", "lat", "lon"),
                          coords={"time": times, "lat": coarse_grid.lat, "lon": coarse_grid.lon})
    fine_px, coarse_px = station_pixels(table, fine, config.crs), station_pixels(table, coarse)
    for i, name in enumerate(table["station"]):
        obs = daily[daily["station"] == name].set_index("time")["sm"].reindex(times).to_numpy()
        fine[:, fine_px["row"][i], fine_px["col"][i]] = fine_of(obs, i)
        coarse[:, coarse_px["row"][i], coarse_px["col"][i]] = coarse_of(obs, i)
    return fine, coarse


def test_maqu_stations_are_matched_to_their_pixels_and_scored(maqu, tmp_path):
    config = _config(tmp_path, MAQU_EXTENT, MAQU_CRS, "2008-07-01", "2010-07-31")
    stations, problems = st.read_stations([str(p) for p in maqu])
    assert problems == []
    table, daily = st.station_tables(stations)
    assert list(table["station"]) == ["CST-01", "CST-02"]
    biases = [0.02, -0.01]
    fine, coarse = _fields_at_stations(config, table, daily, lambda o, i: o + biases[i], lambda o, i: 0.8 * o + 0.05)
    result = validate_at_stations(daily, table, {"downscaled": fine, "cci": coarse}, crs=config.crs)
    assert result.problems == []
    m = result.metrics.set_index(["station", "product"])
    for i, name in enumerate(["CST-01", "CST-02"]):
        obs = daily[daily["station"] == name]["sm"].to_numpy()
        row = m.loc[(name, "downscaled")]
        assert row["n"] == len(obs) and row["r"] == pytest.approx(1.0)
        assert row["bias"] == pytest.approx(biases[i]) and row["rmse"] == pytest.approx(abs(biases[i]))
        assert row["ubrmse"] == pytest.approx(0.0, abs=1e-12)
        expected = metrics(0.8 * obs + 0.05, obs)
        for key in ("n", "r", "rmse", "bias", "ubrmse"):
            assert m.loc[(name, "cci"), key] == pytest.approx(expected[key], abs=1e-12)
    pooled = metrics(np.concatenate([daily[daily["station"] == n]["sm"].to_numpy() + b
                                     for n, b in zip(["CST-01", "CST-02"], biases)]), daily["sm"].to_numpy())
    for key in ("n", "r", "rmse", "bias", "ubrmse"):
        assert m.loc[("all", "downscaled"), key] == pytest.approx(pooled[key], abs=1e-12)
    # the two stations lie 24 km apart: different 1 km pixels and different 0.25 degree cells
    assert result.stations["row_downscaled"].nunique() == 2 and result.stations["row_cci"].nunique() == 2
    assert set(result.pairs.columns) == {"station", "time", "product", "estimate", "observed"}


# ---------------------------------------------------------------------- bad files: one line each
def test_an_ismn_file_with_a_wrong_header_is_one_line(maqu, tmp_path):
    bad = tmp_path / maqu[0].name
    text = maqu[0].read_bytes().split(b"\r", 1)[1]
    bad.write_bytes(b"MAQU CST_01 not a header\r" + text)
    stations, problems = st.read_stations(str(bad))
    assert stations == [] and len(problems) == 1
    assert "\n" not in problems[0] and str(bad) in problems[0] and "not a readable ISMN file" in problems[0]
    assert "Fix:" in problems[0]


def test_a_csv_with_the_wrong_header_or_units_is_one_line(tmp_path):
    series = tmp_path / "s.csv"
    pd.DataFrame({"time": ["2020-07-01 00:00"], "Ms_5cm": [20.0]}).to_csv(series, index=False)
    with pytest.raises(st.StationError) as info:
        st.read_csv_series(series, name="a", latitude=39, longitude=100, depth_from_m=0.05, depth_to_m=0.05,
                           column="Ms_2cm", units="%")
    assert "\n" not in str(info.value) and "no column 'Ms_2cm'" in str(info.value) and "Ms_5cm" in str(info.value)
    with pytest.raises(st.StationError, match=r"units 'furlong'"):
        st.read_csv_series(series, name="a", latitude=39, longitude=100, depth_from_m=0.05, depth_to_m=0.05,
                           column="Ms_5cm", units="furlong")
    index = tmp_path / "index.csv"
    pd.DataFrame({"station": ["a"], "file": ["s.csv"]}).to_csv(index, index=False)
    stations, problems = st.read_stations(str(index))
    assert stations == [] and len(problems) == 1 and "latitude" in problems[0] and "\n" not in problems[0]
    stations, problems = st.read_stations(str(tmp_path / "nothing*.stm"))
    assert stations == [] and "no file matches" in problems[0]


def test_stations_without_overlap_or_at_the_wrong_depth_are_one_line_each(maqu, tmp_path):
    table, daily = st.station_tables(st.read_stations([str(p) for p in maqu])[0])
    deep = table.iloc[[0]].assign(station="DEEP", depth_from_m=0.2, depth_to_m=0.2)
    far = table.iloc[[0]].assign(station="FAR", latitude=45.0)
    table = pd.concat([table, deep, far], ignore_index=True)
    daily = pd.concat([daily, daily[daily["station"] == "CST-01"].assign(station="DEEP"),
                       daily[daily["station"] == "CST-01"].assign(station="FAR")], ignore_index=True)
    config = _config(tmp_path, MAQU_EXTENT, MAQU_CRS, "2020-01-01", "2020-12-31", resolution_m=5000)
    from smvar.grid import analysis_grid

    g = analysis_grid(config)
    times = pd.date_range("2020-01-01", "2020-12-31", freq="D")
    field = xr.DataArray(np.full((len(times), *g.shape), 0.3), dims=("time", "y", "x"),
                         coords={"time": times, "y": g.y, "x": g.x})
    result = validate_at_stations(daily, table, {"downscaled": field}, crs=config.crs)
    assert result.metrics.empty and result.pairs.empty
    lines = {line.split(":")[0]: line for line in result.problems}
    assert set(lines) == {"station DEEP", "station FAR at 45.0000 N, 102.1333 E", "station CST-01", "station CST-02"}
    assert "does not match the products' surface layer (0-0.1 m)" in lines["station DEEP"]
    assert "no overlap in space" in lines["station FAR at 45.0000 N, 102.1333 E"]
    assert "no overlap in time" in lines["station CST-01"] and "2008-07-0" in lines["station CST-01"]
    assert "products 2020-01-01..2020-12-31" in lines["station CST-01"]
    assert all("\n" not in line and "Fix:" in line for line in result.problems)


# ---------------------------------------------------------------------- the twin
def test_synthetic_stations_carry_the_representativeness_error_they_are_given(tmp_path):
    from smvar.grid import analysis_grid

    config = _config(tmp_path, {"south": 38.9, "north": 39.1, "west": 100.0, "east": 100.3},
                     "+proj=aea +lat_0=39 +lon_0=100.15 +lat_1=38.9 +lat_2=39.1 +datum=WGS84 +units=m",
                     "2020-01-01", "2020-12-31")
    g = analysis_grid(config)
    times = pd.date_range("2020-01-01", "2020-12-31", freq="D")
    rng = np.random.default_rng(1)
    truth = xr.DataArray(0.2 + 0.05 * np.sin(np.arange(len(times)) / 30)[:, None, None]
                         + rng.normal(0, 0.01, (len(times), *g.shape)), dims=("time", "y", "x"),
                         coords={"time": times, "y": g.y, "x": g.x})
    mask = xr.DataArray(np.ones(g.shape, dtype=np.int16), dims=("y", "x"), coords={"y": g.y, "x": g.x})
    table, daily = synthetic_stations(truth, mask, config.crs, n=30, seed=5, offset_sd=0.03, noise_sd=0.02)
    again = synthetic_stations(truth, mask, config.crs, n=30, seed=5, offset_sd=0.03, noise_sd=0.02)
    pd.testing.assert_frame_equal(table, again[0])
    pd.testing.assert_frame_equal(daily, again[1])
    result = validate_at_stations(daily, table, {"truth": truth}, crs=config.crs)
    assert result.problems == [] and result.stations["station"].nunique() == 30
    per_station = result.metrics[result.metrics["station"] != "all"]
    # against the truth, each station's bias is minus its offset and its ubRMSE is the noise's SD
    assert per_station["bias"].std() == pytest.approx(0.03, rel=0.35)
    assert per_station["ubrmse"].median() == pytest.approx(0.02, rel=0.25)
    overall = result.metrics.set_index("station").loc["all"]
    assert overall["rmse"] == pytest.approx(np.hypot(0.03, 0.02), rel=0.3)


def test_a_twin_run_is_validated_at_synthetic_stations_drawn_from_its_truth(small_yaml):
    from smvar.synthetic import generate

    config = load_config(small_yaml)
    inputs = generate(config)
    downscaled = inputs.fine["sm_truth"] + 0.01                       # a stand-in with a known bias
    result, note = st.validate_run_at_stations(config, inputs, downscaled)
    assert "synthetic stations" in note and result.problems == []
    m = result.metrics.set_index(["station", "product"])
    assert set(m.loc["all"].index) == {"downscaled", "sm_cci", "sm_smops", "reanalysis sm"}
    table, daily = synthetic_stations(inputs.fine["sm_truth"], inputs.fine["basin_mask"], config.crs, n=8,
                                      seed=config.data.seed)
    expected = validate_at_stations(daily, table, {"downscaled": downscaled}, crs=config.crs).metrics
    keys = ["n", "r", "rmse", "bias", "ubrmse"]
    pd.testing.assert_frame_equal(m.loc[[("all", "downscaled")]].reset_index(drop=True)[keys],
                                  expected[expected["station"] == "all"].reset_index(drop=True)[keys])
    assert m.loc[("all", "downscaled"), "n"] == 8 * len(config.dates())


def test_a_real_run_uses_the_stations_its_parameter_file_lists(maqu, tmp_path):
    from smvar.grid import analysis_grid
    from smvar.inputs import Inputs

    raw = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    raw.update(name="maqu", extent=MAQU_EXTENT, crs=MAQU_CRS)
    raw["period"] = {"start": "2009-06-01", "end": "2009-08-31"}
    raw["validation"] = {"stations": str(maqu[0].parent / "*.stm")}
    (tmp_path / "basin.yaml").write_text(yaml.safe_dump(raw))
    config = load_config(tmp_path / "basin.yaml")
    g = analysis_grid(config)
    times = pd.DatetimeIndex(pd.to_datetime(config.dates()))
    field = xr.DataArray(np.full((len(times), *g.shape), 0.3), dims=("time", "y", "x"),
                         coords={"time": times, "y": g.y, "x": g.x})
    empty = xr.Dataset()
    result, note = st.validate_run_at_stations(config, Inputs(fine=empty, reanalysis=empty, microwave=empty), field)
    assert "2 station sensor(s)" in note and result.problems == []
    overall = result.metrics.set_index("station").loc["all"]
    table, daily = st.station_tables(st.read_stations(str(maqu[0].parent / "*.stm"))[0])
    summer = daily[(daily["time"] >= "2009-06-01") & (daily["time"] <= "2009-08-31")]
    assert overall["n"] == len(summer) and overall["bias"] == pytest.approx(0.3 - summer["sm"].mean())


def test_the_station_figures_draw_one_panel_per_product_and_per_station():
    import matplotlib

    matplotlib.use("Agg")
    from smvar.plots_stations import station_scatter_figure, station_timeseries_figure

    times = pd.date_range("2020-07-01", periods=20, freq="D")
    pairs = pd.DataFrame([{"station": s, "time": t, "product": p, "estimate": 0.2 + 0.01 * i, "observed": 0.21}
                          for s in ("A", "B") for p in ("downscaled", "sm_cci") for i, t in enumerate(times)])
    rows = [{"station": "all", "product": p, **metrics(pairs[pairs["product"] == p]["estimate"].to_numpy(),
                                                        pairs[pairs["product"] == p]["observed"].to_numpy())}
            for p in ("downscaled", "sm_cci")]
    scatter = station_scatter_figure(pairs, pd.DataFrame(rows))
    assert [ax.get_title() for ax in scatter.axes] == ["downscaled", "sm_cci"]
    assert scatter.axes[0].get_xlabel() == "station (m³/m³)"
    series = station_timeseries_figure(pairs)
    assert [ax.get_title(loc="left") for ax in series.axes] == ["A", "B"]
    assert len(series.axes[0].get_lines()) == 3                       # station + two products


def test_a_station_whose_pixel_has_no_product_value_says_so(maqu, tmp_path):
    table, daily = st.station_tables(st.read_stations([str(p) for p in maqu])[0])
    config = _config(tmp_path, MAQU_EXTENT, MAQU_CRS, "2009-06-01", "2009-08-31", resolution_m=5000)
    from smvar.grid import analysis_grid

    g = analysis_grid(config)
    times = pd.date_range("2009-06-01", "2009-08-31", freq="D")
    field = xr.DataArray(np.full((len(times), *g.shape), np.nan), dims=("time", "y", "x"),
                         coords={"time": times, "y": g.y, "x": g.x})
    result = validate_at_stations(daily, table, {"downscaled": field}, crs=config.crs)
    assert len(result.problems) == 2
    assert all("0 day(s) with both a station value and a product value" in line and "basin mask" in line
               for line in result.problems)


def test_an_ismn_download_tree_reads_soil_moisture_files_and_names_each_sensor(maqu, tmp_path):
    tree = tmp_path / "ISMN" / "MAQU" / "CST-01"
    tree.mkdir(parents=True)
    source = maqu[0].read_bytes()
    (tree / maqu[0].name).write_bytes(source)
    deeper = maqu[0].name.replace("_0.050000_0.050000_", "_0.100000_0.100000_")
    (tree / deeper).write_bytes(source.replace(b"    0.05    0.05 ", b"    0.10    0.10 ", 1))
    (tree / maqu[0].name.replace("_sm_", "_ts_")).write_bytes(source)        # soil temperature: skipped
    stations, problems = st.read_stations("ISMN/**/*.stm", base_dir=tmp_path)
    assert [s.depth_to_m for s in stations] == [0.05, 0.1]
    assert problems == ["validation.stations: 1 ISMN file(s) of variables other than soil moisture "
                        "(no '_sm_' in the name) skipped"]
    table, _ = st.station_tables(stations)
    assert list(table["station"]) == ["MAQU:CST-01 0.05-0.05 m", "MAQU:CST-01 0.1-0.1 m"]
