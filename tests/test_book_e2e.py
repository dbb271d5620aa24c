"""End to end: run the small basin, build the book, and look at it in headless Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from browser import browser, chromium_path, missing_local_targets, page_facts, serve
from smvar.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built_book(tmp_path_factory) -> Path:
    repo = Path(__file__).resolve().parents[1]
    if not (repo / "_vendor" / "mathjax" / "tex-mml-chtml.js").is_file():
        pytest.skip("MathJax is not vendored: run `make vendor` (make test does it)")
    run_dir = tmp_path_factory.mktemp("run")
    out = tmp_path_factory.mktemp("book")
    assert main(["run", str(repo / "data" / "basins" / "small.yaml"), "--out", str(run_dir), "--quiet"]) == 0
    assert main(["book", str(run_dir), "--out", str(out)]) == 0
    return out


def test_book_builds_with_zero_sphinx_warnings(built_book):
    log = (built_book / "build.log").read_text()
    assert "WARNING" not in log
    assert (built_book / "_build" / "html" / "index.html").is_file()


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("page_name", ["index.html", "book/_executed/01_study_area.html"])
def test_page_shows_images_math_and_no_broken_local_links(built_book, page_name):
    html = built_book / "_build" / "html"
    with serve(html) as base, browser() as chrome:
        page = chrome.new_page()
        url = base + page_name
        facts = page_facts(page, url)
        missing = missing_local_targets(html, facts["url"], base, facts["links"] + facts["resources"])
    assert not missing, f"{page_name} links to missing local files: {missing}"
    for image in facts["images"]:
        assert image["width"] > 0, f"{page_name}: image {image['src']} did not load"
    if page_name.startswith("book/"):
        assert facts["images"], "the study-area page shows no figure"
        assert all(image["alt"] for image in facts["images"]), "a figure has no alt text"
        assert facts["mathjax"] > 0, "math was not typeset by MathJax"
