"""Interaction detector: Table 2 boundaries, peers on CollectData, symmetry."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from smvar.geodetector import GD, interaction_detector, interaction_type
from peer_reference import reference_folder


def reference() -> Path:
    return reference_folder("geodetector")


def collect():
    ref = reference()
    return pd.read_csv(ref / "data" / "geodetector__CollectData.csv"), ref / "results"


def test_gd_boundaries_are_exact():
    q1, q2 = 0.2, 0.5
    cases = {0.1: "Weaken, nonlinear", 0.2: "Weaken, uni-", 0.5: "Weaken, uni-", 0.6: "Enhance, bi-",
             0.2 + 0.5: "Independent", 0.9: "Enhance, nonlinear"}
    for q12, kind in cases.items():
        assert interaction_type(q1, q2, q12)[()] == kind, q12


def test_geodetector_boundaries_differ_at_equalities():
    assert interaction_type(0.2, 0.5, 0.2, "geodetector")[()] == "Weaken, nonlinear"
    assert interaction_type(0.2, 0.5, 0.5, "geodetector")[()] == "Enhance, bi-"
    assert interaction_type(0.2, 0.5, 0.5, "gd")[()] == "Weaken, uni-"


def test_independent_tolerance_is_an_option():
    near = 0.7 + 1e-13
    assert interaction_type(0.2, 0.5, near)[()] == "Enhance, nonlinear"
    assert interaction_type(0.2, 0.5, near, GD.with_options(independent_tol=1e-12))[()] == "Independent"


def test_interaction_equals_gd_and_gdverse_on_collectdata():
    data, results = collect()
    got = interaction_detector(data["incidence"], data[["watershed", "soiltype", "elevation"]])
    gd = pd.DataFrame(json.loads((results / "GD_CollectData.json").read_text())["interaction"])
    both = gd.merge(got, on=["var1", "var2"])
    np.testing.assert_allclose(both["q12"], both["qv12"], atol=1e-9)
    assert (both["interaction_x"] == both["interaction_y"]).all()
    gv = json.loads((results / "gdverse_gd_NTDs.json").read_text())["interaction"]
    got = got.set_index(["var1", "var2"])
    for row in gv:
        key = tuple(sorted([row["variable1"], row["variable2"]], key=["watershed", "soiltype", "elevation"].index))
        assert got.loc[key, "q12"] == pytest.approx(row["Variable1 and Variable2 interact Q-statistics"], abs=1e-9)
        assert got.loc[key, "interaction"] == row["Interaction"]


def test_interaction_equals_r_geodetector_under_its_convention():
    data, results = collect()
    got = interaction_detector(data["incidence"], data[["watershed", "soiltype", "elevation"]], "geodetector")
    got = got.set_index(["var1", "var2"])["q12"]
    for row in json.loads((results / "geodetector_CollectData.json").read_text())["interaction_q_long"]:
        if row["var1"] != row["var2"]:
            assert got.loc[(row["var1"], row["var2"])] == pytest.approx(row["q"], abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_interaction_is_symmetric_in_its_two_factors(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=60)
    a, b = rng.integers(0, 4, 60), rng.integers(0, 3, 60)
    ab = interaction_detector(y, pd.DataFrame({"a": a, "b": b})).iloc[0]
    ba = interaction_detector(y, pd.DataFrame({"b": b, "a": a})).iloc[0]
    assert ab["q12"] == pytest.approx(ba["q12"], abs=1e-12) or (np.isnan(ab["q12"]) and np.isnan(ba["q12"]))
    assert ab["interaction"] == ba["interaction"]
