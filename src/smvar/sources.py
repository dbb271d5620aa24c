"""One way in for every data source, as xarray's backends are one way in for file formats.

Provides
--------
Source
    A named source of a run's inputs: how to load them in memory and how to
    write them as the input layout (``fine.zarr``, ``reanalysis.zarr``,
    ``microwave.zarr``) into a folder.
SOURCES, register_source, get_source
    The registry: ``synthetic`` (the seeded twin), ``local`` (a folder in the
    layout, e.g. written by ``smvar synth``), ``files`` (per-variable files
    in any CRS, ``data.files``) and ``fetched`` (downloaded by
    ``smvar fetch``). The run, ``smvar synth`` and ``smvar fetch`` all go
    through it; a new source is one :func:`register_source` call.
load_inputs, write_inputs_folder
    The inputs named by a parameter file's ``data.source``, in memory or
    written to a folder.

The input contract itself (names, grids, units, the layout's reader and
writer) is :mod:`smvar.inputs`, which imports no source; the sources import
it, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from smvar.inputs import Inputs, read_inputs, validate_inputs, write_inputs

if TYPE_CHECKING:
    from smvar.compute import Executor
    from smvar.config import BasinConfig

__all__ = ["Source", "SOURCES", "register_source", "get_source", "load_inputs", "write_inputs_folder"]


@dataclass(frozen=True)
class Source:
    """A source of a run's inputs.

    Attributes
    ----------
    name : str
        The value of ``data.source`` (or of a command) that selects it.
    description : str
        One line for messages and the book.
    load : callable or None
        ``load(config) -> Inputs``, the inputs in memory; None where the
        source only writes folders (``fetched``).
    write : callable
        ``write(config, folder, executor=None, **options) -> Path``: the input
        layout written into ``folder`` (whole or resumably), returned.
    """

    name: str
    description: str
    load: Callable[["BasinConfig"], Inputs] | None
    write: Callable[..., Path]


SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    """Add a source to the registry (replacing one of the same name)."""
    SOURCES[source.name] = source
    return source


def get_source(name: str) -> Source:
    """The registered source ``name``; the message lists the others."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown data source {name!r}; use one of {', '.join(sorted(SOURCES))}") from None


def load_inputs(config: "BasinConfig") -> Inputs:
    """The inputs named by ``config.data.source``, in memory."""
    source = get_source(config.data.source)
    if source.load is None:
        raise ValueError(f"data source {source.name!r} writes folders only; read its folder with "
                         "data: {source: local, folder: ...}")
    return source.load(config)


def write_inputs_folder(config: "BasinConfig", folder: str | Path, executor: "Executor | None" = None,
                        **options: Any) -> Path:
    """Write the inputs of ``config.data.source`` into ``folder`` in the input layout."""
    return get_source(config.data.source).write(config, Path(folder), executor=executor, **options)


# ------------------------------------------------------------------ synthetic
def _load_synthetic(config: "BasinConfig") -> Inputs:
    from smvar.synthetic.generate import generate

    return generate(config)


def _write_synthetic(config: "BasinConfig", folder: Path, executor: "Executor | None" = None,
                     **options: Any) -> Path:
    """The twin streamed in row bands (on the executor's cluster), resuming from bands already written."""
    from smvar.compute import chunk_days_for
    from smvar.synthetic.stream import write_synthetic_inputs

    mapper = None if executor is None else (lambda task, items: executor.map(task, items, label="synthetic twin"))
    return write_synthetic_inputs(config, folder, chunk_days=chunk_days_for(config),
                                  tile_rows=config.compute.tile_rows, mapper=mapper, **options)


# ---------------------------------------------------------------------- local
def _load_local(config: "BasinConfig") -> Inputs:
    assert config.data_folder is not None  # guaranteed by the config's validation
    return read_inputs(config.data_folder)


def _write_local(config: "BasinConfig", folder: Path, executor: "Executor | None" = None, **options: Any) -> Path:
    """A local folder is already in the layout: it is used where it is (``folder`` is ignored)."""
    assert config.data_folder is not None
    return Path(config.data_folder)


# ---------------------------------------------------------------------- files
def _load_files(config: "BasinConfig") -> Inputs:
    from smvar.realdata.files import load_files

    inputs = load_files(config)
    validate_inputs(inputs, where=str(config.source_file or "data.files"))
    return inputs


def _write_files(config: "BasinConfig", folder: Path, executor: "Executor | None" = None, **options: Any) -> Path:
    return write_inputs(_load_files(config), folder)


# -------------------------------------------------------------------- fetched
def _write_fetched(config: "BasinConfig", folder: Path, executor: "Executor | None" = None, **options: Any) -> Path:
    """Download the products, read the local files, write the layout (``options``: those of ``fetch``)."""
    from smvar.realdata.fetch import fetch

    fetch(config, folder, **options)
    return folder


register_source(Source("synthetic", "the seeded synthetic twin of the basin, with a known truth",
                       _load_synthetic, _write_synthetic))
register_source(Source("local", "a folder in the input layout (written by smvar synth or smvar fetch)",
                       _load_local, _write_local))
register_source(Source("files", "per-variable GeoTIFF/NetCDF files in any CRS (data.files)",
                       _load_files, _write_files))
register_source(Source("fetched", "the public products downloaded by smvar fetch", None, _write_fetched))
