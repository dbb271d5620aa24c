"""End to end: run the small basin, build the book, and read every page in headless Chromium.

Every page of the site is visited (not a sample); a page fails on a console
error, an image that does not load, or a link to a missing file or anchor.
A screenshot of each page is saved under the run folder, in
``RUN/screenshots/`` (or ``$SMVAR_SCREENSHOTS``), so that a reviewer can look
at what the test saw. The book's PDF is printed once and checked too.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from pathlib import Path

import pytest

from book_build import small_book
from browser import browser, chromium_path, missing_local_targets, page_facts, serve

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(chromium_path() is None,
                                    reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def built_book(tmp_path_factory) -> Path:
    return small_book(tmp_path_factory)[1]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    run_dir = small_book(tmp_path_factory)[0]
    folder = Path(os.environ.get("SMVAR_SCREENSHOTS", run_dir / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def site(built_book, screenshots):
    """Every HTML page of the site, visited once: {relative path: facts}."""
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    html = built_book / "_build" / "html"
    shots = screenshots
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                   if not p.relative_to(html).as_posix().startswith(("_static", "_sources")))
    facts = {}
    with serve(html) as base, browser() as chrome:
        page = chrome.new_page(viewport={"width": 1280, "height": 900})
        console: list[str] = []
        page.on("console", lambda message: console.append(
            f"{message.text} ({message.location.get('url', '')})") if message.type == "error" else None)
        page.on("pageerror", lambda error: console.append(str(error)))
        page.on("response", lambda response: console.append(f"HTTP {response.status}: {response.url}")
                if response.status >= 400 else None)
        for name in pages:
            console.clear()
            facts[name] = page_facts(page, base + name)
            facts[name]["console_errors"] = list(console)
            facts[name]["missing"] = missing_local_targets(
                html, facts[name]["url"], base, facts[name]["links"] + facts[name]["resources"])
            facts[name]["bad_anchors"] = _bad_anchors(page, facts[name], html, base)
            page.screenshot(path=str(shots / (name.replace("/", "__") + ".png")), full_page=True)
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
def test_every_page_was_visited_and_photographed(site, built_book, screenshots):
    html = built_book / "_build" / "html"
    expected = {p.relative_to(html).as_posix() for p in html.rglob("*.html")
                if not p.relative_to(html).as_posix().startswith(("_static", "_sources"))}
    assert set(site["pages"]) == expected
    assert len([n for n in expected if n.startswith("book/_executed/")]) == 11
    for name in expected:
        assert (screenshots / (name.replace("/", "__") + ".png")).stat().st_size > 0


@needs_chromium
def test_no_page_logs_a_console_error(site):
    errors = {name: facts["console_errors"] for name, facts in site["pages"].items() if facts["console_errors"]}
    assert not errors, errors


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
    assert re.fullmatch(r"\.\./data/basins/\w+\.yaml", notebook["metadata"]["papermill"]["parameters"]["basin_file"])
    assert "/tmp" not in json.dumps(notebook["metadata"]), "the downloaded notebook names no machine path"
    assert any(cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")


def test_markdown_outputs_are_rendered_as_myst(built_book):
    """The data banners that notebooks print as Markdown are admonitions, not raw ':::' text."""
    html = built_book / "_build" / "html" / "book" / "_executed"
    for page in html.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert ":::{" not in text, f"{page.name} shows a MyST directive as raw text"
    assert "admonition important" in (html / "02_downscaling.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf(built_book):
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from smvar.book import PDF_NAME, build_pdf

    path = built_book / "_build" / "html" / PDF_NAME
    if not path.is_file():
        path = build_pdf(built_book)
    assert path is not None and path.is_file()
    return path


def pdf_page_count(path: Path) -> int:
    """Pages of a PDF, counted from its page objects (Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def _pdf_text_bits(path: Path) -> str:
    """The PDF's outline titles and other strings (literal and UTF-16 hex), for finding chapter titles."""
    data = path.read_bytes()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            data += zlib.decompress(stream)
        except zlib.error:
            pass
    texts = [m.decode("latin-1") for m in re.findall(rb"\(([^()]{3,200})\)", data)]
    for hexa in re.findall(rb"<FEFF([0-9A-Fa-f]+)>", data):
        try:
            texts.append(bytes.fromhex(hexa.decode()).decode("utf-16-be"))
        except ValueError:
            pass
    return "\n".join(texts)


@needs_chromium
def test_the_pdf_holds_every_chapter_with_its_equations_figures_and_tables(pdf, built_book):
    assert pdf_page_count(pdf) >= 40
    single = (built_book / "_build" / "singlehtml" / "smvar-book.html").read_text(encoding="utf-8")
    for title in ("Study area and data", "The paper beside this run", "Lab 1", "Lab 3"):
        assert title in single, title
    assert single.count("<img") >= 20 and single.count("smvar-table") >= 20 and "math notranslate" in single
    bits = _pdf_text_bits(pdf)
    assert "Study area and data" in bits and "The paper beside this run" in bits
    assert (built_book / "_build" / "html" / "smvar-book.pdf").is_file()
    intro = (built_book / "_build" / "html" / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../smvar-book.pdf"' in intro
