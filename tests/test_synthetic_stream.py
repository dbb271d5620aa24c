"""Tests of smvar.synthetic.stream: the twin written tile by tile equals generate(), resumably.

A short period of the small preset (66 x 66 cells, every 10th day of
January to March 2020: 10 days) serves every check; with ``tile_rows=64``
it makes two tiles (64 rows and 2 rows).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import xarray as xr

from smvar.config import load_config
from smvar.inputs import read_inputs, write_inputs
from smvar.synthetic import generate
from smvar.synthetic.stream import write_synthetic_inputs

pytestmark = pytest.mark.filterwarnings("ignore:Consolidated metadata:UserWarning")

GRIDS = ("fine", "reanalysis", "microwave")


@pytest.fixture(scope="module")
def config(request):
    from pathlib import Path

    cfg = load_config(Path(request.config.rootpath) / "data" / "basins" / "small.yaml")
    return cfg.model_copy(update={"period": cfg.period.model_copy(update={"end": dt.date(2020, 3, 31)})})


@pytest.fixture(scope="module")
def expected(config):
    return generate(config)


@pytest.fixture(scope="module")
def streamed(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("streamed")
    write_synthetic_inputs(config, folder, chunk_days=4, tile_rows=64)
    return folder


def _assert_same_stores(a, b):
    for grid in GRIDS:
        xr.testing.assert_identical(a.datasets()[grid].load(), b.datasets()[grid].load())


class Recorder:
    """A mapper that records the items it runs and can stop after some of them (a killed run)."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.items: list = []
        self.stop_after = stop_after

    def __call__(self, fn, items):
        for item in items:
            if self.stop_after is not None and len(self.items) == self.stop_after:
                raise KeyboardInterrupt("killed")
            self.items.append(item)
            yield fn(item)


def test_streamed_stores_read_back_equal_generate(streamed, expected):
    _assert_same_stores(expected, read_inputs(streamed))


def test_streamed_stores_have_the_layout_of_write_inputs(streamed, expected, tmp_path):
    written = read_inputs(write_inputs(expected, tmp_path / "whole"))
    back = read_inputs(streamed)
    for grid in GRIDS:
        a, b = written.datasets()[grid], back.datasets()[grid]
        assert set(a.variables) == set(b.variables), grid
        for name in a.variables:
            assert a[name].dims == b[name].dims and a[name].dtype == b[name].dtype, f"{grid}/{name}"
            assert a[name].attrs == b[name].attrs, f"{grid}/{name}"
        assert a.attrs == b.attrs, grid


def test_daily_fine_variables_are_chunked_by_days_and_tile_rows(streamed):
    fine = read_inputs(streamed).fine
    assert fine["sm_truth"].data.chunksize == (4, 64, 66)
    assert fine["evi"].data.chunksize == (3, 64, 66)


def test_values_do_not_depend_on_tile_rows_or_chunk_days(streamed, config, tmp_path):
    other = write_synthetic_inputs(config, tmp_path / "other", chunk_days=31, tile_rows=128)
    _assert_same_stores(read_inputs(streamed), read_inputs(other))


def test_the_mapper_runs_every_tile_and_progress_is_reported(config, tmp_path):
    mapper, calls = Recorder(), []
    write_synthetic_inputs(config, tmp_path / "out", chunk_days=4, tile_rows=64, mapper=mapper,
                           progress=lambda done, total: calls.append((done, total)))
    assert [(item.row0, item.row1) for item in mapper.items] == [(0, 64), (64, 66)]
    assert calls == [(1, 2), (2, 2)]
    assert not (tmp_path / "out" / ".work").exists()


def test_a_killed_run_leaves_no_final_store_and_resumes_without_redoing_tiles(config, streamed, tmp_path):
    folder = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        write_synthetic_inputs(config, folder, chunk_days=4, tile_rows=64, mapper=Recorder(stop_after=1))
    for grid in GRIDS:
        assert not (folder / f"{grid}.zarr").exists()
    assert not (tmp_path / ".resumed.complete").exists()
    assert (folder / ".fine.zarr.partial").exists()
    marker = folder / ".work" / ".tile_0000.npz.complete"
    assert marker.exists() and not (folder / ".work" / ".tile_0001.npz.complete").exists()

    mapper, calls = Recorder(), []
    write_synthetic_inputs(config, folder, chunk_days=4, tile_rows=64, mapper=mapper,
                           progress=lambda done, total: calls.append((done, total)))
    assert [item.number for item in mapper.items] == [1]
    assert calls == [(1, 2), (2, 2)]
    assert not marker.exists()  # the work folder is gone after success
    _assert_same_stores(read_inputs(streamed), read_inputs(folder))


def test_other_settings_after_a_kill_start_afresh(config, streamed, tmp_path):
    folder = tmp_path / "restarted"
    with pytest.raises(KeyboardInterrupt):
        write_synthetic_inputs(config, folder, chunk_days=4, tile_rows=64, mapper=Recorder(stop_after=1))
    mapper = Recorder()
    write_synthetic_inputs(config, folder, chunk_days=5, tile_rows=64, mapper=mapper)
    assert [item.number for item in mapper.items] == [0, 1]
    _assert_same_stores(read_inputs(streamed), read_inputs(folder))


def test_a_completed_folder_is_not_recomputed(config, tmp_path):
    folder = write_synthetic_inputs(config, tmp_path / "done", chunk_days=4, tile_rows=64)
    mapper = Recorder()
    assert write_synthetic_inputs(config, folder, chunk_days=4, tile_rows=64, mapper=mapper) == folder
    assert mapper.items == []
    # another seed is another twin: the folder is rewritten
    seven = config.model_copy(update={"data": config.data.model_copy(update={"seed": 7})})
    write_synthetic_inputs(seven, folder, chunk_days=4, tile_rows=64, mapper=mapper)
    assert len(mapper.items) == 2
    assert read_inputs(folder).fine.attrs["seed"] == "7"


@pytest.mark.parametrize("tile_rows", [0, 32, 100])
def test_tile_rows_must_be_a_multiple_of_the_noise_band(config, tmp_path, tile_rows):
    with pytest.raises(ValueError, match="multiple of 64"):
        write_synthetic_inputs(config, tmp_path / "bad", tile_rows=tile_rows)


def test_a_tile_band_of_generate_equals_the_whole_grid_rows(config):
    """The day loop on rows 64-65 alone gives the whole grid's values there (the basis of tiling)."""
    import sys

    gen = sys.modules["smvar.synthetic.generate"]
    from smvar.grid import analysis_grid

    fine = analysis_grid(config)
    lon, lat = fine.lonlat
    seed = config.data.seed
    static = gen.static_fields(lon, lat, fine.resolution_m, seed)
    dates = config.dates()[:3]
    rows = slice(64, 66)

    def run(static, lon, lat, row0, rows):
        out = []
        gen._simulate(static, lon, lat, row0, dates, seed, gen.lat_range_of(fine.lonlat[1]),
                      gen.irrigation_phase(fine, rows, seed),
                      lambda i, fields: out.append({k: np.array(v) for k, v in fields.items()}))
        return out

    whole = run(static, lon, lat, 0, slice(None))
    band = run({k: v[rows] for k, v in static.items()}, lon[rows], lat[rows], 64, rows)
    for a, b in zip(whole, band):
        for name in a:
            np.testing.assert_array_equal(a[name][rows], b[name], err_msg=name)


@pytest.mark.slow
def test_tiles_run_on_a_dask_distributed_cluster(config, streamed, tmp_path, monkeypatch):
    from smvar.compute import open_executor
    from smvar.config import ComputeSection

    monkeypatch.delenv("SMVAR_SCHEDULER", raising=False)
    with open_executor(ComputeSection(workers=2), quiet=True, echo=None) as executor:
        assert executor.client is not None
        folder = write_synthetic_inputs(config, tmp_path / "dask", chunk_days=4, tile_rows=64,
                                        mapper=executor.map)
    _assert_same_stores(read_inputs(streamed), read_inputs(folder))


def test_a_run_killed_while_renaming_the_stores_finishes_without_recomputing(config, streamed, tmp_path,
                                                                               monkeypatch):
    from pathlib import Path

    folder = tmp_path / "renaming"
    rename = Path.rename

    def killed_at_reanalysis(self, target):
        if self.name == ".reanalysis.zarr.partial":
            raise KeyboardInterrupt("killed")
        return rename(self, target)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "rename", killed_at_reanalysis)
        with pytest.raises(KeyboardInterrupt):
            write_synthetic_inputs(config, folder, chunk_days=4, tile_rows=64)
    assert (folder / "fine.zarr").exists() and not (folder.parent / f".{folder.name}.complete").exists()
    mapper = Recorder()
    write_synthetic_inputs(config, folder, chunk_days=4, tile_rows=64, mapper=mapper)
    assert mapper.items == []
    _assert_same_stores(read_inputs(streamed), read_inputs(folder))
