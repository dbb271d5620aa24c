"""End to end: run the small basin, build the book, and read every page in headless Chromium.

Screenshots of every page are kept in ``test-artifacts/screenshots/`` (or
``$SMVAR_SCREENSHOTS``) so that a person can look at what the test saw.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from browser import browser, chromium_path, missing_local_targets, page_facts, serve
from smvar.cli import main

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(chromium_path() is None,
                                    reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def built_book(tmp_path_factory) -> Path:
    if not (REPO / "_vendor" / "mathjax" / "tex-mml-chtml.js").is_file():
        pytest.skip("MathJax is not vendored: run `make vendor` (make test does it)")
    run_dir = tmp_path_factory.mktemp("run")
    out = tmp_path_factory.mktemp("book")
    # The default path: `smvar run` starts a local dask cluster for the notebooks.
    previous = os.environ.pop("SMVAR_SCHEDULER", None)
    try:
        assert main(["run", str(REPO / "data" / "basins" / "small.yaml"), "--out", str(run_dir), "--quiet",
                     "--workers", "2"]) == 0
    finally:
        if previous is not None:
            os.environ["SMVAR_SCHEDULER"] = previous
    assert main(["book", str(run_dir), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def site(built_book):
    """Every HTML page of the site, visited once: {relative path: facts}."""
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    html = built_book / "_build" / "html"
    shots = Path(os.environ.get("SMVAR_SCREENSHOTS", REPO / "test-artifacts" / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                   if not p.relative_to(html).as_posix().startswith(("_static", "_sources")))
    facts = {}
    with serve(html) as base, browser() as chrome:
        page = chrome.new_page(viewport={"width": 1280, "height": 900})
        for name in pages:
            facts[name] = page_facts(page, base + name)
            facts[name]["missing"] = missing_local_targets(
                html, facts[name]["url"], base, facts[name]["links"] + facts[name]["resources"])
            facts[name]["bad_anchors"] = _bad_anchors(page, facts[name], html, base)
            page.screenshot(path=str(shots / (name.replace("/", "__") + ".png")), full_page=False)
        page.goto(base + "search.html?q=semivariogram", wait_until="load")
        page.wait_for_selector("#search-results ul li, #search-results p", timeout=20000)
        search = page.evaluate(
            "() => Array.from(document.querySelectorAll('#search-results ul li a')).map(a => a.textContent)")
    return {"pages": facts, "search": search}


def _bad_anchors(page, facts: dict, html: Path, base: str) -> list[str]:
    """Links of the form page.html#anchor whose anchor is not an id of that page."""
    from urllib.parse import unquote, urldefrag, urljoin, urlparse

    bad = []
    for href in facts["links"]:
        if "#" not in href:
            continue
        absolute = urljoin(facts["url"], href)
        if not absolute.startswith(base):
            continue
        target, anchor = urldefrag(absolute)
        if not anchor:
            continue
        path = html / unquote(urlparse(target).path).lstrip("/")
        if path.is_file() and f'id="{anchor}"' not in path.read_text(encoding="utf-8"):
            bad.append(href)
    return bad


def test_book_builds_with_zero_sphinx_warnings(built_book):
    log = (built_book / "build.log").read_text()
    assert "WARNING" not in log
    assert (built_book / "_build" / "html" / "index.html").is_file()


@needs_chromium
def test_every_page_links_only_to_existing_files_and_anchors(site):
    for name, facts in site["pages"].items():
        assert not facts["missing"], f"{name} links to missing local files: {facts['missing']}"
        assert not facts["bad_anchors"], f"{name} links to missing anchors: {facts['bad_anchors']}"


@needs_chromium
def test_every_image_loads_and_has_alt_text(site):
    for name, facts in site["pages"].items():
        for image in facts["images"]:
            assert image["width"] > 0, f"{name}: image {image['src']} did not load"
            if "_images/" in image["src"]:
                assert image["alt"], f"{name}: figure {image['src']} has no alt text"


@needs_chromium
def test_math_is_typeset_wherever_there_is_math(site):
    pages = site["pages"]
    pages_with_math = [name for name, facts in pages.items() if facts["rawMath"]]
    assert "book/_executed/01_study_area.html" in pages_with_math
    for name in pages_with_math:
        assert pages[name]["mathjax"] > 0, f"{name}: math was not typeset by MathJax"


@needs_chromium
def test_chapters_show_figures(site):
    chapters = [name for name in site["pages"] if name.startswith("book/_executed/")]
    assert chapters
    for name in chapters:
        assert site["pages"][name]["images"], f"{name} shows no figure"


@needs_chromium
def test_search_finds_pages(site):
    assert site["search"], "the search page found nothing for 'semivariogram'"


def test_download_button_gives_the_executed_notebook(built_book):
    html = built_book / "_build" / "html"
    page = (html / "book" / "_executed" / "02_downscaling.html").read_text(encoding="utf-8")
    assert "_sources/book/_executed/02_downscaling.ipynb" in page
    notebook = json.loads((html / "_sources" / "book" / "_executed" / "02_downscaling.ipynb").read_text())
    assert notebook["metadata"]["papermill"]["parameters"]["basin"]["name"] == "small"
    assert any(cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")


def test_markdown_outputs_are_rendered_as_myst(built_book):
    """The data banners that notebooks print as Markdown are admonitions, not raw ':::' text."""
    html = built_book / "_build" / "html" / "book" / "_executed"
    for page in html.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert ":::{" not in text, f"{page.name} shows a MyST directive as raw text"
    assert "admonition important" in (html / "02_downscaling.html").read_text(encoding="utf-8")
