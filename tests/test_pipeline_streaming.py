"""The run's steps that were rewritten to scale (issue 9) give what the direct computations give."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from smvar.compute import Executor
from smvar.config import load_config
from smvar.inputs import read_inputs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    from smvar.pipeline import Run

    run = Run(ROOT / "data" / "basins" / "small.yaml", tmp_path_factory.mktemp("run"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run.downscaled()
    return run


def test_monthly_composites_in_tasks_equal_the_groupby_composites(small_run, tmp_path):
    from smvar.factors import monthly_composites
    from smvar.inputs import Inputs, write_inputs

    # The twin carries the factors' own monthly LST, so its composites average no daily LST ...
    twin = monthly_composites(small_run.inputs_folder(), Executor(None, quiet=True), chunk_days=4)
    assert set(twin.data_vars) == {"ndvi"}
    # ... and inputs without it (as most real data sets) get the monthly means of the daily LST.
    inputs = read_inputs(small_run.inputs_folder())
    folder = write_inputs(Inputs(inputs.fine.drop_vars(["lst_day_monthly", "lst_night_monthly"]),
                                 inputs.reanalysis, inputs.microwave), tmp_path / "inputs")
    composites = monthly_composites(folder, Executor(None, quiet=True), chunk_days=4)
    fine = read_inputs(folder).fine
    month = fine["time"].dt.month.rename("month")
    np.testing.assert_array_equal(composites["ndvi"].values, fine["ndvi"].groupby(month).max("time").values)
    for name in ("lst_day", "lst_night"):
        expected = fine[name].groupby(month).mean("time").values
        np.testing.assert_allclose(composites[name].values, expected, rtol=1e-6)
    assert composites["month"].values.tolist() == list(range(1, 13))


def test_sample_semivariograms_by_fft_equal_the_pairwise_ones(small_run):
    from smvar import variogram as vg

    results = small_run.semivariograms()
    sm, mask = small_run._sm()
    step = small_run.variogram_sample_step()
    keep = mask.values[::step, ::step]
    xx, yy = np.meshgrid(sm["x"].values[::step], sm["y"].values[::step])
    coords = np.column_stack([xx[keep], yy[keep]])
    edges, closed = small_run.variogram_bins(), small_run.config.variogram.closed
    for month in (1, 7):
        values = sm.sel(month=month).values[::step, ::step][keep]
        pairwise = vg.empirical_variogram(coords, values, edges, closed=closed)
        np.testing.assert_array_equal(results[month].n_pairs, pairwise.n_pairs)
        np.testing.assert_allclose(results[month].gamma, pairwise.gamma, rtol=1e-9)
        np.testing.assert_allclose(results[month].lag_mean, pairwise.lag_mean, rtol=1e-9)


def test_detectors_on_every_basin_pixel_when_asked(tmp_path):
    import yaml

    from smvar.pipeline import Run

    raw = yaml.safe_load((ROOT / "data" / "basins" / "small.yaml").read_text())
    raw.setdefault("geodetector", {})["pixels"] = "all"
    raw["period"]["end"] = "2020-02-29"  # two months keep the test short
    path = tmp_path / "all_pixels.yaml"
    path.write_text(yaml.safe_dump(raw))
    run = Run(path, tmp_path / "run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = run._detector_table()
        basin = int((run.factors()["basin_mask"]).sum())
        assert len(table) > 0.9 * 2 * basin  # every basin pixel of both months (NaN rows dropped)
        assert len(table) > 10 * len(run.sample())
        q = run.detectors().q_matrix()
    assert list(q.columns) == [1, 2] and q.notna().all().all()
    optimal = run.detectors().optimal
    assert set(optimal["month"]) == {1, 2}
    # Counts of the optimal strata add up to the rows of each month: all pixels, not the sample.
    for month, rows in table.groupby("month"):
        counts = optimal[optimal["month"] == month]["counts"].iloc[0]
        assert sum(int(c) for c in counts.split()) <= len(rows)
        assert sum(int(c) for c in counts.split()) > 0.9 * len(rows)
