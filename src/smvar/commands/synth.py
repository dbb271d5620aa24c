"""The ``smvar synth`` command: write the synthetic twin of a basin to disk.

Provides
--------
register
    Add the ``synth`` sub-command to an :mod:`argparse` sub-parser set
    (called by :mod:`smvar.cli`).

Usage::

    smvar synth data/basins/heihe.yaml --out inputs/heihe

writes ``DIR/fine.zarr``, ``DIR/reanalysis.zarr`` and ``DIR/microwave.zarr``
(the layout of :func:`smvar.inputs.write_inputs`), which a parameter file
reads back with ``data: {source: local, folder: DIR}``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    from smvar.compute import open_executor
    from smvar.config import load_config
    from smvar.inputs import read_inputs
    from smvar.sources import get_source

    config = load_config(args.basin)
    if args.seed is not None:
        config = config.model_copy(update={"data": config.data.model_copy(update={"seed": args.seed})})
    start = time.perf_counter()
    # Streamed in row bands of the grid, on the parameter file's dask cluster
    # (a local one by default): no whole daily cube is ever held in memory.
    with open_executor(config.compute) as executor:
        folder = get_source("synthetic").write(config, Path(args.out), executor=executor)
    fine = read_inputs(folder).fine  # validates the stores against the contract
    print(f"synthetic twin of {config.name!r} (seed {config.data.seed}): "
          f"{fine.sizes['y']} x {fine.sizes['x']} cells, {fine.sizes['time']} days, "
          f"written to {folder} in {time.perf_counter() - start:.1f} s")
    print("these data are SYNTHETIC (a plausible twin with a known truth), not observations")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``synth`` to the sub-commands of ``smvar``."""
    parser = subparsers.add_parser(
        "synth", help="write the synthetic twin of a basin (the default inputs) to a folder",
        description="Generate the synthetic twin of the basin of a parameter file and write "
                    "fine.zarr, reanalysis.zarr and microwave.zarr to --out.")
    parser.add_argument("basin", help="basin parameter file, e.g. data/basins/heihe.yaml")
    parser.add_argument("--out", required=True, help="folder to write the inputs to")
    parser.add_argument("--seed", type=int, default=None, help="override data.seed of the file")
    parser.set_defaults(handler=_run)

