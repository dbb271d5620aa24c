"""The book's data page lists every variable of the input contract with its dims and units."""

from __future__ import annotations

from pathlib import Path

from smvar.inputs import CONTRACT, LAND_COVER_CLASSES, OPTIONAL, REANALYSIS_NAMES

PAGE = Path(__file__).resolve().parents[1] / "book" / "data_layout.md"


def test_data_page_lists_every_contract_variable_with_dims_and_units():
    text = PAGE.read_text(encoding="utf-8")
    for name, (_, dims, units, _) in {**CONTRACT, **OPTIONAL}.items():
        row = f"| `{REANALYSIS_NAMES.get(name, name)}` | `{', '.join(dims)}` | `{units}` |"
        assert row in text, f"book/data_layout.md lacks the row for {name}: {row}"


def test_data_page_lists_every_land_cover_code_and_says_synthetic():
    text = PAGE.read_text(encoding="utf-8")
    for code, label in LAND_COVER_CLASSES.items():
        assert f"| {code} | {label} |" in text
    assert "synthetic data" in text
