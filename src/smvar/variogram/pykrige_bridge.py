"""A bridge from fitted models to pykrige, whose range conventions differ.

Provides
--------
to_pykrige
    Keyword arguments for ``pykrige.ok.OrdinaryKriging`` (``variogram_model``,
    ``variogram_parameters`` and, for gstat's bounded linear model,
    ``variogram_function``) that reproduce a :class:`VariogramModel`.
from_pykrige
    The reverse: a :class:`VariogramModel` from pykrige's model name and
    parameter list (e.g. ``OrdinaryKriging.variogram_model_parameters``).

Notes
-----
pykrige (1.7) writes ``[psill, range, nugget]`` with
``exponential: psill (1 - exp(-d / (range / 3)))`` and
``gaussian: psill (1 - exp(-d^2 / (range 4/7)^2))``, so pykrige's range is
``3a`` for the exponential (the same as GS+'s effective range) but ``7a/4``
for the Gaussian (GS+: ``sqrt(3) a``); the spherical range is ``a`` in both.
pykrige's linear model is ``[slope, nugget]`` without a sill, which is the
linear-with-nugget model of GS+ and the paper with ``slope = C / a``.
pykrige evaluates its models at ``d = 0`` to the nugget but sets the diagonal
of the kriging matrix to zero, which matches ``gamma(0) = 0`` here.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from smvar.variogram.models import VariogramModel, basis

__all__ = ["to_pykrige", "from_pykrige", "PYKRIGE_RANGE_FACTOR"]

#: pykrige's ``range`` divided by the model parameter ``a`` (gstat's range).
PYKRIGE_RANGE_FACTOR = {"spherical": 1.0, "exponential": 3.0, "gaussian": 7.0 / 4.0}


def _bounded_linear(params: Sequence[float], d: np.ndarray) -> np.ndarray:
    """pykrige custom function for gstat's bounded linear model, params [psill, a, nugget]."""
    psill, a, nugget = (float(p) for p in params)
    return nugget + psill * basis("linear_sill", np.asarray(d, dtype=float), a)


def to_pykrige(model: VariogramModel) -> dict:
    """Keyword arguments that make pykrige use ``model``.

    Parameters
    ----------
    model : VariogramModel
        A fitted model (e.g. ``fit_model(...).model``).

    Returns
    -------
    dict
        ``{"variogram_model": ..., "variogram_parameters": ...}`` (plus
        ``"variogram_function"`` for ``"linear_sill"``), to pass as
        ``OrdinaryKriging(x, y, z, **to_pykrige(model))``. Parameters are a
        dict ``{"psill", "range", "nugget"}`` with pykrige's range
        (``a``, ``3a``, ``7a/4``) or ``{"slope", "nugget"}`` for the linear model.
    """
    if model.name in PYKRIGE_RANGE_FACTOR:
        params = {
            "psill": model.psill,
            "range": model.a * PYKRIGE_RANGE_FACTOR[model.name],
            "nugget": model.nugget,
        }
        return {"variogram_model": model.name, "variogram_parameters": params}
    if model.name == "linear":
        return {"variogram_model": "linear", "variogram_parameters": {"slope": model.slope, "nugget": model.nugget}}
    return {
        "variogram_model": "custom",
        "variogram_parameters": [model.psill, model.a, model.nugget],
        "variogram_function": _bounded_linear,
    }


def from_pykrige(variogram_model: str, parameters: Sequence[float], last_lag_m: float | None = None) -> VariogramModel:
    """A :class:`VariogramModel` from pykrige's model name and parameter list.

    Parameters
    ----------
    variogram_model : str
        ``"spherical"``, ``"exponential"``, ``"gaussian"`` or ``"linear"``.
    parameters : sequence of float
        ``[psill, range, nugget]`` (pykrige's range convention), or
        ``[slope, nugget]`` for ``"linear"``.
    last_lag_m : float, optional
        For ``"linear"`` only: the distance of the last lag, metres, taken as
        the model's range parameter (GS+); required for that model.

    Returns
    -------
    VariogramModel
    """
    p = [float(v) for v in parameters]
    if variogram_model in PYKRIGE_RANGE_FACTOR:
        psill, rng, nugget = p
        return VariogramModel(variogram_model, nugget, psill, rng / PYKRIGE_RANGE_FACTOR[variogram_model])
    if variogram_model == "linear":
        if last_lag_m is None or last_lag_m <= 0:
            raise ValueError("from_pykrige: give last_lag_m (metres, the last lag) to convert pykrige's linear model.")
        slope, nugget = p
        return VariogramModel("linear", nugget, slope * last_lag_m, float(last_lag_m))
    raise ValueError(
        f"from_pykrige: model {variogram_model!r} has no counterpart; use spherical, exponential, gaussian or linear."
    )
