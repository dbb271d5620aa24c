"""Land-cover groups and NDVI levels of the downscaling regression.

Provides
--------
LAND_COVER_GROUPS
    The four land-cover groups of Yin et al. 2023 (section 2.3.1):
    ``("forest", "grassland", "cropland", "barren")``.
NDVI_LEVELS
    The three NDVI levels: ``("low", "medium", "high")``.
N_CLASSES
    4 groups x 3 levels = 12 regression classes; class code = 3 * group + level.
IGBP_TO_GROUP
    The group of every IGBP land-cover code (MODIS MCD12Q1 LC_Type1); -1 means
    the pixel gets no soil-moisture estimate (snow and ice, water).
group_land_cover
    IGBP codes to group codes (0..3, -1 excluded).
ndvi_level
    NDVI to level codes (0 low, 1 medium, 2 high, -1 where NDVI is missing).
class_code
    Group and level to one class code (0..11, -1 excluded or missing).
coarse_land_cover
    Majority land-cover group of the fine pixels inside each coarse cell.
coarse_ndvi
    Mean NDVI of the fine pixels inside each coarse cell.
class_labels
    ``"forest/low"`` ... labels of the 12 class codes.

Notes
-----
Grouping of the 17 IGBP classes (stated here and in the book):

* forest: 1-5 (all forests), 6 closed shrubland, 8 woody savanna
  (woody cover above 30 %, as the Chinese "forestland" class counts shrub
  and sparse woodland);
* grassland: 7 open shrubland, 9 savanna, 10 grassland, 11 permanent wetland
  (the Heihe wetlands are herbaceous marshes);
* cropland: 12 cropland, 14 cropland/natural vegetation mosaic;
* barren: 16 barren, 13 urban and built-up (sealed or bare surface with
  little vegetation);
* excluded (-1): 15 permanent snow and ice and 17 water. The LST-soil
  moisture relation does not hold there and microwave products mask them;
  these pixels get NaN, and a coarse cell whose majority is excluded is left
  out of the regression.

NDVI levels follow the paper (low < 0.3, medium 0.3-0.6, high > 0.6). The
paper leaves the boundary values open; here both boundaries belong to the
medium level: low ``< 0.3 <=`` medium ``<= 0.6 <`` high.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smvar.grid import block_majority, block_mean

__all__ = [
    "LAND_COVER_GROUPS",
    "NDVI_LEVELS",
    "N_CLASSES",
    "IGBP_TO_GROUP",
    "EXCLUDED",
    "group_land_cover",
    "ndvi_level",
    "class_code",
    "coarse_land_cover",
    "coarse_ndvi",
    "class_labels",
]

LAND_COVER_GROUPS: tuple[str, ...] = ("forest", "grassland", "cropland", "barren")
NDVI_LEVELS: tuple[str, ...] = ("low", "medium", "high")
N_CLASSES = len(LAND_COVER_GROUPS) * len(NDVI_LEVELS)
EXCLUDED = -1

_GROUP_OF_CODE = {
    1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 8: 0,  # forest
    7: 1, 9: 1, 10: 1, 11: 1,  # grassland
    12: 2, 14: 2,  # cropland
    13: 3, 16: 3,  # barren
    15: EXCLUDED, 17: EXCLUDED,  # snow and ice, water
}
# Index by IGBP code (0..17); code 0 and anything unknown is excluded.
IGBP_TO_GROUP: np.ndarray = np.full(18, EXCLUDED, dtype=np.int8)
for _code, _group in _GROUP_OF_CODE.items():
    IGBP_TO_GROUP[_code] = _group


def group_land_cover(codes: np.ndarray) -> np.ndarray:
    """Land-cover group (0 forest, 1 grassland, 2 cropland, 3 barren) of IGBP codes.

    Parameters
    ----------
    codes : numpy.ndarray
        IGBP land-cover codes 1..17 (MODIS MCD12Q1 LC_Type1), any shape; NaN or
        codes outside 1..17 are treated as missing.

    Returns
    -------
    numpy.ndarray of int8, same shape
        Group codes; -1 for snow and ice (15), water (17) and missing codes.
    """
    codes = np.asarray(codes)
    valid = np.isfinite(codes) & (codes >= 1) & (codes <= 17)
    safe = np.where(valid, codes, 0).astype(np.int64)
    return IGBP_TO_GROUP[safe]


def ndvi_level(ndvi: np.ndarray, breaks: Sequence[float] = (0.3, 0.6)) -> np.ndarray:
    """NDVI level: 0 low (< low break), 1 medium (between, both ends included), 2 high.

    Parameters
    ----------
    ndvi : numpy.ndarray
        NDVI (dimensionless), any shape; NaN allowed.
    breaks : pair of float, default (0.3, 0.6)
        The low and high break. A value equal to a break is medium:
        low ``< breaks[0] <=`` medium ``<= breaks[1] <`` high
        (section 2.3.1 of Yin et al. 2023 leaves the boundary side open).

    Returns
    -------
    numpy.ndarray of int8, same shape
        0, 1 or 2; -1 where NDVI is NaN.
    """
    low, high = float(breaks[0]), float(breaks[1])
    if not low < high:
        raise ValueError(f"ndvi_level: breaks must be increasing, got {list(breaks)}; "
                         "set downscaling.ndvi_breaks to [low, high] with low < high")
    ndvi = np.asarray(ndvi)
    level = (ndvi >= low).astype(np.int8) + (ndvi > high).astype(np.int8)
    return np.where(np.isnan(ndvi), np.int8(EXCLUDED), level).astype(np.int8)


def class_code(group: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Regression class ``3 * group + level`` (0..11); -1 where either is -1.

    Parameters
    ----------
    group : numpy.ndarray of int
        From :func:`group_land_cover`; broadcast against ``level``.
    level : numpy.ndarray of int
        From :func:`ndvi_level`.

    Returns
    -------
    numpy.ndarray of int8, the broadcast shape
    """
    group = np.asarray(group, dtype=np.int8)
    level = np.asarray(level, dtype=np.int8)
    code = group * np.int8(len(NDVI_LEVELS)) + level
    return np.where((group < 0) | (level < 0), np.int8(EXCLUDED), code).astype(np.int8)


def coarse_land_cover(group: np.ndarray, index: np.ndarray, n_cells: int) -> np.ndarray:
    """Majority land-cover group of the fine pixels inside each coarse cell.

    Excluded pixels (snow and ice, water) vote as their own group, so a cell
    mostly of water or ice is excluded too. Ties go to the lower group code
    (forest before grassland before cropland before barren before excluded).

    Parameters
    ----------
    group : numpy.ndarray of int, shape (ny, nx)
        Fine-grid group codes from :func:`group_land_cover`.
    index : numpy.ndarray of int, shape (ny, nx)
        Flat coarse-cell index of each fine cell (:func:`smvar.grid.fine_to_coarse_index`).
    n_cells : int
        Number of coarse cells.

    Returns
    -------
    numpy.ndarray of int8, shape (n_cells,)
        Group code of each coarse cell; -1 when excluded or holding no fine pixel.
    """
    n_groups = len(LAND_COVER_GROUPS)
    votes = np.where(np.asarray(group) < 0, n_groups, group)
    majority = block_majority(votes, index, n_cells, n_groups + 1)
    return np.where((majority < 0) | (majority == n_groups), EXCLUDED, majority).astype(np.int8)


def coarse_ndvi(ndvi: np.ndarray, index: np.ndarray, n_cells: int) -> np.ndarray:
    """Mean NDVI of the finite fine pixels inside each coarse cell.

    Parameters
    ----------
    ndvi : numpy.ndarray, shape (..., ny, nx)
        Fine-grid NDVI (dimensionless); NaN ignored.
    index : numpy.ndarray of int, shape (ny, nx)
        Flat coarse-cell index of each fine cell.
    n_cells : int
        Number of coarse cells.

    Returns
    -------
    numpy.ndarray of float64, shape (..., n_cells)
        NaN where a cell holds no finite NDVI.
    """
    return block_mean(ndvi, index, n_cells)


def class_labels() -> list[str]:
    """Labels ``"group/level"`` of the class codes 0..11, in code order."""
    return [f"{g}/{lv}" for g in LAND_COVER_GROUPS for lv in NDVI_LEVELS]
