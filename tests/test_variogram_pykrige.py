"""Tests of smvar.variogram.pykrige_bridge: pykrige uses exactly our fitted model."""

from __future__ import annotations

import numpy as np
import pytest

pykrige = pytest.importorskip("pykrige")
from pykrige.ok import OrdinaryKriging  # noqa: E402

from smvar.variogram import VariogramModel, from_pykrige, to_pykrige  # noqa: E402

MODELS = [
    VariogramModel("spherical", 0.001, 0.004, 3000.0),
    VariogramModel("exponential", 0.002, 0.006, 1200.0),
    VariogramModel("gaussian", 0.0005, 0.008, 1500.0),
    VariogramModel("linear", 0.001, 0.003, 5000.0),
    VariogramModel("linear_sill", 0.001, 0.003, 2500.0),
]


def _sample(seed=0, n=60):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 6000, n), rng.uniform(0, 6000, n)
    z = 0.12 + 0.02 * np.sin(x / 1500) * np.cos(y / 2000) + 0.002 * rng.normal(size=n)
    return x, y, z


def _ordinary_kriging(model, x, y, z, gx, gy):
    """Hand-written ordinary kriging with gamma(0) = 0, the reference."""
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    n = x.size
    a = np.ones((n + 1, n + 1))
    a[:n, :n], a[n, n] = model(d), 0.0
    d0 = np.hypot(x[:, None] - gx[None, :], y[:, None] - gy[None, :])
    b = np.vstack([model(d0), np.ones(gx.size)])
    w = np.linalg.solve(a, b)
    return w[:n].T @ z


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_pykrige_evaluates_the_same_variogram(model):
    x, y, z = _sample()
    ok = OrdinaryKriging(x, y, z, **to_pykrige(model))
    h = np.linspace(1.0, 8000.0, 50)
    np.testing.assert_allclose(ok.variogram_function(ok.variogram_model_parameters, h), model(h), rtol=1e-12)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_kriging_with_the_bridge_equals_kriging_with_our_model(model):
    x, y, z = _sample()
    gx, gy = np.linspace(100, 5900, 7), np.linspace(5800, 200, 7)
    ok = OrdinaryKriging(x, y, z, **to_pykrige(model))
    pred, _ = ok.execute("points", gx, gy)
    np.testing.assert_allclose(pred, _ordinary_kriging(model, x, y, z, gx, gy), rtol=1e-9)


@pytest.mark.parametrize("model", MODELS[:4], ids=lambda m: m.name)
def test_round_trip_through_pykrige_parameters(model):
    x, y, z = _sample()
    ok = OrdinaryKriging(x, y, z, **to_pykrige(model))
    back = from_pykrige(model.name, ok.variogram_model_parameters, last_lag_m=model.a)
    np.testing.assert_allclose([back.nugget, back.psill, back.a], [model.nugget, model.psill, model.a], rtol=1e-12)


def test_pykrige_range_conventions():
    assert to_pykrige(MODELS[1])["variogram_parameters"]["range"] == pytest.approx(3 * 1200.0)
    assert to_pykrige(MODELS[2])["variogram_parameters"]["range"] == pytest.approx(1500.0 * 7 / 4)


def test_from_pykrige_linear_needs_the_last_lag():
    with pytest.raises(ValueError, match="last_lag_m"):
        from_pykrige("linear", [1e-6, 0.001])
