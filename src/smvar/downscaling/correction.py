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
    those pixels (Eq. 4): evenly, as the paper does, or (options of ours)
    interpolated bilinearly between cell centres, either then evened out so
    that the cell means stay exact ("smooth") or left as interpolated
    ("interpolated").
bilinear_weights, interpolate_cells
    Bilinear interpolation from coarse cell centres to points, NaN-aware.
clip_to_range
    Keep values within [0, saturated water content], counting what was clipped.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SOURCES", "coarse_product", "correct_to_coarse", "clip_to_range", "bilinear_weights", "interpolate_cells"]

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
    theta: np.ndarray,
    cell: np.ndarray,
    coarse: np.ndarray,
    smooth: tuple[np.ndarray, np.ndarray] | None = None,
    keep_cell_means: bool = True,
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
    smooth : (corners, weights) or (corners, weights, matrix), optional
        From :func:`bilinear_weights` at the pixels (and :func:`interpolation_matrix`). None (default) spreads
        Δθ evenly over the cell's pixels, as the paper does. Given, Δθ is
        first interpolated bilinearly between cell centres (so that it does
        not jump at cell edges), then the remaining difference of each cell
        is spread evenly, so the cell means are still exact.
    keep_cell_means : bool, default True
        Only with ``smooth``. False adds the interpolated Δθ and stops there:
        the result is the bilinear interpolation of the coarse product plus
        the within-cell pattern of Eq. 2, and the cell means are no longer
        exactly the product's values. A pixel whose four surrounding cells
        have no Δθ keeps its Eq. 2 value.

    Returns
    -------
    corrected : numpy.ndarray of float64, shape (n_days, n_pixels)
        m3 m-3.
    delta : numpy.ndarray of float64, shape (n_days, n_coarse_cells)
        Δθ of every day and cell (Eq. 3), m3 m-3; NaN where the cell holds no
        valid pixel or has no coarse value.
    """
    theta = np.asarray(theta, dtype=np.float64)
    delta = coarse - _cell_means(theta, cell, coarse.shape[1])
    if smooth is not None:
        spread = interpolate_cells(delta, *smooth)
        if not keep_cell_means:
            return theta + np.where(np.isfinite(spread), spread, 0.0), delta
        theta = theta + spread
        coarse = np.where(np.isfinite(delta), coarse, np.nan)
        return _shift_evenly(theta, cell, coarse - _cell_means(theta, cell, coarse.shape[1])), delta
    return _shift_evenly(theta, cell, delta), delta


def _cell_means(theta: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Mean of the finite values of each (day, cell), NaN where none; one bincount."""
    n_days = theta.shape[0]
    valid = np.isfinite(theta) & (cell >= 0)[None, :]
    key = (np.arange(n_days, dtype=np.int64)[:, None] * n_cells + cell[None, :])[valid]
    sums = np.bincount(key, weights=theta[valid], minlength=n_days * n_cells)
    counts = np.bincount(key, minlength=n_days * n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan).reshape(n_days, n_cells)


def _shift_evenly(theta: np.ndarray, cell: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Add each (day, cell)'s delta to the cell's pixels; NaN delta adds 0."""
    n_days, n_cells = delta.shape
    shift = np.append(np.where(np.isfinite(delta), delta, 0.0).ravel(), 0.0)
    key = np.arange(n_days, dtype=np.int64)[:, None] * n_cells + cell[None, :]
    key = np.where(cell[None, :] >= 0, key, shift.size - 1)
    return theta + shift[key]


def bilinear_weights(
    lat_c: np.ndarray, lon_c: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Corners and weights of bilinear interpolation from a regular grid's centres.

    Parameters
    ----------
    lat_c, lon_c : numpy.ndarray
        Cell-centre latitudes and longitudes of the grid (regular), degrees.
    lat, lon : numpy.ndarray, shape (n_points,)
        The points, degrees. Beyond the outermost centres the edge value is held.

    Returns
    -------
    corners : numpy.ndarray of int64, shape (n_points, 4)
        Flat cell indices (row * n_lon + col) of the four surrounding centres.
    weights : numpy.ndarray, shape (n_points, 4)
        Their weights, summing to 1.
    """
    r0, r1, fr = _axis_position(np.asarray(lat_c, float), np.asarray(lat, float))
    c0, c1, fc = _axis_position(np.asarray(lon_c, float), np.asarray(lon, float))
    n_lon = np.asarray(lon_c).size
    corners = np.stack([r0 * n_lon + c0, r0 * n_lon + c1, r1 * n_lon + c0, r1 * n_lon + c1], axis=-1)
    weights = np.stack([(1 - fr) * (1 - fc), (1 - fr) * fc, fr * (1 - fc), fr * fc], axis=-1)
    return corners, weights


def _axis_position(centres: np.ndarray, values: np.ndarray):
    step = centres[1] - centres[0] if centres.size > 1 else 1.0
    pos = np.clip((values - centres[0]) / step, 0, centres.size - 1)
    lo = np.minimum(np.floor(pos).astype(np.int64), max(centres.size - 2, 0))
    return lo, np.minimum(lo + 1, centres.size - 1), np.clip(pos - lo, 0.0, 1.0)


def interpolation_matrix(corners: np.ndarray, weights: np.ndarray, n_cells: int):
    """The sparse (points x cells) matrix of bilinear weights, for :func:`interpolate_cells`."""
    from scipy import sparse

    rows = np.repeat(np.arange(corners.shape[0]), corners.shape[1])
    return sparse.csr_matrix((weights.ravel(), (rows, corners.ravel())), shape=(corners.shape[0], n_cells))


def interpolate_cells(values: np.ndarray, corners: np.ndarray, weights: np.ndarray, matrix=None) -> np.ndarray:
    """Bilinear interpolation of (n_days, n_cells) values to points, NaN-aware.

    NaN corners are left out and the other weights renormalised; a point whose
    four corners are all NaN gets NaN. ``matrix`` (from :func:`interpolation_matrix`)
    saves building it again when the same points are interpolated often.

    Returns
    -------
    numpy.ndarray of float64, shape (n_days, n_points)
    """
    values = np.asarray(values, dtype=np.float64)
    # A sparse (points x cells) matrix of the weights: the weighted sum of the
    # finite corners and the sum of their weights are two products with it.
    if matrix is None:
        matrix = interpolation_matrix(corners, weights, values.shape[1])
    finite = np.isfinite(values)
    total = (matrix @ np.where(finite, values, 0.0).T).T
    weight = (matrix @ finite.T.astype(np.float64)).T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / weight, np.nan)


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
