"""A basin outline (GeoJSON or shapefile) rasterised onto the analysis grid; bad outlines in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.path import Path as MplPath
from peer_reference import reference_folder

from smvar.config import load_config
from smvar.grid import FineGrid, analysis_grid
from smvar.outline import Outline, OutlineError, outline_mask, rasterise_outline, read_outline

ROOT = Path(__file__).resolve().parents[1]
AEA = "+proj=aea +lat_0=40.2 +lon_0=99.55 +lat_1=38.5 +lat_2=41.9 +datum=WGS84 +units=m +no_defs"


def grid(n: int = 60, res: float = 1000.0) -> FineGrid:
    x = (np.arange(n) + 0.5) * res
    return FineGrid(crs=AEA, x=x, y=x[::-1].copy(), resolution_m=res)


def write_geojson(path: Path, rings: list, **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": rings}}]}))
    return path


def test_scanline_fill_equals_point_in_polygon_with_a_hole():
    g = grid()
    rng = np.random.default_rng(0)
    angle = np.sort(rng.uniform(0, 2 * np.pi, 40))
    radius = rng.uniform(15_000, 28_000, 40)
    outer = np.column_stack([30_000 + radius * np.cos(angle), 30_000 + radius * np.sin(angle)])
    hole = np.array([[26_000, 26_000], [34_000, 26_000], [34_000, 34_000], [26_000, 34_000]], dtype=float)
    mask = rasterise_outline(Outline([outer, hole], AEA, Path("x")), g)
    xx, yy = np.meshgrid(g.x, g.y)
    centres = np.column_stack([xx.ravel(), yy.ravel()])
    inside = MplPath(outer).contains_points(centres) & ~MplPath(hole).contains_points(centres)
    assert mask.shape == g.shape and mask.dtype == np.uint8
    np.testing.assert_array_equal(mask.ravel().astype(bool), inside)
    assert not mask[30, 30]  # the hole's centre


def test_a_square_covers_its_cells_exactly():
    g = grid(10)
    square = np.array([[2000, 2000], [6000, 2000], [6000, 5000], [2000, 5000]], dtype=float)
    mask = rasterise_outline(Outline([square], AEA, Path("x")), g)
    assert mask.sum() == 4 * 3  # centres 2.5..5.5 km by 2.5..4.5 km


def test_the_reference_heihe_outline_has_its_area_on_the_grid():
    path = reference_folder("realdata") / "heihe" / "heihe_boundary_shud_nwm.geojson"
    config = load_config(ROOT / "data" / "basins" / "heihe.yaml")
    g = analysis_grid(config)
    mask = outline_mask(path, g, config.extent)
    area_km2 = mask.sum() * g.resolution_m ** 2 / 1e6
    assert area_km2 == pytest.approx(140_775, rel=0.01)  # the outline's own area (its README)


def test_geojson_in_metres_is_refused(tmp_path):
    path = write_geojson(tmp_path / "projected.geojson", [[[500000, 4200000], [600000, 4200000],
                                                          [600000, 4300000], [500000, 4200000]]])
    with pytest.raises(OutlineError, match="not longitude/latitude.*ogr2ogr -t_srs EPSG:4326"):
        read_outline(path)


def test_an_outline_beyond_the_extent_names_the_side_and_the_fix(tmp_path):
    config = load_config(ROOT / "data" / "basins" / "heihe.yaml")
    path = write_geojson(tmp_path / "wide.geojson", [[[96.0, 38.0], [101.0, 38.0], [101.0, 42.0], [96.0, 38.0]]])
    with pytest.raises(OutlineError, match=r"% of the outline lies outside the analysis grid.*now west 97\.1.*"
                                           r"at least west 96\.00"):
        outline_mask(path, analysis_grid(config), config.extent)


def test_empty_missing_and_unknown_outlines_are_named(tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(OutlineError, match="empty.geojson: holds no polygon"):
        read_outline(empty)
    with pytest.raises(OutlineError, match="no such outline file"):
        read_outline(tmp_path / "none.geojson")
    kml = tmp_path / "basin.kml"
    kml.write_text("<kml/>")
    with pytest.raises(OutlineError, match=r"\.geojson or \.shp"):
        read_outline(kml)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(OutlineError, match="bad.geojson: not a GeoJSON file"):
        read_outline(bad)


def test_a_shapefile_is_read_with_its_prj(tmp_path):
    shapefile = pytest.importorskip("shapefile", reason="pyshp (the geo extra) reads shapefiles")
    from pyproj import CRS

    path = tmp_path / "basin.shp"
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON) as writer:
        writer.field("name", "C")
        writer.poly([[[99.0, 39.0], [99.0, 40.0], [100.0, 40.0], [100.0, 39.0], [99.0, 39.0]]])
        writer.record("square")
    path.with_suffix(".prj").write_text(CRS.from_epsg(4326).to_wkt())
    outline = read_outline(path)
    assert outline.bounds() == (99.0, 39.0, 100.0, 40.0)
    path.with_suffix(".prj").unlink()
    with pytest.raises(OutlineError, match="no basin.prj beside it"):
        read_outline(path)
