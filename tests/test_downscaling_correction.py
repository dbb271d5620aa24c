"""Eq. 3-4: correction by the 0.25 degree product, the CCI/SMOPS choice, and clipping."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smvar.downscaling.correction import SOURCES, clip_to_range, coarse_product, correct_to_coarse


def test_cci_gap_is_filled_by_smops_and_recorded():
    cci = np.array([[0.2, np.nan, np.nan]])
    smops = np.array([[0.3, 0.25, np.nan]])
    values, source = coarse_product(cci, smops)
    np.testing.assert_allclose(values, [[0.2, 0.25, np.nan]])
    assert [SOURCES[k] for k in source[0]] == ["cci", "smops", "none"]


def test_corrected_cell_means_equal_the_coarse_values():
    rng = np.random.default_rng(3)
    cell = rng.integers(0, 5, 400)
    theta = rng.uniform(0.0, 0.4, (4, 400))
    coarse = rng.uniform(0.05, 0.35, (4, 5))
    corrected, delta = correct_to_coarse(theta, cell, coarse)
    for t in range(4):
        means = np.bincount(cell, weights=corrected[t], minlength=5) / np.bincount(cell, minlength=5)
        np.testing.assert_allclose(means, coarse[t], atol=1e-12)
    hand = coarse[0, 2] - theta[0, cell == 2].mean()
    assert delta[0, 2] == np.float64(hand) or abs(delta[0, 2] - hand) < 1e-14


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(0, 10_000))
def test_mean_preservation_holds_with_nan_pixels(n_cells, seed):
    rng = np.random.default_rng(seed)
    cell = rng.integers(-1, n_cells, 60)
    theta = rng.uniform(0.0, 0.5, (2, 60))
    theta[rng.random((2, 60)) < 0.2] = np.nan
    coarse = rng.uniform(0.0, 0.5, (2, n_cells))
    corrected, _ = correct_to_coarse(theta, cell, coarse)
    assert np.array_equal(np.isnan(corrected), np.isnan(theta))
    for t in range(2):
        for k in range(n_cells):
            values = corrected[t, (cell == k) & np.isfinite(theta[t])]
            if values.size:
                assert abs(values.mean() - coarse[t, k]) < 1e-12


def test_no_coarse_value_leaves_pixels_uncorrected():
    theta = np.array([[0.1, 0.2, 0.3, 0.4]])
    cell = np.array([0, 0, 1, 1])
    corrected, delta = correct_to_coarse(theta, cell, np.array([[0.5, np.nan]]))
    np.testing.assert_allclose(corrected, [[0.45, 0.55, 0.3, 0.4]])
    assert np.isnan(delta[0, 1])


def test_clipping_counts_low_and_high_and_ignores_nan_upper():
    theta = np.array([[-0.1, 0.2, 0.6, 0.7, np.nan]])
    upper = np.array([0.45, 0.45, 0.45, np.nan, 0.45])
    clipped, n_low, n_high = clip_to_range(theta, upper)
    np.testing.assert_allclose(clipped, [[0.0, 0.2, 0.45, 0.7, np.nan]])
    assert n_low.tolist() == [1] and n_high.tolist() == [1]


def test_smooth_spreading_keeps_cell_means_exact():
    from smvar.downscaling.correction import bilinear_weights

    rng = np.random.default_rng(8)
    lat_c, lon_c = np.array([39.375, 39.125]), np.array([100.125, 100.375, 100.625])
    lat = rng.uniform(39.0, 39.5, 300)
    lon = rng.uniform(100.0, 100.75, 300)
    cell = (np.floor((39.5 - lat) / 0.25) * 3 + np.floor((lon - 100.0) / 0.25)).astype(int)
    theta = rng.uniform(0.05, 0.3, (2, 300))
    coarse = rng.uniform(0.1, 0.3, (2, 6))
    corrected, delta = correct_to_coarse(theta, cell, coarse, smooth=bilinear_weights(lat_c, lon_c, lat, lon))
    for k in range(6):
        np.testing.assert_allclose(corrected[:, cell == k].mean(axis=1), coarse[:, k], atol=1e-12)
    even, delta_even = correct_to_coarse(theta, cell, coarse)
    np.testing.assert_allclose(delta, delta_even)
    assert not np.allclose(corrected, even)


def _two_by_three_cells(n_points: int, seed: int):
    from smvar.downscaling.correction import bilinear_weights

    rng = np.random.default_rng(seed)
    lat_c, lon_c = np.array([39.375, 39.125]), np.array([100.125, 100.375, 100.625])
    lat = rng.uniform(39.0, 39.5, n_points)
    lon = rng.uniform(100.0, 100.75, n_points)
    cell = (np.floor((39.5 - lat) / 0.25) * 3 + np.floor((lon - 100.0) / 0.25)).astype(int)
    return lat_c, lon_c, lat, lon, cell, bilinear_weights(lat_c, lon_c, lat, lon)


def test_interpolated_correction_of_a_uniform_field_is_the_bilinear_product():
    # A field with no within-cell pattern: Δθ = coarse - c, so θ + interpolated Δθ
    # is exactly the bilinear interpolation of the coarse values.
    from smvar.downscaling.correction import interpolate_cells

    *_, cell, weights = _two_by_three_cells(300, seed=9)
    theta = np.full((2, 300), 0.2)
    coarse = np.array([[0.10, 0.15, 0.20, 0.25, 0.30, 0.35], [0.3, 0.3, 0.1, 0.1, 0.2, 0.2]])
    corrected, delta = correct_to_coarse(theta, cell, coarse, smooth=weights, keep_cell_means=False)
    np.testing.assert_allclose(delta, coarse - 0.2, atol=1e-15)
    np.testing.assert_allclose(corrected, interpolate_cells(coarse, *weights), atol=1e-14)


def test_interpolated_correction_adds_the_interpolated_delta_and_is_exact_at_cell_centres():
    from smvar.downscaling.correction import bilinear_weights

    lat_c, lon_c, lat, lon, cell, weights = _two_by_three_cells(300, seed=10)
    rng = np.random.default_rng(1)
    theta = rng.uniform(0.05, 0.3, (1, 300))
    coarse = rng.uniform(0.1, 0.3, (1, 6))
    corrected, delta = correct_to_coarse(theta, cell, coarse, smooth=weights, keep_cell_means=False)
    even, _ = correct_to_coarse(theta, cell, coarse)
    # By hand at one pixel: the four corner weights of bilinear interpolation.
    corners, w = weights
    hand = theta[0, 17] + sum(w[17, j] * delta[0, corners[17, j]] for j in range(4))
    assert corrected[0, 17] == pytest.approx(hand, abs=1e-15)
    # A pixel at a cell centre gets that cell's Δθ, as in Eq. 4.
    centre_corners, centre_w = bilinear_weights(lat_c, lon_c, np.array([39.125]), np.array([100.375]))
    assert centre_w[0].max() == pytest.approx(1.0) and centre_corners[0][np.argmax(centre_w[0])] == 4
    # The cell means are no longer exact, but the spread differs from the even one.
    assert not np.allclose(corrected, even)


def test_interpolated_correction_leaves_pixels_without_any_delta_uncorrected():
    *_, cell, weights = _two_by_three_cells(50, seed=11)
    theta = np.full((1, 50), 0.2)
    corrected, _ = correct_to_coarse(theta, cell, np.full((1, 6), np.nan), smooth=weights,
                                     keep_cell_means=False)
    np.testing.assert_array_equal(corrected, theta)
