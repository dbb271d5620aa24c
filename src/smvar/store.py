"""Write every artifact whole or not at all, and mark work as complete one way.

Provides
--------
atomic_path
    A context manager giving a temporary path beside the destination (a file
    or a folder such as a Zarr store); on success it is renamed over the
    destination, on any error it is removed. Every writer below uses it.
write_text_atomic, write_json, write_csv, write_netcdf, write_npz, write_pickle, write_zarr
    The writers of text, JSON, CSV tables, NetCDF datasets, numpy arrays,
    pickled records and Zarr stores.
mark_complete, is_complete, completion_marker
    The one completion marker: ``.NAME.complete`` beside an artifact (or
    work file), holding the key of what made it. The run's steps, the
    notebook runner and the streamed twin and downscaling all use it, so an
    interrupted run resumes the same way everywhere.
check_writable, OutputPathError
    Check before a long computation that an output file can be written
    (not a folder, not under a file, not in a read-only place).

A reader never sees a half-written file, and an interrupted run leaves the
previous version (or nothing) in place.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from smvar.errors import UserError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import xarray as xr

__all__ = ["atomic_path", "write_text_atomic", "write_json", "write_csv", "write_netcdf", "write_npz",
           "write_pickle", "write_zarr", "mark_complete", "is_complete", "completion_marker",
           "check_writable", "OutputPathError"]


@contextlib.contextmanager
def atomic_path(path: str | Path, folder: bool = False) -> Iterator[Path]:
    """A temporary path in ``path``'s folder, renamed over ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or Path
        The destination; its folder is created if needed.
    folder : bool
        The destination is a folder (a Zarr store): an existing one is
        replaced only once the new one is complete.

    Notes
    -----
    The temporary name (``.NAME.PID.partial``) is unique per process, so two
    workers writing the same artifact cannot mix their bytes; the last rename
    wins. Files get mode 0o644.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    _remove(partial)
    try:
        yield partial
        if folder:
            old = path.with_name(f".{path.name}.{os.getpid()}.old")
            if path.exists():
                path.rename(old)
            partial.rename(path)
            _remove(old)
        else:
            os.chmod(partial, 0o644)
            os.replace(partial, path)
    except BaseException:
        _remove(partial)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all; returns the path."""
    with atomic_path(path) as partial:
        partial.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(data: Any, path: str | Path) -> Path:
    """Write JSON (indented; dates and paths as strings) whole or not at all."""
    return write_text_atomic(path, json.dumps(data, indent=1, default=str))


def write_csv(table: "pd.DataFrame", path: str | Path, index: bool = False) -> Path:
    """Write a table as CSV whole or not at all."""
    with atomic_path(path) as partial:
        table.to_csv(partial, index=index)
    return Path(path)


def write_netcdf(ds: "xr.Dataset", path: str | Path) -> Path:
    """Write a dataset as NetCDF-4 (h5netcdf, zlib level 1) whole or not at all."""
    encoding = {name: {"zlib": True, "complevel": 1} for name in ds.data_vars}
    with atomic_path(path) as partial:
        ds.to_netcdf(partial, engine="h5netcdf", encoding=encoding)
    return Path(path)


def write_npz(path: str | Path, **arrays: "np.ndarray") -> Path:
    """Write numpy arrays to one ``.npz`` file whole or not at all."""
    import numpy as np

    with atomic_path(path) as partial:
        with open(partial, "wb") as handle:
            np.savez(handle, **arrays)
    return Path(path)


def write_pickle(value: Any, path: str | Path) -> Path:
    """Pickle a value (a task's records) whole or not at all."""
    with atomic_path(path) as partial:
        with open(partial, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return Path(path)


def write_zarr(ds: "xr.Dataset", path: str | Path, *, compute: bool = True, consolidated: bool = True) -> Path:
    """Write a dataset as a Zarr store whole or not at all (``compute=False``: the layout only)."""
    with atomic_path(path, folder=True) as partial:
        ds.to_zarr(partial, mode="w", compute=compute, consolidated=consolidated)
    return Path(path)


def completion_marker(path: str | Path) -> Path:
    """The marker of ``path``: ``.NAME.complete`` in the same folder."""
    path = Path(path)
    return path.with_name(f".{path.name}.complete")


def mark_complete(path: str | Path, key: str) -> None:
    """Record that ``path`` is complete and was made by ``key`` (write it after the artifact)."""
    write_text_atomic(completion_marker(path), key)


def is_complete(path: str | Path, key: str) -> bool:
    """Whether ``path`` exists and its marker holds ``key``."""
    marker = completion_marker(path)
    try:
        return Path(path).exists() and marker.read_text(encoding="utf-8") == key
    except (FileNotFoundError, UnicodeDecodeError):
        return False


class OutputPathError(UserError, ValueError):
    """An output path that cannot be written; the message names it and the fix."""


def check_writable(path: str | Path, what: str = "output") -> Path:
    """Raise :class:`OutputPathError` unless a file can be written at ``path``.

    Called before a computation so that a bad ``--json``/``--out`` fails at
    once, not after minutes of work. The nearest existing folder is probed by
    creating (and removing) a temporary file in it, which also catches
    read-only file systems where permission bits say nothing (as root).

    Parameters
    ----------
    path : str or Path
        The file to be written (its folders may not exist yet).
    what : str
        How the message names it, e.g. ``"--json"``.
    """
    named_folder = str(path).endswith(("/", os.sep))
    path = Path(path)
    if path.is_dir() or named_folder:
        raise OutputPathError(f"{what} {path}: is a folder; give a file name, e.g. {path / 'result.json'}")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputPathError(f"{what} {path}: {ancestor} is a file, not a folder; "
                              "choose a path in a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".smvar-write-check.", dir=ancestor)
    except OSError as exc:
        raise OutputPathError(f"{what} {path}: cannot write in folder {ancestor} ({exc.strerror}); "
                              "choose a folder you can write to") from None
    os.close(fd)
    os.unlink(probe)
    return path
