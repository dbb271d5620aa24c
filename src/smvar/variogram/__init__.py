"""Semivariograms for soil moisture: Eq. 5 of Yin et al. 2023 and Table 3.

Provides
--------
empirical_variogram, grid_variogram, VariogramResult
    Eq. 5 on point samples (every pair within the largest lag, exactly, by a
    compiled sweep; directional with gstat's ``alpha`` and ``tol.hor``) and
    exactly on a masked regular grid by FFT (Marcotte 1996) (:mod:`.empirical`).
lag_bin_edges, gstat_default_edges
    Lag-bin edges (:mod:`.empirical`).
VariogramModel, MODEL_NAMES, ALL_MODELS
    Linear with nugget, spherical, exponential, Gaussian (and gstat's bounded
    linear), with GS+, gstat and pykrige range conventions (:mod:`.models`).
fit_model, fit_all_models, best_model, FitResult
    Least squares with non-negative nugget and partial sill and a global
    search over the range (:mod:`.fit`).
table3, published_table3, compare_table3
    The paper's Table 3 for a run, and as published (:mod:`.table3`).
to_pykrige, from_pykrige
    Use a fitted model in pykrige's kriging (:mod:`.pykrige_bridge`).

The command ``smvar variogram`` lives in :mod:`.cli`.

The names load on first use (PEP 562), so that importing the package, or its
command-line module, stays quick: ``from smvar.variogram import table3`` works
as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smvar.variogram.empirical import (
        VariogramResult,
        empirical_variogram,
        grid_variogram,
        gstat_default_edges,
        lag_bin_edges,
    )
    from smvar.variogram.fit import FitResult, best_model, fit_all_models, fit_model
    from smvar.variogram.models import ALL_MODELS, MODEL_NAMES, VariogramModel
    from smvar.variogram.pykrige_bridge import from_pykrige, to_pykrige
    from smvar.variogram.table3 import compare_table3, published_table3, table3

#: Where each public name lives.
_WHERE = {
    "VariogramResult": "empirical",
    "empirical_variogram": "empirical",
    "grid_variogram": "empirical",
    "lag_bin_edges": "empirical",
    "gstat_default_edges": "empirical",
    "VariogramModel": "models",
    "MODEL_NAMES": "models",
    "ALL_MODELS": "models",
    "FitResult": "fit",
    "fit_model": "fit",
    "fit_all_models": "fit",
    "best_model": "fit",
    "table3": "table3",
    "published_table3": "table3",
    "compare_table3": "table3",
    "to_pykrige": "pykrige_bridge",
    "from_pykrige": "pykrige_bridge",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    """Import the submodule that holds ``name`` on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'smvar.variogram' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"smvar.variogram.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
