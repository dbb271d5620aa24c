"""One small-basin book for every test module that reads it (the HTML test, the browser test).

``small_book(tmp_path_factory)`` runs ``smvar run`` on ``data/basins/small.yaml``
with a local dask cluster of two workers (the default path of ``make book``)
and builds the book and its PDF (where Chromium is installed), once per test session; later calls return the same
folders. ``SMVAR_TEST_BOOK_RUN=RUN`` reuses a run folder whose book is
already built (``smvar run data/basins/small.yaml --out RUN && smvar book RUN``),
for looking at a change without running the notebooks again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smvar.cli import main

REPO = Path(__file__).resolve().parents[1]
_BUILT: dict[str, tuple[Path, Path]] = {}


def small_book(tmp_path_factory) -> tuple[Path, Path]:
    """(run folder, book build folder) of the small basin, built once per session."""
    if "small" in _BUILT:
        return _BUILT["small"]
    given = os.environ.get("SMVAR_TEST_BOOK_RUN")   # a run folder already built (RUN/book/_build/html)
    if given and (Path(given) / "book" / "_build" / "html" / "index.html").is_file():
        _BUILT["small"] = (Path(given), Path(given) / "book")
        return _BUILT["small"]
    if not (REPO / "_vendor" / "mathjax" / "tex-mml-chtml.js").is_file():
        pytest.skip("MathJax is not vendored: run `make vendor` (make test does it)")
    run_dir = tmp_path_factory.mktemp("run")
    out = run_dir / "book"
    previous = os.environ.pop("SMVAR_SCHEDULER", None)
    try:
        assert main(["run", str(REPO / "data" / "basins" / "small.yaml"), "--out", str(run_dir), "--quiet",
                     "--workers", "2"]) == 0
    finally:
        if previous is not None:
            os.environ["SMVAR_SCHEDULER"] = previous
    assert main(["book", str(run_dir), "--out", str(out)]) == 0
    from smvar.book import build_pdf, chromium_path

    if chromium_path() is not None:   # as `make book` does: the intro links to the PDF
        build_pdf(out)
    _BUILT["small"] = (run_dir, out)
    return run_dir, out
