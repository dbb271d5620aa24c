"""smvar.book.build_pdf without Chromium: `make book` still succeeds and says in one line how to get the PDF."""

import subprocess
import sys

from smvar import book


def test_without_chromium_the_pdf_is_skipped_with_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(book.shutil, "which", lambda name: None)
    assert book.build_pdf(tmp_path) is None
    said = capsys.readouterr().out.strip().splitlines()
    assert len(said) == 1 and "chromium" in said[0].lower() and "PDF" in said[0]


def test_the_command_of_make_book_exits_zero_without_chromium(tmp_path):
    code = ("import shutil, sys; shutil.which = lambda name: None; from smvar.book import _main; "
            f"sys.exit(_main(['pdf', {str(tmp_path)!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and len(result.stdout.strip().splitlines()) == 1, result.stdout + result.stderr


def test_the_print_copy_leaves_folded_code_out(tmp_path):
    import json

    stage = tmp_path / "source"
    (stage / "book" / "_executed").mkdir(parents=True)
    cells = [{"cell_type": "code", "metadata": {"tags": ["hide-input"]}, "source": "x", "outputs": []},
             {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]}, "source": "y", "outputs": []}]
    (stage / "book" / "_executed" / "a.ipynb").write_text(json.dumps({"cells": cells}))
    printed = book._stage_for_print(stage, tmp_path / "print")
    tags = [c["metadata"]["tags"] for c in json.loads((printed / "book" / "_executed" / "a.ipynb").read_text())["cells"]]
    assert tags == [["remove-input"], ["injected-parameters", "remove-cell"]]
