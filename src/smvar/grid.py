"""The grids of an analysis: the equal-area fine grid and the coarse geographic grids.

Provides
--------
FineGrid
    The analysis grid: square cells of ``resolution_m`` metres in an equal-area
    projected CRS; coordinates ``y`` (north to south) and ``x`` (west to east)
    are cell centres in metres.
GeoGrid
    A regular latitude-longitude grid (the 0.1 degree reanalysis grid, the
    0.25 degree microwave grid); ``lat`` north to south, ``lon`` west to east,
    cell centres in degrees.
analysis_grid, reanalysis_grid, microwave_grid
    The three grids of a basin parameter file.
fine_to_coarse_index
    For every fine cell, the flat index of the coarse cell holding its centre.
block_mean, block_majority
    Aggregate fine-cell values to coarse cells with an index map (vectorised
    ``np.bincount``), NaN-aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xarray as xr
from pyproj import CRS, Transformer

from smvar.config import BasinConfig, Extent

__all__ = [
    "FineGrid",
    "GeoGrid",
    "analysis_grid",
    "reanalysis_grid",
    "microwave_grid",
    "fine_to_coarse_index",
    "block_mean",
    "block_majority",
    "EARTH_RADIUS_M",
]

EARTH_RADIUS_M = 6_371_007.181  # authalic radius of WGS 84, m


@dataclass(frozen=True, eq=False)
class FineGrid:
    """An equal-area grid of square cells.

    Attributes
    ----------
    crs : str
        The projected CRS (PROJ string or EPSG code), units metres.
    x, y : numpy.ndarray
        Cell-centre coordinates in metres; ``y`` decreases (north-up rows).
    resolution_m : float
        Cell size in metres.
    """

    crs: str
    x: np.ndarray
    y: np.ndarray
    resolution_m: float

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (self.y.size, self.x.size)

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell in square metres (the same for every cell: equal-area CRS)."""
        return float(self.resolution_m) ** 2

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the cell edges, metres."""
        half = self.resolution_m / 2
        return (self.x[0] - half, self.y[-1] - half, self.x[-1] + half, self.y[0] + half)

    @cached_property
    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of every cell centre, degrees, each of ``shape``."""
        to_geo = Transformer.from_crs(CRS.from_user_input(self.crs), CRS.from_epsg(4326), always_xy=True)
        xx, yy = np.meshgrid(self.x, self.y)
        lon, lat = to_geo.transform(xx, yy)
        return np.asarray(lon), np.asarray(lat)

    def coords(self) -> dict[str, xr.DataArray]:
        """xarray coordinates ``y`` and ``x`` with units and CF attributes."""
        return {
            "y": xr.DataArray(self.y, dims="y", attrs={"units": "m", "standard_name": "projection_y_coordinate"}),
            "x": xr.DataArray(self.x, dims="x", attrs={"units": "m", "standard_name": "projection_x_coordinate"}),
        }

    def template(self, name: str = "template", fill: float = np.nan, units: str = "1") -> xr.DataArray:
        """A (y, x) DataArray on this grid filled with ``fill``, CRS in attrs."""
        data = np.full(self.shape, fill, dtype=float)
        return xr.DataArray(data, dims=("y", "x"), coords=self.coords(), name=name,
                            attrs={"units": units, "crs": self.crs})


@dataclass(frozen=True, eq=False)
class GeoGrid:
    """A regular latitude-longitude grid (WGS 84).

    Attributes
    ----------
    lat, lon : numpy.ndarray
        Cell-centre latitude (decreasing) and longitude (increasing), degrees.
    resolution_deg : float
        Cell size in degrees.
    """

    lat: np.ndarray
    lon: np.ndarray
    resolution_deg: float

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (self.lat.size, self.lon.size)

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.lat.size * self.lon.size

    def cell_area_km2(self) -> np.ndarray:
        """Area of every cell on the authalic sphere, km², shape ``shape``."""
        half = np.deg2rad(self.resolution_deg / 2)
        lat = np.deg2rad(self.lat)
        band = np.sin(lat + half) - np.sin(lat - half)
        area = EARTH_RADIUS_M**2 * np.deg2rad(self.resolution_deg) * band / 1e6
        return np.repeat(area[:, None], self.lon.size, axis=1)

    def coords(self) -> dict[str, xr.DataArray]:
        """xarray coordinates ``lat`` and ``lon`` with units."""
        return {
            "lat": xr.DataArray(self.lat, dims="lat", attrs={"units": "degrees_north", "standard_name": "latitude"}),
            "lon": xr.DataArray(self.lon, dims="lon", attrs={"units": "degrees_east", "standard_name": "longitude"}),
        }


def analysis_grid(config: BasinConfig) -> FineGrid:
    """The equal-area analysis grid covering the basin's geographic extent.

    The extent's edges are densified (100 points a side), projected to the
    configured CRS, and their bounding box is snapped outward to whole cells.
    """
    xmin, ymin, xmax, ymax = _projected_bounds(config.extent, config.crs)
    res = config.resolution_m
    xmin, ymin = np.floor(xmin / res) * res, np.floor(ymin / res) * res
    xmax, ymax = np.ceil(xmax / res) * res, np.ceil(ymax / res) * res
    x = np.arange(xmin + res / 2, xmax, res)
    y = np.arange(ymax - res / 2, ymin, -res)
    return FineGrid(crs=config.crs, x=x, y=y, resolution_m=float(res))


def _projected_bounds(extent: Extent, crs: str) -> tuple[float, float, float, float]:
    to_grid = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_user_input(crs), always_xy=True)
    return to_grid.transform_bounds(extent.west, extent.south, extent.east, extent.north, densify_pts=100)


def geographic_grid(extent: Extent, resolution_deg: float) -> GeoGrid:
    """A lat-lon grid aligned on multiples of ``resolution_deg`` that covers ``extent``.

    Alignment on whole multiples matches how ERA5-Land (0.1 degree) and ESA CCI
    (0.25 degree) tile the globe, so a real product's cells coincide with ours.
    """
    res = resolution_deg
    # round() guards against floating-point noise such as 37.7/0.1 = 376.99999.
    south = np.floor(round(extent.south / res, 9)) * res
    north = np.ceil(round(extent.north / res, 9)) * res
    west = np.floor(round(extent.west / res, 9)) * res
    east = np.ceil(round(extent.east / res, 9)) * res
    n_lat = int(round((north - south) / res))
    n_lon = int(round((east - west) / res))
    lat = north - res * (np.arange(n_lat) + 0.5)
    lon = west + res * (np.arange(n_lon) + 0.5)
    return GeoGrid(lat=np.round(lat, 9), lon=np.round(lon, 9), resolution_deg=float(res))


def reanalysis_grid(config: BasinConfig) -> GeoGrid:
    """The 0.1 degree grid (the ERA5-Land role) over the basin extent."""
    return geographic_grid(config.extent, config.reanalysis_resolution_deg)


def microwave_grid(config: BasinConfig) -> GeoGrid:
    """The 0.25 degree grid (the ESA CCI and SMOPS role) over the basin extent."""
    return geographic_grid(config.extent, config.microwave_resolution_deg)


def fine_to_coarse_index(fine: FineGrid, coarse: GeoGrid) -> np.ndarray:
    """Flat index (row * n_lon + col) of the coarse cell holding each fine cell's centre.

    Returns
    -------
    numpy.ndarray of int64, shape ``fine.shape``
        -1 where the fine cell's centre falls outside the coarse grid.
    """
    lon, lat = fine.lonlat
    res = coarse.resolution_deg
    north = coarse.lat[0] + res / 2
    west = coarse.lon[0] - res / 2
    row = np.floor((north - lat) / res).astype(np.int64)
    col = np.floor((lon - west) / res).astype(np.int64)
    inside = (row >= 0) & (row < coarse.lat.size) & (col >= 0) & (col < coarse.lon.size)
    return np.where(inside, row * coarse.lon.size + col, -1)


def block_mean(values: np.ndarray, index: np.ndarray, n_cells: int) -> np.ndarray:
    """Mean of the finite fine values inside each coarse cell.

    Parameters
    ----------
    values : numpy.ndarray
        Fine-grid values, shape ``(..., ny, nx)``; NaN cells are ignored.
    index : numpy.ndarray
        From :func:`fine_to_coarse_index`, shape ``(ny, nx)``; -1 cells are ignored.
    n_cells : int
        Number of coarse cells.

    Returns
    -------
    numpy.ndarray, shape ``(..., n_cells)``
        NaN where a coarse cell holds no finite fine value.
    """
    from scipy import sparse

    values = np.asarray(values, dtype=float)
    lead = values.shape[:-2]
    flat = values.reshape(-1, index.size)
    keep = np.flatnonzero(index.ravel() >= 0)
    # Sums and counts as products with a sparse (fine cells x coarse cells)
    # matrix of ones: one pass over the values, far faster than bincount on
    # boolean-masked copies (0.5 s -> 0.03 s for 30 days of the Heihe grid).
    member = sparse.csr_matrix((np.ones(keep.size), (keep, index.ravel()[keep])), shape=(index.size, n_cells))
    finite = np.isfinite(flat)
    sums = (member.T @ np.where(finite, flat, 0.0).T).T
    counts = (member.T @ finite.T.astype(float)).T
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return means.reshape(*lead, n_cells)


def block_majority(codes: np.ndarray, index: np.ndarray, n_cells: int, n_classes: int) -> np.ndarray:
    """Most frequent non-negative integer code inside each coarse cell.

    Ties go to the smallest code. Cells with no valid code get -1.
    """
    codes = np.asarray(codes)
    keep = (index.ravel() >= 0) & (codes.ravel() >= 0)
    cells = index.ravel()[keep]
    cls = codes.ravel()[keep].astype(np.int64)
    table = np.bincount(cells * n_classes + cls, minlength=n_cells * n_classes).reshape(n_cells, n_classes)
    majority = table.argmax(axis=1)
    return np.where(table.sum(axis=1) > 0, majority, -1)
