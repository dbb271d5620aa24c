"""The real static geography of the twin: shipped crops, and what flow routing derives from them.

Provides
--------
geography_dir
    The folder of the shipped crops (``data/geography`` of the repository, or
    ``$SMVAR_GEOGRAPHY``).
RealLayers, real_layers
    The crops as arrays: ETOPO1 elevation at 0.1 degree nodes, MODIS MCD12C1
    2019 IGBP land cover and the BESS yearly NDVI minimum and maximum at 0.05
    degree (provenance in ``data/geography/PROVENANCE.csv``).
Routing, derive_routing
    D8 flow routing with depression filling (pyflwdir) on the 0.1 degree DEM:
    the basin draining to the Juyan lakes, its reaches and its river network.
basin_at, reach_at, river_distance_km
    The derived outline, reaches and rivers looked up at any points.
mean_preserving_elevation
    A smooth surface through the 0.1 degree DEM whose cell means are the
    DEM's values (a cubic B-spline fitted to the cell means).
cell_mean_coefficients, cell_sample_points, relief_at
    What the 1 km DEM of :mod:`smvar.synthetic.terrain` is built from: a
    surface with given 0.1 degree cell means, a fixed lattice of points in
    every cell, and the real local relief and floor.
igbp_at, block_index_05, ndvi_range_at
    The 0.05 degree land cover, cell index and NDVI range of the cell
    holding any points.

The flow-routing primitives (D8 codes, accumulation) are :mod:`smvar.terrain`'s.

Notes
-----
The Heihe is endorheic: it ends in the Juyan lakes near 101.1 E, 42.3 N, the
lowest point of the basin. The routing fills every depression of the 0.1
degree DEM inside the paper's extent (97.1-102.0 E, 37.7-42.7 N) except at
the outlets: the cells on the border of that extent, the lowest cell within
0.3 degree of the Juyan lakes and the lowest cell within 0.15 degree of the
Huahai lake (97.85 E, 40.3 N), the terminal lake of the neighbouring closed
basin between Yumen and Jiayuguan. Without that second sink the gobi north
of Yumen, which the 0.1 degree DEM cannot separate from the lower Heihe,
drains to the Juyan lakes. The basin is every cell whose flow path ends at
the Juyan outlet. Depression filling: Wang & Liu (2006), as implemented by
pyflwdir (Eilander et al. 2021, MIT licence).

The routed basin is about 169,000 km² and overlaps a published outline of
the Heihe River Basin with an intersection over union of 0.78: besides the
Heihe it takes the western Badain Jaran desert (about 21,000 km² around
101 E, 40 N), whose megadunes drain into their own interdune lakes but
whose surface, smoothed at 0.1 degree, slopes toward the Ejina plain, and
two strips of the Qilian south of the Heihe's real divide (about 4,500 km²
each), which thin ridges missed by the 0.1 degree sampling let spill north.
The paper's basin is about 143,000 km².

Outside the box of the crops (96.9-102.2 E, 37.5-42.9 N) every layer
extends its edge values: a region wider than the Heihe (the scaling
benchmark) gets a plausible but featureless geography there.

Everything here is computed once per process (``functools.lru_cache``) from
the shipped files and kept in memory only; nothing is written to disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import ndimage

from smvar.synthetic._noise import twin_km
from smvar.terrain import flow_accumulation, receivers_from_d8

__all__ = ["geography_dir", "RealLayers", "real_layers", "Routing", "derive_routing", "basin_at", "reach_at",
           "river_distance_km", "mean_preserving_elevation", "cell_mean_coefficients", "cell_sample_points",
           "relief_at", "igbp_at", "block_index_05", "ndvi_range_at", "IGBP_TO_TWIN",
           "ROUTING_BOX", "JUYAN", "HUAHAI", "ZHENGYIXIA", "BEIDA_JINTA", "MOUNTAIN_FRONT_M", "STREAM_KM2",
           "RIVER_KM_MAX"]

FILES = {"elevation": "heihe_etopo1_0.1deg.nc", "landcover": "heihe_mcd12c1_2019_igbp_0.05deg.nc",
         "ndvi": "heihe_ndvi_minmax_0.05deg.nc"}
ROUTING_BOX = (97.1, 102.0, 37.7, 42.7)  # west, east, south, north: the paper's extent, degrees
JUYAN = (101.1, 42.3, 0.3)       # lon, lat, search radius (degrees): the terminal Juyan lakes
HUAHAI = (97.85, 40.3, 0.15)     # the Huahai lake, sink of the closed basin west of the Heihe
ZHENGYIXIA = (99.47, 39.82)      # gauge between the middle and the lower Heihe
BEIDA_JINTA = (98.95, 40.15)     # the Beida (Taolai) River at Jinta, below the Jiuquan oasis
MOUNTAIN_FRONT_M = 2000.0        # the Qilian mountain front on the 0.1 degree DEM, m
STREAM_KM2 = 300.0               # mountain area upstream of a river of the twin's network, km2
_SNAP_DEG = 0.15                 # gauges snap to the largest river within this distance

# IGBP (MCD12C1 Land_Cover_Type_1) -> the twin's classes (IGBP codes of smvar.inputs.LAND_COVER_CLASSES)
IGBP_TO_TWIN = {0: 17, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 7, 7: 7, 8: 10, 9: 10, 10: 10, 11: 10, 12: 12,
                13: 12, 14: 12, 15: 15, 16: 16, 17: 17}

def geography_dir() -> Path:
    """The folder holding the crops: ``$SMVAR_GEOGRAPHY`` or the repository's ``data/geography``.

    Raises
    ------
    FileNotFoundError
        If the folder or one of its files is missing, naming the script that makes them.
    """
    folder = Path(os.environ.get("SMVAR_GEOGRAPHY") or Path(__file__).resolve().parents[3] / "data" / "geography")
    missing = [name for name in FILES.values() if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"the twin's real geography is missing from {folder} ({', '.join(missing)}): run "
            "scripts/make_geography_crops.py, or set SMVAR_GEOGRAPHY to a folder holding its output")
    return folder


@dataclass(frozen=True)
class RealLayers:
    """The shipped crops, rows north to south.

    Attributes
    ----------
    lat10, lon10 : numpy.ndarray
        The 0.1 degree nodes (degrees); each stands for the cell of 0.1 degree centred on it.
    elevation : numpy.ndarray
        ETOPO1 elevation at those nodes, m (float64).
    lat05, lon05 : numpy.ndarray
        Centres of the 0.05 degree cells, degrees.
    igbp : numpy.ndarray
        MCD12C1 2019 IGBP class of every 0.05 degree cell (uint8).
    ndvi_min, ndvi_max : numpy.ndarray
        Yearly minimum and maximum NDVI of every 0.05 degree cell (float32).
    """

    lat10: np.ndarray
    lon10: np.ndarray
    elevation: np.ndarray
    lat05: np.ndarray
    lon05: np.ndarray
    igbp: np.ndarray
    ndvi_min: np.ndarray
    ndvi_max: np.ndarray


def _read(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Variables of a small netCDF-4 file, read with h5py (scale factors and fill values applied).

    The files are netCDF-4 (HDF5) as :mod:`xarray` writes them; h5py reads
    them about ten times faster than :func:`xarray.open_dataset`.
    """
    import h5py

    out = {}
    with h5py.File(path, "r") as handle:
        for name in names:
            var = handle[name]
            values = var[()]
            if "scale_factor" in var.attrs:
                fill = var.attrs.get("_FillValue")
                scaled = values.astype(np.float32) * np.float32(var.attrs["scale_factor"][0])
                values = np.where(values == fill[0], np.float32(np.nan), scaled) if fill is not None else scaled
            out[name] = values
    return out


def _north_up(lat: np.ndarray, *fields: np.ndarray) -> tuple[np.ndarray, ...]:
    """Latitudes and fields with rows north to south."""
    if lat[0] < lat[-1]:
        return (lat[::-1], *(f[::-1] for f in fields))
    return (lat, *fields)


@lru_cache(maxsize=1)
def real_layers() -> RealLayers:
    """Read the crops of :func:`geography_dir` once per process."""
    folder = geography_dir()
    dem = _read(folder / FILES["elevation"], ("lat", "lon", "elevation"))
    lat10, z = _north_up(dem["lat"], dem["elevation"].astype(np.float64))
    lc = _read(folder / FILES["landcover"], ("lat", "lon", "igbp"))
    lat05, igbp = _north_up(lc["lat"], lc["igbp"].astype(np.uint8))
    nd = _read(folder / FILES["ndvi"], ("lat", "lon", "ndvi_min", "ndvi_max"))
    lat_nd, nmin, nmax = _north_up(nd["lat"], nd["ndvi_min"], nd["ndvi_max"])
    if not (np.allclose(lat_nd, lat05) and np.allclose(nd["lon"], lc["lon"])):
        raise ValueError(f"{FILES['ndvi']} and {FILES['landcover']} must share one 0.05 degree grid")
    return RealLayers(lat10, dem["lon"], z, lat05, lc["lon"], igbp, nmin.astype(np.float32), nmax.astype(np.float32))


# ------------------------------------------------------------------ routing
@dataclass(frozen=True)
class Routing:
    """D8 routing of the 0.1 degree DEM and what it derives (rows north to south).

    Attributes
    ----------
    lat, lon : numpy.ndarray
        The 0.1 degree nodes, degrees.
    filled : numpy.ndarray
        Depression-filled elevation, m (NaN outside :data:`ROUTING_BOX`).
    receiver : numpy.ndarray of int64
        Flat index of every cell's downstream cell; -1 at outlets and outside.
    upstream_km2 : numpy.ndarray
        Area draining through every cell, itself included, km².
    basin : numpy.ndarray of bool
        Cells whose flow ends at the Juyan outlet.
    reach : numpy.ndarray of int8
        0 outside the basin, 1 upper, 2 middle, 3 lower.
    outlet : tuple of float
        Longitude and latitude of the Juyan outlet cell.
    rivers : numpy.ndarray
        River segments ``(n, 2, 2)``: (start, end) x (lon, lat) of every basin
        cell with at least :data:`STREAM_KM2` of mountains (cells at or above
        :data:`MOUNTAIN_FRONT_M`) upstream, and its downstream cell: the
        rivers that the Qilian Mountains feed, not the flow lines the routing
        draws across the filled flats of the desert.
    """

    lat: np.ndarray
    lon: np.ndarray
    filled: np.ndarray
    receiver: np.ndarray
    upstream_km2: np.ndarray
    basin: np.ndarray
    reach: np.ndarray
    outlet: tuple[float, float]
    rivers: np.ndarray

    @property
    def cell_km2(self) -> np.ndarray:
        """Area of every 0.1 degree cell on the authalic sphere, km² (2-D)."""
        return _cell_km2(self.lat, self.lon.size)

    @property
    def basin_km2(self) -> float:
        """Area of the derived basin, km²."""
        return float(self.cell_km2[self.basin].sum())


def _cell_km2(lat: np.ndarray, n_lon: int, res_deg: float = 0.1) -> np.ndarray:
    """Area (km²) of the cells of ``res_deg`` centred on latitudes ``lat``, on the authalic sphere."""
    dlat = np.deg2rad(res_deg)
    band = np.sin(np.deg2rad(lat) + dlat / 2) - np.sin(np.deg2rad(lat) - dlat / 2)
    return np.repeat(((6371.007181**2) * dlat * band)[:, None], n_lon, axis=1)


def _terminal(receiver: np.ndarray) -> np.ndarray:
    """The last cell of every flow path, by pointer jumping (log2 of the longest path steps)."""
    term = np.where(receiver < 0, np.arange(receiver.size), receiver)
    while True:
        nxt = term[term]
        if np.array_equal(nxt, term):
            return term
        term = nxt


def _upstream_of(receiver: np.ndarray, cell: int) -> np.ndarray:
    """True for every cell whose flow path passes through ``cell`` (itself included).

    A cell joins when its receiver has joined: one vectorised step per cell
    of the longest flow path into ``cell``.
    """
    hit = np.zeros(receiver.size, dtype=bool)
    hit[cell] = True
    has = receiver >= 0
    while True:
        new = hit.copy()
        new[has] |= hit[receiver[has]]
        if np.array_equal(new, hit):
            return hit
        hit = new


def _lowest_near(lon2: np.ndarray, lat2: np.ndarray, z: np.ndarray, lon0: float, lat0: float,
                 radius: float) -> int:
    """Flat index of the lowest finite cell within ``radius`` degrees of a point."""
    near = np.hypot((lon2 - lon0) * np.cos(np.deg2rad(lat0)), lat2 - lat0) < radius
    near &= np.isfinite(z)
    return int(np.flatnonzero(near.ravel())[np.argmin(z.ravel()[near.ravel()])])


def _snap(lon2: np.ndarray, lat2: np.ndarray, upstream: np.ndarray, lon0: float, lat0: float) -> int:
    """The cell of largest ``upstream`` within :data:`_SNAP_DEG` of a gauge (flat index)."""
    near = np.hypot((lon2 - lon0) * np.cos(np.deg2rad(lat0)), lat2 - lat0) <= _SNAP_DEG
    return int(np.flatnonzero(near.ravel())[np.argmax(upstream.ravel()[near.ravel()])])


@lru_cache(maxsize=1)
def derive_routing() -> Routing:
    """Route the 0.1 degree DEM with depression filling and derive the basin, reaches and rivers.

    Returns
    -------
    Routing

    Notes
    -----
    Outlets and sinks are described in the module notes. Reaches: the cells
    whose flow passes neither the Zhengyixia gauge on the Heihe nor the Beida
    below Jiuquan (both snapped to the largest river within 0.15 degree) form
    the lower reach (the Ejina plain); of the others, the cells at or above
    :data:`MOUNTAIN_FRONT_M` form the upper reach (the Qilian Mountains) and
    the rest the middle reach (the Hexi Corridor).
    """
    from pyflwdir.dem import fill_depressions

    layers = real_layers()
    lon2, lat2 = np.meshgrid(layers.lon10, layers.lat10)
    west, east, south, north = ROUTING_BOX
    eps = 1e-6
    domain = (lon2 >= west - eps) & (lon2 <= east + eps) & (lat2 >= south - eps) & (lat2 <= north + eps)
    nodata = -99999.0
    z = np.where(domain, layers.elevation, nodata).astype(np.float32)
    border = domain & ~ndimage.binary_erosion(domain, np.ones((3, 3), dtype=bool))
    zf = np.where(domain, layers.elevation, np.nan)
    juyan = _lowest_near(lon2, lat2, zf, *JUYAN)
    huahai = _lowest_near(lon2, lat2, zf, *HUAHAI)
    pits = np.concatenate([np.flatnonzero(border.ravel()), [juyan, huahai]]).astype(np.int64)
    filled, d8 = fill_depressions(z, idxs_pit=pits, nodata=nodata)
    receiver = receivers_from_d8(d8)
    receiver[pits] = -1
    receiver[~domain.ravel()] = -1
    cell_km2 = _cell_km2(layers.lat10, layers.lon10.size)
    upstream = _accumulate(receiver, np.where(domain, cell_km2, 0.0).ravel()).reshape(z.shape)
    basin = (_terminal(receiver) == juyan).reshape(z.shape) & domain
    gauges = [_snap(lon2, lat2, np.where(basin, upstream, 0.0), *ZHENGYIXIA),
              _snap(lon2, lat2, np.where(basin, upstream, 0.0), *BEIDA_JINTA)]
    above = np.zeros(z.size, dtype=bool)
    for gauge in gauges:
        above |= _upstream_of(receiver, gauge)
    above = above.reshape(z.shape) & basin
    reach = np.where(basin, 3, 0)
    reach = np.where(above, np.where(filled >= MOUNTAIN_FRONT_M, 1, 2), reach).astype(np.int8)
    mountain = np.where(domain & (filled >= MOUNTAIN_FRONT_M), cell_km2, 0.0).ravel()
    fed = _accumulate(receiver, mountain)
    rivers = basin.ravel() & (fed >= STREAM_KM2) & (receiver >= 0)
    start = np.flatnonzero(rivers)
    end = receiver[start]
    segments = np.stack([np.stack([lon2.ravel()[start], lat2.ravel()[start]], axis=-1),
                         np.stack([lon2.ravel()[end], lat2.ravel()[end]], axis=-1)], axis=1)
    filled = np.where(domain, filled, np.nan)
    return Routing(layers.lat10, layers.lon10, filled, receiver, upstream, basin, reach,
                   (float(lon2.ravel()[juyan]), float(lat2.ravel()[juyan])), segments)


def _accumulate(receiver: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of ``weights`` over every cell's upstream cells, itself included (Kahn's front, vectorised)."""

    return flow_accumulation(receiver, weights)


# ------------------------------------------------------------ lookups at points
def _node_index(lon: np.ndarray, lat: np.ndarray, lon_nodes: np.ndarray, lat_nodes: np.ndarray,
                res: float, centred: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row and column of the cell holding every point, and whether it is on the grid."""
    off = 0.0 if centred else 0.5
    row = np.floor((lat_nodes[0] - np.asarray(lat)) / res + off + 1e-9).astype(np.int64)
    col = np.floor((np.asarray(lon) - lon_nodes[0]) / res + off + 1e-9).astype(np.int64)
    inside = (row >= 0) & (row < lat_nodes.size) & (col >= 0) & (col < lon_nodes.size)
    return np.clip(row, 0, lat_nodes.size - 1), np.clip(col, 0, lon_nodes.size - 1), inside


def _at_routing_cell(lon: np.ndarray, lat: np.ndarray, values: np.ndarray, outside: int | bool) -> np.ndarray:
    """``values`` of the 0.1 degree routing cell holding every point; ``outside`` off the routing grid."""
    routing = derive_routing()
    row, col, inside = _node_index(lon, lat, routing.lon, routing.lat, 0.1, centred=False)
    return np.where(inside, values[row, col], outside)


def basin_at(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where the point's 0.1 degree cell belongs to the derived basin (the outline rasterised)."""
    return _at_routing_cell(lon, lat, derive_routing().basin, False).astype(bool)


def reach_at(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Reach code (0 outside, 1 upper, 2 middle, 3 lower) of the point's 0.1 degree cell (int8)."""
    return _at_routing_cell(lon, lat, derive_routing().reach, 0).astype(np.int8)


@lru_cache(maxsize=1)
def _river_tree():
    """Points every 0.25 km along the derived rivers, in twin kilometres (a ``scipy.spatial.cKDTree``)."""
    from scipy.spatial import cKDTree

    segments = derive_routing().rivers
    u, v = twin_km(segments[..., 0], segments[..., 1])
    length = np.hypot(u[:, 1] - u[:, 0], v[:, 1] - v[:, 0])
    n = np.maximum(np.ceil(length / 0.25).astype(np.int64), 1)
    seg = np.repeat(np.arange(n.size), n + 1)
    t = np.concatenate([np.linspace(0.0, 1.0, k + 1) for k in n]) if n.size else np.zeros(0)
    pu = u[seg, 0] + t * (u[seg, 1] - u[seg, 0])
    pv = v[seg, 0] + t * (v[seg, 1] - v[seg, 0])
    return cKDTree(np.column_stack([pu, pv]))


RIVER_KM_MAX = 20.0  # distances to the rivers are computed up to this, km; farther points get it


def river_distance_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance (km, float32) from every point to the derived river network (within 0.125 km).

    Points farther than :data:`RIVER_KM_MAX` get that value (what uses the
    distance looks at the first few kilometres).
    """
    u, v = twin_km(lon, lat)
    dist, _ = _river_tree().query(np.column_stack([np.ravel(u), np.ravel(v)]),
                                  distance_upper_bound=RIVER_KM_MAX)
    return np.minimum(dist, RIVER_KM_MAX).reshape(np.shape(u)).astype(np.float32)


# ----------------------------------------------------------- elevation surface
def _cell_mean_matrix(n: int, samples: int = 64) -> np.ndarray:
    """``M[i, j]``: mean over cell ``i`` of the cubic B-spline of coefficient ``j`` (edges: nearest)."""
    x = (np.arange(n)[:, None] + (np.arange(samples) + 0.5) / samples - 0.5).ravel()
    m = np.empty((n, n))
    for j in range(n):  # n is the number of 0.1 degree nodes on one axis (about 55)
        coef = np.zeros(n)
        coef[j] = 1.0
        m[:, j] = ndimage.map_coordinates(coef, [x], order=3, prefilter=False, mode="nearest") \
            .reshape(n, samples).mean(axis=1)
    return m


@lru_cache(maxsize=1)
def _spline_coefficients() -> np.ndarray:
    """B-spline coefficients whose cell means are the 0.1 degree elevations (m)."""
    return cell_mean_coefficients(real_layers().elevation)


def _fractional_index(lon: np.ndarray, lat: np.ndarray, lon_nodes: np.ndarray, lat_nodes: np.ndarray,
                      res: float) -> tuple[np.ndarray, np.ndarray]:
    """Fractional (row, column) of points on a grid of nodes (north-up), for interpolation."""
    row = (lat_nodes[0] - np.asarray(lat, dtype=np.float64)) / res
    col = (np.asarray(lon, dtype=np.float64) - lon_nodes[0]) / res
    return row, col


def cell_mean_coefficients(means: np.ndarray) -> np.ndarray:
    """B-spline coefficients of a surface whose 0.1 degree cell means are ``means`` (node grid)."""
    my, mx = _cell_mean_matrix(means.shape[0]), _cell_mean_matrix(means.shape[1])
    return np.linalg.solve(my, np.linalg.solve(mx, means.T).T)


def mean_preserving_elevation(lon: np.ndarray, lat: np.ndarray,
                              correction: np.ndarray | None = None) -> np.ndarray:
    """The smooth real elevation (m, float64) at any points.

    A cubic B-spline through the 0.1 degree ETOPO1 nodes fitted so that its
    mean over every 0.1 degree cell equals the node's value (a
    mass-preserving interpolation in the spirit of Tobler 1979); outside the
    crop the edge values extend. ``correction`` (B-spline coefficients from
    :func:`cell_mean_coefficients`) is added to the surface.
    """
    layers = real_layers()
    row, col = _fractional_index(lon, lat, layers.lon10, layers.lat10, 0.1)
    coef = _spline_coefficients() if correction is None else _spline_coefficients() + correction
    out = ndimage.map_coordinates(coef, [row.ravel(), col.ravel()], order=3, prefilter=False, mode="nearest")
    return out.reshape(np.shape(row))


def cell_sample_points(per_side: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed lattice of ``per_side`` x ``per_side`` points in every 0.1 degree cell (degrees, 2-D)."""
    layers = real_layers()
    offset = (np.arange(per_side) + 0.5) / per_side - 0.5
    lat = (layers.lat10[:, None] - 0.1 * offset[None, :]).ravel()
    lon = (layers.lon10[:, None] + 0.1 * offset[None, :]).ravel()
    return np.meshgrid(lon, lat)


@lru_cache(maxsize=1)
def _relief() -> np.ndarray:
    """Local relief of the 0.1 degree DEM: standard deviation over 3 x 3 nodes, m."""
    z = real_layers().elevation
    mean = ndimage.uniform_filter(z, 3, mode="nearest")
    return np.sqrt(np.maximum(ndimage.uniform_filter(z * z, 3, mode="nearest") - mean * mean, 0.0))


@lru_cache(maxsize=1)
def _floor() -> np.ndarray:
    """Lowest of 3 x 3 nodes of the 0.1 degree DEM: the local valley floor, m."""
    return ndimage.minimum_filter(real_layers().elevation, 3, mode="nearest")


def relief_at(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local relief and local floor (m) of the 0.1 degree DEM, bilinear at the points.

    Returns
    -------
    relief : numpy.ndarray
        Standard deviation of the 3 x 3 nodes around, m.
    floor : numpy.ndarray
        Lowest of those nodes, m.
    """
    layers = real_layers()
    row, col = _fractional_index(lon, lat, layers.lon10, layers.lat10, 0.1)
    out = [ndimage.map_coordinates(field, [row.ravel(), col.ravel()], order=1, mode="nearest")
           .reshape(np.shape(row)) for field in (_relief(), _floor())]
    return out[0], out[1]


# ------------------------------------------------------ land cover and NDVI
def igbp_at(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The twin's class (IGBP code, uint8) of the 0.05 degree MCD12C1 cell holding each point.

    MCD12C1 classes map to the twin's by :data:`IGBP_TO_TWIN` (water 0 -> 17,
    wetland -> grassland, urban and mosaics -> cropland); no-data -> barren.
    """
    layers = real_layers()
    table = np.full(256, 16, dtype=np.uint8)
    for code, twin in IGBP_TO_TWIN.items():
        table[code] = twin
    row, col, _ = _node_index(lon, lat, layers.lon05, layers.lat05, 0.05, centred=True)
    return table[layers.igbp[row, col]]


def block_index_05(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Flat index of the 0.05 degree cell holding each point (-1 off the crop)."""
    layers = real_layers()
    row, col, inside = _node_index(lon, lat, layers.lon05, layers.lat05, 0.05, centred=True)
    return np.where(inside, row * layers.lon05.size + col, -1)


def ndvi_range_at(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Yearly minimum and maximum NDVI (float32) of the 0.05 degree cell holding each point.

    The cell's own values, not an interpolation: a 1 km cell then carries
    the NDVI range of the 0.05 degree cell whose land cover it takes
    (:func:`igbp_at`), and a barren cell next to an oasis stays barren.
    """
    layers = real_layers()
    row, col, _ = _node_index(lon, lat, layers.lon05, layers.lat05, 0.05, centred=True)
    return layers.ndvi_min[row, col], layers.ndvi_max[row, col]
