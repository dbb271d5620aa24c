"""The basin's outline, its river network and its three reaches, in geographic terms.

Provides
--------
mountain_front
    Latitude of the Qilian mountain front (a smooth line) at a longitude.
lower_limit
    Latitude north of which the lower reach lies (a smooth line), at a longitude.
basin_mask
    The basin derived by flow routing on the real 0.1 degree DEM
    (:func:`smvar.synthetic.geography.derive_routing`), rasterised: a point is
    inside when its 0.1 degree cell drains to the Juyan lakes.
reach
    0 outside, 1 upper (Qilian Mountains), 2 middle (Hexi Corridor),
    3 lower (Ejina plain), from the same routing.
river_distance_km
    Distance of every point to the nearest river of the derived network, km.

Notes
-----
The outline, reaches and rivers come from the real ETOPO1 DEM by depression
filling and D8 routing (see :mod:`smvar.synthetic.geography`); they do not
depend on the seed: the seed varies the weather, relief below 0.1 degree and
noise, not the geography. The two smooth lines (:func:`mountain_front`,
:func:`lower_limit`) place the reaches of cells outside the basin (a region
made of the whole extent) and scale errors of the factor maps.
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic import geography

__all__ = ["mountain_front", "lower_limit", "basin_mask", "reach", "river_distance_km"]


def mountain_front(lon: np.ndarray) -> np.ndarray:
    """Latitude of the Qilian mountain front (degrees north) at longitude ``lon`` (degrees east)."""
    lon = np.asarray(lon, dtype=float)
    return 38.78 - 0.28 * (lon - 100.2) + 0.04 * np.sin(lon * 7.0)


def lower_limit(lon: np.ndarray) -> np.ndarray:
    """Latitude (degrees north) north of which the lower reach lies, at longitude ``lon``."""
    lon = np.asarray(lon, dtype=float)
    return 40.0 + 0.15 * (99.5 - lon)


def basin_mask(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True inside the derived basin (its 0.1 degree outline rasterised at the points).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north of the points.

    Returns
    -------
    numpy.ndarray of bool
    """
    return geography.basin_at(lon, lat)


def reach(lon: np.ndarray, lat: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Reach code: 0 outside ``mask``, 1 upper, 2 middle, 3 lower (int8).

    Inside the derived basin the code is that of the routing
    (:func:`smvar.synthetic.geography.reach_at`); elsewhere in ``mask`` (a
    region wider than the basin) it follows :func:`mountain_front` and
    :func:`lower_limit`.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    lines = np.where(lat < mountain_front(lon), 1, np.where(lat < lower_limit(lon), 2, 3))
    routed = geography.reach_at(lon, lat)
    code = np.where(routed > 0, routed, lines)
    return np.where(mask, code, 0).astype(np.int8)


def river_distance_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance (km, float32) from every point to the derived river network."""
    return geography.river_distance_km(lon, lat)
