"""Every notebook of the book, parsed with jupytext: its structure, headings and parameters.

No notebook is executed here: these are checks on the sources in ``notebooks/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.py"))
REQUIRED = ["Overview", "Prerequisites", "Summary", "What next", "Resources"]
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
COMMENT_HEADING = re.compile(r"^#\s+#{1,6}\s+\S")   # '# ## Title' in a code cell: a heading lost in code


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return request.param, jupytext.read(request.param)


def _headings(nb) -> list[str]:
    return [m.group(2) for cell in nb.cells if cell.cell_type == "markdown"
            for m in map(HEADING.match, cell.source.splitlines()) if m]


def test_there_are_eleven_notebooks():
    assert len(NOTEBOOKS) == 11


def test_no_markdown_heading_sits_in_a_code_cell(notebook):
    path, nb = notebook
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lost = [line for line in cell.source.splitlines() if COMMENT_HEADING.match(line)]
        assert not lost, f"{path.name}, cell {k + 1}: Markdown heading(s) in a code cell: {lost}"


def test_every_notebook_has_the_cookbook_sections_as_headings(notebook):
    path, nb = notebook
    headings = _headings(nb)
    for title in REQUIRED:
        assert title in headings, f"{path.name}: no '## {title}' heading (has: {headings})"
    order = [headings.index(t) for t in REQUIRED]
    assert order == sorted(order), f"{path.name}: sections out of order: {REQUIRED}"
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "**Overview" not in text and "*Prerequisites:*" not in text, f"{path.name}: bold text as a heading"


def test_prerequisites_are_a_table_with_an_importance_column(notebook):
    path, nb = notebook
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    section = text.split("## Prerequisites", 1)[1].split("\n#", 1)[0]
    header = next((line for line in section.splitlines() if line.startswith("|")), "")
    assert "importance" in header.lower(), f"{path.name}: the prerequisites table has no importance column"
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    assert rows, f"{path.name}: the prerequisites table is empty"
    for row in rows:
        assert any(word in row for word in ("Necessary", "Helpful", "Background")), f"{path.name}: {row}"


def test_one_title_and_imports_in_one_cell_at_the_top(notebook):
    path, nb = notebook
    titles = [h for cell in nb.cells if cell.cell_type == "markdown"
              for h in cell.source.splitlines() if h.startswith("# ")]
    assert len(titles) == 1, f"{path.name}: {len(titles)} level-1 titles"
    code = [cell for cell in nb.cells if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", [])]
    assert "import" in code[0].source and "plots.book_page()" in code[0].source, (
        f"{path.name}: the first code cell should hold the imports and call plots.book_page()")


def test_every_parameter_is_read_by_a_cell(notebook):
    path, nb = notebook
    cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    parameters = [cell for cell in cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1, f"{path.name}: {len(parameters)} parameters cells"
    names = [target.id for node in ast.parse(parameters[0].source).body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    assert {"basin_file", "run_dir"} <= set(names), f"{path.name}: parameters {names}"
    others = "\n".join(cell.source for cell in cells if cell is not parameters[0])
    read = {node.id for node in ast.walk(ast.parse(_python_only(others)))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    unread = [name for name in names if name not in read]
    assert not unread, f"{path.name}: parameters no cell reads: {unread}"


def test_every_figure_caption_says_which_paper_figure_it_matches_in_one_way():
    """'cf. the paper's Fig. N' and no 'Fig. N of the paper' that the book's own numbers would clash with."""
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        for caption in re.findall(r'"caption": "([^"]*)"', text):
            assert "of the paper)" not in caption and "the run's Fig." not in caption, f"{path.name}: {caption}"


def _python_only(source: str) -> str:
    """Cell sources without IPython magics (lines starting with % or !)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
