"""A basin outline (a polygon file) on the analysis grid.

Provides
--------
read_outline
    The polygons of a GeoJSON file (RFC 7946: longitude/latitude, or a
    legacy ``crs`` member) or an ESRI shapefile (its ``.prj``; needs the
    ``pyshp`` package of the ``geo`` extra), as rings in a named CRS.
rasterise_outline
    The 0/1 basin mask of a grid: cells whose centre lies inside the polygons
    (even-odd rule, so holes are holes), by a vectorised scanline fill.
outline_mask
    Both, with the checks a researcher needs: the file exists and holds
    polygons, its coordinates match its CRS, and the outline lies inside the
    parameter file's extent.
OutlineError
    One-line messages naming the file and the fix.

Researchers rerunning the analysis for their basin have a polygon, not a
raster mask: ``basin: outline.geojson`` in the parameter file is rasterised
onto the analysis grid here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS, Transformer

from smvar.errors import UserError

if TYPE_CHECKING:
    from smvar.config import Extent
    from smvar.grid import FineGrid

__all__ = ["Outline", "OutlineError", "read_outline", "rasterise_outline", "outline_mask"]

WGS84 = "EPSG:4326"


class OutlineError(UserError, ValueError):
    """A basin outline that cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class Outline:
    """Polygon rings of a basin outline.

    Attributes
    ----------
    rings : list of ndarray, each (n, 2)
        Every ring (exterior and holes) of every polygon, as x, y columns in
        ``crs``; the even-odd rule tells inside from outside.
    crs : str
        The rings' CRS (``EPSG:4326`` for GeoJSON).
    path : Path
        The file read, for messages.
    """

    rings: list[np.ndarray]
    crs: str
    path: Path

    def transformed(self, crs: str) -> "Outline":
        """The same outline in another CRS (vertex by vertex)."""
        to = Transformer.from_crs(CRS.from_user_input(self.crs), CRS.from_user_input(crs), always_xy=True)
        rings = [np.column_stack(to.transform(r[:, 0], r[:, 1])) for r in self.rings]
        return Outline(rings, crs, self.path)

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) in the outline's CRS."""
        allxy = np.concatenate(self.rings)
        return (float(allxy[:, 0].min()), float(allxy[:, 1].min()),
                float(allxy[:, 0].max()), float(allxy[:, 1].max()))


def _geojson_rings(geometry: dict) -> list[list]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return list(geometry["coordinates"])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    if kind == "GeometryCollection":
        return [ring for g in geometry.get("geometries", []) for ring in _geojson_rings(g)]
    return []


def _read_geojson(path: Path) -> Outline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutlineError(f"{path}: not a GeoJSON file ({exc}); give a GeoJSON polygon or a shapefile") from None
    features = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    geometries = [f.get("geometry") or {} if f.get("type") == "Feature" else f for f in features or []]
    rings = [np.asarray(r, dtype=float)[:, :2] for g in geometries for r in _geojson_rings(g) if len(r) >= 3]
    crs = WGS84
    named = (data.get("crs") or {}).get("properties", {}).get("name")
    if named:  # the 2008 GeoJSON crs member; RFC 7946 files have none
        crs = CRS.from_user_input(named).to_string()
    return Outline(rings, crs, path)


def _read_shapefile(path: Path) -> Outline:
    try:
        import shapefile  # pyshp
    except ImportError:
        raise OutlineError(f"{path}: reading shapefiles needs the pyshp package: pip install 'smvar[geo]' "
                           "(or give the outline as GeoJSON)") from None
    prj = path.with_suffix(".prj")
    if not prj.exists():
        raise OutlineError(f"{path}: no {prj.name} beside it, so its CRS is unknown; add the .prj file "
                           "or convert the outline to GeoJSON in longitude/latitude")
    crs = CRS.from_wkt(prj.read_text(encoding="utf-8", errors="replace")).to_string()
    with shapefile.Reader(str(path)) as reader:
        rings = []
        for shape in reader.shapes():
            points = np.asarray(shape.points, dtype=float)
            starts = list(shape.parts) + [len(points)]
            rings += [points[a:b] for a, b in zip(starts[:-1], starts[1:]) if b - a >= 3]
    return Outline(rings, crs, path)


def read_outline(path: str | Path) -> Outline:
    """The polygon rings of a GeoJSON (``.geojson``/``.json``) or shapefile (``.shp``) outline.

    Raises
    ------
    OutlineError
        A missing file, another format, no polygon, or coordinates that do
        not fit the file's CRS (projected metres in a GeoJSON).
    """
    path = Path(path)
    if not path.is_file():
        raise OutlineError(f"{path}: no such outline file; give the path of a GeoJSON or shapefile polygon")
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        outline = _read_geojson(path)
    elif suffix == ".shp":
        outline = _read_shapefile(path)
    else:
        raise OutlineError(f"{path}: outlines are read from .geojson or .shp files; convert it "
                           "(e.g. ogr2ogr -f GeoJSON outline.geojson INPUT)")
    if not outline.rings:
        raise OutlineError(f"{path}: holds no polygon (points or lines only, or empty); give the basin's "
                           "boundary as a Polygon or MultiPolygon")
    if CRS.from_user_input(outline.crs).is_geographic:
        xmin, ymin, xmax, ymax = outline.bounds()
        if min(xmin, ymin) < -360 or max(abs(xmax), abs(ymax)) > 360 or abs(ymin) > 90 or abs(ymax) > 90:
            raise OutlineError(f"{path}: coordinates up to {max(abs(xmin), abs(xmax), abs(ymin), abs(ymax)):.0f} "
                               "are not longitude/latitude, which GeoJSON requires (RFC 7946); reproject it, "
                               "e.g. ogr2ogr -t_srs EPSG:4326 outline.geojson INPUT")
    return outline


def rasterise_outline(outline: Outline, grid: "FineGrid") -> np.ndarray:
    """0/1 mask (uint8, grid shape): cells whose centre is inside the outline.

    Notes
    -----
    The rings are projected to the grid's CRS, then each grid row is filled
    between the crossings of the row's centre line with the ring edges, the
    even-odd rule: all crossings of all rows are found at once (edges x rows,
    vectorised) and turned into a parity count per cell with one cumulative
    sum, so a basin of 10^5 vertices on a 10^6-cell grid takes a fraction of
    a second and no Python loop over cells.
    """
    rings = outline.transformed(grid.crs).rings
    start = np.concatenate([r for r in rings])
    end = np.concatenate([np.roll(r, -1, axis=0) for r in rings])
    ny, nx = grid.shape
    x0, dx = float(grid.x[0]), float(grid.x[1] - grid.x[0]) if nx > 1 else grid.resolution_m
    toggles = np.zeros((ny, nx + 1), dtype=np.int32)
    y = grid.y[:, None]
    for lo in range(0, len(start), 4096):  # bounded memory: 4096 edges x rows at a time
        a, b = start[lo:lo + 4096], end[lo:lo + 4096]
        ya, yb = a[None, :, 1], b[None, :, 1]
        crosses = (ya <= y) != (yb <= y)  # half-open: a vertex on the line counts once
        r, e = np.nonzero(crosses)
        t = (grid.y[r] - a[e, 1]) / (b[e, 1] - a[e, 1])
        xc = a[e, 0] + t * (b[e, 0] - a[e, 0])
        first = np.clip(np.ceil((xc - x0) / dx), 0, nx).astype(np.int64)  # first centre right of the crossing
        np.add.at(toggles, (r, first), 1)
    return (np.cumsum(toggles, axis=1)[:, :nx] % 2).astype(np.uint8)


#: Share of an outline's cells that may fall outside the analysis grid (a sliver
#: cut by the extent's rounding); more means the basin would be cut.
MAX_SHARE_OUTSIDE = 0.005


def _padded(grid: "FineGrid", bounds: tuple[float, float, float, float]) -> tuple["FineGrid", int, int]:
    """A grid with the same cells extended to cover ``bounds`` (grid CRS), and the offsets of the original."""
    from smvar.grid import FineGrid

    res = grid.resolution_m
    left = max(0, int(np.ceil((grid.x[0] - bounds[0]) / res)))
    right = max(0, int(np.ceil((bounds[2] - grid.x[-1]) / res)))
    top = max(0, int(np.ceil((bounds[3] - grid.y[0]) / res)))
    bottom = max(0, int(np.ceil((grid.y[-1] - bounds[1]) / res)))
    x = grid.x[0] + res * np.arange(-left, grid.x.size + right)
    y = grid.y[0] - res * np.arange(-top, grid.y.size + bottom)
    return FineGrid(crs=grid.crs, x=x, y=y, resolution_m=res), top, left


def outline_mask(path: str | Path, grid: "FineGrid", extent: "Extent | None" = None) -> np.ndarray:
    """The basin mask of an outline file on the analysis grid (0/1, uint8).

    Parameters
    ----------
    path : str or Path
        GeoJSON or shapefile.
    grid : FineGrid
        The analysis grid.
    extent : Extent, optional
        The parameter file's extent, named in the message when the outline
        reaches beyond the grid.

    Raises
    ------
    OutlineError
        As :func:`read_outline`; when more than 0.5 % of the outline's cells
        lie outside the analysis grid (the basin would be cut: the message
        gives the extent that holds it); or when it covers no cell.
    """
    outline = read_outline(path)
    projected = outline.transformed(grid.crs)
    wide, top, left = _padded(grid, projected.bounds())
    full = rasterise_outline(projected, wide)
    mask = full[top:top + grid.y.size, left:left + grid.x.size]
    total = int(full.sum())
    if total == 0 or not mask.any():
        raise OutlineError(f"{outline.path}: the outline covers no cell of the analysis grid; check that it is "
                           "the basin's polygon, that its CRS is right and that it lies in the extent")
    outside = (total - int(mask.sum())) / total
    if outside > MAX_SHARE_OUTSIDE:
        west, south, east, north = outline.transformed(WGS84).bounds()
        given = (f" (now west {extent.west}, east {extent.east}, south {extent.south}, north {extent.north})"
                 if extent is not None else "")
        raise OutlineError(f"{outline.path}: {100 * outside:.1f} % of the outline lies outside the analysis grid, "
                           f"so the basin would be cut; widen the parameter file's extent{given} to at least "
                           f"west {west:.2f}, east {east:.2f}, south {south:.2f}, north {north:.2f}, "
                           "or check the outline's CRS")
    return mask
