"""The comparison of published numbers with a run's: tolerance rules and verdicts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from smvar.comparison import (
    CALIBRATION_TARGETS, OUTCOME, SYNTHETIC_REASON, TARGET, TWIN_REASONS, claims_of_run, close_to, comparison_table,
    detector_rows, geostatistics_rows, load_published, within_range,
)
from smvar.factors import FACTOR_NAMES


def test_within_range_widens_the_paper_range_by_the_tolerance():
    assert within_range(0.11, 0.15, 0.115, 0.146, 0.01)
    assert not within_range(0.10, 0.15, 0.115, 0.146, 0.01)
    assert not within_range(0.12, 0.16, 0.115, 0.146, 0.01)
    assert within_range(0.105, 0.156, 0.115, 0.146, 0.01)  # the boundaries themselves agree


def test_close_to_is_an_absolute_tolerance():
    assert close_to(0.70, 0.6004, 0.1)
    assert not close_to(0.71, 0.6004, 0.1)


def test_published_values_are_shipped_with_the_repository():
    published = load_published()
    assert published["monthly_statistics"]["monthly_mean_range_m3m3"] == [0.115, 0.146]
    assert published["geodetector"]["factor_detector"]["may_lst_day_q"] == 0.6004


@pytest.fixture
def published():
    return load_published()


def geostat_inputs(mean_shift=0.0):
    months = np.arange(1, 13)
    statistics = pd.DataFrame({"MEAN": np.linspace(0.116, 0.145, 12) + mean_shift,
                               "iqr_sd": np.linspace(1.30, 1.38, 12)}, index=months)
    models = ["Linear"] * 4 + ["Gaussian"] * 5 + ["Exponential"] * 3
    table3 = pd.DataFrame({"month": months, "model": models, "r2": np.linspace(0.86, 0.96, 12)})
    by_reach = pd.DataFrame({"p05": [0.04, 0.005], "p95": [0.12, 0.025]}, index=["upper", "middle+lower"])
    return statistics, table3, by_reach


def test_geostatistics_rows_agree_on_a_run_like_the_paper(published):
    rows = geostatistics_rows(*geostat_inputs(), published)
    assert [row.agrees for row in rows] == [True] * 6
    assert all(row.why == "" for row in rows)


def test_a_run_outside_tolerance_is_flagged_with_the_reason(published):
    rows = geostatistics_rows(*geostat_inputs(mean_shift=0.05), published)
    mean_row = rows[0]
    assert not mean_row.agrees and "synthetic twin" in mean_row.why
    assert mean_row.paper == "0.115 – 0.146"
    table = comparison_table(rows)
    assert table.loc[("3.1", "monthly basin-mean SM (m³/m³)"), "agrees"] == "no"


def test_detector_rows_find_dominant_factors_and_pairs(published):
    months = list(range(1, 13))
    q = pd.DataFrame(0.1, index=list(FACTOR_NAMES), columns=months)
    q.loc["lucc", [1, 2, 3, 12]] = 0.40
    q.loc["dem", [4, 10, 11]] = 0.35
    q.loc["lst_day", 5] = 0.62
    q.loc["ndvi", 8] = 0.60
    q.loc["aspect", :] = 0.01
    interactions = pd.DataFrame({
        "month": [1, 1, 2, 2, 3, 3], "factor_1": ["dem", "ndvi", "lucc", "ndvi", "dem", "evi"],
        "factor_2": ["lucc", "evi", "dem", "evi", "lucc", "fvc"], "q": [0.45, 0.2, 0.41, 0.3, 0.40, 0.1],
        "type": ["nonlinear enhance", "bi-variable enhance", "bi-variable enhance", "nonlinear weaken",
                 "bi-variable enhance", "bi-variable enhance"]})
    rows = detector_rows(q, interactions, published)
    verdicts = {row.quantity: row.agrees for row in rows}
    assert verdicts["dominant factor, Jan–Mar, Dec"]
    assert verdicts["dominant factor, Apr, Oct, Nov"]
    assert verdicts["q of lst_day in month 5"] and verdicts["q of ndvi in month 8"]
    assert verdicts["weakest factor over the year (mean q)"]
    assert verdicts["strongest pair, Jan–Mar"]
    assert verdicts["share of factor pairs whose interaction enhances"]
    q.loc["aspect", :] = 0.5
    rows = detector_rows(q, interactions, published)
    assert not {row.quantity: row.agrees for row in rows}["weakest factor over the year (mean q)"]


class _Detectors:
    def __init__(self, q: pd.DataFrame, interaction: pd.DataFrame) -> None:
        self._q = q
        self.interaction = interaction

    def q_matrix(self, column: str = "q") -> pd.DataFrame:
        return self._q


class _Run:
    """What claims_of_run reads of a run, made by hand."""

    def __init__(self, source: str = "synthetic", lucc_winter_q: float = 0.40) -> None:
        self.config = SimpleNamespace(data=SimpleNamespace(source=source))
        statistics, table3, _ = geostat_inputs()
        self._statistics = statistics.rename_axis("month")
        self._table3 = table3.assign(best=True)
        months = list(range(1, 13))
        q = pd.DataFrame(0.1, index=list(FACTOR_NAMES), columns=months)
        q.loc["lucc", [1, 2, 3, 12]] = lucc_winter_q
        q.loc["dem", [4, 10, 11]] = 0.35
        q.loc["lst_day", 5], q.loc["ndvi", 8], q.loc["aspect", :] = 0.62, 0.60, 0.01
        interaction = pd.DataFrame({"month": [1, 2, 3], "var1": ["dem"] * 3, "var2": ["lucc"] * 3,
                                    "q12": [0.45, 0.41, 0.40], "type": ["bi-variable enhance"] * 3})
        self._detectors = _Detectors(q, interaction)

    def monthly_statistics(self) -> pd.DataFrame:
        return self._statistics

    def table3(self) -> pd.DataFrame:
        return self._table3

    def stability(self):
        import xarray as xr

        reach = np.array([1, 1, 1, 2, 3, 3])
        sd = np.array([0.04, 0.08, 0.12, 0.01, 0.005, 0.02])
        return xr.Dataset({"sd": ("pixel", sd), "reach": ("pixel", reach)})

    def detectors(self) -> _Detectors:
        return self._detectors


def test_claims_of_run_gives_the_fourteen_rows_and_marks_the_calibration_targets(published):
    rows = claims_of_run(_Run())
    assert len(rows) == 14
    roles = {row.quantity: row.role for row in rows}
    assert {q for q, role in roles.items() if role == TARGET} == set(CALIBRATION_TARGETS)
    assert all(role in (TARGET, OUTCOME) for role in roles.values())
    assert all(row.agrees for row in rows if row.quantity in CALIBRATION_TARGETS)


def test_claims_of_a_run_on_real_data_have_no_calibration_targets():
    rows = claims_of_run(_Run(source="local"))
    assert all(row.role == OUTCOME for row in rows)


def test_a_disagreeing_claim_of_the_twin_names_the_property_of_the_twin_that_causes_it():
    rows = {row.quantity: row for row in claims_of_run(_Run(lucc_winter_q=0.9))}
    row = rows["largest q in low-SM months (Jan–Apr, Oct–Dec)"]
    assert not row.agrees
    assert row.why == TWIN_REASONS[row.quantity] and row.why != SYNTHETIC_REASON


def test_every_published_claim_has_a_reason_of_the_twin_for_when_it_disagrees():
    quantities = {row.quantity for row in claims_of_run(_Run())}
    assert quantities == set(TWIN_REASONS)
    assert CALIBRATION_TARGETS <= quantities
