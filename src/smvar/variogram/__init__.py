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
loo_ordinary_kriging, cross_validation_scores
    Exact leave-one-out ordinary kriging from one matrix inverse (Dubrule
    1983), equal to pykrige refitted without each point (:mod:`.crossval`).

The command ``smvar variogram`` lives in :mod:`.cli`.

The names load on first use (:func:`smvar.lazy_exports.lazy_exports`), so that
importing the package, or its command-line module, stays quick;
``from smvar.variogram import table3`` works as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smvar.lazy_exports import lazy_exports

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
    from smvar.variogram.crossval import cross_validation_scores, loo_ordinary_kriging
    from smvar.variogram.pykrige_bridge import from_pykrige, to_pykrige
    from smvar.variogram.table3 import compare_table3, published_table3, table3

#: The module that defines each public name.
_MODULES = {
    "empirical": ("VariogramResult", "empirical_variogram", "grid_variogram", "lag_bin_edges", "gstat_default_edges"),
    "models": ("VariogramModel", "MODEL_NAMES", "ALL_MODELS"),
    "fit": ("FitResult", "fit_model", "fit_all_models", "best_model"),
    "table3": ("table3", "published_table3", "compare_table3"),
    "pykrige_bridge": ("to_pykrige", "from_pykrige"),
    "crossval": ("loo_ordinary_kriging", "cross_validation_scores"),
}

__all__ = [name for names in _MODULES.values() for name in names]

lazy_exports(__name__, {name: f"{__name__}.{module}" for module, names in _MODULES.items() for name in names})
