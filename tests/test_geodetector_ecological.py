"""Ecological detector: GD's q-ratio rule and gdverse's SSW-ratio test on CollectData."""

import json
from pathlib import Path

import pandas as pd
import pytest

from smvar.geodetector import ecological_detector
from peer_reference import reference_folder


def reference() -> Path:
    return reference_folder("geodetector")


FACTORS = ["watershed", "soiltype", "elevation"]


def collect():
    ref = reference()
    return pd.read_csv(ref / "data" / "geodetector__CollectData.csv"), ref / "results"


def test_ecological_equals_gd():
    data, results = collect()
    got = ecological_detector(data["incidence"], data[FACTORS]).set_index(["var1", "var2"])
    for row in json.loads((results / "GD_CollectData.json").read_text())["ecological"]:
        assert got.loc[(row["var1"], row["var2"]), "significant"] == (row["eco"] == "Y")


def test_ecological_equals_r_geodetector():
    data, results = collect()
    got = ecological_detector(data["incidence"], data[FACTORS], "geodetector").set_index(["var1", "var2"])
    for row in json.loads((results / "geodetector_CollectData.json").read_text())["ecological_sig"]:
        for other, flag in row.items():
            if other in ("_row", row["_row"]):
                continue
            key = (row["_row"], other) if (row["_row"], other) in got.index else (other, row["_row"])
            assert got.loc[key, "significant"] == (flag == "TRUE")


def test_ecological_equals_gdverse_f_and_p():
    data, results = collect()
    got = ecological_detector(data["incidence"], data[FACTORS], "gdverse").set_index(["var1", "var2"])
    for row in json.loads((results / "gdverse_gd_NTDs.json").read_text())["ecological"]:
        a, b = row["variable1"], row["variable2"]
        if (a, b) in got.index:
            F = got.loc[(a, b), "F"]
        else:
            F = 1.0 / got.loc[(b, a), "F"]
        assert F == pytest.approx(row["F-statistic"], rel=1e-9)
        sub = ecological_detector(data["incidence"], data[[a, b]], "gdverse").iloc[0]
        assert sub["p"] == pytest.approx(row["P-value"], abs=1e-6)
        assert sub["significant"] == (row["Ecological"] == "Yes")


def test_one_factor_is_refused():
    with pytest.raises(ValueError, match="at least two factors"):
        ecological_detector([1.0, 2.0, 3.0], pd.DataFrame({"a": [0, 0, 1]}))
