"""Discretisation: GD's break values for every method x n, and its quirks."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smvar.geodetector import breaks_for, discretise, strata_codes
from smvar.geodetector.discretise import breaks_for_many, interval_labels
from peer_reference import reference_folder


def reference() -> Path:
    return reference_folder("geodetector")


@pytest.mark.parametrize("dataset", ["ndvi_40", "h1n1_100"])
def test_breaks_equal_gd_for_every_method_and_n(dataset):
    ref = reference()
    data = pd.read_csv(ref / "data" / f"GD__{dataset}.csv")
    table = pd.read_csv(ref / "results" / f"GD_disc_breaks_{dataset}.csv")
    for (var, method), rows in table.groupby(["variable", "method"]):
        got = breaks_for_many(data[var].to_numpy(), method, rows["n"].tolist())
        for _, row in rows.iterrows():
            expected = np.array([float(v) for v in row["breaks"].split(";")])
            assert got[row["n"]].size == expected.size, (var, method, row["n"])
            np.testing.assert_allclose(got[row["n"]], expected, rtol=1e-9, atol=0,
                                       err_msg=f"{dataset} {var} {method} n={row['n']}")


def test_geometric_gives_n_breaks_for_non_negative_data():
    x = np.linspace(0, 100, 50)
    assert breaks_for(x, "geometric", 5).size == 5


def test_codes_are_right_closed_with_lowest_included():
    codes = strata_codes([0.0, 1.0, 1.5, 2.0, 3.0, 3.5], [0.0, 1.0, 2.0, 3.0])
    assert codes.tolist() == [0, 0, 1, 1, 2, -1]


def test_labels_follow_r_cut():
    assert interval_labels([-0.39277, 0.30247, 0.60626]) == ["[-0.393,0.302]", "(0.302,0.606]"]
    assert interval_labels([588.07, 16589.09])[0] == "[588,1.66e+04]"


def test_unknown_method_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown discretisation method 'jenks'"):
        discretise(np.arange(10.0), "jenks", 3)


def test_discretisation_result_holds_counts_and_codes():
    d = discretise(np.arange(12.0), "equal", 3)
    assert d.counts.tolist() == [4, 4, 4] and d.n_strata == 3 and d.codes.max() == 2
    assert "equal" in str(d)
