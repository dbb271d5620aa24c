"""Land cover of the twin, in IGBP codes (MODIS MCD12Q1 LC_Type1).

Provides
--------
land_cover
    The class of every cell: the real MODIS MCD12C1 2019 class of its 0.05
    degree cell (:func:`smvar.synthetic.geography.igbp_at`), with the
    sub-cell patches the 0.05 degree majority hides.
CLASSES_USED
    The IGBP codes the twin uses and what they stand for in the Heihe basin.

Each 0.05 degree cell (about 4 x 5.5 km) of MCD12C1 carries one class, its
majority at 500 m; the shipped layer has no per-class percentages. The twin
keeps that class on most of the cell's 1 km cells, so that the majority of
every 0.05 degree cell is the real one, and adds what the majority hides,
after the basin's zonation (Yin et al. 2023, section 2.1; Cheng et al.
2014): Qinghai spruce (1 evergreen needleleaf forest) on north-facing slopes
between about 2,500 and 3,400 m of the grassland (alpine meadow) of the
Qilian Mountains, riparian shrubs and Populus (7 open shrubland) along the
rivers of the lower reach in barren cells, and scree (16 barren) where the
real snow and ice cells fall below 4,000 m on the 1 km DEM. IGBP classes the
twin does not use map to the nearest it does (wetland to grassland, urban
and cropland mosaics to cropland, water 0 to 17).
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import fractal_noise, key_of, twin_km
from smvar.synthetic.basin import lower_limit, mountain_front
from smvar.synthetic.geography import igbp_at

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
        Seed of the noise that places the sub-cell patches.
    """
    u, v = twin_km(lon, lat)
    noise = fractal_noise(u, v, key_of(seed, 201), (32.0, 12.0, 5.0, 2.0))
    z = dem + 120.0 * noise
    real = igbp_at(lon, lat)
    code = real.copy()
    mountains = lat < mountain_front(lon) + 0.15
    north_facing = (aspect >= 0) & ((aspect < 45) | (aspect > 315))
    forest = (real == 10) & mountains & (z >= 2500) & (z <= 3400) & north_facing & (noise > -0.2)
    code[forest] = 1
    lower = ~mountains & (lat >= lower_limit(lon))
    code[(real == 16) & lower & (river_km < 2.0 + 1.0 * noise)] = 7
    code[(real == 15) & (dem < 4000.0)] = 16
    return code
