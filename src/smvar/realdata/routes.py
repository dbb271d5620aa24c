"""The download requests of ``smvar fetch``, as plain data, for any basin and year.

Provides
--------
ROUTES
    Every route: the contract variables it gives, the provider, the product
    id, the account needed and where to sign up.
STAC_PRODUCTS, EARTHACCESS_PRODUCTS
    Per product: the asset (STAC) or HDF4 sub-dataset (Earthdata) of each
    contract variable, its units (scale included) and nodata value.
stac_search
    The JSON body of a STAC API ``POST /search`` (Planetary Computer).
earthaccess_query
    The keyword arguments of :func:`earthaccess.search_data`.
era5_land_requests, cci_sm_requests
    The exact ``(dataset, request)`` pairs for :meth:`cdsapi.Client.retrieve`.
soilgrids_url
    The ISRIC SoilGrids 1 km COG of a property, depth and statistic.
overpass_hours_utc
    The UTC hours nearest to the MODIS Terra overpasses (10:30 and 22:30
    local solar time) at a longitude.
ESA_CCI_TO_IGBP
    Crosswalk from ESA CCI land-cover (LCCS) classes to the IGBP codes of
    the contract, for the no-account land-cover route.
plan
    Every request of a basin parameter file, grouped by route.
FILE_PATTERNS, match_product_file
    The real file names of each product (MODIS granules and STAC item ids,
    ESA CCI SM and C3S soil moisture with their version strings, GLDAS), and
    what a name says (product, date, tile, version).

Ids and keys were checked against the providers' documentation and
published request examples: Planetary Computer collections
``modis-11A1-061``, ``modis-13A1-061``, ``esa-cci-lc``, ``cop-dem-glo-90``;
NASA CMR short names ``MOD13A2``, ``MYD13A2``, ``MCD12Q1``, ``MOD16A2``
(version ``061``); CDS datasets ``reanalysis-era5-land`` and
``satellite-soil-moisture``; ISRIC ``data_aggregated/1000m`` COGs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smvar.config import BasinConfig

__all__ = [
    "Route",
    "ROUTES",
    "STAC_PRODUCTS",
    "EARTHACCESS_PRODUCTS",
    "ESA_CCI_TO_IGBP",
    "PC_STAC_URL",
    "PC_TOKEN_URL",
    "SOILGRIDS_BASE",
    "bbox",
    "stac_search",
    "earthaccess_query",
    "era5_land_requests",
    "cci_sm_requests",
    "soilgrids_url",
    "overpass_hours_utc",
    "plan",
    "FILE_PATTERNS",
    "match_product_file",
    "cci_version_of_request",
]

PC_STAC_URL = "https://planetarycomputer.microsoft.com/api/stac/v1"
PC_TOKEN_URL = "https://planetarycomputer.microsoft.com/api/sas/v1/token"
SOILGRIDS_BASE = "https://files.isric.org/soilgrids/latest/data_aggregated/1000m"
CDS_SIGNUP = "https://cds.climate.copernicus.eu (then accept each dataset's licence on its page)"
EARTHDATA_SIGNUP = "https://urs.earthdata.nasa.gov/users/new"


@dataclass(frozen=True)
class Route:
    """One way to obtain some contract variables."""

    key: str
    variables: tuple[str, ...]
    provider: str           # "stac", "earthaccess", "cds" or "http"
    product: str
    account: str            # "none", "Earthdata login (~/.netrc)", "CDS token (~/.cdsapirc)"
    fallback: str | None = None  # the route used when this one's account is missing


ROUTES: dict[str, Route] = {
    "modis_lst": Route("modis_lst", ("lst_day", "lst_night"), "stac", "modis-11A1-061", "none"),
    "modis_vi": Route("modis_vi", ("ndvi", "evi"), "earthaccess", "MOD13A2/MYD13A2 v061",
                      "Earthdata login (~/.netrc)", fallback="modis_vi_pc"),
    "modis_vi_pc": Route("modis_vi_pc", ("ndvi", "evi"), "stac", "modis-13A1-061", "none"),
    "landcover": Route("landcover", ("landcover",), "earthaccess", "MCD12Q1 v061",
                       "Earthdata login (~/.netrc)", fallback="landcover_pc"),
    "landcover_pc": Route("landcover_pc", ("landcover",), "stac", "esa-cci-lc", "none"),
    "pet": Route("pet", ("pet",), "earthaccess", "MOD16A2 v061", "Earthdata login (~/.netrc)"),
    "dem": Route("dem", ("dem",), "stac", "cop-dem-glo-90", "none"),
    "soilgrids": Route("soilgrids", ("bulk_density", "organic_carbon"), "http",
                       "SoilGrids 2.0, 1 km aggregated COGs", "none"),
    "era5_land": Route("era5_land", ("sm", "lst_day_reanalysis", "lst_night_reanalysis"), "cds",
                       "reanalysis-era5-land", "CDS token (~/.cdsapirc)"),
    "cci_sm": Route("cci_sm", ("sm_cci",), "cds", "satellite-soil-moisture (ESA CCI combined)",
                    "CDS token (~/.cdsapirc)"),
}

# collection -> {"assets": {variable: (asset, units, nodata)}, "id_prefix": ..., "dated": ...}
STAC_PRODUCTS: dict[str, dict[str, Any]] = {
    "modis-11A1-061": {"assets": {"lst_day": ("LST_Day_1km", "0.02 K", 0),
                                  "lst_night": ("LST_Night_1km", "0.02 K", 0)},
                       "id_prefix": "MOD11A1", "dated": True,    # Terra: 10:30 / 22:30 overpasses
                       "qc": {"lst_day": "QC_Day", "lst_night": "QC_Night"}},  # MOD11 QC bytes (user guide, table 10)
    "modis-13A1-061": {"assets": {"ndvi": ("500m_16_days_NDVI", "0.0001", -3000),
                                  "evi": ("500m_16_days_EVI", "0.0001", -3000)},
                       "id_prefix": None, "dated": True},
    "esa-cci-lc": {"assets": {"landcover": ("lccs_class", "1", 0)}, "id_prefix": None, "dated": True},
    "cop-dem-glo-90": {"assets": {"dem": ("data", "m", None)}, "id_prefix": None, "dated": False},
}

# short name -> {variable: (HDF4-EOS grid, field, units, nodata)}
EARTHACCESS_PRODUCTS: dict[str, dict[str, tuple[str, str, str, float | None]]] = {
    "MOD13A2": {"ndvi": ("MODIS_Grid_16DAY_1km_VI", "1 km 16 days NDVI", "0.0001", -3000),
                "evi": ("MODIS_Grid_16DAY_1km_VI", "1 km 16 days EVI", "0.0001", -3000)},
    "MYD13A2": {"ndvi": ("MODIS_Grid_16DAY_1km_VI", "1 km 16 days NDVI", "0.0001", -3000),
                "evi": ("MODIS_Grid_16DAY_1km_VI", "1 km 16 days EVI", "0.0001", -3000)},
    "MCD12Q1": {"landcover": ("MCD12Q1", "LC_Type1", "1", 255)},
    "MOD16A2": {"pet": ("MOD_Grid_MOD16A2", "PET_500m", "0.1 kg m-2 8day-1", 32767)},
}
EARTHACCESS_OF_ROUTE = {"modis_vi": ("MOD13A2", "MYD13A2"), "landcover": ("MCD12Q1",), "pet": ("MOD16A2",)}
STAC_OF_ROUTE = {"modis_lst": "modis-11A1-061", "modis_vi_pc": "modis-13A1-061",
                 "landcover_pc": "esa-cci-lc", "dem": "cop-dem-glo-90"}
SOILGRIDS = {"bulk_density": ("bdod", "cg cm-3"), "organic_carbon": ("soc", "dg kg-1")}

# ESA CCI LCCS class -> IGBP (MCD12Q1 LC_Type1) code; an approximate, documented crosswalk.
ESA_CCI_TO_IGBP: dict[int, int] = {
    10: 12, 11: 12, 12: 12, 20: 12, 30: 14, 40: 14,
    50: 2, 60: 4, 61: 4, 62: 4, 70: 1, 71: 1, 72: 1, 80: 3, 81: 3, 82: 3, 90: 5, 100: 8,
    110: 10, 120: 7, 121: 6, 122: 7, 130: 10, 140: 10, 150: 16, 151: 16, 152: 16, 153: 16,
    160: 11, 170: 11, 180: 11, 190: 13, 200: 16, 201: 16, 202: 16, 210: 17, 220: 15,
}


# Real file names, checked against original files (MOD11A1.A2019305.h14v09.006.2019306084028.hdf,
# ESACCI-SOILMOISTURE-L3S-SSMV-PASSIVE-20161227000000-fv04.2.nc,
# GLDAS_NOAH025_3H.A20160101.0300.021.nc4) and the products' naming conventions:
# MODIS: <short name>.A<year><day of year>.h<HH>v<VV>.<collection>.<production yyyydddhhmmss>.hdf
# (MODIS Land naming convention; STAC item ids of the Planetary Computer drop ".hdf");
# ESA CCI SM: ESACCI-SOILMOISTURE-L3S-<SSMV|SSMS>-<COMBINED|ACTIVE|PASSIVE>-<YYYYMMDDhhmmss>-fv<version>.nc
# (ESA CCI SM Product User Guide, file naming); C3S (CDS 'satellite-soil-moisture'):
# C3S-SOILMOISTURE-L3S-<SSMV|SSMS>-<sensor>-<DAILY|10-DAYS|MONTHLY>-<YYYYMMDDhhmmss>-<TCDR|ICDR>-v<YYYYMM>.<m>.<p>.nc;
# GLDAS: GLDAS_<model><res>_<step>.A<YYYYMMDD>.<hhmm>.<version>.nc4 (GLDAS README).
FILE_PATTERNS: dict[str, re.Pattern[str]] = {
    "modis": re.compile(r"^(?P<product>M[OYC]D\d{2}[A-Z0-9]{1,3})\.A(?P<year>\d{4})(?P<doy>\d{3})"
                        r"(?:\.h(?P<h>\d{2})v(?P<v>\d{2}))?\.(?P<collection>\d{3})"
                        r"(?:\.(?P<production>\d{13}))?(?:\.hdf)?$"),
    "esa_cci_sm": re.compile(r"^ESACCI-SOILMOISTURE-L3S-(?P<kind>SSMV|SSMS)-(?P<sensor>COMBINED|ACTIVE|PASSIVE)-"
                             r"(?P<date>\d{8})(?P<hms>\d{6})-fv(?P<version>\d{2}\.\d+)\.nc$"),
    "c3s_sm": re.compile(r"^C3S-SOILMOISTURE-L3S-(?P<kind>SSMV|SSMS)-(?P<sensor>COMBINED|ACTIVE|PASSIVE)-"
                         r"(?P<aggregation>DAILY|10-DAYS|DEKADAL|MONTHLY)-(?P<date>\d{8})(?P<hms>\d{6})-"
                         r"(?P<record>TCDR|ICDR)-v(?P<version>\d{6}\.\d+\.\d+)\.nc$"),
    "gldas": re.compile(r"^GLDAS_(?P<model>NOAH|CLSM|VIC)(?P<res>\d{3})_(?P<step>3H|M|D)\."
                        r"A(?P<date>\d{6,8})(?:\.(?P<hhmm>\d{4}))?\.(?P<version>\d{3})\.nc4$"),
}


def match_product_file(name: str) -> tuple[str, dict[str, str]] | None:
    """Which product a file name (or STAC item id) is, and the fields of its name.

    Parameters
    ----------
    name : str
        A file name without folders (``MOD11A1.A2019305.h14v09.006.2019306084028.hdf``).

    Returns
    -------
    (str, dict) or None
        The key of :data:`FILE_PATTERNS` and the named groups (``product``,
        ``year``/``doy`` or ``date``, ``version`` ...); None if no pattern matches.
    """
    for key, pattern in FILE_PATTERNS.items():
        match = pattern.match(name)
        if match:
            return key, {k: v for k, v in match.groupdict().items() if v is not None}
    return None


def cci_version_of_request(version: str) -> str:
    """The version string in C3S file names of a CDS request's ``version`` (``v202312`` -> ``202312``)."""
    return version.lstrip("v").split(".")[0]


def bbox(config: "BasinConfig") -> list[float]:
    """``[west, south, east, north]`` of the basin extent, degrees."""
    e = config.extent
    return [e.west, e.south, e.east, e.north]


def _year_span(config: "BasinConfig") -> tuple[dt.date, dt.date]:
    return config.period.start, config.period.end


def stac_search(collection: str, config: "BasinConfig", limit: int = 250) -> dict[str, Any]:
    """The body of a STAC ``POST /search`` for one collection over the basin and period.

    Static collections (``cop-dem-glo-90``) have no ``datetime``; land cover
    (``esa-cci-lc``) asks for the period's year(s).
    """
    body: dict[str, Any] = {"collections": [collection], "bbox": bbox(config), "limit": limit}
    if STAC_PRODUCTS[collection]["dated"]:
        start, end = _year_span(config)
        if collection == "esa-cci-lc":
            start, end = dt.date(start.year, 1, 1), dt.date(end.year, 12, 31)
        body["datetime"] = f"{start.isoformat()}T00:00:00Z/{end.isoformat()}T23:59:59Z"
    return body


def earthaccess_query(short_name: str, config: "BasinConfig") -> dict[str, Any]:
    """Keyword arguments of ``earthaccess.search_data`` for one product, basin and period."""
    start, end = _year_span(config)
    if short_name == "MCD12Q1":  # yearly product dated 1 January
        start, end = dt.date(start.year, 1, 1), dt.date(end.year, 12, 31)
    west, south, east, north = bbox(config)
    return {"short_name": short_name, "version": "061", "bounding_box": (west, south, east, north),
            "temporal": (start.isoformat(), end.isoformat())}


def overpass_hours_utc(longitude: float) -> tuple[int, int]:
    """UTC hours nearest 10:30 and 22:30 local solar time (MODIS Terra) at ``longitude``."""
    offset = longitude / 15.0
    return (int(round(10.5 - offset)) % 24, int(round(22.5 - offset)) % 24)


def _area(config: "BasinConfig", resolution: float) -> list[float]:
    """CDS ``area`` [north, west, south, east], snapped outward to the product grid."""
    from smvar.grid import geographic_grid

    g = geographic_grid(config.extent, resolution)
    half = resolution / 2
    return [round(float(g.lat[0] + half), 6), round(float(g.lon[0] - half), 6),
            round(float(g.lat[-1] - half), 6), round(float(g.lon[-1] + half), 6)]


def _months(config: "BasinConfig") -> list[tuple[int, int, list[str]]]:
    """(year, month, days) of every month of the period, days as "01".."31" within the period."""
    out: dict[tuple[int, int], list[str]] = {}
    day = config.period.start
    while day <= config.period.end:
        out.setdefault((day.year, day.month), []).append(f"{day.day:02d}")
        day += dt.timedelta(days=1)
    return [(y, m, days) for (y, m), days in out.items()]


ERA5_VARIABLES = {"sm": ("volumetric_soil_water_layer_1", "swvl1", "m3 m-3"),
                  "lst_day_reanalysis": ("skin_temperature", "skt", "K"),
                  "lst_night_reanalysis": ("skin_temperature", "skt", "K")}


def era5_land_requests(config: "BasinConfig") -> list[tuple[str, str, dict[str, Any]]]:
    """``(variable, dataset, request)`` for ERA5-Land, one request per variable and month.

    Soil moisture is the layer 1 (0-7 cm) volumetric water at the daytime
    overpass hour; skin temperature at the daytime and night-time overpass
    hours (:func:`overpass_hours_utc` at the basin's central longitude).
    """
    centre = (config.extent.west + config.extent.east) / 2
    day_hour, night_hour = overpass_hours_utc(centre)
    hours = {"sm": day_hour, "lst_day_reanalysis": day_hour, "lst_night_reanalysis": night_hour}
    area = _area(config, config.reanalysis_resolution_deg)
    requests = []
    for name, (cds_name, _, _) in ERA5_VARIABLES.items():
        for year, month, days in _months(config):
            requests.append((name, "reanalysis-era5-land", {
                "variable": [cds_name], "year": str(year), "month": f"{month:02d}", "day": days,
                "time": [f"{hours[name]:02d}:00"], "area": area,
                "data_format": "netcdf", "download_format": "unarchived"}))
    return requests


def cci_sm_requests(config: "BasinConfig", version: str = "v202312") -> list[tuple[str, str, dict[str, Any]]]:
    """``(variable, dataset, request)`` for ESA CCI combined daily soil moisture, one per month.

    The CDS serves global daily files (no ``area``) as a zip of NetCDFs.
    """
    return [("sm_cci", "satellite-soil-moisture", {
        "variable": ["volumetric_surface_soil_moisture"], "type_of_sensor": ["combined_passive_and_active"],
        "time_aggregation": ["day_average"], "year": [str(year)], "month": [f"{month:02d}"],
        "day": days, "type_of_record": ["cdr"], "version": [version]})
        for year, month, days in _months(config)]


def soilgrids_url(prop: str, depth: str = "0-5cm", stat: str = "mean", base: str = SOILGRIDS_BASE) -> str:
    """The SoilGrids 1 km COG of ``prop`` (``bdod``, ``soc`` ...) at ``depth`` and ``stat``."""
    return f"{base.rstrip('/')}/{prop}/{prop}_{depth}_{stat}_1000.tif"


def plan(config: "BasinConfig") -> dict[str, list[Any]]:
    """Every request of a parameter file, grouped by route (plain data, JSON-serialisable)."""
    out: dict[str, list[Any]] = {}
    for key, collection in STAC_OF_ROUTE.items():
        out[key] = [stac_search(collection, config)]
    for key, names in EARTHACCESS_OF_ROUTE.items():
        out[key] = [earthaccess_query(n, config) for n in names]
    out["soilgrids"] = [soilgrids_url(SOILGRIDS[v][0]) for v in ROUTES["soilgrids"].variables]
    out["era5_land"] = [list(r) for r in era5_land_requests(config)]
    out["cci_sm"] = [list(r) for r in cci_sm_requests(config)]
    return out
