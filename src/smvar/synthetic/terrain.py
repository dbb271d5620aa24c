"""Terrain of the twin: elevation, slope, aspect and topographic wetness index.

Provides
--------
elevation
    The DEM (m) as a function of longitude and latitude: the real ETOPO1
    elevation at 0.1 degree (:mod:`smvar.synthetic.geography`), whose cell
    means it keeps, plus synthetic relief below 0.1 degree scaled by the real
    local relief.
make_terrain
    The DEM with its slope, aspect and TWI (:mod:`smvar.terrain`) for an
    analysis grid.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from smvar.synthetic._noise import fractal_noise, key_of, twin_km
from smvar.synthetic.geography import (
    cell_mean_coefficients,
    cell_sample_points,
    mean_preserving_elevation,
    real_layers,
    relief_at,
)
from smvar.terrain import slope_aspect, topographic_wetness_index

__all__ = ["elevation", "make_terrain"]

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


def make_terrain(lon: np.ndarray, lat: np.ndarray, resolution_m: float, seed: int,
                 river_km: np.ndarray) -> dict[str, np.ndarray]:
    """DEM (m), slope (degree), aspect (degree) and TWI (1) on a 2-D grid of points."""
    dem = elevation(lon, lat, seed)
    slope, aspect = slope_aspect(dem, resolution_m)
    twi = topographic_wetness_index(dem, resolution_m)
    return {"dem": dem, "slope": slope, "aspect": aspect, "twi": twi}
