"""Land cover of the twin, in IGBP codes (MODIS MCD12Q1 LC_Type1).

Provides
--------
land_cover
    The class of every cell from elevation, aspect, distance to the rivers and
    a correlated noise field.
CLASSES_USED
    The IGBP codes the twin uses and what they stand for in the Heihe basin.

The placement follows the basin's zonation (Yin et al. 2023, section 2.1;
Cheng et al. 2014): glaciers (15 snow and ice) on the highest Qilian peaks,
bare scree (16) below them, alpine meadow (10 grassland) over most of the
mountains with Qinghai spruce (1 evergreen needleleaf forest) on north-facing
slopes between about 2,500 and 3,400 m, irrigated oases (12 cropland) along the
rivers of the Hexi Corridor and around Ejina, desert steppe (10) on the
piedmont, riparian shrubs and Populus forest (7 open shrubland) along the lower
river, the Juyan lakes (17 water), and gobi and sand desert (16 barren)
elsewhere.
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import fractal_noise, key_of, twin_km
from smvar.synthetic.basin import lower_limit, mountain_front

__all__ = ["land_cover", "CLASSES_USED"]

CLASSES_USED = {
    1: "forest (Qinghai spruce on north-facing slopes)",
    7: "open shrubland (riparian shrubs of the lower reach)",
    10: "grassland (alpine meadow, desert steppe)",
    12: "cropland (irrigated oases)",
    15: "permanent snow and ice (glaciers)",
    16: "barren (gobi, sand desert, scree)",
    17: "water (Juyan lakes)",
}

_LAKES = [(101.28, 42.30, 9.0, 5.0), (100.38, 42.33, 6.0, 4.0)]  # lon, lat, semi-axes km


def land_cover(lon: np.ndarray, lat: np.ndarray, dem: np.ndarray, aspect: np.ndarray,
               river_km: np.ndarray, seed: int) -> np.ndarray:
    """IGBP land-cover code of every point (uint8).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    dem : numpy.ndarray
        Elevation, m.
    aspect : numpy.ndarray
        Degrees clockwise from north (-1 flat).
    river_km : numpy.ndarray
        Distance to the nearest river, km.
    seed : int
        Seed of the noise that makes class edges irregular.
    """
    u, v = twin_km(lon, lat)
    noise = fractal_noise(u, v, key_of(seed, 201), (32.0, 12.0, 5.0, 2.0))
    z = dem + 120.0 * noise
    code = np.full(dem.shape, 16, dtype=np.uint8)
    front = mountain_front(lon)
    mountains = lat < front + 0.03
    north_facing = (aspect >= 0) & ((aspect < 60) | (aspect > 300))
    # mountains: grassland, forest on shaded slopes, scree and ice on top
    code[mountains & (z > 2300) & (z < 4300)] = 10
    code[mountains & (z >= 2500) & (z <= 3400) & north_facing & (noise > -0.6)] = 1
    code[mountains & (z >= 4300)] = 16
    code[mountains & (z >= 4820)] = 15
    # piedmont desert steppe
    piedmont = ~mountains & (dem > 1700) & (noise > -0.3)
    code[piedmont] = 10
    # oases: irrigated cropland along the rivers of the corridor and near Ejina
    middle = ~mountains & (lat < lower_limit(lon))
    oasis_width = 9.0 + 5.0 * noise
    code[middle & (river_km < oasis_width) & (dem < 2000)] = 12
    lower = ~mountains & ~middle
    code[lower & (river_km < 3.0 + 1.5 * noise)] = 7
    ejina = np.hypot((lon - 101.05) * 85.0, (lat - 41.95) * 111.0) < 18.0 + 6.0 * noise
    code[lower & ejina & (river_km < 8.0)] = 12
    for lon0, lat0, a, b in _LAKES:
        inside = ((lon - lon0) * 83.0 / a) ** 2 + ((lat - lat0) * 111.0 / b) ** 2 < 1.0
        code[inside] = 17
    return code
