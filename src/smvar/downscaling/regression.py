"""Eq. 1 of Yin et al. 2023: daily per-class regression of soil moisture on the LST difference.

Provides
--------
FALLBACKS
    Names of the fallback codes: 0 ``"class"`` (the class's own fit),
    1 ``"land_cover"`` (NDVI levels of the class's land cover pooled),
    2 ``"all_cells"`` (every valid cell of the day pooled), 3 ``"none"``
    (no usable fit that day: coefficients NaN).
ClassFits
    Coefficients ``a`` and ``b`` of every (day, class), the number of cells
    ``n`` and ``r2`` of the fit actually used, the fallback code, and ``n_class``
    (cells in the class itself).
fit_classes
    Fit θ = a·ΔLST + b by least squares for every day and class at once.

Notes
-----
The fit needs only six sums per (day, class): n, Σx, Σy, Σx², Σxy, Σy². They
are accumulated with one ``np.bincount`` each over the key ``day * 12 + class``
(no loop over cells), and the pooled fits of the fallbacks are sums of those
sums. To avoid cancellation, x and y are first centred on each day's mean.

Fallback order, for a class with fewer than ``min_cells`` cells or a ΔLST
standard deviation below ``min_dlst_std``: (1) the fit of all NDVI levels of
the same land cover that day, (2) the fit of all valid cells that day, (3)
none: a and b are NaN and the day's pixels of that class get no value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smvar.downscaling.classes import LAND_COVER_GROUPS, N_CLASSES, NDVI_LEVELS

__all__ = ["FALLBACKS", "ClassFits", "fit_classes", "fit_from_sums"]

FALLBACKS: tuple[str, ...] = ("class", "land_cover", "all_cells", "none")


@dataclass
class ClassFits:
    """Regression coefficients of Eq. 1 for every day and class.

    Attributes
    ----------
    a : numpy.ndarray, shape (n_days, 12)
        Slope, m3 m-3 K-1 (NaN where fallback is "none").
    b : numpy.ndarray, shape (n_days, 12)
        Intercept, m3 m-3.
    n : numpy.ndarray of int, shape (n_days, 12)
        Number of 0.1 degree cells of the fit used.
    r2 : numpy.ndarray, shape (n_days, 12)
        Coefficient of determination of the fit used (NaN when soil moisture
        has no spread).
    fallback : numpy.ndarray of int8, shape (n_days, 12)
        Index into :data:`FALLBACKS`.
    n_class : numpy.ndarray of int, shape (n_days, 12)
        Number of cells in the class itself.
    """

    a: np.ndarray
    b: np.ndarray
    n: np.ndarray
    r2: np.ndarray
    fallback: np.ndarray
    n_class: np.ndarray


def fit_from_sums(sums: np.ndarray, min_cells: int, min_dlst_std: float) -> tuple[np.ndarray, ...]:
    """Least-squares line from the six sums (n, Σx, Σy, Σx², Σxy, Σy²).

    Parameters
    ----------
    sums : numpy.ndarray, shape (..., 6)
        Sums over the cells of each fit, x and y centred on an offset.
    min_cells : int
        Fewer cells than this make the fit unusable.
    min_dlst_std : float
        A ΔLST standard deviation (K) below this makes the fit unusable.

    Returns
    -------
    a, b, r2, ok : numpy.ndarray, shape (...)
        Slope, intercept (in the centred frame), R² and whether the fit is usable.
    """
    n, sx, sy, sxx, sxy, syy = np.moveaxis(sums, -1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = sx / n, sy / n
        cxx = np.maximum(sxx - sx * mx, 0.0)
        cxy = sxy - sx * my
        cyy = np.maximum(syy - sy * my, 0.0)
        ok = (n >= min_cells) & (cxx > n * min_dlst_std**2)
        a = np.where(ok, cxy / cxx, np.nan)
        b = np.where(ok, my - a * mx, np.nan)
        r2 = np.where(ok & (cyy > 0), cxy**2 / (cxx * cyy), np.nan)
    return a, b, np.minimum(r2, 1.0), ok


def fit_classes(
    theta: np.ndarray,
    dlst: np.ndarray,
    classes: np.ndarray,
    min_cells: int = 10,
    min_dlst_std: float = 0.1,
) -> ClassFits:
    """Fit θ = a·ΔLST + b for every day and class (Eq. 1 of Yin et al. 2023).

    Parameters
    ----------
    theta : numpy.ndarray, shape (n_days, n_cells)
        Reanalysis soil moisture at 0.1 degree, m3 m-3 (the ERA5-Land role).
    dlst : numpy.ndarray, shape (n_days, n_cells)
        Day minus night LST at 0.1 degree, K.
    classes : numpy.ndarray of int, shape (n_days, n_cells) or (n_cells,)
        Class code 0..11 of each cell (``3 * land-cover group + NDVI level``),
        -1 for cells left out (outside the basin, excluded land cover, no NDVI).
    min_cells : int, default 10
        Fewest cells for a class's own fit (``downscaling.min_cells_per_class``).
    min_dlst_std : float, default 0.1
        Smallest ΔLST standard deviation (K) for a usable fit.

    Returns
    -------
    ClassFits
        With the fallback used for every (day, class); see :data:`FALLBACKS`.
    """
    theta = np.asarray(theta, dtype=np.float64)
    dlst = np.asarray(dlst, dtype=np.float64)
    if theta.shape != dlst.shape or theta.ndim != 2:
        raise ValueError(
            f"fit_classes: theta {theta.shape} and dlst {dlst.shape} must both be (n_days, n_cells)"
        )
    n_days = theta.shape[0]
    classes = np.broadcast_to(np.asarray(classes), theta.shape)
    valid = (classes >= 0) & np.isfinite(theta) & np.isfinite(dlst)
    x0, y0 = _day_means(dlst, valid), _day_means(theta, valid)
    sums = _class_sums(theta - y0[:, None], dlst - x0[:, None], classes, valid)
    n_groups, n_levels = len(LAND_COVER_GROUPS), len(NDVI_LEVELS)
    by_group = sums.reshape(n_days, n_groups, n_levels, 6).sum(axis=2)
    by_day = sums.sum(axis=1)
    own = fit_from_sums(sums, min_cells, min_dlst_std)
    group = [np.repeat(v, n_levels, axis=1) for v in fit_from_sums(by_group, min_cells, min_dlst_std)]
    day = [np.repeat(v[:, None], N_CLASSES, axis=1) for v in fit_from_sums(by_day, min_cells, min_dlst_std)]
    n_own = sums[..., 0]
    n_group = np.repeat(by_group[..., 0], n_levels, axis=1)
    n_day = np.repeat(by_day[:, None, 0], N_CLASSES, axis=1)
    fallback = np.select([own[3], group[3], day[3]], [0, 1, 2], default=3).astype(np.int8)
    pick = lambda k: np.choose(np.minimum(fallback, 2), [own[k], group[k], day[k]])  # noqa: E731
    a, b, r2 = pick(0), pick(1), pick(2)
    a, b, r2 = (np.where(fallback == 3, np.nan, v) for v in (a, b, r2))
    b = b + y0[:, None] - a * x0[:, None]
    n = np.choose(np.minimum(fallback, 2), [n_own, n_group, n_day]).astype(np.int64)
    n = np.where(fallback == 3, 0, n)
    return ClassFits(a=a, b=b, n=n, r2=r2, fallback=fallback, n_class=n_own.astype(np.int64))


def _day_means(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    count = valid.sum(axis=1)
    total = np.where(valid, values, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def _class_sums(y: np.ndarray, x: np.ndarray, classes: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The six sums per (day, class), shape (n_days, 12, 6), via np.bincount."""
    n_days = y.shape[0]
    key = (np.arange(n_days)[:, None] * N_CLASSES + classes)[valid]
    xv, yv = x[valid], y[valid]
    size = n_days * N_CLASSES
    columns = [np.bincount(key, weights=w, minlength=size)
               for w in (None, xv, yv, xv * xv, xv * yv, yv * yv)]
    return np.stack(columns, axis=-1).reshape(n_days, N_CLASSES, 6)
