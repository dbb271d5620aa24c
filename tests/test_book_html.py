"""The built book as a reader sees it: no machine output, tables for people, numbered figures.

Reads the HTML of the small basin's book (built once, tests/book_build.py)
with the standard library's HTML parser; no browser needed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from book_build import small_book

pytestmark = pytest.mark.slow

# What must never reach a page: a traceback, a warning, a cluster address, a machine path.
MACHINE_OUTPUT = {
    "traceback": re.compile(r"Traceback \(most recent call last\)|\w+Error: .*line \d+"),
    "warning": re.compile(r"\b\w*Warning: |warnings\.warn\(|\bWARNING \|"),
    "cluster address": re.compile(r"tcp://|127\.0\.0\.1|dashboard http|/status\b"),
    "absolute path": re.compile(r"(?<![\w.])/(?:tmp|home|work|root|usr|opt|var|Users)/[\w.-]+|site-packages|"
                                r"[A-Z]:\\\\"),
}


class _Page(HTMLParser):
    """Text of a page's main article, with its table cells, headers, stderr outputs and figure captions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.cells: list[str] = []
        self.headers: list[str] = []
        self.captions: list[str] = []
        self.stderr = 0
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self.in_main = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag == "main" or "bd-article" in classes:
            self.in_main = True
        if tag in ("script", "style"):
            self._skip += 1
        if "stderr" in classes.split() or "output_stderr" in classes:
            self.stderr += 1
        if tag in ("td", "th"):
            self._cell = []
        if tag == "figcaption":
            self._caption = []
        self.stack.append((tag, classes))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.headers if tag == "th" else self.cells).append(text)
            self._cell = None
        if tag == "figcaption" and self._caption is not None:
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._skip or not self.in_main:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, _Page]:
    _, out = small_book(tmp_path_factory)
    html = out / "_build" / "html"
    parsed = {}
    for path in sorted(html.rglob("*.html")):
        name = path.relative_to(html).as_posix()
        if name.startswith(("_static", "_sources")) or name in ("genindex.html", "search.html"):
            continue
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        parsed[name] = page
    return parsed


def test_every_page_is_read(pages):
    chapters = [n for n in pages if n.startswith("book/_executed/")]
    assert len(chapters) == 11, chapters
    assert "book/intro.html" in pages


def test_no_page_shows_machine_output(pages):
    problems = []
    for name, page in pages.items():
        text = " ".join(page.text)
        for what, pattern in MACHINE_OUTPUT.items():
            if what == "cluster address" and not name.startswith("book/_executed/"):
                continue  # the narrative pages on clusters and tests name example addresses on purpose
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 80)
                problems.append(f"{name}: {what}: ...{text[start:match.end() + 80]}...")
        if page.stderr:
            problems.append(f"{name}: {page.stderr} output(s) on standard error")
    assert not problems, "\n".join(problems)


def test_no_table_cell_is_cut(pages):
    cut = [f"{name}: {cell!r}" for name, page in pages.items() for cell in page.cells + page.headers
           if cell.endswith(("...", "…")) or cell in ("...", "…")]
    assert not cut, "\n".join(cut)


def test_table_headers_are_words_not_code_names(pages):
    snake = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
    found = [f"{name}: {h!r}" for name, page in pages.items() if name.startswith("book/_executed/")
             for h in page.headers if snake.match(h)]
    assert not found, "\n".join(found)


def test_figures_are_numbered_by_chapter_and_point_at_the_paper(pages):
    numbers = {}
    for name, page in pages.items():
        for caption in page.captions:
            match = re.match(r"Figure (\d+(?:\.\d+)*)", caption)
            if match:
                assert match.group(1) not in numbers, (
                    f"Figure {match.group(1)} appears in {numbers[match.group(1)]} and {name}")
                numbers[match.group(1)] = name
    chapter2 = [c for c in pages["book/_executed/02_downscaling.html"].captions if c.startswith("Figure 2.")]
    assert chapter2 and "cf. the paper's fig. 2" in " ".join(chapter2).lower().replace("’", "'"), chapter2
    study = " ".join(pages["book/_executed/01_study_area.html"].captions)
    assert "Natural Earth" in study, "the locator map credits its outline data"


def test_cookbook_sections_are_headings_in_the_contents(tmp_path_factory):
    _, out = small_book(tmp_path_factory)
    chapters = sorted((out / "_build" / "html" / "book" / "_executed").glob("*.html"))
    assert len(chapters) == 11
    for path in chapters:
        page = path.read_text(encoding="utf-8")
        for title in ("Overview", "Prerequisites", "Summary", "What next", "Resources"):
            assert re.search(rf'<a class="reference internal nav-link" href="#[^"]+">(?:[\d.]+ )?{title}</a>',
                             page), f"{path.name}: '{title}' is not in the page's contents"


def test_parameters_are_shown_relative_to_the_repository(tmp_path_factory):
    _, out = small_book(tmp_path_factory)
    page = (out / "_build" / "html" / "book" / "_executed" / "01_study_area.html").read_text(encoding="utf-8")
    assert re.search(r"basin_file</span> <span class=\"o\">=</span> <span class=\"s2\">&quot;\.\./data/basins/\w+\.yaml",
                     page) or "../data/basins/" in page
    assert "RUN_FOLDER" in page or "../runs/" in page   # a run outside the repository is named by its role


def test_the_run_log_holds_what_the_pages_do_not(tmp_path_factory):
    run_dir, _ = small_book(tmp_path_factory)
    log = (run_dir / "run.log").read_text(encoding="utf-8")
    assert "dask:" in log
