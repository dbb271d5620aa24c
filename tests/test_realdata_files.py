"""Tests of smvar.realdata.files and composites: units, reprojection, time steps, the `files` source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

pytest.importorskip("rioxarray")
from affine import Affine  # noqa: E402

from smvar.config import load_config  # noqa: E402
from smvar.inputs import CONTRACT, REANALYSIS_NAMES, validate_inputs  # noqa: E402
from smvar.sources import load_inputs  # noqa: E402
from smvar import composites  # noqa: E402
from smvar.realdata import files  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DAYS_2020 = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _geo(values, west=100.0, north=40.0, res=0.01, units="1", crs="EPSG:4326"):
    ny, nx = np.shape(values)[-2:]
    da = xr.DataArray(np.asarray(values, float), dims=("y", "x"),
                      coords={"y": north - res * (np.arange(ny) + 0.5), "x": west + res * (np.arange(nx) + 0.5)},
                      attrs={"units": units})
    return da.rio.write_crs(crs).rio.write_transform(Affine(res, 0, west, 0, -res, north))


def _one_cell_target():
    return ("EPSG:4326", Affine(0.02, 0, 100.0, 0, -0.02, 40.0), (1, 1), {"y": np.array([39.99]), "x": np.array([100.01])})


def test_average_of_a_2x2_raster_onto_one_cell_is_the_mean():
    out = files._reproject(_geo([[1, 2], [3, 4]]), _one_cell_target(), categorical=False)
    assert out.shape == (1, 1)
    assert float(out[0, 0]) == pytest.approx(2.5)


def test_mode_of_a_2x2_land_cover_onto_one_cell_is_the_majority():
    out = files._reproject(_geo([[10, 10], [12, 7]]), _one_cell_target(), categorical=True)
    assert float(out[0, 0]) == 10


def test_nan_is_ignored_by_the_average():
    out = files._reproject(_geo([[1, np.nan], [3, 5]]), _one_cell_target(), categorical=False)
    assert float(out[0, 0]) == pytest.approx(3.0)


@pytest.mark.parametrize("to_units, from_units, value, expected", [
    ("K", "degC", 20.0, 293.15),
    ("K", "°C", -10.0, 263.15),
    ("K", "0.02 K", 15000.0, 300.0),          # MODIS LST digital number
    ("K", "degC*50", 1000.0, 293.15),         # degC x 50
    ("m3 m-3", "%", 25.0, 0.25),
    ("m3 m-3", "m3/m3", 0.3, 0.3),
    ("cg cm-3", "kg m-3", 1500.0, 150.0),
    ("cg cm-3", "g/cm3", 1.45, 145.0),
    ("dg kg-1", "g/kg", 12.5, 125.0),
    ("cm day-1", "mm/h", 10.0, 24.0),
    ("degree", "radian", np.pi / 2, 90.0),
    ("1", "0.0001", 5000.0, 0.5),
])
def test_unit_table_converts_exactly(to_units, from_units, value, expected):
    out, text = files.convert_units(xr.DataArray([value]), to_units, from_units)
    assert float(out[0]) == pytest.approx(expected, rel=1e-12)
    assert out.attrs["units"] == to_units and "->" in text


def test_unknown_unit_names_the_field_and_the_accepted_units():
    with pytest.raises(files.UnitError, match=r"data.files.dem.*'furlong'.*Accepted units: .*km"):
        files.convert_units(xr.DataArray([1.0]), "m", "furlong", where="field 'data.files.dem': ")


def test_rate_to_monthly_total_uses_the_days_of_each_month():
    time = pd.DatetimeIndex(["2020-02-10", "2020-02-20", "2020-04-05"])
    rate = xr.DataArray([1.0, 3.0, 2.0], dims="time", coords={"time": time}, attrs={"units": "mm day-1"})
    total = composites.monthly_total(rate, [2, 4])
    assert total.sel(month=2).item() == pytest.approx(2.0 * 29)
    assert total.sel(month=4).item() == pytest.approx(2.0 * 30)
    monthly = xr.DataArray([58.0], dims="time", coords={"time": pd.DatetimeIndex(["2020-02-01"])})
    per_day, _ = files.to_mm_per_day(monthly, "mm month-1")
    assert per_day.item() == pytest.approx(2.0)


def test_maximum_value_composite_and_monthly_mean():
    time = pd.DatetimeIndex(["2020-07-01", "2020-07-17", "2020-08-04"])
    da = xr.DataArray([0.3, 0.5, 0.4], dims="time", coords={"time": time})
    assert composites.maximum_value_composite(da, [7, 8]).values.tolist() == [0.5, 0.4]
    assert composites.monthly_mean(da, [7]).item() == pytest.approx(0.4)
    assert np.isnan(composites.maximum_value_composite(da, [9]).item())


def test_savgol_daily_keeps_a_linear_series_and_fills_gaps():
    time = pd.date_range("2020-01-01", periods=10, freq="16D")
    values = 0.1 + 0.01 * np.arange(10.0)
    values[4] = np.nan
    da = xr.DataArray(values, dims="time", coords={"time": time})
    daily = composites.savgol_daily(da, pd.date_range("2020-01-01", "2020-05-01", freq="D"))
    days = (pd.DatetimeIndex(daily["time"].values) - pd.Timestamp("2020-01-01")).days.to_numpy()
    np.testing.assert_allclose(daily.values, 0.1 + 0.01 * days / 16, atol=1e-6)


def test_dates_are_read_from_file_names():
    assert files.date_from_name("lst_2020-07-15.tif") == dt.date(2020, 7, 15)
    assert files.date_from_name("MOD11A1.A2020197.h25v05.061.tif") == dt.date(2020, 7, 15)
    assert files.date_from_name("p_20200715.nc") == dt.date(2020, 7, 15)
    assert files.date_from_name("precip_2020-07.tif") == dt.date(2020, 7, 1)
    assert files.date_from_name("dem.tif") is None


# ------------------------------------------------------------------ the `files` source
def _foreign(da, crs):
    from rasterio.enums import Resampling

    da = da.astype("float64").rio.write_crs(crs).rio.set_spatial_dims(x_dim="x", y_dim="y")
    return da.rio.reproject("EPSG:32647", resolution=700, resampling=Resampling.nearest, nodata=np.nan)


def write_foreign_files(inputs, crs, folder: Path) -> dict[str, str]:
    """The synthetic basin's variables as UTM 47N 700 m GeoTIFFs and NetCDFs in foreign units."""
    mapping = {}
    for name, (grid, dims, units, _) in CONTRACT.items():
        if grid != "fine":
            ds = inputs.reanalysis if grid == "reanalysis" else inputs.microwave
            da = ds[REANALYSIS_NAMES.get(name, name)]
            da, u = (da * 100, "%") if units == "m3 m-3" else (da, units)
            da = da.rename(lat="latitude", lon="longitude")
            da.attrs = {"units": u}
            da.to_dataset(name="v").to_netcdf(folder / f"{name}.nc")
            mapping[name] = f"{name}.nc"
            continue
        da, u = inputs.fine[name], units
        if name in ("lst_day", "lst_night"):
            da, u = da - 273.15, "degC"
        elif name in ("precipitation", "pet"):
            days = xr.DataArray([DAYS_2020[m - 1] for m in da["month"].values], dims="month")
            da, u = da / days, "mm day-1"
        foreign = _foreign(da, crs)
        if len(dims) == 2:
            foreign.attrs = {"units": u}
            foreign.rio.to_raster(folder / f"{name}.tif")
            mapping[name] = f"{name}.tif"
            continue
        (folder / name).mkdir()
        step = dims[0]
        for i, label in enumerate(da[step].values):
            stamp = str(label)[:10] if step == "time" else f"2020-{int(label):02d}"
            layer = foreign.isel({step: i})
            layer.attrs = {"units": u}
            layer.rio.to_raster(folder / name / f"{name}_{stamp}.tif")
        mapping[name] = f"{name}/*.tif"
    return mapping


@pytest.fixture(scope="module")
def foreign_basin(tmp_path_factory):
    from smvar.synthetic import generate

    folder = tmp_path_factory.mktemp("foreign")
    raw = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    raw["period"]["step_days"] = 30
    (folder / "synth.yaml").write_text(yaml.safe_dump(raw))
    config = load_config(folder / "synth.yaml")
    inputs = generate(config)
    mapping = write_foreign_files(inputs, config.crs, folder)
    raw["data"] = {"source": "files", "files": mapping}
    (folder / "basin.yaml").write_text(yaml.safe_dump(raw))
    return folder, inputs, mapping


def test_foreign_crs_files_come_back_to_the_contract(foreign_basin):
    folder, truth, _ = foreign_basin
    inputs = load_inputs(load_config(folder / "basin.yaml"))
    validate_inputs(inputs)
    fine = inputs.fine
    assert fine.sizes == truth.fine.sizes or dict(fine.sizes) == {k: truth.fine.sizes[k] for k in fine.sizes}
    # the 1 km -> 700 m -> 1 km round trip smooths: for the DEM (with the twin's 1 km relief) the error must
    # stay below a third of the mean height step between neighbouring pixels (a third-of-a-pixel shift)
    dem_step = np.nanmean(np.abs(np.diff(truth.fine["dem"].values, axis=1)))
    for name, tolerance in (("dem", dem_step / 3), ("lst_day", 1.0), ("ndvi", 0.01), ("bulk_density", 1.0),
                            ("precipitation", 0.5), ("pet", 0.5), ("evi", 0.01)):
        error = np.nanmean(np.abs(fine[name].values - truth.fine[name].values))
        assert error < tolerance, (name, error)
    _assert_mode_resampling_keeps_classes(fine["landcover"].values, truth.fine["landcover"].values)
    assert (fine["reach"].values == truth.fine["reach"].values).mean() > 0.99
    np.testing.assert_allclose(inputs.reanalysis["sm"].values, truth.reanalysis["sm"].values, atol=1e-6)
    np.testing.assert_allclose(inputs.microwave["sm_cci"].values, truth.microwave["sm_cci"].values, atol=1e-6)
    provenance = files.json.loads(fine["lst_day"].attrs["provenance"])
    assert provenance["units_from"] == "degC" and provenance["units_to"] == "K"
    assert provenance["source_crs"] == ["EPSG:32647"] and provenance["resampling"] == "average"
    assert provenance["source_resolution"] == [700.0, 700.0]


def _assert_mode_resampling_keeps_classes(back: np.ndarray, original: np.ndarray) -> None:
    """1 km -> 700 m -> 1 km by mode: uniform 3x3 blocks come back exactly, other
    pixels take a class of their own 3x3 neighbourhood (the speckled land-cover
    product of the twin has many boundary pixels, whose mode may go to a neighbour)."""
    padded = np.pad(original, 1, mode="edge")
    ny, nx = original.shape
    neighbours = np.stack([padded[dy:dy + ny, dx:dx + nx] for dy in range(3) for dx in range(3)])
    uniform = (neighbours == original).all(axis=0)
    assert uniform.sum() > 0.3 * original.size
    assert (back[uniform] == original[uniform]).mean() > 0.99
    assert (neighbours == back).any(axis=0).mean() > 0.99


def test_missing_variables_are_reported_in_one_message(foreign_basin, tmp_path):
    folder, _, mapping = foreign_basin
    raw = yaml.safe_load((folder / "basin.yaml").read_text())
    keep = {k: str(folder / v) for k, v in mapping.items() if k not in ("fvc", "sm_smops", "slope")}
    raw["data"]["files"] = keep
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(files.FilesError) as info:
        load_inputs(load_config(tmp_path / "b.yaml"))
    message = str(info.value)
    assert "2 contract variable(s)" in message  # slope is derived from the DEM
    assert "data.files.fvc" in message and "data.files.sm_smops" in message
    assert "'m3 m-3'" in message and "Fix:" in message


def test_a_misspelt_variable_is_named_with_a_suggestion(tmp_path):
    raw = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    raw["data"] = {"source": "files", "files": {"lst_dya": "x.tif"}}
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(files.FilesError, match=r"data.files.lst_dya.*did you mean 'lst_day'"):
        load_inputs(load_config(tmp_path / "b.yaml"))


def test_no_matching_file_names_the_field(tmp_path):
    raw = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    config = load_config((tmp_path / "b.yaml").write_text(yaml.safe_dump(raw)) and tmp_path / "b.yaml")
    with pytest.raises(files.FilesError, match=r"data.files.dem.*no file matches"):
        files.read_variable("dem", "nothere/*.tif", config)


def test_slope_and_aspect_of_a_plane_facing_east():
    x = np.arange(5) * 1000.0
    dem = xr.DataArray(np.tile(-0.1 * x, (4, 1)), dims=("y", "x"),
                       coords={"y": np.arange(4)[::-1] * 1000.0, "x": x})
    slope, aspect = files.derive_slope_aspect(dem, 1000.0)
    np.testing.assert_allclose(slope, np.degrees(np.arctan(0.1)), rtol=1e-6)
    np.testing.assert_allclose(aspect, 90.0, atol=1e-6)


@pytest.mark.parametrize("name", ["heihe_real.yaml", "shiyang_real.yaml"])
def test_real_data_parameter_files_validate(name):
    config = load_config(ROOT / "data/basins" / name)
    assert config.data.source == "files"
    assert set(config.data.files) <= set(CONTRACT)


def test_a_basin_outline_replaces_the_mask_and_twi_and_reaches_come_from_the_dem(foreign_basin, tmp_path):
    """Researchers have a polygon: `basin: outline.geojson`, no basin_mask, twi or reach files."""
    import json

    from smvar.grid import analysis_grid

    folder, truth, mapping = foreign_basin
    raw = yaml.safe_load((folder / "basin.yaml").read_text())
    raw["data"]["files"] = {k: str(folder / v) for k, v in mapping.items() if k not in ("basin_mask", "twi", "reach")}
    ext = raw["extent"]
    inner = [[ext["west"] + 0.1, ext["south"] + 0.1], [ext["east"] - 0.1, ext["south"] + 0.1],
             [ext["east"] - 0.1, ext["north"] - 0.1], [ext["west"] + 0.1, ext["north"] - 0.1]]
    (tmp_path / "outline.geojson").write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [inner + [inner[0]]]}}))
    raw["basin"] = "outline.geojson"
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(raw))
    config = load_config(tmp_path / "b.yaml")
    fine = load_inputs(config).fine
    mask = fine["basin_mask"].values > 0
    grid = analysis_grid(config)
    lon, lat = grid.lonlat
    inside = ((lon > inner[0][0]) & (lon < inner[1][0]) & (lat > inner[0][1]) & (lat < inner[2][1]))
    assert (mask == inside).mean() > 0.995  # the cells of the square (edges by centre)
    assert set(np.unique(fine["reach"].values[mask])) == {1, 2, 3}
    assert (fine["reach"].values[~mask] == 0).all()
    assert np.isfinite(fine["twi"].values).all()
    provenance = json.loads(fine.attrs["provenance"])
    assert provenance["basin_mask"]["derived_from"] == "basin outline outline.geojson"
    assert provenance["twi"]["derived_from"] == "dem" and provenance["reach"]["derived_from"] == "dem"
