"""Terrain derivatives and flow routing on a grid in metres: one home for the twin and real DEMs.

Provides
--------
slope_aspect
    Slope and aspect (degrees) by centred finite differences in metres.
d8_receivers, flow_accumulation
    D8 flow directions (O'Callaghan & Mark 1984) and the number of cells (or
    the sum of weights) draining through each cell, computed without a
    per-cell Python loop.
receivers_from_d8
    Flat downstream indices from pyflwdir's D8 codes.
filled_receivers
    D8 flow directions after depression filling (pyflwdir; Wang & Liu 2006).
topographic_wetness_index
    TWI = ln(a / tan b) (Beven & Kirkby 1979) from D8 accumulation on the
    depression-filled DEM.
outlet_receivers, flow_distance, reaches_from_dem
    Flow inside a basin to its outlet, the flow distance of every cell, and
    the upper, middle and lower reaches as thirds of the longest flow path.

Used by the synthetic twin (:mod:`smvar.synthetic.terrain`,
:mod:`smvar.synthetic.geography`) and by the per-variable file loader
(:mod:`smvar.realdata.files`), which derives slope, aspect and TWI from a real
DEM when they are not given as files.
"""

from __future__ import annotations

import numpy as np

__all__ = ["slope_aspect", "d8_receivers", "flow_accumulation", "receivers_from_d8", "filled_receivers",
           "topographic_wetness_index", "outlet_receivers", "flow_distance", "reaches_from_dem"]

_D8_ROW = np.zeros(256, dtype=np.int64)
_D8_COL = np.zeros(256, dtype=np.int64)
for _code, (_dr, _dc) in {1: (0, 1), 2: (1, 1), 4: (1, 0), 8: (1, -1), 16: (0, -1), 32: (-1, -1),
                          64: (-1, 0), 128: (-1, 1)}.items():
    _D8_ROW[_code], _D8_COL[_code] = _dr, _dc


def slope_aspect(dem: np.ndarray, resolution_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Slope and aspect by centred finite differences (one-sided at the edges).

    Parameters
    ----------
    dem : numpy.ndarray
        Elevation (m), rows north to south, columns west to east.
    resolution_m : float
        Cell size (m).

    Returns
    -------
    slope : numpy.ndarray
        Degrees, 0 (flat) to 90.
    aspect : numpy.ndarray
        Direction the slope faces, degrees clockwise from north in [0, 360);
        -1 where the slope is below 0.01 degree.
    """
    dz_dy_rows, dz_dx = np.gradient(dem.astype(np.float64), resolution_m)
    dz_dnorth = -dz_dy_rows  # rows run from north to south
    grad = np.hypot(dz_dx, dz_dnorth)
    slope = np.degrees(np.arctan(grad))
    aspect = np.degrees(np.arctan2(-dz_dx, -dz_dnorth)) % 360.0
    aspect = np.where(slope < 0.01, -1.0, aspect)
    return slope.astype(np.float32), aspect.astype(np.float32)


_OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def d8_receivers(dem: np.ndarray, resolution_m: float) -> tuple[np.ndarray, np.ndarray]:
    """D8 flow direction: each cell drains to its steepest downhill neighbour.

    Parameters
    ----------
    dem : numpy.ndarray
        Elevation (m), 2-D.
    resolution_m : float
        Cell size (m).

    Returns
    -------
    receiver : numpy.ndarray of int64
        Flat index of the receiving cell; -1 where no neighbour on the grid is
        lower (pits, and outlets on the grid border: flow never leaves the grid).
    tan_slope : numpy.ndarray
        Tangent of the steepest descent (0 for pits).

    Notes
    -----
    O'Callaghan & Mark (1984). Depressions are not filled: a cell lower than
    all its neighbours is a pit and ends its flow path.
    """
    ny, nx = dem.shape
    padded = np.pad(dem.astype(np.float64), 1, mode="constant", constant_values=np.inf)
    best = np.zeros(dem.shape)
    receiver = np.full(dem.shape, -1, dtype=np.int64)
    rows, cols = np.indices(dem.shape)
    for dr, dc in _OFFSETS:
        neighbour = padded[1 + dr:1 + dr + ny, 1 + dc:1 + dc + nx]
        drop = (dem - neighbour) / (resolution_m * np.hypot(dr, dc))
        better = drop > best
        best = np.where(better, drop, best)
        receiver = np.where(better, (rows + dr) * nx + (cols + dc), receiver)
    return receiver.ravel(), best.ravel()


def flow_accumulation(receiver: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Number of cells (or sum of ``weights``) draining through each cell, itself included (float64, flat).

    Parameters
    ----------
    receiver : numpy.ndarray of int64
        From :func:`d8_receivers` (flat index of the downstream cell, -1 at outlets).
    weights : numpy.ndarray, optional
        Value of every cell (e.g. its area); default 1.

    Notes
    -----
    With ``B`` the matrix of the flow (``B[j, i] = 1`` when cell ``i``
    drains to ``j``), the accumulation is ``(I - B)^-1 w = (I + B)(I + B^2)
    (I + B^4) ... w``: ``B`` is nilpotent (flow paths end). Every power
    ``B^(2^k)`` sends a cell to its ``2^k``-th downstream cell, a pointer
    array squared by indexing (pointer jumping), and each factor is one
    ``np.bincount``. The loop runs log2 of the longest flow path times
    (about 13 for the 1 km Heihe grid), never per cell.
    """
    n = receiver.size
    acc = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64).ravel().copy()
    jump = np.asarray(receiver, dtype=np.int64).ravel().copy()
    while True:
        ok = jump >= 0
        if not ok.any():
            return acc
        acc += np.bincount(jump[ok], weights=acc[ok], minlength=n)
        jump = np.where(ok, jump[np.where(ok, jump, 0)], -1)


def receivers_from_d8(d8: np.ndarray) -> np.ndarray:
    """Flat downstream index of every cell from pyflwdir D8 codes; -1 at pits, nodata and borders."""
    ny, nx = d8.shape
    rows, cols = np.indices(d8.shape)
    rr, cc = rows + _D8_ROW[d8], cols + _D8_COL[d8]
    valid = (d8 > 0) & (d8 <= 128) & (rr >= 0) & (rr < ny) & (cc >= 0) & (cc < nx)
    return np.where(valid, rr * nx + cc, -1).ravel()


def filled_receivers(dem: np.ndarray, resolution_m: float) -> tuple[np.ndarray, np.ndarray]:
    """D8 flow directions after filling every depression; flow leaves at the grid border.

    Parameters
    ----------
    dem : numpy.ndarray
        Elevation (m), 2-D.
    resolution_m : float
        Cell size (m).

    Returns
    -------
    receiver : numpy.ndarray of int64
        Flat index of the receiving cell; -1 on the border cells that are outlets.
    tan_slope : numpy.ndarray
        Tangent of the drop to the receiver on the filled DEM (0 on filled flats and outlets).

    Notes
    -----
    Priority-flood filling with flow directions over the filled flats (Wang &
    Liu 2006) by :func:`pyflwdir.dem.fill_depressions`.
    """
    from pyflwdir.dem import fill_depressions

    border = np.ones(dem.shape, dtype=bool)
    border[1:-1, 1:-1] = False
    # outlets passed as indices, as the 0.1 degree routing does: one compiled specialisation
    filled, d8 = fill_depressions(np.asarray(dem, dtype=np.float32), idxs_pit=np.flatnonzero(border.ravel()),
                                  nodata=-99999.0)
    receiver = receivers_from_d8(d8)
    flat = filled.astype(np.float64).ravel()
    ok = receiver >= 0
    rows, cols = np.divmod(np.arange(receiver.size), dem.shape[1])
    rr, cc = np.divmod(np.where(ok, receiver, 0), dem.shape[1])
    dist = resolution_m * np.hypot(rr - rows, cc - cols)
    tan = np.where(ok, (flat - flat[np.where(ok, receiver, 0)]) / np.where(ok, dist, 1.0), 0.0)
    return receiver, np.maximum(tan, 0.0)


def topographic_wetness_index(dem: np.ndarray, resolution_m: float) -> np.ndarray:
    """TWI = ln(a / tan b) (Beven & Kirkby 1979) with D8 flow on the depression-filled DEM.

    ``a`` is the specific catchment area (upslope area per unit contour width,
    m: accumulated cells x cell area / cell size) from D8 routing after
    depression filling (:func:`filled_receivers`), and ``tan b`` the local
    slope of the DEM (centred differences, as :func:`slope_aspect`), floored
    at 0.001 so that flats stay finite (float32, 2-D). Filling routes the
    flow out of the depressions of the 1 km DEM instead of ending it in
    spurious pits.
    """
    receiver, _ = filled_receivers(dem, resolution_m)
    acc = flow_accumulation(receiver)
    a = acc * resolution_m
    dz_dy, dz_dx = np.gradient(np.asarray(dem, dtype=np.float64), resolution_m)
    tan_slope = np.hypot(dz_dx, dz_dy).ravel()
    twi = np.log(a / np.maximum(tan_slope, 1e-3))
    return twi.reshape(dem.shape).astype(np.float32)


def outlet_receivers(dem: np.ndarray, mask: np.ndarray, resolution_m: float) -> tuple[np.ndarray, int]:
    """D8 flow inside a basin mask to one outlet (its lowest cell), depressions filled.

    Parameters
    ----------
    dem : numpy.ndarray
        Elevation (m), 2-D; cells outside ``mask`` are ignored.
    mask : numpy.ndarray of bool
        The basin.
    resolution_m : float
        Cell size (m).

    Returns
    -------
    receiver : numpy.ndarray of int64
        Flat downstream index; -1 at the outlet and outside the basin.
    outlet : int
        Flat index of the outlet: the basin's lowest cell (its terminal lake
        for an endorheic basin like the Heihe, its mouth otherwise).

    Notes
    -----
    Priority-flood filling (pyflwdir; Wang & Liu 2006) with the cells outside
    the basin as nodata and the outlet as the only pit, so every basin cell
    drains to it; a basin in several pieces drains each piece to the outlet
    only if they touch (others keep their own lowest cell as a pit).
    """
    from pyflwdir.dem import fill_depressions

    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        raise ValueError("outlet_receivers: the basin mask is empty; give a mask with basin cells")
    z = np.where(mask, np.asarray(dem, dtype=np.float32), np.float32(-99999.0))
    outlet = int(np.flatnonzero(mask.ravel())[np.argmin(z.ravel()[mask.ravel()])])
    _, d8 = fill_depressions(z, idxs_pit=np.array([outlet]), nodata=-99999.0)
    receiver = receivers_from_d8(d8)
    receiver[~mask.ravel()] = -1
    receiver[outlet] = -1
    return receiver, outlet


def flow_distance(receiver: np.ndarray, shape: tuple[int, int], resolution_m: float) -> np.ndarray:
    """Distance (m) along the D8 flow path from every cell to the end of its path (flat, float64).

    Notes
    -----
    Pointer jumping as in :func:`flow_accumulation`: each pass adds the
    distance to the current target and doubles the jump, so the loop runs
    log2 of the longest path times, never per cell.
    """
    n = receiver.size
    rows, cols = np.divmod(np.arange(n), shape[1])
    ok = receiver >= 0
    target = np.where(ok, receiver, np.arange(n))
    tr, tc = np.divmod(target, shape[1])
    distance = resolution_m * np.hypot(tr - rows, tc - cols)
    jump = np.where(ok, receiver, -1)
    while (jump >= 0).any():
        ok = jump >= 0
        safe = np.where(ok, jump, 0)
        distance = distance + np.where(ok, distance[safe], 0.0)
        jump = np.where(ok, jump[safe], -1)
    return distance


def reaches_from_dem(dem: np.ndarray, mask: np.ndarray, resolution_m: float) -> np.ndarray:
    """Upper (1), middle (2) and lower (3) reaches of a basin from its DEM; 0 outside (int8).

    The reaches are thirds of the longest flow path to the outlet
    (:func:`outlet_receivers`): a cell whose flow distance to the outlet is
    more than two thirds of the longest is in the upper reach, less than one
    third in the lower. The paper draws the Heihe's reaches at two gauges
    (Yingluoxia and Zhengyixia); with no gauges given, thirds of the flow
    length are a rule any basin has, and for the Heihe they put the Qilian
    Mountains upstream and the desert downstream, as the gauges do.
    """
    mask = np.asarray(mask, dtype=bool)
    receiver, _ = outlet_receivers(dem, mask, resolution_m)
    distance = flow_distance(receiver, mask.shape, resolution_m).reshape(mask.shape)
    longest = float(distance[mask].max()) if mask.any() else 0.0
    share = np.where(mask, distance / max(longest, resolution_m), 0.0)
    reach = np.where(share > 2 / 3, 1, np.where(share > 1 / 3, 2, 3)).astype(np.int8)
    return np.where(mask, reach, 0).astype(np.int8)
