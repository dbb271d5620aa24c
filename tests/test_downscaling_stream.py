"""The streamed downscaling (issue 9): day blocks as tasks, daily field in Zarr, resume."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smvar.compute import Executor
from smvar.config import load_config
from smvar.downscaling import downscale, monthly_mean
from smvar.compute import day_blocks, default_chunk_days
from smvar.downscaling.stream import downscale_streamed
from smvar.grid import analysis_grid, microwave_grid, reanalysis_grid
from smvar.inputs import write_inputs

ROOT = Path(__file__).resolve().parents[1]


def test_day_blocks_never_cross_a_month_and_hold_at_most_chunk_days():
    times = pd.date_range("2020-01-25", "2020-03-03")
    blocks = day_blocks(times, 4)
    assert blocks[0] == (0, 4) and blocks[1] == (4, 7)  # 25-28 Jan, 29-31 Jan
    covered = np.concatenate([np.arange(a, b) for a, b in blocks])
    np.testing.assert_array_equal(covered, np.arange(len(times)))
    for a, b in blocks:
        assert b - a <= 4 and times[a].month == times[b - 1].month
    with pytest.raises(ValueError, match="chunk_days"):
        day_blocks(times, 0)


def test_default_chunk_days_bounds_the_cell_days_of_a_task():
    assert default_chunk_days(559 * 434) == 31  # 30 would become 31: whole months
    assert default_chunk_days(10 * 559 * 434) == 3
    assert default_chunk_days(50) == 31 and default_chunk_days(10**9) == 1


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory):
    from smvar.synthetic import generate

    config = load_config(ROOT / "data" / "basins" / "small.yaml")
    folder = tmp_path_factory.mktemp("inputs")
    inputs = generate(config)
    write_inputs(inputs, folder)
    return config, inputs, folder


class _Counting(Executor):
    """Runs tasks here; counts them; can fail after a number of tasks (a killed run)."""

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__(None, "synchronous", quiet=True)
        self.calls = 0
        self.fail_after = fail_after

    def map(self, function, items, label="tasks"):
        out = []
        for item in items:
            if self.fail_after is not None and self.calls >= self.fail_after:
                raise KeyboardInterrupt("killed")
            self.calls += 1
            out.append(function(item))
        return out


def test_streamed_run_equals_the_in_memory_downscaling(small_inputs, tmp_path):
    config, inputs, folder = small_inputs
    grids = analysis_grid(config), reanalysis_grid(config), microwave_grid(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        memory = downscale(inputs, *grids, config, correction=config.downscaling.correction)
        streamed = downscale_streamed(folder, tmp_path / "work", config, key="k1",
                                      executor=_Counting(), chunk_days=2)
    daily = xr.open_zarr(streamed.daily, consolidated=False)["sm"]
    np.testing.assert_array_equal(daily.values, memory.sm.values)
    expected = monthly_mean(memory.sm)
    np.testing.assert_allclose(streamed.monthly["sm"].values, expected.values, rtol=2e-6, equal_nan=True)
    truth = monthly_mean(inputs.fine["sm_truth"].where(inputs.fine["basin_mask"] > 0))
    np.testing.assert_allclose(streamed.monthly["sm_truth"].values, truth.values, rtol=2e-6, equal_nan=True)
    assert streamed.summary["downscaling"] == pytest.approx(memory.summary())
    assert streamed.summary["twin"]["correction"] == config.downscaling.correction
    assert streamed.daily_skill is not None and len(streamed.daily_skill) == len(config.dates())
    from smvar.downscaling import bilinear_baseline, twin_skill
    from smvar.downscaling.validation import microwave_product

    mask = inputs.fine["basin_mask"]
    baseline = bilinear_baseline(microwave_product(inputs.microwave).sel(time=inputs.fine["time"]), grids[0], mask)
    daily, summary = twin_skill(memory.sm, baseline, inputs.fine["sm_truth"], mask)
    pd.testing.assert_frame_equal(streamed.daily_skill[daily.columns], daily, check_freq=False,
                                  check_dtype=False, rtol=1e-5, atol=1e-6)  # the baseline: float32 there, float64 here
    assert streamed.summary["twin"]["correction"] == config.downscaling.correction
    assert {k: v for k, v in streamed.summary["twin"].items() if k != "correction"} == pytest.approx(summary, rel=1e-5)
    baseline_monthly = monthly_mean(baseline)
    np.testing.assert_allclose(streamed.monthly["sm_baseline"].values, baseline_monthly.values, rtol=2e-6,
                               equal_nan=True)


def test_a_killed_run_resumes_without_redoing_finished_blocks(small_inputs, tmp_path):
    config, _, folder = small_inputs
    work = tmp_path / "work"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KeyboardInterrupt):
            downscale_streamed(folder, work, config, key="k1", executor=_Counting(fail_after=3), chunk_days=5)
        finished = sorted((work / "blocks").glob("*.pickle"))
        assert len(finished) == 3
        stamps = {path: path.stat().st_mtime_ns for path in finished}
        resumed = downscale_streamed(folder, work, config, key="k1", executor=_Counting(), chunk_days=5)
        assert all(path.stat().st_mtime_ns == stamp for path, stamp in stamps.items())
        fresh = downscale_streamed(folder, tmp_path / "fresh", config, key="k1", executor=_Counting(),
                                   chunk_days=5)
    xr.testing.assert_equal(resumed.monthly, fresh.monthly)
    assert not list(work.glob("**/*.partial*"))
    assert not list((work / "partials").glob("*.npz"))  # folded into the month files


def test_another_key_recomputes_everything(small_inputs, tmp_path):
    config, _, folder = small_inputs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        downscale_streamed(folder, tmp_path, config, key="k1", executor=_Counting(), chunk_days=31)
        again = _Counting()
        downscale_streamed(folder, tmp_path, config, key="k2", executor=again, chunk_days=31)
    n_blocks = len(day_blocks(pd.DatetimeIndex(pd.to_datetime(config.dates())), 31))
    assert again.calls == n_blocks + 12
