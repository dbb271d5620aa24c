"""The basin's outline, its river network and its three reaches, in geographic terms.

Provides
--------
RIVERS
    The river network of the twin: polylines of (longitude, latitude) vertices,
    drawn after the Heihe main stem, the Liyuan River and the Beida (Taolai)
    River; they flow from the Qilian Mountains north to the Juyan lakes.
mountain_front
    Latitude of the Qilian mountain front (the upper/middle reach limit) at a longitude.
basin_mask
    One connected, south-to-north elongated basin of about 143,000 km².
reach
    0 outside, 1 upper (Qilian Mountains), 2 middle (Hexi Corridor),
    3 lower (Ejina plain).
river_distance_km
    Distance of every point to the nearest river, km.

Notes
-----
The outline is a hand-drawn, smooth caricature of the Heihe River Basin (Yin et
al. 2023, Fig. 1), not its real boundary: for every latitude the basin spans
one longitude interval whose ends vary smoothly, so the mask is connected by
construction. It does not depend on the seed: the seed varies the weather,
roughness and noise, not the geography.
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import twin_km

__all__ = ["RIVERS", "mountain_front", "lower_limit", "basin_mask", "reach", "river_distance_km"]

RIVERS: dict[str, list[tuple[float, float]]] = {
    "heihe": [(100.95, 37.85), (100.55, 38.05), (100.25, 38.2), (100.2, 38.55), (100.18, 38.8),
              (100.45, 38.95), (100.15, 39.15), (99.8, 39.4), (99.47, 39.82), (99.5, 40.3),
              (99.95, 40.9), (100.5, 41.45), (101.05, 41.95), (101.25, 42.28)],
    "heihe_west": [(98.9, 38.75), (99.4, 38.55), (99.9, 38.35), (100.25, 38.2)],
    "liyuan": [(99.2, 38.45), (99.55, 38.75), (99.8, 39.05), (100.0, 39.22)],
    "beida": [(97.6, 39.1), (98.1, 39.35), (98.45, 39.75), (98.9, 40.0), (99.5, 40.3)],
    "xihe": [(101.05, 41.95), (100.8, 42.15), (100.4, 42.33)],
}

# Basin outline: longitude limits by latitude (degrees), interpolated linearly.
_LAT_NODES = np.array([37.70, 37.85, 38.2, 38.6, 39.0, 39.4, 39.8, 40.2, 40.7, 41.3, 41.9, 42.4, 42.62])
_WEST = np.array([100.5, 98.9, 97.7, 97.25, 97.17, 97.2, 97.5, 98.2, 98.7, 99.0, 99.3, 99.8, 100.6])
_EAST = np.array([100.9, 101.7, 101.93, 101.8, 101.4, 101.1, 100.8, 100.7, 101.2, 101.7, 101.93, 101.85, 101.3])


def mountain_front(lon: np.ndarray) -> np.ndarray:
    """Latitude of the Qilian mountain front (degrees north) at longitude ``lon`` (degrees east)."""
    lon = np.asarray(lon, dtype=float)
    return 38.78 - 0.28 * (lon - 100.2) + 0.04 * np.sin(lon * 7.0)


def lower_limit(lon: np.ndarray) -> np.ndarray:
    """Latitude (degrees north) north of which the lower reach lies, at longitude ``lon``."""
    lon = np.asarray(lon, dtype=float)
    return 40.0 + 0.15 * (99.5 - lon)


def basin_mask(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True inside the basin.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north of the points.

    Returns
    -------
    numpy.ndarray of bool
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    west = np.interp(lat, _LAT_NODES, _WEST) + 0.06 * np.sin(lat * 9.0 + 1.0)
    east = np.interp(lat, _LAT_NODES, _EAST) + 0.06 * np.sin(lat * 11.0 + 2.0)
    inside_lat = (lat > _LAT_NODES[0]) & (lat < _LAT_NODES[-1])
    return inside_lat & (lon > west) & (lon < east)


def reach(lon: np.ndarray, lat: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Reach code: 0 outside the basin, 1 upper, 2 middle, 3 lower (int8)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    code = np.where(lat < mountain_front(lon), 1, np.where(lat < lower_limit(lon), 2, 3))
    return np.where(mask, code, 0).astype(np.int8)


def river_distance_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance (km) from every point to the nearest segment of :data:`RIVERS` (float32)."""
    u, v = twin_km(lon, lat)
    best = np.full(np.shape(u), np.inf, dtype=np.float64)
    for line in RIVERS.values():
        pu, pv = twin_km(*np.asarray(line).T)
        for k in range(len(line) - 1):
            best = np.minimum(best, _segment_distance(u, v, pu[k], pv[k], pu[k + 1], pv[k + 1]))
    return best.astype(np.float32)


def _segment_distance(u, v, u0, v0, u1, v1):
    du, dv = u1 - u0, v1 - v0
    t = np.clip(((u - u0) * du + (v - v0) * dv) / (du * du + dv * dv), 0.0, 1.0)
    return np.hypot(u - (u0 + t * du), v - (v0 + t * dv))
