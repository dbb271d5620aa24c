"""OPGD: GD's q matrix, rejections and optimum on every GD data set; the full gdm run."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hypothesis import given, settings, strategies as st

from smvar.geodetector import geodetector, optimal_discretisation
from smvar.geodetector.discretise import breaks_for, strata_codes
from smvar.geodetector.factor import q_statistic
from peer_reference import reference_folder


def reference() -> Path:
    return reference_folder("geodetector")


def gd_run(dataset):
    """Data, GD's gdm JSON, and our geodetector() run with GD's level orders."""
    ref = reference()
    data = pd.read_csv(ref / "data" / f"GD__{dataset}.csv")
    gdm = json.loads((ref / "results" / f"GD_gdm_{dataset}.json").read_text())
    cont = list(gdm["optimal_discretization"])
    cat = [c for c in data.columns[1:] if c not in cont]
    for c in cat:
        data[c] = pd.Categorical(data[c], categories=[r["itv"] for r in gdm["risk_mean"][c]])
    return data, gdm, geodetector(data, data.columns[0], continuous=cont, categorical=cat)


@pytest.mark.parametrize("dataset", ["ndvi_40", "h1n1_100"])
def test_q_matrix_and_rejections_equal_gd(dataset):
    ref = reference()
    data = pd.read_csv(ref / "data" / f"GD__{dataset}.csv")
    table = pd.read_csv(ref / "results" / f"GD_optidisc_qmatrix_{dataset}.csv")
    res = optimal_discretisation(data, data.columns[0], list(table["variable"].unique()))
    both = table.merge(res.qtable, left_on=["variable", "method", "n"], right_on=["factor", "method", "n"],
                       suffixes=("_gd", ""))
    assert len(both) == len(table)
    np.testing.assert_array_equal(both["q_gd"].isna(), both["q"].isna())
    np.testing.assert_allclose(both["q"], both["q_gd"], atol=1e-9, rtol=0)


@pytest.mark.parametrize("dataset", ["ndvi_40", "h1n1_100"])
def test_optimum_method_n_breaks_and_counts_equal_gd(dataset):
    data, gdm, res = gd_run(dataset)
    for name, opt in gdm["optimal_discretization"].items():
        best = res.optimal.best.loc[name]
        assert (best["method"], best["n"]) == (opt["method"], opt["n_itv"]), name
        np.testing.assert_allclose(best["breaks"], opt["itv"], rtol=1e-9)
        assert best["counts"] == opt["counts"], name
        assert res.labels[name] == opt["count_labels"], name


@pytest.mark.parametrize("dataset", ["ndvi_40", "h1n1_100"])
def test_gdm_factor_interaction_risk_ecological_equal_gd(dataset):
    data, gdm, res = gd_run(dataset)
    factor = pd.DataFrame(gdm["factor"]).set_index("variable")
    np.testing.assert_allclose(res.factor.loc[factor.index, "q"], factor["qv"], atol=1e-9, rtol=0)
    np.testing.assert_allclose(res.factor.loc[factor.index, "p"], factor["sig"], atol=1e-6, rtol=0)
    inter = pd.DataFrame(gdm["interaction"]).merge(res.interaction, on=["var1", "var2"])
    assert len(inter) == len(gdm["interaction"])
    np.testing.assert_allclose(inter["q12"], inter["qv12"], atol=1e-9, rtol=0)
    assert (inter["interaction_x"] == inter["interaction_y"]).all()
    eco = pd.DataFrame(gdm["ecological"]).merge(res.ecological, on=["var1", "var2"])
    assert len(eco) == len(gdm["ecological"])
    assert ((eco["eco"] == "Y") == eco["significant"]).all()
    risk = pd.DataFrame([dict(r, factor=f) for f, rows in gdm["risk"].items() for r in rows])
    ours = res.risk.assign(itv1=res.risk["stratum1"].astype(str), itv2=res.risk["stratum2"].astype(str))
    both = risk.merge(ours, on=["factor", "itv1", "itv2"], suffixes=("_gd", ""))
    assert len(both) == len(risk)
    np.testing.assert_allclose(both["t"], both["t_gd"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(both["df"], both["df_gd"], rtol=1e-9)
    np.testing.assert_allclose(both["p"], both["sig"], atol=1e-6)
    assert ((both["risk"] == "Y") == both["significant"]).all()
    means = pd.DataFrame([dict(r, factor=f) for f, rows in gdm["risk_mean"].items() for r in rows])
    ours = res.risk_mean.assign(itv=res.risk_mean["stratum"].astype(str))
    both = means.merge(ours, on=["factor", "itv"])
    assert len(both) == len(means)
    np.testing.assert_allclose(both["mean"], both["meanrisk"], atol=1e-12)


def test_every_combination_rejected_is_a_clear_error():
    df = pd.DataFrame({"y": np.arange(6.0), "x": [0, 0, 0, 0, 0, 1.0]})
    with pytest.raises(ValueError, match="factor 'x'"):
        optimal_discretisation(df, "y", ["x"], intervals=[3])


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="column 'nope'"):
        optimal_discretisation(pd.DataFrame({"y": [1.0, 2.0]}), "y", ["nope"])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 100_000), st.integers(20, 400), st.sampled_from(["gd", "geodetector", "gdverse"]))
def test_q_table_from_sorted_runs_equals_q_from_stratum_codes(seed, n, convention):
    """The fast q of every candidate (prefix sums over the sorted factor) equals q_statistic on its codes."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"y": np.round(rng.normal(size=n), 2),
                       "a": np.round(rng.gamma(2.0, size=n), 1),   # ties
                       "b": rng.integers(-3, 9, n).astype(float),    # few values, negatives
                       "c": rng.lognormal(size=n)})
    try:
        res = optimal_discretisation(df, "y", ["a", "b", "c"], convention=convention, workers=2)
    except ValueError:
        return
    for _, row in res.qtable.iterrows():
        b = breaks_for(df[row["factor"]].to_numpy(), row["method"], int(row["n"]))
        if np.unique(b).size != b.size:
            assert row["rejected"] == "duplicate breaks"
            continue
        codes = strata_codes(df[row["factor"]].to_numpy(), b)
        if np.bincount(codes[codes >= 0], minlength=b.size - 1).min() < 2:
            assert row["rejected"].startswith("an interval holds")
            continue
        assert row["rejected"] == ""
        assert row["q"] == pytest.approx(q_statistic(df["y"].to_numpy(), codes, convention).q[0], rel=1e-12, abs=1e-13)
    for f, d in res.discretisations.items():
        t = res.qtable[res.qtable["factor"] == f]
        first = t.iloc[int(np.flatnonzero(t["q"].to_numpy() == t["q"].max())[0])]
        assert (d.method, d.n) == (first["method"], first["n"])
