"""Real data for any basin: per-variable local files and ``smvar fetch``.

Provides
--------
load_files
    The inputs of a parameter file with ``data.source: files`` (see
    :mod:`smvar.realdata.files`).
read_variable
    One contract variable from a GeoTIFF/NetCDF file or a glob of daily
    files, reprojected, resampled, clipped and converted to the contract.
convert_units
    Convert an array to a contract unit with the explicit table
    :data:`smvar.realdata.files.CONVERSIONS`.

Sub-modules
-----------
files
    The per-variable loader.
composites
    Maximum-value composites, monthly means and totals, Savitzky-Golay
    daily NDVI.
routes
    The download requests of ``smvar fetch`` as plain data.
fetch
    The downloader (cache, resume, verification, credentials) and the
    assembly into the layout of ``smvar synth``.
"""

from smvar.lazy_exports import lazy_exports

# The loaders load on first use, so that ``smvar --help`` does not import xarray.
lazy_exports(__name__, {name: "smvar.realdata.files" for name in ("convert_units", "load_files", "read_variable")})

__all__ = ["load_files", "read_variable", "convert_units"]
