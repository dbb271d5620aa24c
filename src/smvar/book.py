"""Build the Jupyter Book (1.x) from a run's executed notebooks, without executing code.

Provides
--------
build_book
    Stage the book sources and a run's executed notebooks in one folder and
    build the HTML with ``jupyter-book build -W -n`` (warnings are errors).
BookBuildFailed
    Raised with Sphinx's warnings when the build fails.

The staging folder keeps the repository clean: the executed notebooks of a
run are copied to ``STAGE/book/_executed/`` next to a copy of ``_config.yml``,
``_toc.yml``, ``references.bib``, ``book/`` and the vendored MathJax.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from smvar.errors import UserError
from smvar.runner import EXECUTED_PREFIX, notebook_order, project_root

__all__ = ["build_book", "BookBuildFailed"]

BOOK_SOURCES = ("_config.yml", "_toc.yml", "references.bib", "book", "_vendor", "data/paper")


class BookBuildFailed(UserError, RuntimeError):
    """The Jupyter Book build failed; the message holds Sphinx's warnings."""


def _stage(root: Path, run_dir: Path, stage: Path) -> None:
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for name in BOOK_SOURCES:
        source = root / name
        target = stage / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("_executed", "__pycache__"))
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    mathjax = root / "_vendor" / "mathjax" / "tex-mml-chtml.js"
    if not mathjax.is_file():
        raise BookBuildFailed(
            f"{mathjax} is missing: the book serves MathJax itself so that math renders offline. "
            "Run `make vendor` (it installs mathjax@3 from the npm registry into _vendor/)."
        )
    executed = stage / EXECUTED_PREFIX
    executed.mkdir(parents=True)
    missing = []
    for name in notebook_order(root):
        notebook = run_dir / "notebooks" / f"{name}.ipynb"
        if not notebook.is_file():
            missing.append(name)
            continue
        shutil.copy2(notebook, executed / notebook.name)
    if missing:
        raise BookBuildFailed(
            f"{run_dir}: no executed notebook for {', '.join(missing)}. "
            f"Run `smvar run BASIN.yaml --out {run_dir}` first."
        )


def build_book(run_dir: Path, out: Path | None = None, *, root: Path | None = None) -> Path:
    """Build the HTML book from a run folder.

    Parameters
    ----------
    run_dir : Path
        A folder written by ``smvar run`` (holding ``notebooks/*.ipynb``).
    out : Path, optional
        Where the book is built; default ``RUN_DIR/book``. The HTML lands in
        ``OUT/_build/html``.
    root : Path, optional
        The project folder (default: found with :func:`smvar.runner.project_root`).

    Returns
    -------
    Path
        The HTML folder (open ``index.html``).
    """
    root = root or project_root()
    run_dir = Path(run_dir).resolve()
    out = Path(out).resolve() if out else run_dir / "book"
    stage = out / "source"
    _stage(root, run_dir, stage)
    command = [
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(stage),
        "-W", "-n", "--keep-going", "--path-output", str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    log = out / "build.log"
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        warnings = [line for line in (result.stdout + result.stderr).splitlines()
                    if "WARNING" in line or "ERROR" in line]
        shown = "\n".join(warnings[:40]) or (result.stdout + result.stderr)[-4000:]
        raise BookBuildFailed(f"jupyter-book build failed (full log: {log}):\n{shown}")
    return out / "_build" / "html"
