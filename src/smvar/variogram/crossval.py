"""Leave-one-out cross-validation of ordinary kriging, exactly, from one matrix inverse.

Provides
--------
loo_ordinary_kriging
    The prediction at each point from all the *other* points, by ordinary
    kriging with a semivariogram model (the unique neighbourhood: every point
    is used, as pykrige's ``OrdinaryKriging`` does by default).
cross_validation_scores
    RMSE and bias of those predictions for several models.

Notes
-----
Refitting the kriging system without point i for every i costs n solves of
an (n x n) system, O(n^4). Dubrule (1983, Mathematical Geology 15:687-699)
showed that with ``C`` the inverse of the full ordinary-kriging matrix

    A = [[Gamma, 1], [1^T, 0]],  Gamma_ij = gamma(|x_i - x_j|), Gamma_ii = 0,

and ``z~ = [z; 0]``, the leave-one-out prediction is exactly

    z^_{-i} = z_i - (C z~)_i / C_ii,

so all n predictions cost one O(n^3) factorisation. The matrix is the one
pykrige builds (semivariances, zero diagonal, a Lagrange row of ones), so the
predictions equal pykrige's point-by-point ones (tested to 1e-10).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.spatial.distance import cdist

from smvar.variogram.models import VariogramModel

__all__ = ["loo_ordinary_kriging", "cross_validation_scores"]


def loo_ordinary_kriging(x, y, z, model: VariogramModel) -> np.ndarray:
    """Leave-one-out ordinary-kriging predictions at every point.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Coordinates in metres (a projected CRS).
    z : array_like, shape (n,)
        Values (e.g. soil moisture, m3/m3); finite.
    model : VariogramModel
        The semivariogram model (its ``a`` in metres).

    Returns
    -------
    ndarray, shape (n,)
        The prediction at point i from the other n - 1 points (units of z).

    Raises
    ------
    ValueError
        For fewer than 3 points, non-finite values or duplicate locations
        (which make the kriging matrix singular).
    """
    xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    z = np.asarray(z, dtype=float)
    n = z.size
    if n < 3 or xy.shape[0] != n:
        raise ValueError(f"loo_ordinary_kriging: needs at least 3 points with x, y and z of one length; got {n}")
    if not (np.isfinite(xy).all() and np.isfinite(z).all()):
        raise ValueError("loo_ordinary_kriging: x, y and z must be finite; drop the rows with NaN first")
    a = np.zeros((n + 1, n + 1))
    a[:n, :n] = model(cdist(xy, xy))
    np.fill_diagonal(a[:n, :n], 0.0)
    a[n, :n] = a[:n, n] = 1.0
    try:
        inverse = linalg.inv(a)
    except linalg.LinAlgError:
        raise ValueError("loo_ordinary_kriging: the kriging matrix is singular (duplicate locations?); "
                         "average or drop points at the same place") from None
    weighted = inverse @ np.append(z, 0.0)
    return z - weighted[:n] / np.diag(inverse)[:n]


def cross_validation_scores(x, y, z, models: Mapping[str, VariogramModel]) -> tuple[pd.DataFrame, dict]:
    """RMSE and bias of the leave-one-out predictions of each model.

    Returns
    -------
    scores : DataFrame
        Index: model names; ``rmse`` and ``bias`` (prediction - observed),
        units of z; ``rank`` by RMSE (1 = best).
    predictions : dict
        Model name -> the predictions (ndarray).
    """
    z = np.asarray(z, dtype=float)
    predictions = {name: loo_ordinary_kriging(x, y, z, model) for name, model in models.items()}
    scores = pd.DataFrame({
        "rmse": {name: float(np.sqrt(np.mean((p - z) ** 2))) for name, p in predictions.items()},
        "bias": {name: float(np.mean(p - z)) for name, p in predictions.items()},
    })
    scores["rank"] = scores["rmse"].rank(method="min").astype(int)
    return scores, predictions
