"""Write the synthetic twin to disk tile by tile, without holding a daily cube.

Provides
--------
write_synthetic_inputs
    ``write_synthetic_inputs(config, folder) -> folder``: the layout of
    :func:`smvar.inputs.write_inputs` (``fine.zarr``, ``reanalysis.zarr``,
    ``microwave.zarr``) holding the values of
    :func:`smvar.synthetic.generate.generate`, made by one task per band of
    rows; a killed run resumes from the tiles already written.

Notes
-----
Steps (issue 9):

1. The calling process makes the true static fields and the factor maps
   (2-D; the TWI needs the whole grid), stores the true fields, longitude,
   latitude and coarse-cell indices as ``.npy`` files in ``FOLDER/.work``
   and creates ``FOLDER/.fine.zarr.partial``: the static maps written, the
   daily and monthly arrays declared with chunks ``(chunk_days, tile_rows,
   nx)`` and ``(n_months, tile_rows, nx)``.
2. One task per tile of ``tile_rows`` rows (:func:`_tile_task`) runs the day
   loop, spin-up included, for its rows only; it writes its daily values
   every ``chunk_days`` output days into its own chunks (no two tasks write
   the same chunk), then its monthly layers, then the partial sums of the
   truth and LST per coarse cell (``tile_NNNN.npz``, per noise band, only
   the coarse rows the tile touches) and last its completion marker
   ``.tile_NNNN.npz.complete`` (:mod:`smvar.store`).
3. The calling process adds the partial sums in band order into the block
   means (the coarse grids are small), makes the coarse products as
   :func:`~smvar.synthetic.generate.generate` does and writes the
   ``.reanalysis.zarr.partial`` and ``.microwave.zarr.partial`` stores.
4. The three stores are renamed to their final names, a completion marker
   the folder's completion marker is written and ``.work`` removed.

A task holds its rows' static fields, the model state, a buffer of
``chunk_days`` days and the coarse partial sums of its rows. Values do not
depend on ``tile_rows`` or ``chunk_days``: the per-pixel sensor noise and the
partial sums are keyed by fixed bands of
:data:`~smvar.synthetic.generate.NOISE_BAND_ROWS` rows, whence ``tile_rows``
must be a multiple of it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import dask.array as da
import numpy as np
import zarr
from zarr.codecs import BloscCodec

from smvar.steps import DOMAIN_FIELDS, config_digest, source_digest
from smvar.store import completion_marker, is_complete, mark_complete, write_json, write_npz
from smvar.compute import release_memory
from smvar.config import BasinConfig
from smvar.grid import analysis_grid, microwave_grid, reanalysis_grid
from smvar.synthetic.parameters import fingerprint as parameters_fingerprint
from smvar.inputs import write_store
from smvar.synthetic.generate import (
    BLOCK_VARIABLES,
    DAILY,
    MONTHLY,
    NOISE_BAND_ROWS,
    BlockSums,
    CoarseCells,
    _fine_dataset,
    _months,
    _simulate,
    _time_index,
    _with_attrs,
    block_means,
    coarse_datasets,
    factor_maps,
    irrigation_phase,
    lat_range_of,
    static_fields,
)

__all__ = ["write_synthetic_inputs"]

GRIDS = ("fine", "reanalysis", "microwave")
WORK = ".work"
# Bump when the layout of .work or the values change, so old work is not reused.
_FORMAT = 4  # 2: the twin on the real geography; 3: calibrated parameters; 4: the factors' own LST
_COMPRESSOR = BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")


@dataclass(frozen=True)
class _Tile:
    """One task: rows ``row0 .. row1`` of the fine grid (picklable, small)."""

    folder: str
    config: BasinConfig
    number: int
    row0: int
    row1: int
    chunk_days: int
    run_key: str
    lat_range: tuple[float, float, float]


def write_synthetic_inputs(
    config: BasinConfig, folder: str | Path, *, chunk_days: int = 31, tile_rows: int = 64,
    mapper: Callable[[Callable, list], Iterable] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the synthetic twin of a basin to ``folder``, tile by tile, resumably.

    Parameters
    ----------
    config : BasinConfig
        The basin parameter file (extent, period, grids, ``data.seed``).
    folder : str or Path
        Output folder: gets ``fine.zarr``, ``reanalysis.zarr`` and
        ``microwave.zarr`` (read them with :func:`smvar.inputs.read_inputs`).
    chunk_days : int, default 31
        Output days a tile buffers before writing; the time chunk of the
        daily fine variables.
    tile_rows : int, default 64
        Rows of fine cells per task, a multiple of
        :data:`~smvar.synthetic.generate.NOISE_BAND_ROWS` (64); the row chunk
        of the fine variables.
    mapper : callable, optional
        ``mapper(fn, items)`` runs ``fn`` on every item and yields as each
        finishes (results are ignored); default the builtin :func:`map`
        (in this process, one after another). Pass ``executor.map`` of an
        :class:`smvar.compute.Executor` to run tiles on a dask cluster;
        ``fn`` is a top-level function and the items are small picklable
        records.
    progress : callable, optional
        Called as ``progress(done, total)`` after each finished tile;
        ``done`` counts tiles finished by an earlier, interrupted call too.

    Returns
    -------
    Path
        ``folder``.

    Raises
    ------
    ValueError
        If ``chunk_days`` or ``tile_rows`` is not a positive integer or
        ``tile_rows`` is not a multiple of 64.

    Notes
    -----
    The values equal those of :func:`smvar.synthetic.generate.generate`
    whatever ``tile_rows`` and ``chunk_days``. Work goes to
    ``FOLDER/.work`` and ``FOLDER/.GRID.zarr.partial``; the stores get their
    final names only once all are complete. A call after an interruption with
    the same configuration, ``tile_rows`` and ``chunk_days`` skips the tiles
    already finished; other settings restart from scratch. A folder already
    completed for the same configuration is returned at once.
    """
    if int(chunk_days) != chunk_days or chunk_days < 1:
        raise ValueError(f"write_synthetic_inputs: chunk_days must be a positive integer, not {chunk_days!r}")
    if int(tile_rows) != tile_rows or tile_rows < 1 or tile_rows % NOISE_BAND_ROWS:
        raise ValueError(
            f"write_synthetic_inputs: tile_rows must be a positive multiple of {NOISE_BAND_ROWS} "
            f"(the rows of a noise band), not {tile_rows!r}"
        )
    folder = Path(folder)
    config_key = _config_key(config)
    if _is_complete(folder, config_key):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    completion_marker(folder).unlink(missing_ok=True)
    work = folder / WORK
    run_key = _key({"config": config_key, "tile_rows": tile_rows, "chunk_days": chunk_days, "format": _FORMAT})
    _start_or_resume(folder, work, run_key)
    if not is_complete(work / "stores", run_key):
        lat_range = _prepare(config, folder, work, run_key, chunk_days, tile_rows)
        _run_tiles(config, folder, work, run_key, chunk_days, tile_rows, lat_range, mapper, progress)
        _write_coarse(config, folder, work)
        mark_complete(work / "stores", run_key)
    for grid in GRIDS:
        partial, final = folder / f".{grid}.zarr.partial", folder / f"{grid}.zarr"
        if partial.exists():  # else renamed by an interrupted call
            if final.exists():
                shutil.rmtree(final)
            partial.rename(final)
    mark_complete(folder, config_key)
    shutil.rmtree(work, ignore_errors=True)
    return folder


# ------------------------------------------------------------------ run state
def _key(parts: dict) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _config_key(config: BasinConfig) -> str:
    """The fingerprint of what the twin depends on: the grids, the period and the ``data`` section
    (as the run's inputs step reads them), and the twin's format, so that a folder completed by an
    earlier twin is made again and a change to another section (the detectors') leaves it alone.
    The source of the twin's code is part of it too: tiles made by other code are never reused."""
    code = source_digest(("smvar.synthetic", "smvar.terrain"))[:12]
    return f"{config_digest(config, (*DOMAIN_FIELDS, 'data'))[:16]}-twin{_FORMAT}-{code}-{parameters_fingerprint()}"


def _is_complete(folder: Path, config_key: str) -> bool:
    """The folder holds the three stores of this twin (its completion marker holds the key)."""
    return is_complete(folder, config_key) and all((folder / f"{grid}.zarr").exists() for grid in GRIDS)


def _start_or_resume(folder: Path, work: Path, run_key: str) -> None:
    """Keep the work of an interrupted call with the same settings; else start afresh."""
    if is_complete(work, run_key):
        return
    shutil.rmtree(work, ignore_errors=True)
    for grid in GRIDS:
        shutil.rmtree(folder / f".{grid}.zarr.partial", ignore_errors=True)
    work.mkdir(parents=True)
    mark_complete(work, run_key)  # the work folder belongs to these settings


# ------------------------------------------------------------- static fields
def _prepare(config: BasinConfig, folder: Path, work: Path, run_key: str, chunk_days: int,
             tile_rows: int) -> tuple[float, float, float]:
    """Static fields to ``.work``, the fine store's template; returns the grid's latitude range."""
    frame = work / "frame.json"
    if is_complete(work / "static", run_key):
        return tuple(json.loads(frame.read_text()))
    for old in work.glob("tile_*"):
        old.unlink()
    seed = config.data.seed
    fine = analysis_grid(config)
    lon, lat = fine.lonlat
    static = static_fields(lon, lat, fine.resolution_m, seed, config.data.synthetic_basin == "extent")
    arrays = {**{f"static_{name}": values for name, values in static.items()}, "lon": lon, "lat": lat}
    for name, grid in (("reanalysis", reanalysis_grid(config)), ("microwave", microwave_grid(config))):
        arrays[f"index_{name}"] = CoarseCells(fine, grid).index
    static_dir = work / "static"
    static_dir.mkdir(exist_ok=True)
    for name, values in arrays.items():
        np.save(static_dir / f"{name}.npy", values)
    lat_range = lat_range_of(lat)
    write_json(list(lat_range), frame)
    mapped = {**static, **factor_maps(lon, lat, fine.resolution_m, static, seed)}
    del arrays, static, lon, lat
    dates = config.dates()
    months = _months(dates)
    n_rows, n_cols = fine.shape
    cubes: dict = {"month": np.asarray(months)}
    for name in DAILY:
        cubes[name] = da.empty((len(dates), n_rows, n_cols), chunks=(chunk_days, tile_rows, n_cols),
                               dtype=np.float32)
    for name in MONTHLY:
        cubes[name] = da.empty((len(months), n_rows, n_cols), chunks=(len(months), tile_rows, n_cols),
                               dtype=np.float32)
    ds = _fine_dataset(fine, mapped, cubes, _time_index(dates))
    ds = _with_attrs(config, {"fine": ds})["fine"]
    for name in ds.data_vars:
        # Blosc LZ4 with byte shuffle: about 5 times faster than zarr's
        # default Zstandard on the twin's noisy floats, and as compact.
        ds[name].encoding["compressors"] = (_COMPRESSOR,)
        if ds[name].dims == ("y", "x"):
            ds[name].encoding["chunks"] = (tile_rows, n_cols)
    partial = folder / ".fine.zarr.partial"
    shutil.rmtree(partial, ignore_errors=True)
    # Metadata, coordinates and the (numpy) static maps now; the (dask)
    # daily and monthly arrays are only declared: the tiles fill them.
    ds.to_zarr(partial, mode="w", consolidated=True, compute=False)
    mark_complete(work / "static", run_key)
    return lat_range


# --------------------------------------------------------------------- tiles
def _run_tiles(config: BasinConfig, folder: Path, work: Path, run_key: str, chunk_days: int,
               tile_rows: int, lat_range: tuple[float, float, float],
               mapper: Callable[[Callable, list], Iterable] | None,
               progress: Callable[[int, int], None] | None) -> None:
    n_rows = analysis_grid(config).shape[0]
    tiles = [_Tile(str(folder), config, k, row0, min(row0 + tile_rows, n_rows), chunk_days, run_key,
                   tuple(lat_range))
             for k, row0 in enumerate(range(0, n_rows, tile_rows))]
    todo = [tile for tile in tiles if not _tile_done(work, tile)]
    done = len(tiles) - len(todo)
    if progress is not None and done:
        progress(done, len(tiles))
    for _ in (mapper or map)(_tile_task, todo):
        done += 1
        if progress is not None:
            progress(done, len(tiles))
    missing = [tile.number for tile in tiles if not _tile_done(work, tile)]
    if missing:
        raise RuntimeError(f"write_synthetic_inputs: tiles {missing} of {folder} did not finish; "
                           "the mapper must run every item (call again to resume)")


def _tile_done(work: Path, tile: _Tile) -> bool:
    return is_complete(work / f"tile_{tile.number:04d}.npz", tile.run_key)


def _tile_task(tile: _Tile) -> int:
    """Run the day loop for one tile and write its part of the fine store; returns the tile number.

    Reads the rows' true static fields from ``.work/static``; writes the
    daily fine variables every ``chunk_days`` output days and the monthly
    ones at the end into ``.fine.zarr.partial``, the coarse partial sums to
    ``.work/tile_NNNN.npz`` and last its completion marker.
    """
    folder = Path(tile.folder)
    work = folder / WORK
    config = tile.config
    seed = config.data.seed
    rows = slice(tile.row0, tile.row1)
    static_dir = work / "static"

    def load(name: str) -> np.ndarray:
        return np.array(np.load(static_dir / f"{name}.npy", mmap_mode="r")[rows])

    static = {path.stem[len("static_"):]: load(path.stem) for path in sorted(static_dir.glob("static_*.npy"))}
    lon, lat = load("lon"), load("lat")
    fine = analysis_grid(config)
    dates = config.dates()
    n_cols = fine.shape[1]
    n_lon = {"reanalysis": reanalysis_grid(config).shape[1], "microwave": microwave_grid(config).shape[1]}
    sums = BlockSums({name: load(f"index_{name}") for name in BLOCK_VARIABLES}, n_lon, tile.row0, len(dates))
    store = zarr.open_group(str(folder / ".fine.zarr.partial"), mode="r+")
    size = tile.chunk_days
    buffers = {name: np.empty((size, tile.row1 - tile.row0, n_cols), dtype=np.float32) for name in DAILY}

    def keep(i: int, fields: dict[str, np.ndarray]) -> None:
        for name in DAILY:
            buffers[name][i % size] = fields[name]
        sums.add(i, fields)
        if (i + 1) % size == 0 or i == len(dates) - 1:
            start = i - i % size
            for name in DAILY:
                store[name][start:i + 1, rows, :] = buffers[name][:i + 1 - start]

    phase = irrigation_phase(fine, rows, seed)
    monthly = _simulate(static, lon, lat, tile.row0, dates, seed, tile.lat_range, phase, keep)
    for name in MONTHLY:
        store[name][:, rows, :] = monthly[name]
    write_npz(work / f"tile_{tile.number:04d}.npz", **sums.arrays())
    mark_complete(work / f"tile_{tile.number:04d}.npz", tile.run_key)
    release_memory()
    return tile.number


# -------------------------------------------------------------------- coarse
def _write_coarse(config: BasinConfig, folder: Path, work: Path) -> None:
    """Block means from the tiles' partial sums, then the coarse products' stores."""
    fine = analysis_grid(config)
    dates = config.dates()
    cells = {"reanalysis": CoarseCells(fine, reanalysis_grid(config)),
             "microwave": CoarseCells(fine, microwave_grid(config))}

    def parts():
        for path in sorted(work.glob("tile_*.npz")):
            with np.load(path) as arrays:
                yield dict(arrays)

    blocks = block_means(parts(), cells, len(dates))
    rean, micro = coarse_datasets(config, blocks, dates)
    datasets = _with_attrs(config, {"reanalysis": rean, "microwave": micro})
    for grid, ds in datasets.items():
        write_store(ds, folder / f".{grid}.zarr.partial")

