"""Eq. 1: per day and class least squares, its fallbacks, and Eq. 2."""

import numpy as np
import pytest

from smvar.downscaling.apply import apply_coefficients
from smvar.downscaling.regression import FALLBACKS, fit_classes


def _planted(n_days=3, n_cells=240, seed=1):
    rng = np.random.default_rng(seed)
    classes = rng.integers(0, 12, (n_days, n_cells))
    a = rng.uniform(-0.02, -0.001, (n_days, 12))
    b = rng.uniform(0.1, 0.4, (n_days, 12))
    x = rng.uniform(2, 30, (n_days, n_cells))
    key = np.arange(n_days)[:, None] * 12 + classes
    y = a.ravel()[key] * x + b.ravel()[key]
    return x, y, classes, a, b


def test_planted_coefficients_are_recovered_exactly():
    x, y, classes, a, b = _planted()
    fits = fit_classes(y, x, classes, min_cells=3)
    assert (fits.fallback == 0).all()
    np.testing.assert_allclose(fits.a, a, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(fits.b, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fits.r2, 1.0, atol=1e-9)


def test_fit_matches_hand_computed_least_squares():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    y = np.array([[1.0, 3.0, 2.0, 5.0]])
    fits = fit_classes(y, x, np.zeros((1, 4), int), min_cells=3, min_dlst_std=0.0)
    # means 2.5 and 2.75; Sxx = 5, Sxy = 5.5, Syy = 8.75
    # slope = 5.5 / 5 = 1.1; intercept = 2.75 - 1.1 * 2.5 = 0; R² = 5.5² / (5 * 8.75)
    assert fits.a[0, 0] == pytest.approx(1.1)
    assert fits.b[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert fits.r2[0, 0] == pytest.approx(5.5**2 / (5 * 8.75))
    assert fits.n[0, 0] == 4


def test_empty_class_falls_back_to_its_land_cover_then_to_all_cells():
    x, y, classes, _, _ = _planted(n_days=1)
    classes = np.where(classes == 4, 3, classes)  # grassland/medium (4) empty: grassland pooled
    classes = np.where(np.isin(classes, [6, 7, 8]), 0, classes)  # all cropland empty: all cells
    fits = fit_classes(y, x, classes, min_cells=3)
    assert fits.n_class[0, 4] == 0
    assert FALLBACKS[fits.fallback[0, 4]] == "land_cover"
    assert fits.n[0, 4] == np.isin(classes, [3, 4, 5]).sum()
    assert [FALLBACKS[k] for k in fits.fallback[0, 6:9]] == ["all_cells"] * 3
    assert fits.n[0, 6] == classes.size
    assert FALLBACKS[fits.fallback[0, 0]] == "class"


def test_no_spread_in_lst_difference_triggers_the_fallback():
    x, y, classes, _, _ = _planted(n_days=1)
    x = np.where(classes == 9, 12.0, x)
    fits = fit_classes(y, x, classes, min_cells=3)
    assert FALLBACKS[fits.fallback[0, 9]] == "land_cover"


def test_a_day_without_valid_cells_has_no_fit():
    x, y, classes, _, _ = _planted(n_days=2)
    y[1] = np.nan
    fits = fit_classes(y, x, classes, min_cells=3)
    assert (fits.fallback[1] == FALLBACKS.index("none")).all()
    assert np.isnan(fits.a[1]).all() and (fits.n[1] == 0).all()
    assert (fits.fallback[0] == 0).all()


def test_nan_cells_and_excluded_cells_are_left_out():
    x, y, classes, a, b = _planted(n_days=1)
    y[0, :10] = np.nan
    x[0, 10:20] = np.nan
    classes[0, 20:30] = -1
    y[0, 20:30] = 99.0  # would spoil the fit if used
    fits = fit_classes(y, x, classes, min_cells=3)
    np.testing.assert_allclose(fits.a, a, rtol=1e-9)


def test_apply_uses_each_pixels_day_and_class():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.1, 0.2], [0.3, 0.4]])
    dlst = np.array([[10.0, 10.0, 10.0], [1.0, 1.0, np.nan]])
    classes = np.array([[0, 1, -1], [1, 0, 0]])
    out = apply_coefficients(dlst, classes, a, b)
    np.testing.assert_allclose(out, [[10.1, 20.2, np.nan], [4.4, 3.3, np.nan]])
