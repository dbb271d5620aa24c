"""Terrain of the twin: elevation, slope, aspect and topographic wetness index.

Provides
--------
elevation
    The DEM (m) as a function of longitude and latitude: the Qilian Mountains
    in the south, the Hexi Corridor, the Heli Shan, and the Ejina desert plain
    falling to the Juyan lakes in the north, with valleys carved along the
    rivers and spatially correlated roughness.
slope_aspect
    Slope and aspect (degrees) by centred finite differences in metres.
d8_receivers, flow_accumulation
    D8 flow directions (O'Callaghan & Mark 1984) and the number of cells
    draining through each cell, computed without a per-cell Python loop.
topographic_wetness_index
    TWI = ln(a / tan b) (Beven & Kirkby 1979) from D8 accumulation.
make_terrain
    All of the above for an analysis grid.
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import fractal_noise, key_of, twin_km
from smvar.synthetic.basin import mountain_front, river_distance_km

__all__ = [
    "elevation",
    "slope_aspect",
    "d8_receivers",
    "flow_accumulation",
    "topographic_wetness_index",
    "make_terrain",
]

_KM_PER_DEG = 111.195


def elevation(lon: np.ndarray, lat: np.ndarray, seed: int, river_km: np.ndarray | None = None) -> np.ndarray:
    """Elevation above sea level (m, float32) of the twin at the given points.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    seed : int
        Seed of the roughness realisation.
    river_km : numpy.ndarray, optional
        Distance to the nearest river (km); computed when not given.

    Notes
    -----
    ``m`` is the distance (km) south of the mountain front. North of it the
    plain falls as ``880 + 700 exp(-d/40) + 420 exp(-d/250)`` with the distance
    ``d`` north of the front; south of it the range rises to ~4,400 m within
    ~70 km, with ridges parallel to the front (spacing 28 km). Peaks are
    limited smoothly to 5,000 m. Roughness has 250 m standard deviation in the
    mountains and 25 m on the plains.
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    dist = (lat - mountain_front(lon)) * _KM_PER_DEG  # km north of the front
    north = np.maximum(dist, 0.0)
    m = np.maximum(-dist, 0.0)
    plain = 880.0 + 700.0 * np.exp(-north / 40.0) + 420.0 * np.exp(-north / 250.0)
    ramp = 1.0 - np.exp(-m / 35.0)
    ridges = 420.0 * np.cos(2 * np.pi * m / 28.0 + 0.4 * np.sin(lon * 3.0)) * np.minimum(1.0, m / 15.0)
    z = plain + 2450.0 * ramp + ridges
    z += _bump(lon, lat, 100.35, 39.5, 0.35, 0.10, 650.0)   # Heli Shan
    z += _bump(lon, lat, 97.9, 41.6, 0.7, 0.5, 450.0)       # Mazong Shan foothills
    u, v = twin_km(lon, lat)
    rough = fractal_noise(u, v, key_of(seed, 101), (64.0, 32.0, 16.0, 8.0, 4.0, 2.0))
    z += (25.0 + 225.0 * np.clip(m / 30.0, 0.0, 1.0)) * rough
    if river_km is None:
        river_km = river_distance_km(lon, lat)
    depth = 15.0 + 650.0 * np.clip(m / 40.0, 0.0, 1.0)
    width = 2.0 + 3.0 * np.clip(m / 40.0, 0.0, 1.0)
    z -= depth * np.exp(-((river_km / width) ** 2))
    z = np.where(z > 4600.0, 4600.0 + 400.0 * np.tanh((z - 4600.0) / 400.0), z)
    return z.astype(np.float32)


def _bump(lon, lat, lon0, lat0, sx, sy, height):
    return height * np.exp(-(((lon - lon0) / sx) ** 2) - ((lat - lat0) / sy) ** 2)


def slope_aspect(dem: np.ndarray, resolution_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Slope and aspect by centred finite differences (one-sided at the edges).

    Parameters
    ----------
    dem : numpy.ndarray
        Elevation (m), rows north to south, columns west to east.
    resolution_m : float
        Cell size (m).

    Returns
    -------
    slope : numpy.ndarray
        Degrees, 0 (flat) to 90.
    aspect : numpy.ndarray
        Direction the slope faces, degrees clockwise from north in [0, 360);
        -1 where the slope is below 0.01 degree.
    """
    dz_dy_rows, dz_dx = np.gradient(dem.astype(np.float64), resolution_m)
    dz_dnorth = -dz_dy_rows  # rows run from north to south
    grad = np.hypot(dz_dx, dz_dnorth)
    slope = np.degrees(np.arctan(grad))
    aspect = np.degrees(np.arctan2(-dz_dx, -dz_dnorth)) % 360.0
    aspect = np.where(slope < 0.01, -1.0, aspect)
    return slope.astype(np.float32), aspect.astype(np.float32)


_OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def d8_receivers(dem: np.ndarray, resolution_m: float) -> tuple[np.ndarray, np.ndarray]:
    """D8 flow direction: each cell drains to its steepest downhill neighbour.

    Parameters
    ----------
    dem : numpy.ndarray
        Elevation (m), 2-D.
    resolution_m : float
        Cell size (m).

    Returns
    -------
    receiver : numpy.ndarray of int64
        Flat index of the receiving cell; -1 where no neighbour on the grid is
        lower (pits, and outlets on the grid border: flow never leaves the grid).
    tan_slope : numpy.ndarray
        Tangent of the steepest descent (0 for pits).

    Notes
    -----
    O'Callaghan & Mark (1984). Depressions are not filled: a cell lower than
    all its neighbours is a pit and ends its flow path.
    """
    ny, nx = dem.shape
    padded = np.pad(dem.astype(np.float64), 1, mode="constant", constant_values=np.inf)
    best = np.zeros(dem.shape)
    receiver = np.full(dem.shape, -1, dtype=np.int64)
    rows, cols = np.indices(dem.shape)
    for dr, dc in _OFFSETS:
        neighbour = padded[1 + dr:1 + dr + ny, 1 + dc:1 + dc + nx]
        drop = (dem - neighbour) / (resolution_m * np.hypot(dr, dc))
        better = drop > best
        best = np.where(better, drop, best)
        receiver = np.where(better, (rows + dr) * nx + (cols + dc), receiver)
    return receiver.ravel(), best.ravel()


def flow_accumulation(receiver: np.ndarray) -> np.ndarray:
    """Number of cells draining through each cell, itself included (float64, flat).

    Parameters
    ----------
    receiver : numpy.ndarray of int64
        From :func:`d8_receivers`.

    Notes
    -----
    A parallel topological sort (Kahn 1962): cells with no remaining donors
    form a front; the front passes its accumulation to its receivers
    (``np.bincount``), and receivers whose donors are all done form the next
    front. The loop runs once per cell of the longest flow path, never per cell.
    """
    n = receiver.size
    acc = np.ones(n)
    has = receiver >= 0
    pending = np.bincount(receiver[has], minlength=n)
    front = np.flatnonzero(pending == 0)
    while front.size:
        rec = receiver[front]
        ok = rec >= 0
        front, rec = front[ok], rec[ok]
        if not rec.size:
            break
        acc += np.bincount(rec, weights=acc[front], minlength=n)
        pending -= np.bincount(rec, minlength=n)
        touched = np.unique(rec)
        front = touched[pending[touched] == 0]
    return acc


def topographic_wetness_index(dem: np.ndarray, resolution_m: float) -> np.ndarray:
    """TWI = ln(a / tan b) (Beven & Kirkby 1979) with D8 flow accumulation.

    ``a`` is the specific catchment area (upslope area per unit contour width,
    m: accumulated cells x cell area / cell size) and ``tan b`` the local D8
    slope, floored at 0.001 so that flats and pits stay finite (float32, 2-D).
    """
    receiver, tan_slope = d8_receivers(dem, resolution_m)
    acc = flow_accumulation(receiver)
    a = acc * resolution_m
    twi = np.log(a / np.maximum(tan_slope, 1e-3))
    return twi.reshape(dem.shape).astype(np.float32)


def make_terrain(lon: np.ndarray, lat: np.ndarray, resolution_m: float, seed: int,
                 river_km: np.ndarray) -> dict[str, np.ndarray]:
    """DEM (m), slope (degree), aspect (degree) and TWI (1) on a 2-D grid of points."""
    dem = elevation(lon, lat, seed, river_km)
    slope, aspect = slope_aspect(dem, resolution_m)
    twi = topographic_wetness_index(dem, resolution_m)
    return {"dem": dem, "slope": slope, "aspect": aspect, "twi": twi}
