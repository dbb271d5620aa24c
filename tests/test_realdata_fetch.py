"""Tests of smvar.realdata.routes and fetch: requests as plain data, a local server, patched clients.

No test uses the network: a threaded http.server on 127.0.0.1 serves STAC JSON, tokens and
tiny GeoTIFFs written here; cdsapi and earthaccess are fake modules in sys.modules.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

pytest.importorskip("rioxarray")

from smvar.config import load_config  # noqa: E402
from smvar.inputs import CONTRACT, read_inputs  # noqa: E402
from smvar.realdata import fetch as fetchmod  # noqa: E402
from smvar.realdata import files, routes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
live = pytest.mark.skipif(not os.environ.get("SMVAR_LIVE"), reason="live test: set SMVAR_LIVE=1 with network and credentials")


@pytest.fixture(scope="module")
def small():
    return load_config(ROOT / "data/basins/small.yaml")


# ------------------------------------------------------------------ requests as plain data
def test_stac_search_body(small):
    assert routes.stac_search("modis-11A1-061", small) == {
        "collections": ["modis-11A1-061"], "bbox": [99.95, 38.75, 100.7, 39.33], "limit": 250,
        "datetime": "2020-01-01T00:00:00Z/2020-12-31T23:59:59Z"}
    assert "datetime" not in routes.stac_search("cop-dem-glo-90", small)


def test_earthaccess_query(small):
    assert routes.earthaccess_query("MOD13A2", small) == {
        "short_name": "MOD13A2", "version": "061", "bounding_box": (99.95, 38.75, 100.7, 39.33),
        "temporal": ("2020-01-01", "2020-12-31")}


def test_era5_land_request_for_january(small):
    requests = routes.era5_land_requests(small)
    assert len(requests) == 3 * 12
    name, dataset, request = requests[0]
    assert (name, dataset) == ("sm", "reanalysis-era5-land")
    assert request == {"variable": ["volumetric_soil_water_layer_1"], "year": "2020", "month": "01",
                       "day": [f"{d:02d}" for d in range(1, 32)], "time": ["04:00"],
                       "area": [39.4, 99.9, 38.7, 100.7], "data_format": "netcdf",
                       "download_format": "unarchived"}
    night = [r for r in requests if r[0] == "lst_night_reanalysis"][0][2]
    assert night["variable"] == ["skin_temperature"] and night["time"] == ["16:00"]


def test_cci_request_for_february(small):
    name, dataset, request = routes.cci_sm_requests(small)[1]
    assert (name, dataset) == ("sm_cci", "satellite-soil-moisture")
    assert request == {"variable": ["volumetric_surface_soil_moisture"],
                       "type_of_sensor": ["combined_passive_and_active"], "time_aggregation": ["day_average"],
                       "year": ["2020"], "month": ["02"], "day": [f"{d:02d}" for d in range(1, 30)],
                       "type_of_record": ["cdr"], "version": ["v202312"]}


def test_soilgrids_urls_and_overpass_hours():
    assert routes.soilgrids_url("bdod") == (
        "https://files.isric.org/soilgrids/latest/data_aggregated/1000m/bdod/bdod_0-5cm_mean_1000.tif")
    assert routes.overpass_hours_utc(99.55) == (4, 16)
    assert routes.overpass_hours_utc(0.0) == (10, 22)


def test_plan_is_json(small):
    plan = routes.plan(small)
    assert set(plan) >= {"modis_lst", "modis_vi", "landcover", "pet", "dem", "soilgrids", "era5_land", "cci_sm"}
    json.dumps(plan)


# ------------------------------------------------------------------ local server
class _Server:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.items: dict[str, list] = {}
        self.log: list[tuple[str, str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.log.append(("GET", self.path, self.headers.get("Range")))
                path = self.path.split("?")[0]
                if path.startswith("/token/"):
                    return self._send(200, json.dumps({"token": "sig=abc"}).encode(), "application/json")
                data = server.files.get(path)
                if data is None:
                    return self._send(404, b"", "text/plain")
                start = int(self.headers["Range"][6:-1]) if self.headers.get("Range") else 0
                if start:
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                self.wfile.write(data[start:])

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.log.append(("POST", self.path, json.dumps(body)))
                features = server.items.get(body["collections"][0], [])
                self._send(200, json.dumps({"type": "FeatureCollection", "features": features,
                                            "links": []}).encode(), "application/json")

            def _send(self, code, data, kind):
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture()
def server():
    s = _Server()
    yield s
    s.httpd.shutdown()


def test_partial_download_is_completed_not_restarted(server, tmp_path):
    data = bytes(range(256)) * 40
    server.files["/a/file.bin"] = data
    (tmp_path / "file.bin.partial").write_bytes(data[:3000])
    stats = {"downloaded": 0, "cached": 0, "resumed": 0}
    path = fetchmod.download(server.url + "/a/file.bin?sig=secret", tmp_path, stats=stats)
    assert path.read_bytes() == data
    assert server.log[-1] == ("GET", "/a/file.bin?sig=secret", "bytes=3000-")
    assert stats["resumed"] == 1
    record = json.loads((tmp_path / "file.bin.json").read_text())
    assert record["size"] == len(data) and "secret" not in record["url"]
    n = len(server.log)
    fetchmod.download(server.url + "/a/file.bin", tmp_path, stats=stats)
    assert len(server.log) == n and stats["cached"] == 1  # never repeated


def test_bad_checksum_is_rejected(server, tmp_path):
    server.files["/b.bin"] = b"hello"
    with pytest.raises(fetchmod.FetchError, match="SHA-256 mismatch"):
        fetchmod.download(server.url + "/b.bin", tmp_path, sha256="0" * 64)
    assert not (tmp_path / "b.bin").exists()


def test_missing_credentials_name_the_file_and_the_sign_up(tmp_path, monkeypatch):
    monkeypatch.delenv("EARTHDATA_USERNAME", raising=False)
    with pytest.raises(fetchmod.MissingCredentials, match=r"cdsapirc.*url:.*key:.*cds.climate.copernicus.eu"):
        fetchmod.cds_credentials(tmp_path / ".cdsapirc")
    with pytest.raises(fetchmod.MissingCredentials, match=r"netrc.*urs.earthdata.nasa.gov.*Sign up"):
        fetchmod.earthdata_credentials(tmp_path / ".netrc")
    (tmp_path / ".cdsapirc").write_text("url: https://x\nkey: SECRET-KEY\n")
    assert fetchmod.cds_credentials(tmp_path / ".cdsapirc") == tmp_path / ".cdsapirc"


# ------------------------------------------------------------------ end to end
def _tif_bytes(da, path: Path, units: str) -> bytes:
    da = da.copy()
    da.attrs = {"units": units}
    da.rio.to_raster(path)
    return path.read_bytes()


def _to_geo(da, crs):
    from rasterio.enums import Resampling

    da = da.astype("float64").rio.write_crs(crs).rio.set_spatial_dims(x_dim="x", y_dim="y")
    return da.rio.reproject("EPSG:4326", resolution=0.008, resampling=Resampling.nearest, nodata=np.nan)


def test_fetch_end_to_end_against_the_local_server(server, tmp_path, monkeypatch):
    from smvar.synthetic import generate

    raw = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    raw["period"]["step_days"] = 30
    (tmp_path / "synth.yaml").write_text(yaml.safe_dump(raw))
    config0 = load_config(tmp_path / "synth.yaml")
    truth = generate(config0)
    fine, crs, work = truth.fine, config0.crs, tmp_path / "work"
    work.mkdir()
    # STAC: daily LST (MODIS digital numbers) and the DEM
    lst_items = []
    for i, day in enumerate(fine["time"].values):
        stamp = str(day)[:10]
        doy = (np.datetime64(stamp) - np.datetime64("2020-01-01")).astype(int) + 1
        item = {"id": f"MOD11A1.A2020{doy:03d}.h25v05.061", "properties": {"datetime": f"{stamp}T00:00:00Z"},
                "assets": {}}
        for var, asset in (("lst_day", "LST_Day_1km"), ("lst_night", "LST_Night_1km")):
            key = f"/blob/{item['id']}_{asset}.tif"
            server.files[key] = _tif_bytes(_to_geo(fine[var].isel(time=i) / 0.02, crs), work / "t.tif", "1")
            item["assets"][asset] = {"href": server.url + key}
        lst_items.append(item)
    server.items["modis-11A1-061"] = lst_items
    lst_items.append({**lst_items[0], "id": "MYD11A1.A2020001.h25v05.061"})  # Aqua: filtered out
    server.files["/blob/dem.tif"] = _tif_bytes(_to_geo(fine["dem"], crs), work / "t.tif", "m")
    server.items["cop-dem-glo-90"] = [{"id": "dem", "properties": {}, "assets": {"data": {"href": server.url + "/blob/dem.tif"}}}]
    # SoilGrids COGs
    for var, (prop, units) in routes.SOILGRIDS.items():
        server.files[f"/sg/{prop}/{prop}_0-5cm_mean_1000.tif"] = _tif_bytes(_to_geo(fine[var], crs), work / "t.tif", units)
    # earthaccess (fake): 16-day NDVI, yearly land cover, 8-day PET
    calls = {"search": []}

    def fake_download(results, local_path):
        folder = Path(local_path)
        folder.mkdir(parents=True, exist_ok=True)
        short = results[0]
        out = []
        if short in ("MOD13A2", "MYD13A2"):
            for i, day in enumerate(fine["time"].values):
                stamp = str(day)[:10]
                out.append(folder / f"{short}_{stamp}.tif")
                _tif_bytes(_to_geo(fine["ndvi"].isel(time=i) * 1e4, crs), out[-1], "1")
        elif short == "MCD12Q1":
            out.append(folder / "MCD12Q1.A2020001.tif")
            _tif_bytes(_to_geo(fine["landcover"], crs), out[-1], "1")
        else:
            for m in fine["month"].values:
                days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
                out.append(folder / f"MOD16A2_2020-{m:02d}-09.tif")
                _tif_bytes(_to_geo(fine["pet"].sel(month=m) / days * 8 / 0.1, crs), out[-1], "1")
        return [str(p) for p in out]

    earthaccess = types.SimpleNamespace(
        login=lambda strategy: True,
        search_data=lambda **kw: calls["search"].append(kw) or [kw["short_name"]],
        download=fake_download)
    monkeypatch.setitem(sys.modules, "earthaccess", earthaccess)

    # cdsapi (fake): writes the requested month of the twin's coarse fields
    class Client:
        def __init__(self, **kwargs):
            pass

        def retrieve(self, dataset, request, target):
            calls.setdefault("cds", []).append((dataset, request))
            if dataset == "reanalysis-era5-land":
                name = {"volumetric_soil_water_layer_1": "sm"}.get(request["variable"][0])
                hour = request["time"][0]
                name = name or ("lst_day" if hour == "04:00" else "lst_night")
                da = truth.reanalysis[name]
                da = da.sel(time=da["time"].dt.month == int(request["month"]))
                nc = "swvl1" if name == "sm" else "skt"
                da = da.rename(time="valid_time", lat="latitude", lon="longitude")
                da.attrs = {"units": "m**3 m**-3" if nc == "swvl1" else "K"}
                da.to_dataset(name=nc).to_netcdf(target)
            else:
                import zipfile
                da = truth.microwave["sm_cci"]
                da = da.sel(time=da["time"].dt.month == int(request["month"][0]))
                da.attrs = {"units": "m3 m-3"}
                member = Path(target).with_suffix(".member.nc")
                da.to_dataset(name="sm").to_netcdf(member)
                with zipfile.ZipFile(target, "w") as zf:
                    zf.write(member, f"C3S-SOILMOISTURE-L3S-SSMV-COMBINED-DAILY-2020{int(request['month'][0]):02d}"
                                     f"01000000-TCDR-{request['version'][0]}.0.0.nc")

    monkeypatch.setitem(sys.modules, "cdsapi", types.SimpleNamespace(Client=Client))
    (tmp_path / ".cdsapirc").write_text("url: https://cds\nkey: SECRET\n")
    (tmp_path / ".netrc").write_text("machine urs.earthdata.nasa.gov login u password SECRET\n")
    monkeypatch.setenv("CDSAPI_RC", str(tmp_path / ".cdsapirc"))
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    # local files for the products with no download route
    local = {}
    for name in ("twi", "field_capacity", "ksat", "saturated_water_content", "basin_mask", "reach"):
        _tif_bytes(_to_geo(fine[name], crs), work / f"{name}.tif", CONTRACT[name][2])
        local[name] = f"work/{name}.tif"
    for name in ("fvc", "precipitation"):
        da = fine[name].rename(month="time").assign_coords(
            time=[np.datetime64(f"2020-{m:02d}-01") for m in fine["month"].values])
        units = "1" if name == "fvc" else "mm month-1"
        da.attrs = {"units": units}
        da.rio.write_crs(crs).to_dataset(name=name).to_netcdf(work / f"{name}.nc")
        local[name] = f"work/{name}.nc"
    for name in ("sm_reference",):
        fine[name].to_dataset().rio.write_crs(crs).to_netcdf(work / f"{name}.nc")
        local[name] = f"work/{name}.nc"
    truth.microwave[["sm_smops"]].to_netcdf(work / "smops.nc")
    local["sm_smops"] = "work/smops.nc"
    raw["data"] = {"source": "files", "files": local}
    (tmp_path / "basin.yaml").write_text(yaml.safe_dump(raw))
    config = load_config(tmp_path / "basin.yaml")

    endpoints = fetchmod.Endpoints(stac_url=server.url, token_url=server.url + "/token",
                                   soilgrids_base=server.url + "/sg")
    lines = []
    report = fetchmod.fetch(config, tmp_path / "out", cache=tmp_path / "cache", endpoints=endpoints, log=lines.append)
    assert report.complete, (report.failed, report.missing)
    assert report.fetched["lst_day"]["route"] == "modis_lst" and report.fetched["ndvi"]["route"] == "modis_vi"
    assert any("?sig=abc" in p for _, p, _ in server.log if p.startswith("/blob/"))  # hrefs were signed
    inputs = read_inputs(tmp_path / "out")
    assert float(abs(inputs.fine["lst_day"] - fine["lst_day"]).mean()) < 1.0
    assert float(abs(inputs.fine["ndvi"] - fine["ndvi"]).mean()) < 0.02
    assert float(abs(inputs.reanalysis["sm"] - truth.reanalysis["sm"]).max()) < 1e-6
    assert float(abs(inputs.fine["pet"] - fine["pet"]).mean()) < 1.0
    assert {q["short_name"] for q in calls["search"]} == {"MOD13A2", "MYD13A2", "MCD12Q1", "MOD16A2"}
    report_text = (tmp_path / "out" / "fetch_report.json").read_text()
    assert "SECRET" not in report_text and "sig=abc" not in report_text
    # a second run downloads nothing again
    n = len([entry for entry in server.log if entry[0] == "GET" and entry[1].startswith("/blob/")])
    fetchmod.fetch(config, tmp_path / "out2", cache=tmp_path / "cache", endpoints=endpoints,
                   only=["dem", "lst_day"], log=lines.append)
    assert len([entry for entry in server.log if entry[0] == "GET" and entry[1].startswith("/blob/")]) == n


def test_a_route_without_credentials_is_reported_and_the_rest_goes_on(server, tmp_path, monkeypatch, small):
    monkeypatch.setenv("CDSAPI_RC", str(tmp_path / "none"))
    server.items["cop-dem-glo-90"] = []
    lines = []
    endpoints = fetchmod.Endpoints(stac_url=server.url, token_url=None, soilgrids_base=server.url + "/sg")
    report = fetchmod.fetch(small, tmp_path / "out", only=["sm", "dem"], cache=tmp_path / "c",
                            endpoints=endpoints, log=lines.append)
    assert not report.complete and set(report.missing) == {"sm", "dem"}
    assert "CDS credentials missing" in report.failed["era5_land"] and "no item" in report.failed["dem"]
    assert (tmp_path / "out" / "fetch_report.json").exists()
    message = "\n".join(lines)
    assert "2 of 25 contract variables could not be had" in message
    assert "download route failed (2)" in message and "sm (route era5_land): CDS credentials missing" in message


def test_listed_files_absent_on_disk_are_named_apart_from_routes(small, tmp_path):
    config = small.model_copy(update={"data": small.data.model_copy(update={
        "source": "files", "files": {"dem": "absent/dem.tif", "twi": "absent/twi.tif"}})})
    lines = []
    report = fetchmod.fetch(config, tmp_path / "out", only=["dem", "twi", "slope"], cache=tmp_path / "c",
                            endpoints=fetchmod.Endpoints(stac_url="http://127.0.0.1:9", token_url=None),
                            log=lines.append)
    message = "\n".join(lines)
    assert set(report.missing) == {"dem", "twi", "slope"} and set(report.unread) == {"dem", "twi"}
    assert "listed in data.files but not read (2)" in message
    assert "- dem: 'absent/dem.tif': no such file" in message
    assert "derived from the DEM once it is read (1): slope" in message
    assert "have no file" not in message


@live
def test_live_planetary_computer_search(small):  # pragma: no cover - needs the network
    items = fetchmod.stac_items(routes.PC_STAC_URL, routes.stac_search("cop-dem-glo-90", small))
    assert items and "data" in items[0]["assets"]


def test_the_stac_lst_route_applies_the_qc_asset_to_real_mod11a1_bytes(server, tmp_path):
    """The real granule's LST and QC fields served as the COG assets of a Planetary Computer item."""
    pytest.importorskip("pyhdf", reason="the HDF4 reader needs pyhdf (pip install pyhdf)")
    from peer_reference import reference_folder

    from smvar.realdata.hdf4 import open_hdf4_eos

    granule = reference_folder("realdata") / "products" / "mod11a1" / "MOD11A1.hdf"
    from pyhdf.SD import SD, SDC

    sd = SD(str(granule), SDC.READ)
    raw = {name: np.asarray(sd.select(name).get()) for name in ("LST_Day_1km", "QC_Day", "LST_Night_1km", "QC_Night")}
    sd.end()
    template = open_hdf4_eos(granule, "LST_Day_1km").isel(time=0, drop=True)
    item = {"id": "MOD11A1.A2019305.h14v09.061.2019306084028", "properties": {"datetime": "2019-11-01T00:00:00Z"},
            "assets": {}}
    for name, values in raw.items():
        da = template.copy(data=values).astype(values.dtype)
        da.attrs = {}
        da.rio.write_nodata(0 if name.startswith("LST") else None, inplace=True)
        da.rio.to_raster(tmp_path / f"{name}.tif")
        server.files[f"/blob/{name}.tif"] = (tmp_path / f"{name}.tif").read_bytes()
        item["assets"][name] = {"href": f"{server.url}/blob/{name}.tif"}
    server.items["modis-11A1-061"] = [item]
    raw_basin = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    raw_basin.update(name="brazil", extent={"south": -6.0, "north": -5.0, "west": -38.0, "east": -37.0},
                     crs="+proj=aea +lat_0=-5.5 +lon_0=-37.5 +lat_1=-6 +lat_2=-5 +datum=WGS84 +units=m +no_defs")
    raw_basin["period"] = {"start": "2019-11-01", "end": "2019-11-01"}
    (tmp_path / "basin.yaml").write_text(yaml.safe_dump(raw_basin))
    config = load_config(tmp_path / "basin.yaml")
    endpoints = fetchmod.Endpoints(stac_url=server.url, token_url=None)
    report = fetchmod.fetch(config, tmp_path / "out", only=["lst_day", "lst_night"], cache=tmp_path / "cache",
                            endpoints=endpoints, log=lambda line: None)
    assert report.failed == {} and report.fetched["lst_day"]["route"] == "modis_lst"
    fetched = xr.open_zarr(tmp_path / "out" / "fine.zarr")
    for variable, field in (("lst_day", "LST_Day_1km"), ("lst_night", "LST_Night_1km")):
        direct, _ = files.read_variable(variable, f"{granule}::{field}", config)   # the HDF4 path applies QC itself
        np.testing.assert_allclose(fetched[variable].values, direct.values, rtol=0, atol=1e-3, equal_nan=True)
        provenance = json.loads(fetched[variable].attrs["provenance"])
        assert any("MOD11 QC" in q for q in provenance["quality"])


def test_the_cds_soil_moisture_route_keeps_only_c3s_files_of_the_requested_version(tmp_path):
    names = ["C3S-SOILMOISTURE-L3S-SSMV-COMBINED-DAILY-20200101000000-TCDR-v202312.0.0.nc",
             "C3S-SOILMOISTURE-L3S-SSMV-COMBINED-DAILY-20200102000000-ICDR-v202312.0.0.nc",
             "C3S-SOILMOISTURE-L3S-SSMV-COMBINED-DAILY-20200101000000-TCDR-v202212.0.0.nc",
             "README.nc"]
    paths = [str(tmp_path / n) for n in names]
    assert fetchmod._cci_files(paths, "v202312", tmp_path / "a.zip") == paths[:2]
    with pytest.raises(fetchmod.FetchError) as info:
        fetchmod._cci_files(paths[2:], "v202312", tmp_path / "a.zip")
    message = str(info.value)
    assert "\n" not in message and "of another version" in message and "a.zip" in message


def test_stac_items_of_another_modis_product_are_left_out():
    assert fetchmod._granule_product("MOD11A1.A2020001.h25v05.061.2020006032951") == "MOD11A1"
    assert fetchmod._granule_product("MYD11A1.A2020001.h25v05.061.2020006032951") == "MYD11A1"
    assert fetchmod._granule_product("/cache/MOD13A2.A2020001.h25v05.061.2020018001122.hdf") == "MOD13A2"
    assert fetchmod._granule_product("MOD13A2_2020-01-01.tif") is None
