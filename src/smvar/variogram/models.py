"""Semivariogram models and their range conventions.

Provides
--------
VariogramModel
    A fitted or planted model: name, nugget ``C0``, partial sill ``C``, model
    parameter ``a``; its sill ``C0 + C``, the structured share ``C/(C0+C)``,
    the nugget share ``C0/(C0+C)`` and the range in GS+'s convention.
MODEL_NAMES
    The models the paper names (section 2.3.2): ``"linear"`` (linear with
    nugget), ``"spherical"``, ``"exponential"``, ``"gaussian"``; plus
    ``"linear_sill"`` (gstat's bounded linear) for comparison with gstat.
basis, range_factor
    The shape ``f(h; a)`` of each model, and the factor from ``a`` to the
    effective range.

Notes
-----
Every model here is ``gamma(h) = C0 + C f(h; a)`` for ``h > 0`` and
``gamma(0) = 0``. With ``r = h / a``:

=============  ===========================  ==========================
model          f(h; a)                      effective range (GS+)
=============  ===========================  ==========================
spherical      1.5 r - 0.5 r^3 (r < 1), 1   a
exponential    1 - exp(-r)                  3 a   (95 % of the sill)
gaussian       1 - exp(-r^2)                sqrt(3) a (95 % of the sill)
linear         r (no sill)                  a = the last lag (GS+)
linear_sill    min(r, 1)                    a
=============  ===========================  ==========================

``a`` is gstat's ``range`` parameter for all of these. For the linear model
with nugget, GS+ reports as "range" the distance of the last lag class
(``a``), and as "sill" the model's value there, ``C0 + C``; the slope is
``C / a``. Other tools: gstools uses ``len_scale = a`` (exponential) and
``len_scale = a sqrt(pi)/2`` (gaussian); pykrige's ``range`` is ``3a``
(exponential) and ``7a/4`` (gaussian); scikit-gstat's effective range is
``3a`` (exponential) and ``2a`` (gaussian).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["VariogramModel", "MODEL_NAMES", "ALL_MODELS", "basis", "range_factor", "check_model_name"]

#: The four models of the paper (section 2.3.2 of Yin et al. 2023).
MODEL_NAMES: tuple[str, ...] = ("linear", "spherical", "exponential", "gaussian")
#: All models available, including gstat's bounded linear model.
ALL_MODELS: tuple[str, ...] = MODEL_NAMES + ("linear_sill",)

_RANGE_FACTOR = {
    "linear": 1.0,
    "spherical": 1.0,
    "exponential": 3.0,
    "gaussian": float(np.sqrt(3.0)),
    "linear_sill": 1.0,
}


def check_model_name(model: str) -> str:
    """The model's name in lower case; a ValueError listing the models for an unknown one."""
    name = str(model).lower()
    if name not in _RANGE_FACTOR:
        raise ValueError(f"Unknown variogram model {model!r}; choose one of {', '.join(ALL_MODELS)}.")
    return name


def range_factor(model: str) -> float:
    """Effective range (GS+ convention) divided by the model parameter ``a``.

    Parameters
    ----------
    model : str
        One of :data:`ALL_MODELS`.

    Returns
    -------
    float
        3 for the exponential, sqrt(3) for the Gaussian, 1 otherwise.
    """
    return _RANGE_FACTOR[check_model_name(model)]


def basis(model: str, h: np.ndarray, a: np.ndarray | float) -> np.ndarray:
    """The shape ``f(h; a)`` of a model (0 at ``h = 0``; 1 at the sill).

    Parameters
    ----------
    model : str
        One of :data:`ALL_MODELS`.
    h : array_like
        Lag distances, metres.
    a : float or array_like
        Model parameter (gstat's ``range``), metres; broadcasts against ``h``
        (e.g. ``a[:, None]`` with ``h[None, :]`` for many ranges at once).

    Returns
    -------
    numpy.ndarray
        ``f(h; a)``, dimensionless.
    """
    name = check_model_name(model)
    r = np.asarray(h, dtype=float) / np.asarray(a, dtype=float)
    if name == "spherical":
        rc = np.minimum(r, 1.0)
        return 1.5 * rc - 0.5 * rc**3
    if name == "exponential":
        return -np.expm1(-r)
    if name == "gaussian":
        return -np.expm1(-(r**2))
    if name == "linear_sill":
        return np.minimum(r, 1.0)
    return r


@dataclass(frozen=True)
class VariogramModel:
    """A semivariogram model ``gamma(h) = C0 + C f(h; a)`` (h > 0).

    Attributes
    ----------
    name : str
        One of :data:`ALL_MODELS`.
    nugget : float
        ``C0``, squared units of the variable.
    psill : float
        Partial sill ``C``, squared units. For ``"linear"``, ``C`` is the rise
        from the nugget to the last lag, so the slope is ``C / a``.
    a : float
        Model parameter in metres (gstat's ``range``).
    """

    name: str
    nugget: float
    psill: float
    a: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_model_name(self.name))
        if not (self.a > 0):
            raise ValueError(f"VariogramModel: the range parameter a must be positive (metres), got {self.a!r}.")

    def __call__(self, h: np.ndarray) -> np.ndarray:
        """Semivariance at lag distances ``h`` (metres); 0 at ``h = 0``."""
        h = np.asarray(h, dtype=float)
        g = self.nugget + self.psill * basis(self.name, h, self.a)
        return np.where(h > 0, g, 0.0)

    @property
    def sill(self) -> float:
        """``C0 + C``: the sill (for ``"linear"``, the value at the last lag)."""
        return self.nugget + self.psill

    @property
    def structured_share(self) -> float:
        """``C / (C0 + C)``: share of the sill that is spatially structured.

        This is what the paper's Table 3 column "Nugget Coefficient/%" holds.
        """
        return self.psill / self.sill if self.sill > 0 else float("nan")

    @property
    def nugget_share(self) -> float:
        """``C0 / (C0 + C)``: the nugget-to-sill ratio."""
        return self.nugget / self.sill if self.sill > 0 else float("nan")

    @property
    def effective_range(self) -> float:
        """Range in GS+'s convention, metres: ``a``, ``3a`` (exp.), ``sqrt(3) a`` (Gauss.)."""
        return self.a * range_factor(self.name)

    @property
    def slope(self) -> float:
        """Slope ``C / a`` of the linear models, per metre (NaN for others)."""
        return self.psill / self.a if self.name in ("linear", "linear_sill") else float("nan")

    def as_dict(self) -> dict:
        """Parameters and derived quantities, for tables and JSON."""
        return {
            "model": self.name,
            "nugget": self.nugget,
            "partial_sill": self.psill,
            "sill": self.sill,
            "a_m": self.a,
            "range_m": self.effective_range,
            "structured_share": self.structured_share,
            "nugget_share": self.nugget_share,
        }
