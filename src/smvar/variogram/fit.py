"""Least-squares fitting of semivariogram models, with a global search over the range.

Provides
--------
FitResult
    A fitted model with its residual sum of squares (RSS), R^2 and provenance.
fit_model
    Fit one model to a binned semivariogram: unweighted least squares as GS+'s
    autofit by default, or gstat's weights ``N_j`` or ``N_j / h_j^2``.
fit_all_models
    Fit the paper's four models (or any subset) to one semivariogram.
best_model
    The best of several fits by a stated rule (lowest RSS).
WEIGHTS
    Names of the weighting schemes.

Notes
-----
For a fixed range parameter ``a`` the model ``C0 + C f(h; a)`` is linear in
the nugget ``C0`` and partial sill ``C``; the weighted least-squares problem
with ``C0 >= 0`` and ``C >= 0`` is then solved exactly (two-variable
non-negative least squares: the optimum is the unconstrained solution when it
is feasible, otherwise the best point on a face ``C0 = 0`` or ``C = 0``).
The profile ``RSS(a)`` is evaluated on a dense logarithmic grid of ranges
(2,000 values by default, all at once), and the best grid value is refined by
bounded Brent search between its two neighbours. This finds the global
optimum over the searched interval; gradient fits started from one point
(gstat's ``fit.variogram``, gstools' ``fit_variogram``) can stop at a local one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
from scipy.optimize import minimize_scalar

from smvar.variogram.empirical import VariogramResult
from smvar.variogram.models import MODEL_NAMES, VariogramModel, check_model_name, basis, range_factor

__all__ = ["FitResult", "fit_model", "fit_all_models", "best_model", "WEIGHTS"]

#: Weighting schemes: None (unweighted, GS+ autofit and gstat fit.method 6),
#: "npairs" (N_j, gstat fit.method 1), "npairs_h2" (N_j / h_j^2, gstat's
#: default fit.method 7).
WEIGHTS: tuple[str | None, ...] = (None, "npairs", "npairs_h2")


@dataclass(frozen=True)
class FitResult:
    """A model fitted to a binned semivariogram.

    Attributes
    ----------
    model : VariogramModel
        The fitted model.
    rss : float
        Unweighted residual sum of squares at the bins' mean lag distances
        (squared units of gamma, squared).
    r2 : float
        ``1 - RSS / TSS``, TSS being the sum of squared deviations of the
        binned gamma from their mean (unweighted).
    r2_pearson : float
        Squared Pearson correlation of binned and modelled gamma (the other
        common definition; equal to ``r2`` at an interior least-squares optimum).
    objective : float
        The weighted sum of squares that was minimised (equals ``rss`` when
        unweighted; gstat's ``SSErr``).
    weights : str or None
        The weighting scheme used.
    n_bins : int
        Number of non-empty bins fitted.
    at_bound : bool
        True if the range ended at an end of the searched interval (the
        optimum may lie beyond it).
    """

    model: VariogramModel
    rss: float
    r2: float
    r2_pearson: float
    objective: float
    weights: str | None
    n_bins: int
    at_bound: bool = False

    def as_dict(self) -> dict:
        """Parameters and fit statistics as a flat dict (for tables and JSON)."""
        out = self.model.as_dict()
        out.update(
            rss=self.rss,
            r2=self.r2,
            r2_pearson=self.r2_pearson,
            objective=self.objective,
            weights=self.weights,
            n_bins=self.n_bins,
            at_bound=self.at_bound,
        )
        return out


def _bin_weights(weights, lag: np.ndarray, n_pairs: np.ndarray) -> np.ndarray:
    if weights is None or (isinstance(weights, str) and weights == "none"):
        return np.ones_like(lag)
    if isinstance(weights, str):
        if weights == "npairs":
            return n_pairs.astype(float)
        if weights == "npairs_h2":
            return n_pairs / lag**2
        raise ValueError(f"weights must be None, 'npairs' or 'npairs_h2' (gstat 7), or an array; got {weights!r}.")
    w = np.asarray(weights, dtype=float)
    if w.shape != lag.shape or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights array must be finite, non-negative, one per non-empty bin.")
    return w


def _nnls2(y: np.ndarray, w: np.ndarray, f: np.ndarray):
    """Exact weighted NNLS of y ~ c0 + c f for each row of f (shape (K, J)).

    Returns c0, c and the weighted SSE, each of shape (K,).
    """
    sw, sy = w.sum(), (w * y).sum()
    sf, sff, sfy = (w * f).sum(1), (w * f * f).sum(1), (w * f * y).sum(1)
    det = sw * sff - sf**2
    ok = det > 1e-12 * sw * np.maximum(sff, 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        c0_int = np.where(ok, (sy * sff - sf * sfy) / det, -1.0)
        c_int = np.where(ok, (sw * sfy - sf * sy) / det, -1.0)
        c_face = np.where(sff > 0, np.maximum(sfy / sff, 0.0), 0.0)
    c0_face = max(sy / sw, 0.0)
    cands = [
        (c0_int, c_int),
        (np.zeros_like(sf), c_face),
        (np.full_like(sf, c0_face), np.zeros_like(sf)),
    ]
    best_c0, best_c, best_sse = np.zeros_like(sf), np.zeros_like(sf), (w * y * y).sum() * np.ones_like(sf)
    for c0, c in cands:  # three candidates, each vectorised over all ranges
        feasible = (c0 >= 0) & (c >= 0)
        sse = (w * (y - c0[:, None] - c[:, None] * f) ** 2).sum(1)
        better = feasible & (sse < best_sse)
        best_c0 = np.where(better, c0, best_c0)
        best_c = np.where(better, c, best_c)
        best_sse = np.where(better, sse, best_sse)
    return best_c0, best_c, best_sse


def _profile(model, lag, y, w, a):
    """Best (c0, c, weighted SSE) for each range parameter in ``a``."""
    f = basis(model, lag[None, :], np.atleast_1d(a)[:, None])
    return _nnls2(y, w, f)


def _search_range(model, lag, y, w, bounds, n_grid):
    """Global profile search over the range parameter a, then Brent refinement."""
    grid = np.geomspace(bounds[0], bounds[1], n_grid)
    sse = _profile(model, lag, y, w, grid)[2]
    k = int(np.argmin(sse))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, n_grid - 1)]
    res = minimize_scalar(
        lambda t: float(_profile(model, lag, y, w, np.exp(t))[2][0]),
        bounds=(np.log(lo), np.log(hi)),
        method="bounded",
        options={"xatol": 1e-10},
    )
    a = float(np.exp(res.x)) if res.fun <= sse[k] else float(grid[k])
    at_bound = bool(np.isclose(a, bounds[0], rtol=1e-6) or np.isclose(a, bounds[1], rtol=1e-6))
    return a, at_bound


def _valid_bins(result: VariogramResult):
    ok = (result.n_pairs > 0) & np.isfinite(result.gamma) & np.isfinite(result.lag_mean) & (result.lag_mean > 0)
    if ok.sum() < 3:
        raise ValueError(
            f"The semivariogram has {int(ok.sum())} non-empty bins; at least 3 are needed to fit a model. "
            "Use more or wider lag bins (bin_edges_m) or more points."
        )
    return result.lag_mean[ok], result.gamma[ok], result.n_pairs[ok]


def fit_model(
    result: VariogramResult,
    model: str,
    weights: str | np.ndarray | None = None,
    range_bounds_m: tuple[float, float] | None = None,
    n_grid: int = 2000,
) -> FitResult:
    """Fit one model to a binned semivariogram by least squares.

    Fits ``C0 + C f(h; a)`` (see :mod:`smvar.variogram.models`) at the bins'
    mean lag distances, with ``C0 >= 0`` and ``C >= 0``, minimising the
    (weighted) residual sum of squares over all three parameters globally.
    Unweighted, this is GS+'s autofit criterion used for Table 3 of Yin et al.
    2023 (section 2.3.2, Eq. 5).

    Parameters
    ----------
    result : VariogramResult
        The binned semivariogram (empty bins are ignored; at least 3 needed).
    model : str
        ``"linear"``, ``"spherical"``, ``"exponential"``, ``"gaussian"`` or
        ``"linear_sill"``. For ``"linear"`` (linear with nugget, no sill) the
        range parameter is fixed at the last non-empty bin's mean lag, as in GS+.
    weights : {None, "npairs", "npairs_h2"} or array, default None
        None: unweighted (GS+; gstat fit.method 6). ``"npairs"``: ``N_j``
        (gstat 1). ``"npairs_h2"``: ``N_j / h_j^2`` (gstat's default 7).
    range_bounds_m : (float, float), optional
        Interval searched for the *effective* range (GS+ convention), metres.
        Default: from a quarter of the first lag to five times the last lag.
    n_grid : int, default 2000
        Number of ranges in the logarithmic search grid.

    Returns
    -------
    FitResult
        The model, RSS, R^2 and the weighted objective.

    Notes
    -----
    A range shorter than the first lag cannot be told apart from a pure
    nugget effect (every bin is then at the sill), so for such fits read
    ``model.sill`` as nugget; ``at_bound`` flags a range at either end of
    the searched interval.
    """
    model = check_model_name(model)
    lag, y, npairs = _valid_bins(result)
    w = _bin_weights(weights, lag, npairs)
    if model == "linear":
        a, at_bound = float(lag[-1]), False
    else:
        lo, hi = range_bounds_m if range_bounds_m is not None else (0.25 * lag[0], 5.0 * lag[-1])
        if not (0 < lo < hi):
            raise ValueError(f"range_bounds_m must be (low, high) with 0 < low < high metres, got {range_bounds_m!r}.")
        factor = range_factor(model)
        a, at_bound = _search_range(model, lag, y, w, (lo / factor, hi / factor), int(n_grid))
    c0, c, obj = (float(v[0]) for v in _profile(model, lag, y, w, a))
    fitted = VariogramModel(model, c0, c, a)
    return _score(fitted, lag, y, obj, weights, at_bound)


def _score(fitted: VariogramModel, lag, y, obj, weights, at_bound) -> FitResult:
    pred = fitted(lag)
    rss = float(((y - pred) ** 2).sum())
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - rss / tss if tss > 0 else float("nan")
    with np.errstate(invalid="ignore"):
        rp = np.corrcoef(y, pred)[0, 1] if np.std(pred) > 0 else np.nan
    wname = weights if (weights is None or isinstance(weights, str)) else "custom"
    return FitResult(fitted, rss, r2, float(rp**2), obj, wname, int(y.size), at_bound)


def fit_all_models(
    result: VariogramResult,
    models: Iterable[str] = MODEL_NAMES,
    weights: str | np.ndarray | None = None,
    **kwargs,
) -> dict[str, FitResult]:
    """Fit several models to one semivariogram.

    Parameters
    ----------
    result : VariogramResult
        The binned semivariogram.
    models : iterable of str, default the paper's four
        Model names (see :func:`fit_model`).
    weights : {None, "npairs", "npairs_h2"} or array, default None
        Weighting scheme (see :func:`fit_model`).
    **kwargs
        Passed to :func:`fit_model` (``range_bounds_m``, ``n_grid``).

    Returns
    -------
    dict of str to FitResult
        One fit per model, in the order given.
    """
    return {check_model_name(m): fit_model(result, m, weights=weights, **kwargs) for m in models}


def best_model(fits: dict[str, FitResult]) -> str:
    """Name of the best fit: lowest unweighted RSS (= highest R^2 on the same bins).

    Ties (RSS equal to 1e-12 relative) go to the model listed first, so list
    simpler models first (the default order puts ``"linear"`` first).

    Parameters
    ----------
    fits : dict of str to FitResult
        Fits of the same semivariogram.

    Returns
    -------
    str
        The chosen model name.
    """
    if not fits:
        raise ValueError("best_model: no fits given.")
    names = list(fits)
    rss = np.array([fits[n].rss for n in names])
    best = np.nanmin(rss)
    return names[int(np.flatnonzero(rss <= best * (1 + 1e-12) + 1e-300)[0])]
