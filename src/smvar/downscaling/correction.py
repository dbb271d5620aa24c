"""Eq. 3-4 of Yin et al. 2023: correction of the 1 km field by the 0.25 degree product, and clipping.

Provides
--------
SOURCES
    Names of the source codes of the 0.25 degree value: 0 ``"cci"``,
    1 ``"smops"``, 2 ``"none"`` (neither has a value; no correction).
coarse_product
    The 0.25 degree soil moisture used: the ESA-CCI-role value where there is
    one, else the SMOPS-role value, with the source of every value.
correct_to_coarse
    Δθ = θ_25km − mean of the 1 km values inside the cell (Eq. 3), added to
    those pixels (Eq. 4).
clip_to_range
    Keep values within [0, saturated water content], counting what was clipped.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SOURCES", "coarse_product", "correct_to_coarse", "clip_to_range"]

SOURCES: tuple[str, ...] = ("cci", "smops", "none")


def coarse_product(cci: np.ndarray, smops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 0.25 degree soil moisture of the correction: CCI where it has a value, else SMOPS.

    Parameters
    ----------
    cci : numpy.ndarray
        ESA-CCI-role soil moisture, m3 m-3, NaN in gaps.
    smops : numpy.ndarray, same shape
        SMOPS-role soil moisture, m3 m-3 (gap-free in principle; NaN allowed).

    Returns
    -------
    values : numpy.ndarray of float64
        m3 m-3; NaN where neither product has a value.
    source : numpy.ndarray of int8
        Index into :data:`SOURCES`.
    """
    cci = np.asarray(cci, dtype=np.float64)
    smops = np.asarray(smops, dtype=np.float64)
    has_cci, has_smops = np.isfinite(cci), np.isfinite(smops)
    values = np.where(has_cci, cci, np.where(has_smops, smops, np.nan))
    source = np.select([has_cci, has_smops], [0, 1], default=2).astype(np.int8)
    return values, source


def correct_to_coarse(
    theta: np.ndarray, cell: np.ndarray, coarse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shift the 1 km values of each coarse cell so that their mean equals the cell's value.

    Eq. 3 of Yin et al. 2023: Δθ = θ_25km − (1/n) Σ θ_1km over the n valid 1 km
    pixels inside the cell; Eq. 4: θ^_1km = θ_1km + Δθ.

    Parameters
    ----------
    theta : numpy.ndarray, shape (n_days, n_pixels)
        Downscaled soil moisture before correction (Eq. 2), m3 m-3; NaN pixels
        take no part and stay NaN.
    cell : numpy.ndarray of int, shape (n_pixels,)
        Flat index of the 0.25 degree cell of each pixel; -1 outside the grid.
    coarse : numpy.ndarray, shape (n_days, n_coarse_cells)
        The 0.25 degree value of each day and cell (from :func:`coarse_product`),
        m3 m-3. Where it is NaN, Δθ is 0: the pixels keep their Eq. 2 value.

    Returns
    -------
    corrected : numpy.ndarray of float64, shape (n_days, n_pixels)
        m3 m-3.
    delta : numpy.ndarray of float64, shape (n_days, n_coarse_cells)
        Δθ of every day and cell, m3 m-3; NaN where the cell holds no valid
        pixel or has no coarse value.
    """
    theta = np.asarray(theta, dtype=np.float64)
    n_days, n_cells = coarse.shape
    valid = np.isfinite(theta) & (cell >= 0)[None, :]
    key = (np.arange(n_days, dtype=np.int64)[:, None] * n_cells + cell[None, :])[valid]
    sums = np.bincount(key, weights=theta[valid], minlength=n_days * n_cells)
    counts = np.bincount(key, minlength=n_days * n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / counts, np.nan).reshape(n_days, n_cells)
    delta = coarse - mean
    shift = np.append(np.where(np.isfinite(delta), delta, 0.0).ravel(), 0.0)
    full_key = np.arange(n_days, dtype=np.int64)[:, None] * n_cells + cell[None, :]
    full_key = np.where(cell[None, :] >= 0, full_key, shift.size - 1)
    return theta + shift[full_key], delta


def clip_to_range(
    theta: np.ndarray, upper: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clip soil moisture to the physical range [0, saturated water content].

    Clipping changes the mean inside a 0.25 degree cell, so after it the
    correction's mean preservation (Eq. 3-4) holds only approximately.

    Parameters
    ----------
    theta : numpy.ndarray, shape (n_days, n_pixels)
        Soil moisture, m3 m-3; NaN stays NaN.
    upper : numpy.ndarray, shape (n_pixels,), or None
        Saturated water content, m3 m-3; NaN or None means no upper bound.

    Returns
    -------
    clipped : numpy.ndarray, same shape and dtype as ``theta``
    n_low, n_high : numpy.ndarray of int64, shape (n_days,)
        Pixels raised to 0 and lowered to the upper bound, per day.
    """
    theta = np.asarray(theta)
    low = theta < 0
    if upper is None:
        high = np.zeros_like(low)
        bound = np.inf
    else:
        bound = np.where(np.isfinite(upper), upper, np.inf)[None, :]
        high = theta > bound
    clipped = np.where(low, 0.0, np.where(high, bound, theta)).astype(theta.dtype)
    return clipped, low.sum(axis=1), high.sum(axis=1)
