"""The message for variables missing from ``data.files`` names them with the fix (issue 8, item 3)."""

from __future__ import annotations

from smvar.realdata.files import missing_message


def test_twi_mask_and_reach_are_named_with_how_to_make_them():
    message = missing_message(["twi", "basin_mask", "reach", "fvc", "lst_day"], "b.yaml")
    assert message.startswith("b.yaml: 5 contract variable(s)")
    lines = {line.split(":")[0].strip(" -"): line for line in message.splitlines()}
    assert "ln(a / tan b)" in lines["data.files.twi"] and "`twi: twi.tif`" in lines["data.files.twi"]
    assert "`basin: outline.geojson`" in lines["data.files.basin_mask"]
    assert "1 inside and 0 outside" in lines["data.files.basin_mask"]
    assert "1 upper, 2 middle, 3 lower" in lines["data.files.reach"] and "`reach: reach.tif`" in lines["data.files.reach"]
    for name in ("twi", "basin_mask", "reach", "fvc"):
        assert "no download route, give it as a file" in lines[f"data.files.{name}"]
    assert "no download route" not in lines["data.files.lst_day"]  # MODIS LST has a route
    assert "Fix:" in message and "smvar fetch" in message


def test_without_a_fetchable_variable_the_fix_does_not_offer_fetch():
    message = missing_message(["twi", "basin_mask", "reach"], "b.yaml")
    assert "smvar fetch" not in message and "Fix: add each under `data: files:`" in message
