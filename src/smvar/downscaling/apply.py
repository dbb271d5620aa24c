"""Eq. 2 of Yin et al. 2023: the 0.1 degree coefficients applied to the 1 km LST difference.

Provides
--------
lst_difference
    Day minus night land surface temperature, K.
apply_coefficients
    θ_1km = a·ΔLST_1km + b with the a and b of each pixel's class and day.
"""

from __future__ import annotations

import numpy as np

__all__ = ["lst_difference", "apply_coefficients"]


def lst_difference(lst_day: np.ndarray, lst_night: np.ndarray) -> np.ndarray:
    """Day minus night land surface temperature (the ΔLST of Eq. 1 and 2).

    Parameters
    ----------
    lst_day, lst_night : numpy.ndarray
        Daytime and night-time LST of the same days, K; NaN propagates.

    Returns
    -------
    numpy.ndarray
        ΔLST in K, the broadcast shape.
    """
    return np.subtract(lst_day, lst_night)


def apply_coefficients(dlst: np.ndarray, classes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Downscaled soil moisture θ_1km = a·ΔLST_1km + b (Eq. 2 of Yin et al. 2023).

    Parameters
    ----------
    dlst : numpy.ndarray, shape (n_days, n_pixels)
        Day minus night LST at 1 km, K.
    classes : numpy.ndarray of int, shape (n_days, n_pixels)
        Class code 0..n_classes-1 of each pixel and day; -1 gives NaN.
    a, b : numpy.ndarray, shape (n_days, n_classes)
        Slope (m3 m-3 K-1) and intercept (m3 m-3) of each day and class.

    Returns
    -------
    numpy.ndarray of float64, shape (n_days, n_pixels)
        Soil moisture before the correction, m3 m-3; NaN where the class is -1,
        ΔLST is NaN or the day's class has no coefficients.
    """
    dlst = np.asarray(dlst)
    classes = np.asarray(classes)
    n_days, n_classes = a.shape
    if dlst.shape != classes.shape or dlst.shape[0] != n_days:
        raise ValueError(
            f"apply_coefficients: dlst {dlst.shape}, classes {classes.shape} and "
            f"coefficients {a.shape} must agree on (n_days, ...)"
        )
    # One flat lookup table, with a NaN slot at the end for class -1.
    a_flat = np.append(np.asarray(a, dtype=np.float64).ravel(), np.nan)
    b_flat = np.append(np.asarray(b, dtype=np.float64).ravel(), np.nan)
    key = np.arange(n_days, dtype=np.int64)[:, None] * n_classes + classes
    key = np.where(classes >= 0, key, a_flat.size - 1)
    return a_flat[key] * dlst + b_flat[key]
