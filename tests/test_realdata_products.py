"""Real product files through the production path (read_variable, fetch): MODIS HDF4, ESA CCI SM, GLDAS.

The files are in ``shared/reference/realdata/products`` (see its README: what,
where from, terms); they are read in place and never copied into the
repository. Every test skips, saying why, where the folder is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

pytest.importorskip("rioxarray")
from peer_reference import reference_folder  # noqa: E402

from smvar.config import load_config  # noqa: E402
from smvar.realdata import files, routes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# an equal-area grid over 1 x 1 degree of Rio Grande do Norte / Paraiba, inside MODIS tile h14v09
BRAZIL_EXTENT = {"south": -6.0, "north": -5.0, "west": -38.0, "east": -37.0}
BRAZIL_CRS = "+proj=aea +lat_0=-5.5 +lon_0=-37.5 +lat_1=-6 +lat_2=-5 +datum=WGS84 +units=m +no_defs"


@pytest.fixture(scope="module")
def products() -> Path:
    return reference_folder("realdata") / "products"


def _basin(folder: Path, *, extent=None, crs=None, start: str, end: str, data_files: dict[str, str]) -> Path:
    raw = yaml.safe_load((ROOT / "data/basins/heihe.yaml").read_text())
    raw.update(name="real_files", title="Real product files")
    raw["period"] = {"start": start, "end": end}
    if extent is not None:
        raw["extent"] = extent
    if crs is not None:
        raw["crs"] = crs
    raw["data"] = {"source": "files", "files": data_files}
    path = folder / "basin.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


# ---------------------------------------------------------------------- MOD11A1 (HDF4-EOS)
@pytest.fixture(scope="module")
def mod11a1(products) -> Path:
    pytest.importorskip("pyhdf", reason="the HDF4 reader needs pyhdf (pip install pyhdf)")
    return products / "mod11a1" / "MOD11A1.hdf"


def _raw_sds(path: Path, name: str) -> np.ndarray:
    from pyhdf.SD import SD, SDC

    sd = SD(str(path), SDC.READ)
    try:
        return np.asarray(sd.select(name).get())
    finally:
        sd.end()


def test_mod11a1_field_has_the_tile_grid_the_date_and_its_digital_number_unit(mod11a1):
    from smvar.realdata.hdf4 import open_hdf4_eos

    da = open_hdf4_eos(mod11a1, "LST_Day_1km")
    assert da.dims == ("time", "y", "x") and da.shape == (1, 1200, 1200)
    assert str(da["time"].values[0])[:10] == "2019-11-01"          # CoreMetadata.0 RANGEBEGINNINGDATE
    assert da.attrs["units"] == "0.02 K" and da.attrs["scale_factor"] == 0.02
    crs = da.rio.crs.to_dict()
    assert crs["proj"] == "sinu" and crs["R"] == pytest.approx(6371007.181)
    transform = da.rio.transform()
    # StructMetadata.0: UpperLeftPointMtrs=(-4447802.079066,0), LowerRightMtrs=(-3335851.559300,-1111950.519767)
    assert transform.c == pytest.approx(-4447802.079066) and transform.f == pytest.approx(0.0, abs=1e-6)
    assert transform.a == pytest.approx((-3335851.559300 + 4447802.079066) / 1200)
    assert transform.e == pytest.approx(-1111950.519767 / 1200)


def test_mod11a1_fill_and_qc_rejected_pixels_are_missing(mod11a1):
    from smvar.realdata.hdf4 import open_hdf4_eos

    for lst, qc_name in (("LST_Day_1km", "QC_Day"), ("LST_Night_1km", "QC_Night")):
        dn, qc = _raw_sds(mod11a1, lst), _raw_sds(mod11a1, qc_name)
        mandatory, lst_error = qc & 0b11, qc >> 6
        kept = (dn != 0) & ((mandatory == 0) | ((mandatory == 1) & (lst_error <= 1)))
        da = open_hdf4_eos(mod11a1, lst).isel(time=0).values
        np.testing.assert_array_equal(np.isfinite(da), kept)
        np.testing.assert_array_equal(da[kept], dn[kept].astype(float))
        assert 0 < kept.sum() < kept.size                           # a partly cloudy tile
        assert ((dn == 0) | ~kept).sum() > 0


def test_mod11a1_read_variable_scales_to_kelvin_on_the_basin_grid(mod11a1, tmp_path):
    from pyproj import Transformer

    from smvar.grid import analysis_grid

    config = load_config(_basin(tmp_path, extent=BRAZIL_EXTENT, crs=BRAZIL_CRS, start="2019-11-01",
                                end="2019-11-01", data_files={"lst_day": "x"}))
    da, provenance = files.read_variable("lst_day", f"{mod11a1}::LST_Day_1km", config)
    grid = analysis_grid(config)
    assert da.dims == ("time", "y", "x") and da.shape[1:] == grid.shape
    assert da.attrs["units"] == "K" and provenance["conversion"] == "0.02 K -> K: x * 0.02 + 0"
    assert "QC_Day" in provenance["quality"][0]
    values = da.isel(time=0).values
    finite = np.isfinite(values)
    assert finite.mean() > 0.5
    assert 280 < np.nanmin(values) and np.nanmax(values) < 335       # a November afternoon in NE Brazil
    # each 1 km cell lies between the extremes of the ~926 m source pixels around its centre
    dn = _raw_sds(mod11a1, "LST_Day_1km").astype(float)
    qc = _raw_sds(mod11a1, "QC_Day")
    dn[(dn == 0) | ~(((qc & 3) == 0) | (((qc & 3) == 1) & ((qc >> 6) <= 1)))] = np.nan
    xx, yy = np.meshgrid(grid.x, grid.y)
    to_sinu = Transformer.from_crs(BRAZIL_CRS, "+proj=sinu +R=6371007.181 +units=m", always_xy=True)
    sx, sy = to_sinu.transform(xx, yy)
    size = (-3335851.559300 + 4447802.079066) / 1200
    col = np.floor((sx + 4447802.079066) / size).astype(int)
    row = np.floor(-sy / size).astype(int)
    neighbours = np.stack([dn[np.clip(row + dr, 0, 1199), np.clip(col + dc, 0, 1199)]
                           for dr in (-1, 0, 1) for dc in (-1, 0, 1)]) * 0.02
    with warnings.catch_warnings():  # all-NaN neighbourhoods (fill values) give NaN bounds, left out below
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(neighbours, axis=0), np.nanmax(neighbours, axis=0)
    check = finite & np.isfinite(low)
    assert check.sum() > 1000
    assert np.all(values[check] >= low[check] - 1e-3) and np.all(values[check] <= high[check] + 1e-3)


def test_a_gdal_hdf4_eos_name_reads_the_same_field_as_the_double_colon_form(mod11a1, tmp_path):
    config = load_config(_basin(tmp_path, extent=BRAZIL_EXTENT, crs=BRAZIL_CRS, start="2019-11-01",
                                end="2019-11-01", data_files={"lst_night": "x"}))
    gdal_name = f'HDF4_EOS:EOS_GRID:"{mod11a1}":MODIS_Grid_Daily_1km_LST:LST_Night_1km'
    a, _ = files.read_variable("lst_night", gdal_name, config)
    b, _ = files.read_variable("lst_night", f"{mod11a1}::LST_Night_1km", config)
    xr.testing.assert_identical(a, b)


def test_a_field_the_granule_does_not_hold_is_one_line_naming_the_fields(mod11a1, tmp_path):
    config = load_config(_basin(tmp_path, extent=BRAZIL_EXTENT, crs=BRAZIL_CRS, start="2019-11-01",
                                end="2019-11-01", data_files={"lst_day": "x"}))
    with pytest.raises(files.FilesError) as info:
        files.read_variable("lst_day", f"{mod11a1}::lst_day_1km", config)
    message = str(info.value)
    assert "\n" not in message and "data.files.lst_day" in message
    assert "did you mean 'LST_Day_1km'" in message and "QC_Day" in message


# ---------------------------------------------------------------------- ESA CCI SM v04.2
@pytest.fixture(scope="module")
def cci(products) -> list[Path]:
    return sorted((products / "cci_sm_passive_v04.2").glob("*.nc"))


def _heihe(tmp_path: Path, start: str, end: str, data_files: dict[str, str]):
    return load_config(_basin(tmp_path, start=start, end=end, data_files=data_files))


def test_cci_sm_reads_with_flags_and_fill_masked_like_the_file_says(cci, tmp_path):
    from smvar.grid import microwave_grid

    config = _heihe(tmp_path, "2016-12-27", "2016-12-31", {"sm_cci": "x"})
    da, provenance = files.read_variable("sm_cci", [str(p) for p in cci], config)  # no '::sm' needed
    assert da.dims == ("time", "lat", "lon") and da.attrs["units"] == "m3 m-3"
    assert "flag == 0" in provenance["quality"][0]
    g = microwave_grid(config)
    expected = []
    for path in cci:  # the grids coincide: compare cell by cell with the file's own masking rule
        raw = xr.open_dataset(path, mask_and_scale=False).isel(time=0)
        raw = raw.sel(lat=g.lat, lon=g.lon, method="nearest")
        sm, flag = raw["sm"].values, raw["flag"].values
        expected.append(np.where((flag == 0) & (sm != -9999.0) & (sm >= 0) & (sm <= 1), sm, np.nan))
    expected = np.stack(expected)
    np.testing.assert_allclose(da.values, expected, rtol=0, atol=1e-7, equal_nan=True)
    assert np.isfinite(expected).sum() == 36                       # winter: few valid cells over the basin
    assert 0.09 < np.nanmin(da.values) and np.nanmax(da.values) < 0.13


def test_cci_sm_where_a_flag_is_set_is_missing_even_with_a_value(cci, tmp_path):
    """Put a value under every 'dense vegetation' (2) and 'no convergence' (4) flag of a real file."""
    source = xr.open_dataset(cci[0], mask_and_scale=False)
    flagged = source["flag"].isin([2, 4, 6])
    amazon = {"south": -15.0, "north": 5.0, "west": -75.0, "east": -45.0}
    assert int(flagged.sel(lat=slice(5, -15), lon=slice(-75, -45)).sum()) > 500
    tampered = source.copy()
    tampered["sm"] = source["sm"].where(~flagged, np.float32(0.777))
    copy = tmp_path / cci[0].name
    with warnings.catch_warnings():  # the file's own time units (CCI's t0 in days since 1970) as cftime
        warnings.simplefilter("ignore")
        tampered.to_netcdf(copy)
    config = load_config(_basin(tmp_path, extent=amazon, crs="+proj=moll +lon_0=-60 +datum=WGS84 +units=m",
                                start="2016-12-27",
                                end="2016-12-27", data_files={"sm_cci": "x"}))
    da, _ = files.read_variable("sm_cci", str(copy), config)
    assert not np.any(np.isclose(da.values, 0.777, rtol=0, atol=1e-4))
    assert np.isfinite(da.values).sum() > 100


# ---------------------------------------------------------------------- GLDAS-2.1 Noah
@pytest.fixture(scope="module")
def gldas(products) -> Path:
    return next((products / "gldas21").glob("*.nc4"))


def test_gldas_soil_water_becomes_volumetric_over_the_0_10_cm_layer(gldas, tmp_path):
    from smvar.grid import reanalysis_grid

    config = _heihe(tmp_path, "2016-01-01", "2016-01-01", {"sm": "x"})
    da, provenance = files.read_variable("sm", f"{gldas}::SoilMoi0_10cm_inst", config)
    assert provenance["units_from"] == "m3 m-3" and da.attrs["units"] == "m3 m-3"
    assert provenance["layer"] == "kg m-2 over a 0.1 m layer -> m3 m-3: x / 100 (water density 1000 kg m-3)"
    raw = xr.open_dataset(gldas)["SoilMoi0_10cm_inst"].isel(time=0) / 100.0   # kg m-2 / (1000 kg m-3 x 0.1 m)
    g = reanalysis_grid(config)
    lat, lon = np.meshgrid(g.lat, g.lon, indexing="ij")
    corners = [raw.sel(lat=xr.DataArray((lat + dy).ravel()), lon=xr.DataArray((lon + dx).ravel()),
                       method="nearest").values.reshape(lat.shape)
               for dy in (-0.049, 0.049) for dx in (-0.049, 0.049)]
    with warnings.catch_warnings():  # cells whose four corners are all ocean give NaN bounds
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(corners, axis=0), np.nanmax(corners, axis=0)
    values = da.isel(time=0).values
    finite = np.isfinite(values)
    assert finite.mean() > 0.9
    assert np.all(values[finite] >= low[finite] - 1e-6) and np.all(values[finite] <= high[finite] + 1e-6)
    assert 0.01 < np.nanmin(values) and np.nanmax(values) < 0.5


def test_soil_water_per_area_without_a_layer_depth_is_one_clear_line(gldas, tmp_path):
    renamed = xr.open_dataset(gldas)[["SoilMoi0_10cm_inst"]].rename(SoilMoi0_10cm_inst="soil_water")
    renamed.to_netcdf(tmp_path / "water.nc")
    config = _heihe(tmp_path, "2016-01-01", "2016-01-01", {"sm": "x"})
    with pytest.raises(files.UnitError) as info:
        files.read_variable("sm", str(tmp_path / "water.nc"), config)
    message = str(info.value)
    assert "\n" not in message and "data.files.sm" in message and "layer_depth_m" in message
    da, provenance = files.read_variable("sm", str(tmp_path / "water.nc"), config, layer_depth_m=0.1)
    assert "0.1 m layer" in provenance["layer"]


# ---------------------------------------------------------------------- names
def test_real_file_names_match_their_route_patterns_and_dates(cci, gldas, mod11a1):
    from pyhdf.SD import SD, SDC

    from smvar.realdata.hdf4 import granule_date

    for path in cci:
        kind, fields = routes.match_product_file(path.name)
        stamp = xr.open_dataset(path)["time"].values[0]
        assert kind == "esa_cci_sm" and fields["version"] == "04.2" and fields["sensor"] == "PASSIVE"
        assert files.date_from_name(path.name) == dt.date.fromisoformat(str(stamp)[:10])
    kind, fields = routes.match_product_file(gldas.name)
    assert (kind, fields["version"], fields["date"]) == ("gldas", "021", "20160101")
    assert files.date_from_name(gldas.name) == dt.date(2016, 1, 1)
    sd = SD(str(mod11a1), SDC.READ)
    core = sd.attributes()["CoreMetadata.0"]
    sd.end()
    granule = core.split("LOCALGRANULEID")[1].split('"')[1]      # the granule's original name
    kind, fields = routes.match_product_file(granule)
    assert (kind, fields["product"], fields["h"], fields["v"], fields["collection"]) == \
        ("modis", "MOD11A1", "14", "09", "006")
    assert files.date_from_name(granule) == granule_date(core) == dt.date(2019, 11, 1)
    assert routes.match_product_file(granule.removesuffix(".hdf"))[1]["product"] == "MOD11A1"  # STAC item id


# ---------------------------------------------------------------------- the input stage end to end
def test_fetch_reads_the_real_modis_granule_into_the_input_layout(mod11a1, tmp_path):
    from smvar.realdata.fetch import fetch

    local = tmp_path / "granules"
    local.mkdir()
    shutil.copy(mod11a1, local / "MOD11A1.A2019305.h14v09.006.2019306084028.hdf")  # a run's cache, not the repo
    basin = _basin(tmp_path, extent=BRAZIL_EXTENT, crs=BRAZIL_CRS, start="2019-11-01", end="2019-11-01",
                   data_files={"lst_day": "granules/MOD11A1.A*.hdf::LST_Day_1km",
                               "lst_night": 'HDF4_EOS:EOS_GRID:"' + str(local / "MOD11A1.A2019305.h14v09.006."
                                                                          "2019306084028.hdf")
                                            + '":MODIS_Grid_Daily_1km_LST:LST_Night_1km'})
    config = load_config(basin)
    lines = []
    report = fetch(config, tmp_path / "out", only=["lst_day", "lst_night"], log=lines.append)
    assert report.failed == {} and report.missing == []
    fine = xr.open_zarr(tmp_path / "out" / "fine.zarr")   # a partial layout: read_inputs wants all
    day, night = fine["lst_day"].isel(time=0), fine["lst_night"].isel(time=0)
    both = np.isfinite(day) & np.isfinite(night)
    assert int(both.sum()) > 5000
    assert float((day - night).where(both).mean()) > 5                 # afternoon warmer than the night
    provenance = json.loads(fine["lst_day"].attrs["provenance"])
    assert provenance["conversion"].startswith("0.02 K -> K") and provenance["n_files"] == 1


def test_fetch_reads_real_cci_and_gldas_over_the_heihe(cci, gldas, tmp_path):
    from smvar.realdata.fetch import fetch

    basin = _basin(tmp_path, start="2016-01-01", end="2016-12-31",
                   data_files={"sm_cci": f"{cci[0].parent}/ESACCI-SOILMOISTURE-L3S-SSMV-PASSIVE-*-fv04.2.nc",
                               "sm": f"{gldas}::SoilMoi0_10cm_inst"})
    config = load_config(basin)
    report = fetch(config, tmp_path / "out", only=["sm_cci", "sm"], log=lambda line: None)
    assert report.failed == {} and report.missing == []
    microwave = xr.open_zarr(tmp_path / "out" / "microwave.zarr")
    reanalysis = xr.open_zarr(tmp_path / "out" / "reanalysis.zarr")
    cci_days = microwave["sm_cci"].notnull().any(["lat", "lon"])
    assert [str(t)[:10] for t in microwave["time"].values[cci_days.values]] == \
        ["2016-12-27", "2016-12-28", "2016-12-31"]
    assert int(microwave["sm_cci"].notnull().sum()) == 36
    sm = reanalysis["sm"].sel(time="2016-01-01")
    assert float(sm.notnull().mean()) > 0.9 and 0.01 < float(sm.min()) and float(sm.max()) < 0.5


def test_the_earthdata_route_names_hdf4_fields_for_pyhdf_and_skips_non_granules(mod11a1, tmp_path, monkeypatch):
    """The route's own code on a real granule (MOD11A1 standing in for the route's MODIS HDF4 products)."""
    import sys
    import types

    from smvar.realdata import fetch as fetchmod

    granule = tmp_path / "MOD11A1.A2019305.h14v09.006.2019306084028.hdf"
    shutil.copy(mod11a1, granule)
    (tmp_path / "MOD11A1.A2019305.h14v09.006.2019306084028.hdf.xml").write_text("<metadata/>")
    (tmp_path / "BROWSE.MOD11A1.A2019305.h14v09.006.2019306084028.1.jpg").write_bytes(b"\xff\xd8")
    earthaccess = types.SimpleNamespace(
        login=lambda strategy: True, search_data=lambda **kw: [kw["short_name"]],
        download=lambda results, local_path: [str(p) for p in sorted(tmp_path.glob("*MOD11A1*"))])
    monkeypatch.setitem(sys.modules, "earthaccess", earthaccess)
    monkeypatch.setattr(fetchmod, "earthdata_credentials", lambda: None)
    monkeypatch.setitem(routes.EARTHACCESS_OF_ROUTE, "pet", ("MOD11A1",))
    monkeypatch.setitem(routes.EARTHACCESS_PRODUCTS, "MOD11A1",
                        {"lst_day": ("MODIS_Grid_Daily_1km_LST", "LST_Day_1km", "0.02 K", 0)})
    got = fetchmod._run_earthaccess("pet", load_config(ROOT / "data/basins/small.yaml"), tmp_path / "cache")
    assert got["lst_day"]["paths"] == [f"{granule}::LST_Day_1km"]
    config = load_config(_basin(tmp_path, extent=BRAZIL_EXTENT, crs=BRAZIL_CRS, start="2019-11-01",
                                end="2019-11-01", data_files={"lst_day": "x"}))
    via_route, _ = files.read_variable("lst_day", got["lst_day"]["paths"], config, units="0.02 K", nodata=0)
    direct, _ = files.read_variable("lst_day", f"{mod11a1}::LST_Day_1km", config)
    np.testing.assert_array_equal(via_route.values, direct.values)


# ---------------------------------------------------------------------- HDF4 conventions (no files needed)
@pytest.mark.parametrize("attrs, expected", [
    ({"units": "K", "scale_factor": 0.02}, "0.02 K"),                       # MOD11 LST
    ({"units": "NDVI", "scale_factor": 10000.0}, "0.0001"),                 # MOD13: 10000 is a divisor
    ({"units": "kg/m^2/8day", "scale_factor": 0.1}, "0.1 kg/m^2/8day"),     # MOD16 PET
    ({"units": "class number"}, "1"),                                      # MCD12Q1 LC_Type1
    ({}, None),
])
def test_digital_number_units_follow_the_modis_user_guides(attrs, expected):
    from smvar.realdata.hdf4 import _dn_units

    assert _dn_units(attrs)[0] == expected


def test_mod16_and_mod13_digital_number_units_are_in_the_conversion_tables():
    rate, text = files.to_mm_per_day(xr.DataArray([80.0]), "0.1 kg/m^2/8day")
    assert float(rate[0]) == pytest.approx(1.0) and "x 0.0125" in text.replace("*", "x")
    ndvi, _ = files.convert_units(xr.DataArray([5000.0]), "1", "0.0001")
    assert float(ndvi[0]) == pytest.approx(0.5)


def test_struct_metadata_of_a_geographic_grid_gives_its_corners_in_degrees():
    from smvar.realdata.hdf4 import _georeference, parse_struct_metadata

    text = """GROUP=GridStructure
\tGROUP=GRID_1
\t\tGridName="MOD_CMG"
\t\tXDim=7200
\t\tYDim=3600
\t\tUpperLeftPointMtrs=(-180000000.000000,90000000.000000)
\t\tLowerRightMtrs=(180000000.000000,-90000000.000000)
\t\tProjection=GCTP_GEO
\t\tGROUP=DataField
\t\t\tOBJECT=DataField_1
\t\t\t\tDataFieldName="Majority_Land_Cover_Type_1"
\t\t\tEND_OBJECT=DataField_1
\t\tEND_GROUP=DataField
\tEND_GROUP=GRID_1
END_GROUP=GridStructure"""
    grid = parse_struct_metadata(text)["MOD_CMG"]
    assert grid.fields == ("Majority_Land_Cover_Type_1",) and (grid.xdim, grid.ydim) == (7200, 3600)
    crs, x, y = _georeference(grid, "test")
    assert crs == "EPSG:4326" and x[0] == pytest.approx(-179.975) and y[0] == pytest.approx(89.975)


def test_gdal_hdf4_names_are_split_into_file_grid_and_field():
    from smvar.realdata.hdf4 import parse_gdal_name

    assert parse_gdal_name('HDF4_EOS:EOS_GRID:"C:/data/MOD13A2.hdf":MODIS_Grid_16DAY_1km_VI:1 km 16 days NDVI') == \
        ("C:/data/MOD13A2.hdf", "MODIS_Grid_16DAY_1km_VI", "1 km 16 days NDVI")
    assert parse_gdal_name("HDF4_EOS:EOS_GRID:/d/MOD11A1.hdf:MODIS_Grid_Daily_1km_LST:LST_Day_1km") == \
        ("/d/MOD11A1.hdf", "MODIS_Grid_Daily_1km_LST", "LST_Day_1km")
    assert parse_gdal_name("lst/*.tif") is None


def test_mod11_qc_rule_keeps_good_and_low_error_other_quality_pixels():
    from smvar.realdata.hdf4 import mod11_qc_mask

    # bits 1-0 mandatory QA, bits 7-6 LST error class
    qc = np.array([0b00000000, 0b00000001, 0b01000001, 0b10000001, 0b00000010, 0b00000011, 0b11000000],
                  dtype=np.uint8)
    np.testing.assert_array_equal(mod11_qc_mask(qc), [True, True, True, False, False, False, True])
    np.testing.assert_array_equal(mod11_qc_mask(qc, max_lst_error_k=1), [True, True, False, False, False, False, True])


def test_a_truncated_granule_is_one_line_naming_the_file_and_the_fix(tmp_path):
    pytest.importorskip("pyhdf", reason="the HDF4 reader needs pyhdf (pip install pyhdf)")
    broken = tmp_path / "MOD11A1.A2019305.h14v09.006.2019306084028.hdf"
    broken.write_bytes(b"\x0e\x03\x13\x01" + b"\x00" * 100)               # the HDF4 magic number, then nothing
    config = load_config(_basin(tmp_path, extent=BRAZIL_EXTENT, crs=BRAZIL_CRS, start="2019-11-01",
                                end="2019-11-01", data_files={"lst_day": "x"}))
    with pytest.raises(files.FilesError) as info:
        files.read_variable("lst_day", f"{broken}::LST_Day_1km", config)
    message = str(info.value)
    assert "\n" not in message and str(broken) in message and "download the granule again" in message
