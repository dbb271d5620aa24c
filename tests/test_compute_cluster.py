"""The same run on a local dask cluster of worker processes (issue 9).

Each test starts a LocalCluster of two worker processes on 127.0.0.1.
"""

import functools
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from smvar.compute import SCHEDULER_VARIABLE, Executor, open_executor
from smvar.config import ComputeSection, ConfigError, load_config
from smvar.downscaling.stream import downscale_streamed
from smvar.inputs import write_inputs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_scheduler_override(monkeypatch):
    monkeypatch.delenv(SCHEDULER_VARIABLE, raising=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from smvar.synthetic import generate

    config = load_config(ROOT / "data" / "basins" / "small.yaml")
    folder = tmp_path_factory.mktemp("inputs")
    write_inputs(generate(config), folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = downscale_streamed(folder, tmp_path_factory.mktemp("sync"), config, key="k",
                                       executor=Executor(None, quiet=True), chunk_days=5)
    return config, folder, reference


def _square(x):
    return x * x


def _fail_on_three(x):
    if x == 3:
        raise ValueError("task three failed")
    return x


def _die_once(function, flag, job):
    """Kill this worker process the first time any task arrives; run normally afterwards."""
    try:
        fd = os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return function(job)
    os.close(fd)
    os._exit(1)


class _KillingExecutor(Executor):
    def __init__(self, inner: Executor, flag: Path) -> None:
        super().__init__(inner.client, inner.description, True, _cluster=inner._cluster)
        self.flag = str(flag)

    def map(self, function, items, label="tasks"):
        return super().map(functools.partial(_die_once, function, self.flag), items, label)


def _assert_same(a, b):
    xr.testing.assert_allclose(a.monthly, b.monthly, rtol=0, atol=0)
    daily_a = xr.open_zarr(a.daily, consolidated=False)["sm"].values
    daily_b = xr.open_zarr(b.daily, consolidated=False)["sm"].values
    np.testing.assert_array_equal(daily_a, daily_b)
    assert a.summary == b.summary


def test_executor_keeps_order_and_raises_task_errors(no_scheduler_override):
    with open_executor(ComputeSection(workers=2), quiet=True, echo=None) as executor:
        assert executor.client is not None
        assert len(executor.client.scheduler_info()["workers"]) == 2
        assert executor.map(_square, range(20)) == [k * k for k in range(20)]
        with pytest.raises(ValueError, match="task three failed"):
            executor.map(_fail_on_three, range(6))


def test_cluster_run_is_identical_to_the_single_process_run(small, tmp_path, no_scheduler_override, capsys):
    config, folder, reference = small
    with open_executor(ComputeSection(workers=2, memory_limit="1GB"), quiet=True) as executor:
        said = capsys.readouterr().out
        assert "local cluster of 2 worker processes" in said and "dashboard http://127.0.0.1:" in said
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            streamed = downscale_streamed(folder, tmp_path, config, key="k", executor=executor, chunk_days=5)
    _assert_same(streamed, reference)


def test_a_worker_killed_mid_downscaling_does_not_change_the_result(small, tmp_path, no_scheduler_override):
    config, folder, reference = small
    flag = tmp_path / "killed-once"
    inner = open_executor(ComputeSection(workers=2), quiet=True, echo=None)
    with _KillingExecutor(inner, flag) as executor:
        before = set(executor.client.scheduler_info()["workers"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            streamed = downscale_streamed(folder, tmp_path / "work", config, key="k", executor=executor,
                                          chunk_days=5)
        after = set(executor.client.scheduler_info()["workers"])
    assert flag.exists()  # a worker really died ...
    assert before != after  # ... and was replaced by a new one
    _assert_same(streamed, reference)


def test_a_small_worker_memory_limit_completes_without_losing_a_worker(small, tmp_path, no_scheduler_override):
    config, folder, reference = small
    with open_executor(ComputeSection(workers=2, memory_limit="600MB"), quiet=True, echo=None) as executor:
        before = set(executor.client.scheduler_info()["workers"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            streamed = downscale_streamed(folder, tmp_path, config, key="k", executor=executor, chunk_days=5)
        after = set(executor.client.scheduler_info()["workers"])
        limits = {w["memory_limit"] for w in executor.client.scheduler_info()["workers"].values()}
    assert before == after  # no worker was killed (for memory or anything else)
    assert limits == {600 * 10**6}
    _assert_same(streamed, reference)


def test_unreachable_scheduler_is_a_clear_error(no_scheduler_override):
    with pytest.raises(RuntimeError, match=r"no dask scheduler answers at tcp://127.0.0.1:9.*compute.scheduler"):
        open_executor(ComputeSection(scheduler="tcp://127.0.0.1:9"), echo=None, connect_timeout="2s")


def test_bad_compute_settings_name_the_field_and_the_fix(tmp_path):
    text = (ROOT / "data" / "basins" / "small.yaml").read_text()
    for bad, message in [("compute:\n  scheduler: my-cluster\n", "tcp://127.0.0.1:8786"),
                         ("compute:\n  memory_limit: lots\n", "'3GB'"),
                         ("compute:\n  tile_rows: 100\n", "multiple of 64")]:
        path = tmp_path / "bad.yaml"
        path.write_text(text + bad)
        with pytest.raises(ConfigError, match=message) as info:
            load_config(path)
        assert "compute" in str(info.value) and "bad.yaml" in str(info.value)


def test_the_compute_section_does_not_change_the_cache_key(tmp_path):
    text = (ROOT / "data" / "basins" / "small.yaml").read_text()
    path = tmp_path / "with_compute.yaml"
    path.write_text(text + "compute:\n  workers: 7\n  memory_limit: 2GB\n")
    assert load_config(path).fingerprint() == load_config(ROOT / "data" / "basins" / "small.yaml").fingerprint()


def test_cli_compute_options_reach_the_config_and_bad_ones_are_refused():
    import argparse

    from smvar.cli import _with_compute_options

    config = load_config(ROOT / "data" / "basins" / "small.yaml")
    args = argparse.Namespace(scheduler=None, workers=3, memory_limit="2GB")
    assert _with_compute_options(config, args).compute.workers == 3
    with pytest.raises(ConfigError, match="--memory-limit"):
        _with_compute_options(config, argparse.Namespace(scheduler=None, workers=None, memory_limit="x"))


def test_a_running_cluster_is_used_by_its_address_and_by_its_client(small, tmp_path, no_scheduler_override):
    from distributed import Client, LocalCluster

    from smvar.compute import close_shared_executor, shared_executor, use_client

    config, folder, reference = small
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        with open_executor(ComputeSection(scheduler=cluster.scheduler_address), quiet=True, echo=None) as executor:
            assert executor.description == cluster.scheduler_address
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                streamed = downscale_streamed(folder, tmp_path, config, key="k", executor=executor, chunk_days=5)
        _assert_same(streamed, reference)
        with Client(cluster) as client:
            given = use_client(client)
            assert shared_executor(ComputeSection(workers=5)) is given
            close_shared_executor()
            assert client.status == "running"  # the caller's client is left open
            assert shared_executor(ComputeSection(scheduler="synchronous")).client is None
            close_shared_executor()


@pytest.mark.slow
def test_the_whole_small_run_on_a_cluster_equals_the_single_process_run(tmp_path, monkeypatch):
    import pandas as pd
    from distributed import LocalCluster

    from smvar.compute import close_shared_executor
    from smvar.pipeline import Run

    def steps(run_dir):
        run = Run(ROOT / "data" / "basins" / "small.yaml", run_dir)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {"monthly": run.downscaled().monthly, "factors": run.factors(),
                    "statistics": run.monthly_statistics(), "table3": run.table3(),
                    "stability": run.stability(), "q": run.detectors().q_matrix(),
                    "inputs": read_back(run.inputs_folder())}

    def read_back(folder):
        from smvar.inputs import read_inputs

        return read_inputs(folder).fine[["sm_truth", "lst_day", "ndvi"]].load()

    monkeypatch.setenv(SCHEDULER_VARIABLE, "synchronous")
    alone = steps(tmp_path / "alone")
    close_shared_executor()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        monkeypatch.setenv(SCHEDULER_VARIABLE, cluster.scheduler_address)
        on_cluster = steps(tmp_path / "cluster")
        close_shared_executor()
    for name in ("monthly", "factors", "stability", "inputs"):
        xr.testing.assert_identical(on_cluster[name], alone[name])
    for name in ("statistics", "table3", "q"):
        pd.testing.assert_frame_equal(on_cluster[name], alone[name])


def test_progress_bars_go_to_a_terminal_only(monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "__stderr__", terminal)
    assert Executor(None, quiet=False).map(_square, range(3), label="downscaling") == [0, 1, 4]
    assert "downscaling" in terminal.getvalue() and "/3 [" in terminal.getvalue()  # a bar of 3 tasks
    pipe = io.StringIO()  # not a terminal: a notebook's output, a CI log
    monkeypatch.setattr(sys, "__stderr__", pipe)
    Executor(None, quiet=False).map(_square, range(3), label="downscaling")
    assert pipe.getvalue() == ""
