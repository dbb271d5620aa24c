"""``smvar fetch``: download the paper's products for a basin and write the input layout.

Provides
--------
download
    One URL to a cache file: resumed from a ``.partial`` file with an HTTP
    Range request, verified (size, optional SHA-256), never repeated.
stac_items
    Every item of a STAC API search (pages followed).
PCSigner
    Signs Planetary Computer asset hrefs with the collection's SAS token.
cds_credentials, earthdata_credentials
    Check the providers' standard credential files (``~/.cdsapirc``,
    ``~/.netrc``); never print or copy them.
MissingCredentials, FetchError
    One clear message each: the file to create and where to sign up; or
    what failed and how to retry.
Endpoints
    The base URLs (tests point them to a local server).
fetch
    Run every route for the wanted variables; a route that fails is
    reported and the rest goes on; write ``fine.zarr``/``reanalysis.zarr``/
    ``microwave.zarr`` (the layout of ``smvar synth``) and
    ``fetch_report.json``.

Variables named in the parameter file's ``data.files`` are read from those
files and not downloaded: that is the route for the products with no API
(FVC, precipitation, SMCI, SMOPS, the hydraulic maps, the basin mask and reaches).
"""

from __future__ import annotations

import hashlib
import json
import netrc
import os
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smvar.errors import UserError
from smvar.store import write_json
from smvar.inputs import CONTRACT, validate_inputs, write_inputs
from smvar.realdata import routes
from smvar.realdata.files import DERIVABLE, FilesError, assemble, derive_missing, read_variable

if TYPE_CHECKING:
    from smvar.config import BasinConfig

__all__ = [
    "Endpoints",
    "FetchError",
    "MissingCredentials",
    "FetchReport",
    "PCSigner",
    "download",
    "stac_items",
    "cds_credentials",
    "earthdata_credentials",
    "fetch",
]

CHUNK = 1 << 20


class FetchError(UserError, RuntimeError):
    """A download or search that failed; the message names the URL and the fix."""


class MissingCredentials(FetchError):
    """No credentials for a provider; the message names the file to create and the sign-up page."""


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the providers (defaults: the real services)."""

    stac_url: str = routes.PC_STAC_URL
    token_url: str | None = routes.PC_TOKEN_URL  # None: do not sign hrefs
    soilgrids_base: str = routes.SOILGRIDS_BASE


@dataclass
class FetchReport:
    """What a fetch did: files per variable, failures per route, variables not read, missing variables."""

    fetched: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    complete: bool = False
    downloads: dict[str, int] = field(default_factory=lambda: {"downloaded": 0, "cached": 0, "resumed": 0})

    def to_json(self) -> str:
        """The report as JSON (no credentials are ever part of it)."""
        return json.dumps(self.__dict__, indent=2, default=str)


# ---------------------------------------------------------------------- HTTP
def _cache_name(url: str) -> str:
    return Path(urllib.parse.urlsplit(url).path).name or hashlib.sha256(url.encode()).hexdigest()[:16]


def download(url: str, folder: str | Path, name: str | None = None, *, sha256: str | None = None,
             stats: dict[str, int] | None = None, timeout: float = 60.0) -> Path:
    """Download ``url`` into ``folder``, resumably, verified, once.

    Parameters
    ----------
    url : str
        HTTP(S) URL (a signed URL's query string is not part of the file name).
    folder : str or Path
        Cache folder.
    name : str, optional
        File name (default: the last part of the URL path).
    sha256 : str, optional
        Expected SHA-256 hex digest; without it the size announced by the
        server is checked.
    stats : dict, optional
        Counters ``downloaded``/``cached``/``resumed`` to increment.

    Returns
    -------
    Path
        The complete file. A ``NAME.partial`` left by an interrupted run is
        completed with a ``Range`` request (restarted if the server ignores
        it); ``NAME.json`` records size and digest, and a file with a valid
        record is not downloaded again.
    """
    stats = stats if stats is not None else {"downloaded": 0, "cached": 0, "resumed": 0}
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / (name or _cache_name(url))
    record = final.with_name(final.name + ".json")
    if final.exists() and record.exists() and _record_ok(final, record, sha256):
        stats["cached"] += 1
        return final
    partial = final.with_name(final.name + ".partial")
    offset = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = _expected_size(response, offset)
            mode = "ab" if response.status == 206 else "wb"
            stats["resumed" if mode == "ab" else "downloaded"] += 1
            with open(partial, mode) as out:
                while block := response.read(CHUNK):
                    out.write(block)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the partial file is already whole
            total = offset
        else:
            raise FetchError(f"{_safe(url)}: HTTP {exc.code} {exc.reason}. Fix: check the URL or retry later "
                             "(the partial download is kept and will be resumed)") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise FetchError(f"{_safe(url)}: {exc}. Fix: check the network and rerun; "
                         "the partial download is kept and will be resumed") from None
    digest = _verify(partial, total, sha256, url)
    partial.replace(final)
    write_json({"url": _safe(url), "size": final.stat().st_size, "sha256": digest}, record)
    return final


def _safe(url: str) -> str:
    """The URL without its query string (signed URLs carry tokens)."""
    return urllib.parse.urlsplit(url)._replace(query="").geturl()


def _expected_size(response: Any, offset: int) -> int | None:
    content_range = response.headers.get("Content-Range")
    if response.status == 206 and content_range and "/" in content_range:
        total = content_range.rsplit("/", 1)[1]
        return int(total) if total.isdigit() else None
    length = response.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, total: int | None, sha256: str | None, url: str) -> str:
    size = path.stat().st_size
    if total is not None and size != total:
        raise FetchError(f"{_safe(url)}: got {size} of {total} bytes. Fix: rerun to resume the download")
    digest = _sha256(path)
    if sha256 is not None and digest != sha256:
        path.unlink()
        raise FetchError(f"{_safe(url)}: SHA-256 mismatch ({digest} != {sha256}); the file was deleted. "
                         "Fix: rerun to download it again")
    return digest


def _record_ok(final: Path, record: Path, sha256: str | None) -> bool:
    try:
        info = json.loads(record.read_text())
    except (OSError, ValueError):
        return False
    if info.get("size") != final.stat().st_size:
        return False
    return sha256 is None or info.get("sha256") == sha256


def _http_json(url: str, body: dict | None = None, timeout: float = 60.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"},
                                     method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{_safe(url)}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise FetchError(f"{_safe(url)}: {exc}. Fix: check the network and rerun") from None


def stac_items(api_url: str, body: dict[str, Any], max_pages: int = 100) -> list[dict[str, Any]]:
    """Every item of a STAC ``POST {api_url}/search``, following ``next`` links."""
    url, items = api_url.rstrip("/") + "/search", []
    for _ in range(max_pages):
        page = _http_json(url, body)
        items.extend(page.get("features", []))
        nxt = next((link for link in page.get("links", []) if link.get("rel") == "next"), None)
        if nxt is None:
            break
        url, body = nxt["href"], nxt.get("body", body) if nxt.get("method", "POST") == "POST" else None
    return items


class PCSigner:
    """Append the Planetary Computer SAS token of a collection to asset hrefs."""

    def __init__(self, token_url: str | None) -> None:
        self.token_url = token_url
        self._tokens: dict[str, str] = {}

    def sign(self, href: str, collection: str) -> str:
        """The signed href (unchanged when no token URL is set)."""
        if self.token_url is None:
            return href
        if collection not in self._tokens:
            self._tokens[collection] = _http_json(f"{self.token_url.rstrip('/')}/{collection}")["token"]
        return f"{href}{'&' if '?' in href else '?'}{self._tokens[collection]}"


# ---------------------------------------------------------------------- credentials
def cds_credentials(path: str | Path | None = None) -> Path:
    """The CDS credential file, checked to hold ``url`` and ``key`` (the key is never read out).

    Raises
    ------
    MissingCredentials
        Naming the file to create and where to sign up.
    """
    rc = Path(path or os.environ.get("CDSAPI_RC", Path.home() / ".cdsapirc")).expanduser()
    text = rc.read_text() if rc.is_file() else ""
    keys = {line.split(":", 1)[0].strip() for line in text.splitlines() if ":" in line}
    if not {"url", "key"} <= keys:
        raise MissingCredentials(
            f"CDS credentials missing: create {rc} with two lines, 'url: "
            "https://cds.climate.copernicus.eu/api' and 'key: <your personal access token>'. "
            f"Sign up at {routes.CDS_SIGNUP}.")
    return rc


def earthdata_credentials(path: str | Path | None = None) -> Path | None:
    """The ``~/.netrc`` entry for ``urs.earthdata.nasa.gov`` (or EARTHDATA_USERNAME/PASSWORD).

    Raises
    ------
    MissingCredentials
        Naming the file to create and where to sign up.
    """
    if os.environ.get("EARTHDATA_USERNAME") and os.environ.get("EARTHDATA_PASSWORD"):
        return None
    rc = Path(path or os.environ.get("NETRC", Path.home() / ".netrc")).expanduser()
    try:
        found = rc.is_file() and netrc.netrc(str(rc)).authenticators("urs.earthdata.nasa.gov") is not None
    except (netrc.NetrcParseError, OSError):
        found = False
    if not found:
        raise MissingCredentials(
            f"Earthdata credentials missing: add to {rc} the line 'machine urs.earthdata.nasa.gov "
            "login <user> password <password>' (and chmod 600 it). "
            f"Sign up at {routes.EARTHDATA_SIGNUP}.")
    return rc


# ---------------------------------------------------------------------- routes
def _run_stac(key: str, config: "BasinConfig", cache: Path, ep: Endpoints, signer: PCSigner,
              stats: dict) -> dict[str, Any]:
    collection = routes.STAC_OF_ROUTE[key]
    product = routes.STAC_PRODUCTS[collection]
    items = stac_items(ep.stac_url, routes.stac_search(collection, config))
    prefix = product["id_prefix"]
    items = [it for it in items if prefix is None or _granule_product(it["id"]) == prefix]
    if not items:
        raise FetchError(f"{collection}: the STAC search found no item over the basin and period")
    out: dict[str, Any] = {}
    for variable, (asset, units, nodata) in product["assets"].items():
        paths, qc_paths = [], []
        qc_asset = product.get("qc", {}).get(variable)
        for item in items:
            stamp = (item.get("properties", {}).get("datetime") or "")[:10]
            got = {}
            for key in (asset, qc_asset):
                if key is None or key not in item["assets"]:
                    continue
                name = f"{stamp + '_' if stamp else ''}{item['id']}_{key}.tif"
                href = signer.sign(item["assets"][key]["href"], collection)
                got[key] = str(download(href, cache / collection, name, stats=stats))
            paths.append(got[asset])
            qc_paths.append(got.get(qc_asset))
        out[variable] = {"paths": paths, "units": units, "nodata": nodata}
        if any(qc_paths):
            out[variable]["qc"] = qc_paths
        if collection == "esa-cci-lc":
            out[variable]["recode"] = routes.ESA_CCI_TO_IGBP
    return out


def _granule_product(name: str) -> str | None:
    """The MODIS short name of a granule file name or STAC item id (``MOD11A1``), or None."""
    found = routes.match_product_file(Path(name).name)
    return found[1]["product"] if found and found[0] == "modis" else None


_DATA_SUFFIXES = (".hdf", ".tif", ".tiff", ".nc", ".nc4")


def _run_earthaccess(key: str, config: "BasinConfig", cache: Path) -> dict[str, Any]:
    earthdata_credentials()
    try:
        import earthaccess
    except ImportError:
        raise FetchError("the Earthdata route needs the earthaccess package: pip install earthaccess") from None
    earthaccess.login(strategy="netrc")
    out: dict[str, Any] = {}
    for short_name in routes.EARTHACCESS_OF_ROUTE[key]:
        results = earthaccess.search_data(**routes.earthaccess_query(short_name, config))
        files = earthaccess.download(results, local_path=str(cache / short_name))
        # granules only (no browse images or .xml metadata), and of this product
        files = [f for f in files if str(f).lower().endswith(_DATA_SUFFIXES)
                 and _granule_product(str(f)) in (short_name, None)]
        if not files:
            raise FetchError(f"{short_name}: earthaccess downloaded no granule over the basin and period "
                             f"into {cache / short_name}")
        for variable, (grid, name, units, nodata) in routes.EARTHACCESS_PRODUCTS[short_name].items():
            # HDF4 granules are read with pyhdf (smvar.realdata.hdf4): the field is named after '::'
            specs = [f"{f}::{name}" if str(f).lower().endswith(".hdf") else str(f) for f in files]
            entry = out.setdefault(variable, {"paths": [], "units": units, "nodata": nodata})
            entry["paths"].extend(specs)
    return out


def _run_cds(key: str, config: "BasinConfig", cache: Path) -> dict[str, Any]:
    cds_credentials()
    try:
        import cdsapi
    except ImportError:
        raise FetchError("the CDS route needs the cdsapi package: pip install cdsapi") from None
    client = cdsapi.Client(quiet=True, progress=False)
    requests = routes.era5_land_requests(config) if key == "era5_land" else routes.cci_sm_requests(config)
    out: dict[str, Any] = {}
    for variable, dataset, request in requests:
        digest = hashlib.sha256(json.dumps([dataset, request], sort_keys=True).encode()).hexdigest()[:16]
        target = cache / dataset / f"{variable}_{digest}.nc"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            client.retrieve(dataset, request, str(partial))
            partial.replace(target)
        paths = _unzip(target) if zipfile.is_zipfile(target) else [str(target)]
        if key == "cci_sm":
            paths = _cci_files(paths, request["version"][0], target)
        entry = out.setdefault(variable, {"paths": [], "units": None})
        if key == "era5_land":
            cds_var, nc_var, units = routes.ERA5_VARIABLES[variable]
            paths = [f"{p}::{nc_var}" for p in paths]
            entry["units"] = units
        else:
            paths = [f"{p}::sm" for p in paths]
            entry["units"] = "m3 m-3"
        entry["paths"].extend(paths)
    return out


def _cci_files(paths: list[str], version: str, archive: Path) -> list[str]:
    """The C3S / ESA CCI soil-moisture files of an archive, checked to be of the requested version."""
    wanted = routes.cci_version_of_request(version)
    chosen, other = [], []
    for path in paths:
        found = routes.match_product_file(Path(path).name)
        if found and found[0] in ("c3s_sm", "esa_cci_sm"):
            (chosen if found[1]["version"].split(".")[0] == wanted else other).append(path)
    if not chosen:
        names = sorted(Path(p).name for p in paths)[:5]
        raise FetchError(f"{archive}: no C3S soil-moisture file of version {version} in the download "
                         f"(found {names}{' of another version' if other else ''}). Fix: delete {archive} "
                         "and rerun, or set the CDS version the data set offers")
    return chosen


def _unzip(archive: Path) -> list[str]:
    folder = archive.with_suffix("")
    if not folder.exists():
        tmp = archive.with_name(archive.stem + ".unzip.partial")
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
        tmp.replace(folder)
    return sorted(str(p) for p in folder.rglob("*.nc"))


def _run_soilgrids(config: "BasinConfig", cache: Path, ep: Endpoints, stats: dict) -> dict[str, Any]:
    out = {}
    for variable, (prop, units) in routes.SOILGRIDS.items():
        path = download(routes.soilgrids_url(prop, base=ep.soilgrids_base), cache / "soilgrids", stats=stats)
        out[variable] = {"paths": [str(path)], "units": units, "nodata": -32768}
    return out


def _run_route(key: str, config: "BasinConfig", cache: Path, ep: Endpoints, signer: PCSigner,
               stats: dict) -> dict[str, Any]:
    provider = routes.ROUTES[key].provider
    if provider == "stac":
        return _run_stac(key, config, cache, ep, signer, stats)
    if provider == "earthaccess":
        return _run_earthaccess(key, config, cache)
    if provider == "cds":
        return _run_cds(key, config, cache)
    return _run_soilgrids(config, cache, ep, stats)


# ---------------------------------------------------------------------- the whole fetch
PRIMARY = ("modis_lst", "modis_vi", "landcover", "pet", "dem", "soilgrids", "era5_land", "cci_sm")


def _wanted(config: "BasinConfig", only: list[str] | None) -> list[str]:
    names = list(CONTRACT) if not only else list(only)
    unknown = [n for n in names if n not in CONTRACT]
    if unknown:
        raise FetchError(f"--only: unknown variable(s) {unknown}; allowed: {', '.join(CONTRACT)}")
    return names


def fetch(config: "BasinConfig", out: str | Path, *, only: list[str] | None = None,
          cache: str | Path | None = None, endpoints: Endpoints | None = None,
          log: Any = print) -> FetchReport:
    """Download the products of a basin, read the local files, write the input layout.

    Parameters
    ----------
    config : BasinConfig
        The basin, period and grids; ``data.files`` names local files for the
        variables with no download route (they are not downloaded).
    out : str or Path
        Output folder: ``fine.zarr``, ``reanalysis.zarr``, ``microwave.zarr``
        and ``fetch_report.json``.
    only : list of str, optional
        Contract variables to fetch (default: all).
    cache : str or Path, optional
        Download folder (default: ``data.cache``, else ``~/.cache/smvar``).
    endpoints : Endpoints, optional
        Base URLs (tests point them to 127.0.0.1).
    log : callable
        Receives one line per route.

    Returns
    -------
    FetchReport
        ``complete`` is True when every contract variable was had (not with
        ``only``) and the inputs pass :func:`smvar.inputs.validate_inputs`;
        ``missing`` lists the wanted variables that could not be had.
    """
    ep = endpoints or Endpoints()
    cache = Path(cache or (config.base_dir / config.data.cache if config.data.cache
                           else Path.home() / ".cache" / "smvar")).expanduser()
    wanted = _wanted(config, only)
    report, signer = FetchReport(), PCSigner(ep.token_url)
    local = {n: config.data.files[n] for n in wanted if n in config.data.files}
    sources: dict[str, Any] = dict(local)
    for key in PRIMARY:
        needed = [v for v in routes.ROUTES[key].variables if v in wanted and v not in sources]
        if needed:
            _try_route(key, needed, config, cache, ep, signer, report, sources, log)
    arrays, provenance = _read(config, wanted, sources, report)
    report.missing = [n for n in wanted if n not in arrays]
    inputs = assemble(config, arrays, provenance)
    out = Path(out)
    if not report.missing and set(CONTRACT) <= set(arrays):
        validate_inputs(inputs, where=str(out))
        report.complete = True
    write_inputs(inputs, out)
    write_json(json.loads(report.to_json()), out / "fetch_report.json")
    if report.missing:
        log(fetch_missing_message(report, config))
    return report


def fetch_missing_message(report: FetchReport, config: "BasinConfig") -> str:
    """What a fetch could not have, in three groups: listed files absent, failed routes, no route at all.

    A variable listed in ``data.files`` whose file is not on disk is not
    "without a file": the message says which path is absent, which route
    failed and why, and which variables neither have a route nor are listed.
    """
    listed = [n for n in report.missing if n in config.data.files]
    routed = {v: key for key, route in routes.ROUTES.items() for v in route.variables}
    by_route: dict[str, list[str]] = {}
    for name in report.missing:
        if name not in listed and name in routed:
            by_route.setdefault(routed[name], []).append(name)
    derived = [n for n in report.missing if n not in listed and n in DERIVABLE and DERIVABLE[n] in report.missing]
    unrouted = [n for n in report.missing if n not in listed and n not in routed and n not in derived]
    lines = [f"smvar fetch {config.source_file}: {len(report.missing)} of {len(CONTRACT)} contract "
             "variables could not be had:"]
    if listed:
        lines.append(f"  listed in data.files but not read ({len(listed)}):")
        lines += [f"    - {n}: {_why_not_read(config.data.files[n], report.unread.get(n, ''))}" for n in listed]
    if by_route:
        lines.append(f"  download route failed ({sum(map(len, by_route.values()))}):")
        lines += [f"    - {', '.join(names)} (route {key}): {_first_line(report.failed.get(key, 'not run'))}"
                  for key, names in by_route.items()]
    if derived:
        lines.append(f"  derived from the DEM once it is read ({len(derived)}): {', '.join(derived)}")
    if unrouted:
        lines.append(f"  no download route and not listed in data.files ({len(unrouted)}): "
                     f"{', '.join(unrouted)}; give each as a file under data.files")
    lines.append("Fix: correct or create the listed files, set the routes' credentials (see the book page "
                 "'Rerun with real data'), then run the same command again; downloads already made are reused.")
    return "\n".join(lines)


def _why_not_read(spec: Any, error: str) -> str:
    """'PATH: no such file' for a listed file that is absent, else the reader's first line."""
    paths = spec.get("paths", spec) if isinstance(spec, dict) else spec
    if "no file matches" in error or not error:
        return f"{paths!r}: no such file"
    return f"{paths!r}: {_first_line(error)}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _try_route(key: str, needed: list[str], config: "BasinConfig", cache: Path, ep: Endpoints,
               signer: PCSigner, report: FetchReport, sources: dict, log: Any) -> None:
    route = routes.ROUTES[key]
    try:
        got = _run_route(key, config, cache, ep, signer, report.downloads)
    except (FetchError, FilesError, OSError, KeyError, ValueError) as exc:
        report.failed[key] = str(exc)
        log(f"{key} ({route.product}): not fetched: {exc}")
        if route.fallback:
            _try_route(route.fallback, needed, config, cache, ep, signer, report, sources, log)
        return
    for variable in needed:
        if variable in got:
            sources[variable] = got[variable]
            report.fetched[variable] = {"route": key, "product": route.product,
                                        "n_files": len(got[variable]["paths"])}
    log(f"{key} ({route.product}): {', '.join(v for v in needed if v in got)}")


def _read(config: "BasinConfig", wanted: list[str], sources: dict, report: FetchReport) -> tuple[dict, dict]:
    arrays, provenance = {}, {}
    for name in wanted:
        spec = sources.get(name)
        if spec is None:
            continue
        options = spec if isinstance(spec, dict) else {"paths": spec}
        try:
            arrays[name], provenance[name] = read_variable(
                name, options["paths"], config, units=options.get("units"),
                nodata=options.get("nodata"), recode=options.get("recode"),
                layer_depth_m=options.get("layer_depth_m"), qc=options.get("qc"))
        except (FilesError, OSError, ValueError) as exc:
            report.unread[name] = str(exc)
    wanted_set = set(wanted)
    derived_arrays, derived_provenance = dict(arrays), dict(provenance)
    derive_missing(config, derived_arrays, derived_provenance)
    for name in wanted_set - set(arrays):
        if name in derived_arrays:
            arrays[name], provenance[name] = derived_arrays[name], derived_provenance[name]
    return arrays, provenance
