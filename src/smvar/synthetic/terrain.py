"""Terrain of the twin: elevation, slope, aspect and topographic wetness index.

Provides
--------
elevation
    The DEM (m) as a function of longitude and latitude: the real ETOPO1
    elevation at 0.1 degree (:mod:`smvar.synthetic.geography`), whose cell
    means it keeps, plus synthetic relief below 0.1 degree scaled by the real
    local relief.
slope_aspect
    Slope and aspect (degrees) by centred finite differences in metres.
d8_receivers, flow_accumulation
    D8 flow directions (O'Callaghan & Mark 1984) and the number of cells
    draining through each cell, computed without a per-cell Python loop.
filled_receivers
    D8 flow directions after depression filling (pyflwdir; Wang & Liu 2006).
topographic_wetness_index
    TWI = ln(a / tan b) (Beven & Kirkby 1979) from D8 accumulation on the
    depression-filled DEM.
make_terrain
    All of the above for an analysis grid.
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import fractal_noise, key_of, twin_km
from functools import lru_cache

from smvar.synthetic.geography import (
    cell_mean_coefficients,
    cell_sample_points,
    mean_preserving_elevation,
    real_layers,
    receivers_from_d8,
    relief_at,
)

__all__ = [
    "elevation",
    "slope_aspect",
    "d8_receivers",
    "filled_receivers",
    "flow_accumulation",
    "topographic_wetness_index",
    "make_terrain",
]

# Synthetic relief: sd = _RELIEF_GAIN x the real 3 x 3-node relief of the
# 0.1 degree DEM, between _RELIEF_MIN and _RELIEF_MAX m, at 8 to 1 km.
_RELIEF_GAIN = 1.5
_RELIEF_MIN, _RELIEF_MAX = 6.0, 420.0
_RELIEF_OCTAVES_KM = (8.0, 4.0, 2.0, 1.0)
_RELIEF_HURST = 0.5
_FLOOR_SHARE = 0.6  # relief sd at most this share of the height above the local floor


def elevation(lon: np.ndarray, lat: np.ndarray, seed: int, river_km: np.ndarray | None = None) -> np.ndarray:
    """Elevation above sea level (m, float32) of the twin at the given points.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    seed : int
        Seed of the synthetic relief.
    river_km : numpy.ndarray, optional
        Unused (kept for the call signature of earlier twins).

    Notes
    -----
    The smooth part is :func:`smvar.synthetic.geography.mean_preserving_elevation`:
    its mean over every 0.1 degree cell of ETOPO1 is that cell's value. The
    relief below 0.1 degree is a location-keyed fractal field (8 to 1 km,
    Hurst exponent 0.5) with a standard deviation of 1.5 times the real DEM's
    local relief (the standard deviation of 3 x 3 nodes), between 6 m on the
    desert plains and 420 m in the Qilian Mountains, and at most 0.6 times
    the height above the local floor (the lowest of those nodes); it digs at
    most 20 m under that floor, so that valley floors and the plains at the
    foot of the mountains keep their level. On the 1 km grid the slope is
    then about 1 degree (median) on the Ejina plain and in the Hexi Corridor
    and 7 degrees in the Qilian Mountains (90th percentile 17): the
    scale-dependent slopes of a mountain DEM averaged to 1 km (slopes at 1 km
    are about half those at 90 m). Its
    octaves are at most 8 km, shorter than a 0.1 degree cell (9-11 km); the
    shift of the cell means that remains is removed by a smooth correction
    (:func:`_mean_correction`), so the cell means of the DEM are the real
    ones within a few metres. Peaks are limited smoothly to 5,000 m (Qilian
    summits reach 5,500-5,800 m).
    """
    return _elevation(lon, lat, seed, _mean_correction(seed)).astype(np.float32)


def _elevation(lon: np.ndarray, lat: np.ndarray, seed: int, correction: np.ndarray | None) -> np.ndarray:
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    smooth = mean_preserving_elevation(lon, lat, correction)
    relief, floor = relief_at(lon, lat)
    amp = np.clip(np.minimum(_RELIEF_GAIN * relief, (smooth - floor) * _FLOOR_SHARE), _RELIEF_MIN, _RELIEF_MAX)
    u, v = twin_km(lon, lat)
    z = smooth + amp * fractal_noise(u, v, key_of(seed, 101), _RELIEF_OCTAVES_KM, hurst=_RELIEF_HURST)
    below = floor - z  # no deeper than 20 m under the local floor: no dug pits
    z = np.where(below > 0.0, floor - 20.0 * np.tanh(below / 20.0), z)
    return np.where(z > 4600.0, 4600.0 + 400.0 * np.tanh((z - 4600.0) / 400.0), z)


@lru_cache(maxsize=4)
def _mean_correction(seed: int) -> np.ndarray:
    """B-spline coefficients that bring the 0.1 degree cell means of the DEM back to ETOPO1's.

    The synthetic relief and the limits on it shift the cell means; the
    shift is measured on a fixed lattice of 5 x 5 points per cell (so it is
    the same for any grid) and removed by a smooth mean-preserving surface,
    twice.
    """
    per_side = 5
    lon, lat = cell_sample_points(per_side)
    target = real_layers().elevation
    correction = np.zeros_like(target)
    for _ in range(2):
        z = _elevation(lon, lat, seed, correction)
        means = z.reshape(target.shape[0], per_side, target.shape[1], per_side).mean(axis=(1, 3))
        correction = correction + cell_mean_coefficients(target - means)
    return correction


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


def flow_accumulation(receiver: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Number of cells (or sum of ``weights``) draining through each cell, itself included (float64, flat).

    Parameters
    ----------
    receiver : numpy.ndarray of int64
        From :func:`d8_receivers` (flat index of the downstream cell, -1 at outlets).
    weights : numpy.ndarray, optional
        Value of every cell (e.g. its area); default 1.

    Notes
    -----
    With ``B`` the matrix of the flow (``B[j, i] = 1`` when cell ``i``
    drains to ``j``), the accumulation is ``(I - B)^-1 w = (I + B)(I + B^2)
    (I + B^4) ... w``: ``B`` is nilpotent (flow paths end). Every power
    ``B^(2^k)`` sends a cell to its ``2^k``-th downstream cell, a pointer
    array squared by indexing (pointer jumping), and each factor is one
    ``np.bincount``. The loop runs log2 of the longest flow path times
    (about 13 for the 1 km Heihe grid), never per cell.
    """
    n = receiver.size
    acc = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64).ravel().copy()
    jump = np.asarray(receiver, dtype=np.int64).ravel().copy()
    while True:
        ok = jump >= 0
        if not ok.any():
            return acc
        acc += np.bincount(jump[ok], weights=acc[ok], minlength=n)
        jump = np.where(ok, jump[np.where(ok, jump, 0)], -1)


def filled_receivers(dem: np.ndarray, resolution_m: float) -> tuple[np.ndarray, np.ndarray]:
    """D8 flow directions after filling every depression; flow leaves at the grid border.

    Parameters
    ----------
    dem : numpy.ndarray
        Elevation (m), 2-D.
    resolution_m : float
        Cell size (m).

    Returns
    -------
    receiver : numpy.ndarray of int64
        Flat index of the receiving cell; -1 on the border cells that are outlets.
    tan_slope : numpy.ndarray
        Tangent of the drop to the receiver on the filled DEM (0 on filled flats and outlets).

    Notes
    -----
    Priority-flood filling with flow directions over the filled flats (Wang &
    Liu 2006) by :func:`pyflwdir.dem.fill_depressions`.
    """
    from pyflwdir.dem import fill_depressions

    border = np.ones(dem.shape, dtype=bool)
    border[1:-1, 1:-1] = False
    # outlets passed as indices, as the 0.1 degree routing does: one compiled specialisation
    filled, d8 = fill_depressions(np.asarray(dem, dtype=np.float32), idxs_pit=np.flatnonzero(border.ravel()),
                                  nodata=-99999.0)
    receiver = receivers_from_d8(d8)
    flat = filled.astype(np.float64).ravel()
    ok = receiver >= 0
    rows, cols = np.divmod(np.arange(receiver.size), dem.shape[1])
    rr, cc = np.divmod(np.where(ok, receiver, 0), dem.shape[1])
    dist = resolution_m * np.hypot(rr - rows, cc - cols)
    tan = np.where(ok, (flat - flat[np.where(ok, receiver, 0)]) / np.where(ok, dist, 1.0), 0.0)
    return receiver, np.maximum(tan, 0.0)


def topographic_wetness_index(dem: np.ndarray, resolution_m: float) -> np.ndarray:
    """TWI = ln(a / tan b) (Beven & Kirkby 1979) with D8 flow on the depression-filled DEM.

    ``a`` is the specific catchment area (upslope area per unit contour width,
    m: accumulated cells x cell area / cell size) from D8 routing after
    depression filling (:func:`filled_receivers`), and ``tan b`` the local
    slope of the DEM (centred differences, as :func:`slope_aspect`), floored
    at 0.001 so that flats stay finite (float32, 2-D). Filling routes the
    flow out of the depressions of the 1 km DEM instead of ending it in
    spurious pits.
    """
    receiver, _ = filled_receivers(dem, resolution_m)
    acc = flow_accumulation(receiver)
    a = acc * resolution_m
    dz_dy, dz_dx = np.gradient(np.asarray(dem, dtype=np.float64), resolution_m)
    tan_slope = np.hypot(dz_dx, dz_dy).ravel()
    twi = np.log(a / np.maximum(tan_slope, 1e-3))
    return twi.reshape(dem.shape).astype(np.float32)


def make_terrain(lon: np.ndarray, lat: np.ndarray, resolution_m: float, seed: int,
                 river_km: np.ndarray) -> dict[str, np.ndarray]:
    """DEM (m), slope (degree), aspect (degree) and TWI (1) on a 2-D grid of points."""
    dem = elevation(lon, lat, seed)
    slope, aspect = slope_aspect(dem, resolution_m)
    twi = topographic_wetness_index(dem, resolution_m)
    return {"dem": dem, "slope": slope, "aspect": aspect, "twi": twi}
