"""Soil-moisture downscaling of Yin et al. 2023 (section 2.3.1, Eq. 1-4) and its validation.

Provides
--------
downscale, monthly_mean, DownscalingResult
    The whole method from the input contract (:mod:`.pipeline`).
fit_classes, ClassFits, FALLBACKS
    Eq. 1: per day and class regression at 0.1 degree (:mod:`.regression`).
apply_coefficients, lst_difference
    Eq. 2 at 1 km (:mod:`.apply`).
coarse_product, correct_to_coarse, clip_to_range, SOURCES
    Eq. 3-4 and the physical range (:mod:`.correction`).
group_land_cover, ndvi_level, class_code, LAND_COVER_GROUPS, NDVI_LEVELS
    The regression classes (:mod:`.classes`).
metrics, validate_against_reference, bilinear_baseline, daily_errors,
twin_skill, coefficients_by_month
    Validation, as the paper's Fig. 2 and beyond it (:mod:`.validation`).
"""

from smvar.downscaling.apply import apply_coefficients, lst_difference
from smvar.downscaling.classes import (
    LAND_COVER_GROUPS,
    N_CLASSES,
    NDVI_LEVELS,
    class_code,
    class_labels,
    group_land_cover,
    ndvi_level,
)
from smvar.downscaling.correction import SOURCES, clip_to_range, coarse_product, correct_to_coarse
from smvar.composites import monthly_mean
from smvar.downscaling.pipeline import CORRECTIONS, DownscalingResult, downscale
from smvar.downscaling.regression import FALLBACKS, ClassFits, fit_classes
from smvar.downscaling.validation import (
    bilinear_baseline,
    coefficients_by_month,
    daily_errors,
    metrics,
    twin_skill,
    validate_against_reference,
)

__all__ = [
    "CORRECTIONS", "downscale", "monthly_mean", "DownscalingResult",
    "fit_classes", "ClassFits", "FALLBACKS",
    "apply_coefficients", "lst_difference",
    "coarse_product", "correct_to_coarse", "clip_to_range", "SOURCES",
    "group_land_cover", "ndvi_level", "class_code", "class_labels",
    "LAND_COVER_GROUPS", "NDVI_LEVELS", "N_CLASSES",
    "metrics", "validate_against_reference", "bilinear_baseline", "daily_errors",
    "twin_skill", "coefficients_by_month",
]
