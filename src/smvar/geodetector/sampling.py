"""Samples of the basin for the geographical detector.

Provides
--------
systematic_sample
    Every pixel on a regular lattice of a given spacing (the paper: about
    8 km), inside an optional mask, as a tidy table with one column per
    variable (and one row per month when the data have a ``month`` or
    ``time`` dimension).
random_sample
    A seeded random sample of n pixels inside the mask, same table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["systematic_sample", "random_sample"]


def _step(coord: np.ndarray, spacing_m: float, dim: str) -> int:
    if coord.size < 2:
        return 1
    cell = float(np.abs(np.median(np.diff(coord))))
    if not cell > 0:
        raise ValueError(f"sampling: coordinate {dim!r} is not increasing or decreasing; "
                         "give a regular grid in metres")
    return max(int(round(spacing_m / cell)), 1)


def _check(ds: xr.Dataset) -> None:
    for dim in ("y", "x"):
        if dim not in ds.dims:
            raise ValueError(f"sampling: the dataset has no {dim!r} dimension (dims: {list(ds.dims)}); "
                             "rename the grid dimensions to y and x (metres)")


def _table(ds: xr.Dataset, mask: xr.DataArray | None) -> pd.DataFrame:
    if mask is not None:
        keep = mask.astype(bool)
        ds = ds.where(keep)
        flat = keep.stack(_pix=("y", "x"))
        ds = ds.stack(_pix=("y", "x")).isel(_pix=np.flatnonzero(flat.values))
    else:
        ds = ds.stack(_pix=("y", "x"))
    frame = ds.compute().to_dataframe()
    drop = [c for c in ("_pix",) if c in frame.columns]
    frame = frame.drop(columns=drop).reset_index()
    return frame.drop(columns=[c for c in ("_pix",) if c in frame.columns])


def systematic_sample(ds: xr.Dataset, spacing_m: float = 8000.0, mask: xr.DataArray | None = None,
                      offset: tuple[int, int] = (0, 0)) -> pd.DataFrame:
    """Systematic sample: the grid thinned to one pixel every ``spacing_m`` metres.

    Parameters
    ----------
    ds : xarray.Dataset
        Variables on dims (y, x) in metres, optionally with ``month`` or
        ``time``; static variables (no time dimension) are repeated for every
        month.
    spacing_m : float
        Distance between sampled pixels, metres (paper: about 8 km).
    mask : xarray.DataArray of bool, optional
        Pixels to keep (e.g. the basin mask), dims (y, x).
    offset : (int, int)
        First sampled row and column.

    Returns
    -------
    DataFrame
        Columns y, x (metres), month/time if present, and one column per
        variable; pixels outside the mask are left out.
    """
    _check(ds)
    sy, sx = _step(ds["y"].values, spacing_m, "y"), _step(ds["x"].values, spacing_m, "x")
    sub = ds.isel(y=slice(offset[0], None, sy), x=slice(offset[1], None, sx))
    m = None if mask is None else mask.isel(y=slice(offset[0], None, sy), x=slice(offset[1], None, sx))
    return _table(sub, m)


def random_sample(ds: xr.Dataset, n: int, mask: xr.DataArray | None = None, seed: int = 0) -> pd.DataFrame:
    """Seeded random sample of n pixels (without replacement) inside the mask.

    Parameters
    ----------
    ds : xarray.Dataset
        As for :func:`systematic_sample`.
    n : int
        Number of pixels.
    mask : xarray.DataArray of bool, optional
        Pixels that may be drawn.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    DataFrame
        As :func:`systematic_sample`.
    """
    _check(ds)
    ny, nx = ds.sizes["y"], ds.sizes["x"]
    allowed = np.ones(ny * nx, bool) if mask is None else np.asarray(mask.transpose("y", "x").values,
                                                                         bool).ravel()
    pool = np.flatnonzero(allowed)
    if n > pool.size:
        raise ValueError(f"random_sample: n = {n} but only {pool.size} pixels are inside the mask; "
                         "ask for fewer")
    pick = np.sort(np.random.default_rng(seed).choice(pool, size=n, replace=False))
    yi, xi = np.unravel_index(pick, (ny, nx))
    points = ds.isel(y=xr.DataArray(yi, dims="_pix"), x=xr.DataArray(xi, dims="_pix"))
    frame = points.compute().to_dataframe().reset_index()
    frame = frame.drop(columns=[c for c in ("_pix",) if c in frame.columns])
    first = [c for c in ("y", "x", "month", "time") if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]
