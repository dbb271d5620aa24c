"""Crop Natural Earth's country outlines to East Asia for the book's locator map.

Writes ``data/locator/east_asia_countries.json``: the outlines of the countries
that touch longitudes 65-145 E and latitudes 10-56 N, clipped to that box and
simplified to 0.05 degrees, with China marked, and a provenance line. The file
is a few tens of kilobytes, so the book draws its locator map offline.

Source: Natural Earth 1:110m Admin 0 - Countries (version 4.x), public domain
(https://www.naturalearthdata.com/about/terms-of-use/). A copy ships with the
locked environment in the ``pygeogrids`` wheel
(``pygeogrids/shapefiles/ne_110m_admin_0_countries.shp``); Debian's
``python-cartopy-data`` 0.21 ships only GSHHS coastlines, with no borders.

Usage::

    .venv/bin/python scripts/make_locator_outlines.py [SHAPEFILE]

Reads the shapefile with the standard library (the ``.shp`` polygons and the
``.dbf`` names) and shapely.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "locator" / "east_asia_countries.json"
BOX = (65.0, 10.0, 145.0, 56.0)   # west, south, east, north (degrees)
TOLERANCE = 0.05                  # degrees


def _default_shapefile() -> Path:
    import pygeogrids

    return Path(pygeogrids.__file__).parent / "shapefiles" / "ne_110m_admin_0_countries.shp"


def read_polygons(shp: Path) -> list[list[list[tuple[float, float]]]]:
    """Each record's rings (lists of lon/lat points) from an ESRI polygon shapefile."""
    data = shp.read_bytes()
    records, offset = [], 100
    while offset < len(data):
        _, length = struct.unpack(">ii", data[offset:offset + 8])
        body = data[offset + 8: offset + 8 + 2 * length]
        offset += 8 + 2 * length
        shape_type = struct.unpack("<i", body[:4])[0]
        if shape_type == 0:
            records.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44:44 + 4 * n_parts])) + [n_points]
        start = 44 + 4 * n_parts
        points = struct.unpack(f"<{2 * n_points}d", body[start:start + 16 * n_points])
        xy = list(zip(points[0::2], points[1::2]))
        records.append([xy[parts[k]:parts[k + 1]] for k in range(n_parts)])
    return records


def read_names(dbf: Path, field: str = "NAME") -> list[str]:
    """One field of every record of a dBASE table."""
    data = dbf.read_bytes()
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, pos, start = [], 32, 1
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0].decode("ascii")
        size = data[pos + 16]
        fields.append((name, start, size))
        start += size
        pos += 32
    _, offset, size = next(f for f in fields if f[0] == field)
    return [data[header_len + k * record_len + offset: header_len + k * record_len + offset + size]
            .decode("latin-1").strip() for k in range(n_records)]


def _as_geometry(rings) -> MultiPolygon:
    """Rings of a record as polygons: clockwise rings are shells, the others holes (ESRI rule)."""
    shells: list[Polygon] = []
    for ring in rings:
        if len(ring) < 4:
            continue
        polygon = Polygon(ring)
        if not polygon.exterior.is_ccw:
            shells.append(polygon)
        elif shells:
            shells[-1] = shells[-1].difference(polygon)
    return shapely.make_valid(MultiPolygon([p for s in shells for p in getattr(s, "geoms", [s])]))


def main(argv: list[str]) -> int:
    shp = Path(argv[0]) if argv else _default_shapefile()
    names = read_names(shp.with_suffix(".dbf"))
    crop = box(*BOX)
    countries = []
    for name, rings in zip(names, read_polygons(shp)):
        geometry = _as_geometry(rings)
        if geometry.is_empty or not geometry.intersects(crop):
            continue
        clipped = geometry.intersection(crop).simplify(TOLERANCE, preserve_topology=True)
        if clipped.is_empty:
            continue
        rounded = shapely.set_precision(clipped, 0.01)
        countries.append({"name": name, "china": name == "China", "geometry": mapping(rounded)})
    if not any(c["china"] for c in countries):
        raise SystemExit(f"{shp}: no record named China; is it Natural Earth's admin 0 countries?")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "provenance": ("Natural Earth 1:110m Admin 0 - Countries (public domain, naturalearthdata.com), "
                       "as shipped in the pygeogrids 0.5.3 wheel; clipped to 65-145 E, 10-56 N and "
                       f"simplified to {TOLERANCE} degrees by scripts/make_locator_outlines.py"),
        "credit": "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
        "box": BOX,
        "countries": countries,
    }
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(countries)} countries, {OUT.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
