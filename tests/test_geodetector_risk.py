"""Risk detector: Welch t tests equal to GD, gdverse and R geodetector on CollectData."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from smvar.geodetector import risk_detector
from smvar.geodetector.risk import welch_test
from peer_reference import reference_folder


def reference() -> Path:
    return reference_folder("geodetector")


FACTORS = ["watershed", "soiltype", "elevation"]


def collect():
    ref = reference()
    return pd.read_csv(ref / "data" / "geodetector__CollectData.csv"), ref / "results"


def test_welch_equals_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=12), rng.normal(1, 2, size=9)
    t, df, p, ok = welch_test(a.size, a.mean(), a.var(ddof=1), b.size, b.mean(), b.var(ddof=1))
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert ok and t == pytest.approx(ref.statistic) and p == pytest.approx(ref.pvalue)


def test_pair_with_a_singleton_gets_gd_fallback():
    t, df, p, ok = welch_test(1, 2.0, np.nan, 5, 1.0, 1.0)
    assert not ok and t == 0 and p == 1 and df == 4


def test_risk_equals_gd_on_collectdata():
    data, results = collect()
    means, risk = risk_detector(data["incidence"], data[FACTORS])
    gd = json.loads((results / "GD_CollectData.json").read_text())
    rows = pd.DataFrame([dict(r, factor=f) for f, rs in gd["risk"].items() for r in rs])
    ours = risk.assign(itv1=risk["stratum1"].astype(str), itv2=risk["stratum2"].astype(str))
    both = rows.merge(ours, on=["factor", "itv1", "itv2"], suffixes=("_gd", ""))
    assert len(both) == len(rows)
    np.testing.assert_allclose(both["t"], both["t_gd"], rtol=1e-9)
    np.testing.assert_allclose(both["df"], both["df_gd"], rtol=1e-9)
    np.testing.assert_allclose(both["p"], both["sig"], atol=1e-6)
    assert ((both["risk"] == "Y") == both["significant"]).all()
    m = pd.DataFrame([dict(r, factor=f) for f, rs in gd["risk_mean"].items() for r in rs])
    m = m.merge(means.assign(itv=means["stratum"].astype(str)), on=["factor", "itv"])
    np.testing.assert_allclose(m["mean"], m["meanrisk"], atol=1e-12)


def test_risk_equals_gdverse_on_collectdata():
    data, results = collect()
    _, risk = risk_detector(data["incidence"], data[FACTORS], "gdverse")
    rows = pd.DataFrame(json.loads((results / "gdverse_gd_NTDs.json").read_text())["risk"])
    rows["stratum1"] = rows["zone1st"].str.replace("zone", "").astype(int)
    rows["stratum2"] = rows["zone2nd"].str.replace("zone", "").astype(int)
    both = rows.merge(risk.rename(columns={"factor": "variable"}), on=["variable", "stratum1", "stratum2"])
    assert len(both) == len(rows)
    np.testing.assert_allclose(both["t"], both["T-statistic"], rtol=1e-9)
    np.testing.assert_allclose(both["p"], both["P-value"], atol=1e-6)
    assert ((both["Risk"] == "Yes") == both["significant"]).all()


def test_risk_equals_r_geodetector_significance_matrix():
    data, results = collect()
    _, risk = risk_detector(data["incidence"], data[FACTORS], "geodetector")
    geo = json.loads((results / "geodetector_CollectData.json").read_text())["risk"]
    for factor, tables in geo.items():
        matrix = {(int(r["_row"]), int(k)): v == "TRUE" for r in tables["ttest_sig_0.05"]
                  for k, v in r.items() if k != "_row"}
        ours = risk[risk["factor"] == factor]
        for _, row in ours.iterrows():
            a, b = int(row["stratum1"]), int(row["stratum2"])
            expected = matrix.get((b, a), matrix.get((a, b)))
            assert bool(row["significant"]) == expected, (factor, a, b)
