"""Tests of smvar.variogram.table3: the run's Table 3 and the published one."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from smvar.variogram import VariogramModel, VariogramResult, compare_table3, published_table3, table3
from smvar.variogram.table3 import _check_published


def _published_csv() -> Path:
    repo = Path(__file__).resolve().parents[1]
    base = Path(os.environ["SMVAR_SHARED"]) if os.environ.get("SMVAR_SHARED") else repo.parent / "shared"
    for path in (repo / "data" / "paper" / "table3_semivariogram.csv", base / "reference" / "paper" / "table3_semivariogram.csv"):
        if path.is_file():
            return path
    pytest.skip("table3_semivariogram.csv not found in data/paper/ nor in the shared reference folder")


def _curve(model: VariogramModel) -> VariogramResult:
    lags = np.linspace(11_000.0, 264_000.0, 24)
    edges = np.r_[0.0, 0.5 * (lags[:-1] + lags[1:]), lags[-1] + 5_000.0]
    return VariogramResult(edges, lags, model(lags), np.full(lags.size, 5000), "left", 50_000)


def test_published_nugget_coefficient_is_the_structured_share():
    pub = published_table3(_published_csv())
    assert len(pub) == 12
    assert _check_published(pub, tol=0.006).size == 0  # rounding of 3-digit values only
    np.testing.assert_allclose(pub["structured_share"] + pub["nugget_share"], 1.0)
    assert "C/(C0+C)" in pub.attrs["note"]


def test_published_exponential_range_is_three_times_611_km():
    pub = published_table3(_published_csv())
    exp = pub[pub["model"] == "Exponential"]
    np.testing.assert_allclose(exp["range_m"], 3 * 611_000)


def test_table3_picks_the_planted_model_each_month():
    planted = {
        1: VariogramModel("gaussian", 0.0012, 0.0095, 520_000.0),
        2: VariogramModel("spherical", 0.0008, 0.0019, 611_000.0),
        3: VariogramModel("exponential", 0.0009, 0.0026, 200_000.0),
    }
    tab = table3({m: _curve(p) for m, p in planted.items()})
    assert list(tab["model"]) == ["Gaussian", "Spherical", "Exponential"]
    row = tab.iloc[2]
    assert row["range_m"] == pytest.approx(600_000.0, rel=1e-6)  # GS+ effective range, 3a
    assert row["structured_share"] == pytest.approx(0.0026 / 0.0035, rel=1e-6)
    assert row["nugget_share"] == pytest.approx(0.0009 / 0.0035, rel=1e-6)
    full = table3({m: _curve(p) for m, p in planted.items()}, all_models=True)
    assert len(full) == 12 and full.groupby("month")["best"].sum().eq(1).all()


def test_table3_linear_range_is_the_last_lag():
    tab = table3([_curve(VariogramModel("linear", 0.001, 0.0007, 264_000.0))], models=["linear"])
    assert tab.loc[0, "range_m"] == 264_000.0 and tab.loc[0, "month"] == 1


def test_compare_table3_sets_run_beside_paper():
    pub = published_table3(_published_csv())
    run = table3({1: _curve(VariogramModel("gaussian", 0.0012, 0.0095, 520_000.0))})
    both = compare_table3(run, pub)
    assert len(both) == 12
    assert both.loc[0, "model_run"] == "Gaussian" and both.loc[0, "model_paper"] == "Linear"
    assert {"structured_share_run", "structured_share_paper"} <= set(both.columns)
