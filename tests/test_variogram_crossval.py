"""Leave-one-out ordinary kriging from one inverse (Dubrule 1983) equals pykrige point by point."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pykrige.ok import OrdinaryKriging

from smvar.variogram import to_pykrige
from smvar.variogram.crossval import cross_validation_scores, loo_ordinary_kriging
from smvar.variogram.models import VariogramModel


def points(n: int = 40, seed: int = 3):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 100_000, n), rng.uniform(0, 80_000, n)
    z = 0.15 + 0.02 * np.sin(x / 20_000) + 0.01 * np.cos(y / 15_000) + rng.normal(0, 0.003, n)
    return x, y, z


def pykrige_loo(x, y, z, model: VariogramModel) -> np.ndarray:
    out = np.empty(z.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(z.size):
            keep = np.arange(z.size) != k
            ok = OrdinaryKriging(x[keep], y[keep], z[keep], **to_pykrige(model))
            out[k] = ok.execute("points", x[k:k + 1], y[k:k + 1])[0][0]
    return out


@pytest.mark.parametrize("model", [
    VariogramModel("spherical", 1e-6, 4e-4, 40_000.0),
    VariogramModel("exponential", 2e-6, 4e-4, 15_000.0),
    VariogramModel("gaussian", 5e-6, 3e-4, 25_000.0),
    VariogramModel("linear", 1e-6, 3e-4, 100_000.0),
], ids=lambda m: m.name)
def test_loo_equals_pykrige_refitted_without_each_point(model):
    x, y, z = points()
    np.testing.assert_allclose(loo_ordinary_kriging(x, y, z, model), pykrige_loo(x, y, z, model),
                               rtol=0, atol=1e-10)


def test_three_points_by_hand_with_a_linear_variogram():
    # gamma(h) = h (no nugget). Leaving out the middle of three collinear points
    # at 0, 1, 2: weights 1/2 each by symmetry, so the prediction is the mean.
    model = VariogramModel("linear", 0.0, 10.0, 10.0)  # slope 1
    x, y, z = np.array([0.0, 1.0, 2.0]), np.zeros(3), np.array([1.0, 5.0, 3.0])
    pred = loo_ordinary_kriging(x, y, z, model)
    assert pred[1] == pytest.approx(2.0, abs=1e-12)
    # Leaving out an end point: the system [[0, 1, 1], [1, 0, 1], [1, 1, 0]] (w1, w2, mu)
    # = (gamma to the near point, gamma to the far one, 1) = (1, 2, 1) gives w = (1, 0):
    # with a linear variogram all the weight goes to the nearer point, z = 5 both times.
    assert pred[0] == pytest.approx(5.0, abs=1e-12) and pred[2] == pytest.approx(5.0, abs=1e-12)


def test_scores_rank_models_by_rmse():
    x, y, z = points()
    models = {"spherical": VariogramModel("spherical", 1e-6, 4e-4, 40_000.0),
              "exponential": VariogramModel("exponential", 2e-6, 4e-4, 15_000.0)}
    scores, predictions = cross_validation_scores(x, y, z, models)
    for name, p in predictions.items():
        assert scores.loc[name, "rmse"] == pytest.approx(np.sqrt(np.mean((p - z) ** 2)), rel=1e-14)
        assert scores.loc[name, "bias"] == pytest.approx(np.mean(p - z), rel=1e-14)
    assert sorted(scores["rank"]) == [1, 2]


def test_duplicate_locations_and_nan_are_refused():
    x, y, z = points(10)
    model = VariogramModel("spherical", 0.0, 4e-4, 40_000.0)
    with pytest.raises(ValueError, match="singular"):
        loo_ordinary_kriging(np.r_[x, x[:1]], np.r_[y, y[:1]], np.r_[z, z[:1]], model)
    with pytest.raises(ValueError, match="finite"):
        loo_ordinary_kriging(x, y, np.r_[z[:-1], np.nan], model)
