"""Regression classes of the downscaling: land-cover groups, NDVI levels and their boundaries."""

import numpy as np

from smvar.downscaling.classes import (
    IGBP_TO_GROUP,
    class_code,
    class_labels,
    coarse_land_cover,
    coarse_ndvi,
    group_land_cover,
    ndvi_level,
)


def test_ndvi_breaks_belong_to_the_medium_level():
    ndvi = np.array([0.0, 0.2999, 0.3, 0.45, 0.6, 0.6001, 1.0, np.nan])
    assert ndvi_level(ndvi).tolist() == [0, 0, 1, 1, 1, 2, 2, -1]


def test_ndvi_level_uses_configured_breaks():
    assert ndvi_level(np.array([0.2, 0.25, 0.5, 0.51]), (0.25, 0.5)).tolist() == [0, 1, 1, 2]


def test_igbp_codes_map_to_four_groups_and_snow_and_water_are_excluded():
    codes = np.arange(1, 18)
    groups = group_land_cover(codes)
    assert groups[[0, 1, 2, 3, 4, 5, 7]].tolist() == [0] * 7  # forests, closed shrub, woody savanna
    assert groups[[6, 8, 9, 10]].tolist() == [1] * 4  # open shrub, savanna, grassland, wetland
    assert groups[[11, 13]].tolist() == [2, 2]  # cropland, mosaic
    assert groups[[12, 15]].tolist() == [3, 3]  # urban, barren
    assert groups[[14, 16]].tolist() == [-1, -1]  # snow and ice, water
    assert group_land_cover(np.array([0, 18, np.nan])).tolist() == [-1, -1, -1]
    assert IGBP_TO_GROUP.size == 18


def test_class_code_combines_group_and_level_and_propagates_exclusion():
    assert class_code(np.array([0, 1, 3, -1, 2]), np.array([0, 2, 2, 1, -1])).tolist() == [0, 5, 11, -1, -1]
    assert class_labels()[5] == "grassland/high"


def test_coarse_land_cover_is_the_majority_group_with_excluded_voting():
    index = np.array([[0, 0, 0, 1, 1, 1]])
    group = np.array([[0, 1, 1, -1, -1, 2]])
    assert coarse_land_cover(group, index, 3).tolist() == [1, -1, -1]


def test_coarse_ndvi_is_the_mean_of_finite_fine_values():
    index = np.array([[0, 0, 1, 1]])
    ndvi = np.array([[[0.2, 0.4, np.nan, 0.8]]])
    np.testing.assert_allclose(coarse_ndvi(ndvi, index, 2), [[0.3, 0.8]])
