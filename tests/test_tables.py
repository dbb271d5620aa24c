"""smvar.tables: tables for people (headers in words, rounded numbers, nothing cut, one style)."""

import numpy as np
import pandas as pd

from smvar import tables


def _cells(html: str, kind: str = "td") -> list[str]:
    import re

    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(rf"<{kind}[^>]*>(.*?)</{kind}>", html, re.S)]


def test_snake_case_headers_become_words_with_units():
    html = tables.show(pd.DataFrame({"sill_c0_plus_c_run": [0.001], "range_m_paper": [12000.0],
                                     "mean_depth_m": [1.0]})).to_html()
    headers = _cells(html, "th")
    assert "sill C₀+C, this run (m³/m³)²" in headers and "range, paper (m)" in headers
    assert "mean depth (m)" in headers


def test_long_text_is_never_cut():
    reason = "the default run uses the synthetic twin, whose values are plausible but not the basin's " * 3
    html = tables.show(pd.DataFrame({"why": [reason]})).to_html()
    assert reason.strip().replace("'", "&#39;") in html and "..." not in html and "…" not in html


def test_numbers_are_rounded_and_formats_win():
    frame = pd.DataFrame({"q": [0.123456], "area_km2": [143012.7], "r2": [0.98765], "breaks": [np.array([1.23456, 2.5])]})
    cells = _cells(tables.show(frame, formats={"r2": "{:.2f}"}).to_html())
    assert cells == ["0.123", "143,013", "0.99", "1.23, 2.50"]


def test_a_named_index_becomes_the_first_column_and_a_range_index_is_hidden():
    frame = pd.DataFrame({"q": [0.1, 0.2]}, index=pd.Index([1, 2], name="month"))
    html = tables.show(frame).to_html()
    assert _cells(html, "th")[:2] == ["month", "q"]
    assert _cells(tables.show(frame.reset_index(drop=True)).to_html(), "th") == ["q"]


def test_the_table_scrolls_in_its_box_on_screen_and_prints_whole():
    html = tables.show(pd.DataFrame({"a": range(100)})).to_html()
    assert 'class="smvar-table"' in html and "max-height" in html and "@media print" in html
    assert html.count("<tr") == 101


def test_missing_values_show_as_a_dash():
    assert _cells(tables.show(pd.DataFrame({"q": [np.nan]})).to_html()) == ["–"]
