"""Build the Jupyter Book (1.x) from a run's executed notebooks, without executing code.

Provides
--------
build_book
    Stage the book sources and a run's executed notebooks in one folder and
    build the HTML with ``jupyter-book build -W -n`` (warnings are errors).
BookBuildFailed
    Raised with Sphinx's warnings when the build fails.
build_pdf
    The whole book as one PDF (``HTML/smvar-book.pdf``, linked from the
    intro): a single-page HTML build printed by headless Chromium, after
    MathJax has typeset the equations. Without Chromium, says in one line how
    to get it and returns None.
PDF_NAME
    The PDF's file name in the HTML folder.

The staging folder keeps the repository clean: the executed notebooks of a
run are copied to ``STAGE/book/_executed/`` next to a copy of ``_config.yml``,
``_toc.yml``, ``references.bib``, ``book/`` and the vendored MathJax. The
copies show no path of the machine that ran them: the folded parameter cell
and the papermill metadata give paths relative to ``notebooks/`` (as the run
injected them) and a run folder outside the repository by its role.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from smvar.errors import UserError
from smvar.runner import EXECUTED_PREFIX, notebook_order, project_root

__all__ = ["build_book", "build_pdf", "BookBuildFailed", "PDF_NAME"]

PDF_NAME = "smvar-book.pdf"

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
        _write_without_machine_paths(notebook, executed / notebook.name, root)
    if missing:
        raise BookBuildFailed(
            f"{run_dir}: no executed notebook for {', '.join(missing)}. "
            f"Run `smvar run BASIN.yaml --out {run_dir}` first."
        )


_PLACEHOLDER = "RUN_FOLDER"


def _shown_path(value: str, root: Path) -> str:
    """A path as the book shows it: as injected if relative, else relative to the repository or its role."""
    if not isinstance(value, str) or not os.path.isabs(value):
        return value
    path = Path(value).resolve()
    try:
        return os.path.relpath(path, root / "notebooks") if path.is_relative_to(root) else _PLACEHOLDER
    except ValueError:
        return _PLACEHOLDER


def _write_without_machine_paths(source: Path, target: Path, root: Path) -> None:
    """Copy an executed notebook, with the machine's absolute paths replaced (see the module notes)."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    papermill = notebook.get("metadata", {}).get("papermill", {})
    parameters = papermill.get("parameters", {})
    for name, value in list(parameters.items()):
        parameters[name] = _shown_path(value, root)
    for key in ("input_path", "output_path"):
        if isinstance(papermill.get(key), str):
            papermill[key] = Path(papermill[key]).name
    papermill.pop("environment_variables", None)
    for cell in notebook.get("cells", []):
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]

        def replace(match: re.Match) -> str:
            shown = _shown_path(json.loads(match.group(2)), root)
            note = "  # the run folder given to `smvar run`" if shown == _PLACEHOLDER else ""
            return f"{match.group(1)}{json.dumps(shown)}{note}"

        text = re.sub(r'^(\w+ = )("(?:[^"\\]|\\.)*")$', replace, text, flags=re.M)
        text = text.replace("# Parameters", "# Parameters of this run (paths relative to notebooks/)", 1)
        cell["source"] = text
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")


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
    _drop_repeated_inline_scripts(out / "_build" / "html")
    return out / "_build" / "html"


def _drop_repeated_inline_scripts(html: Path) -> None:
    """Keep the first of identical inline ``<script>`` lines of each page.

    sphinx-thebe 0.3 (loaded by Jupyter Book whether or not thebe is used)
    writes its ``const THEBE_JS_URL = ...`` line twice into every page, and
    the browser reports the second declaration as an error on the console.
    """
    for page in html.rglob("*.html"):
        lines = page.read_text(encoding="utf-8").split("\n")
        seen: set[str] = set()
        kept = []
        for line in lines:
            key = line.strip()
            if key.startswith("<script>") and key.endswith("</script>"):
                if key in seen:
                    continue
                seen.add(key)
            kept.append(line)
        if len(kept) != len(lines):
            page.write_text("\n".join(kept), encoding="utf-8")


# A4 pages; figures and table rows are not split across pages.
_PRINT_CSS = ("<style>@page{size:A4;margin:14mm 12mm}"
              "@media print{figure,img,tr,.MathJax,mjx-container{break-inside:avoid}"
              "h1,h2,h3{break-after:avoid}"
              "pre{white-space:pre-wrap;overflow:visible!important}"      # code wraps instead of scrolling
              # wide tables fit the page: no scrolling box, cells wrap, the table takes the page's width
              ".cell_output,.output,.smvar-table,.bd-article-container{overflow:visible!important;"
              "max-height:none!important}"
              ".smvar-table table{font-size:.72em;width:100%!important;min-width:0!important}"
              ".smvar-table th,.smvar-table td{white-space:normal!important;padding:.2em .35em!important;"
              "min-width:0!important}}</style>")

_PRINT_TAGS = {"hide-input": "remove-input", "hide-output": "remove-output", "hide-cell": "remove-cell"}


def _stage_for_print(stage: Path, target: Path) -> Path:
    """A copy of the staged book whose folded code is left out (paper cannot unfold it)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(stage, target)
    for path in (target / EXECUTED_PREFIX).glob("*.ipynb"):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            tags = cell.get("metadata", {}).get("tags", [])
            if "injected-parameters" in tags:
                tags.append("remove-cell")
            cell.setdefault("metadata", {})["tags"] = [_PRINT_TAGS.get(tag, tag) for tag in tags]
        path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    return target


def chromium_path() -> str | None:
    """Chromium (Debian's ``chromium``) or Google Chrome, if installed."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


PDF_HINT = ("PDF not made: it needs Chromium (Debian/Ubuntu: `sudo apt-get install chromium`), "
            "then `make book` or `smvar book RUN --pdf` prints the book to {pdf}")


def build_pdf(out: Path, *, root: Path | None = None, chromium: str | None = None) -> Path | None:
    """Print the whole book to one PDF, ``OUT/_build/html/smvar-book.pdf``.

    Parameters
    ----------
    out : Path
        The build folder of :func:`build_book` (holding ``source/`` and ``_build/html``).
    root : Path, optional
        Unused; kept for symmetry with :func:`build_book`.
    chromium : str, optional
        The browser to print with (default: :func:`chromium_path`).

    Returns
    -------
    Path or None
        The PDF, or None (with a one-line message) when no Chromium is installed.

    Notes
    -----
    Jupyter Book's ``singlehtml`` builder puts every page in one HTML file;
    headless Chromium loads it, lets MathJax typeset the equations (a virtual
    time budget of 60 s) and prints it on A4 with the theme's print style
    (no sidebars). Figures are the run's PNGs; tables print whole (the
    scrolling boxes open up in print, :mod:`smvar.tables`).
    """
    out = Path(out).resolve()
    pdf = out / "_build" / "html" / PDF_NAME
    browser = chromium or chromium_path()
    if browser is None:
        print(PDF_HINT.format(pdf=pdf))
        return None
    stage = _stage_for_print(out / "source", out / "source-print")
    single = out / "_build" / "singlehtml"
    command = [
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(stage),
        "--builder", "singlehtml", "--path-output", str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    (out / "build-singlehtml.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    index = single / "index.html"
    if result.returncode != 0 or not index.is_file():
        raise BookBuildFailed(f"the single-page build for the PDF failed (log: {out / 'build-singlehtml.log'})")
    # The single page is written at the root document's path (book/intro.html) but refers to
    # _images/ and _static/ as if it sat at the top: put a copy there.
    _drop_repeated_inline_scripts(single)
    redirect = re.search(r'url=([^"]+)"', index.read_text(encoding="utf-8"))
    page = single / "smvar-book.html"
    text = (single / redirect.group(1) if redirect else index).read_text(encoding="utf-8")
    page.write_text(text.replace("</head>", f"{_PRINT_CSS}</head>", 1), encoding="utf-8")
    profile = out / ".chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    print_command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=60000", "--no-pdf-header-footer", "--generate-pdf-document-outline",
        f"--print-to-pdf={pdf}", page.as_uri(),
    ]
    result = subprocess.run(print_command, capture_output=True, text=True, timeout=600)
    shutil.rmtree(profile, ignore_errors=True)
    if result.returncode != 0 or not pdf.is_file():
        raise BookBuildFailed(f"Chromium could not print {page} to {pdf}:\n{result.stderr[-2000:]}")
    return pdf


def _main(argv: list[str]) -> int:
    """``python -m smvar.book pdf OUT``: the PDF of a built book (used by ``make book``)."""
    if len(argv) != 2 or argv[0] != "pdf":
        print("usage: python -m smvar.book pdf BUILD_DIR   (BUILD_DIR: RUN/book)", file=sys.stderr)
        return 2
    pdf = build_pdf(Path(argv[1]))
    if pdf is not None:
        print(f"PDF of the book: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
