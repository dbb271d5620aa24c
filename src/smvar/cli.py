"""The ``smvar`` command line.

Commands
--------
smvar run BASIN.yaml [--out RUN_DIR] [--only NAME] [--force] [--scheduler ADDRESS] [--workers N] [--memory-limit 3GB]
    Execute every notebook for a basin (papermill), resuming where it stopped.
smvar book [RUN_DIR] [--out DIR]
    Build the HTML book from a run's executed notebooks (no code is executed).
smvar synth, smvar fetch, smvar detect, smvar variogram
    Provided by :mod:`smvar.commands.synth`, :mod:`smvar.commands.fetch`,
    :mod:`smvar.geodetector.cli` and :mod:`smvar.variogram.cli` (see ``smvar COMMAND --help``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from smvar.errors import UserError

__all__ = ["main", "build_parser"]

# Modules that add their own sub-command with a ``register(subparsers)`` function,
# which sets the sub-parser's ``handler`` (a function of the parsed arguments that
# returns the exit status). They import only the standard library at start-up, so
# that ``smvar --help`` and ``smvar detect --help`` take a fraction of a second.
COMMAND_MODULES: tuple[str, ...] = (
    "smvar.commands.synth",
    "smvar.commands.fetch",
    "smvar.geodetector.cli",
    "smvar.variogram.cli",
)


def default_run_dir(basin_name: str) -> Path:
    """``runs/NAME`` in the working folder."""
    return Path("runs") / basin_name


def _cmd_run(args: argparse.Namespace) -> int:
    from smvar.config import load_config
    from smvar.runner import run_notebooks

    config = _with_compute_options(load_config(args.basin), args)
    run_dir = Path(args.out) if args.out else default_run_dir(config.name)
    report = run_notebooks(config, run_dir, only=args.only, force=args.force,
                           progress=not args.quiet)
    print(f"run folder: {report.run_dir}")
    print(f"executed: {', '.join(report.executed) or 'none'}")
    print(f"up to date (not executed): {', '.join(report.skipped) or 'none'}")
    if report.not_selected:
        print(f"not selected (--only): {', '.join(report.not_selected)}")
    return 0


def _with_compute_options(config, args: argparse.Namespace):
    """The config with ``--scheduler``, ``--workers`` and ``--memory-limit`` put into its compute section."""
    from pydantic import ValidationError

    from smvar.config import ComputeSection, ConfigError

    given = {"scheduler": args.scheduler, "workers": args.workers, "memory_limit": args.memory_limit}
    given = {name: value for name, value in given.items() if value is not None}
    if not given:
        return config
    try:
        compute = ComputeSection(**{**config.compute.model_dump(), **given})
    except ValidationError as exc:
        problems = "; ".join(f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}"
                             for e in exc.errors())
        raise ConfigError(f"smvar run: {problems}") from None
    return config.model_copy(update={"compute": compute})


def _cmd_book(args: argparse.Namespace) -> int:
    from smvar.book import build_book

    run_dir = Path(args.run_dir) if args.run_dir else default_run_dir("heihe")
    html = build_book(run_dir, Path(args.out) if args.out else None)
    print(f"book built: {html / 'index.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="smvar",
        description="Spatiotemporal analysis of soil moisture and its driving factors "
        "(a reproduction of Yin et al. 2023, Remote Sensing 15:5768).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute every notebook for a basin parameter file")
    run.add_argument("basin", help="basin parameter file, e.g. data/basins/heihe.yaml")
    run.add_argument("--out", help="run folder (default: runs/NAME)")
    run.add_argument("--only", help="execute this notebook only (name without .py)")
    run.add_argument("--force", action="store_true", help="execute even up-to-date notebooks")
    run.add_argument("--quiet", action="store_true", help="no progress line per notebook (the summary only)")
    run.add_argument("--scheduler", help="dask scheduler address (tcp://HOST:PORT) of a running cluster, "
                                         "or 'synchronous'; default: a local cluster (compute.scheduler)")
    run.add_argument("--workers", type=int, help="worker processes of the local cluster (compute.workers)")
    run.add_argument("--memory-limit", help="memory per worker of the local cluster, e.g. 3GB (compute.memory_limit)")
    run.set_defaults(handler=_cmd_run)

    book = sub.add_parser("book", help="build the HTML book from a run folder")
    book.add_argument("run_dir", nargs="?", help="run folder (default: runs/heihe)")
    book.add_argument("--out", help="build folder (default: RUN_DIR/book)")
    book.set_defaults(handler=_cmd_book)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    for name, command in sub.choices.items():
        if command.get_default("handler") is None:  # one way to register: set_defaults(handler=...)
            raise RuntimeError(f"smvar {name}: its module registers no handler; "
                               "call parser.set_defaults(handler=...) in its register()")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``smvar`` (and ``python -m smvar``); returns the exit status.

    Errors that mean bad input (:class:`smvar.errors.UserError`, and an
    operating-system error such as a missing file) are printed in one line,
    exit status 2; Ctrl-C prints how to resume, exit status 130.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # the output went to a pager or `head` that closed early
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:
        print(f"\nsmvar {args.command}: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    except (UserError, OSError) as exc:
        print(f"smvar {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2


def _one_line(exc: BaseException) -> str:
    """The message of an error; an OSError names its file and the reason."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc)


if __name__ == "__main__":
    sys.exit(main())
