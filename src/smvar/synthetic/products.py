"""Observation products made from the truth: the error models of the twin.

Provides
--------
Aggregator
    Block means from the fine grid to a coarse lat-lon grid (a sparse averaging
    matrix built from :func:`smvar.grid.fine_to_coarse_index`); coarse cells
    that hold no fine cell take the value of the nearest cell that does.
reanalysis_sm, reanalysis_lst
    The ERA5-Land role at 0.1 degree: block means plus bias and noise.
microwave_cci, microwave_smops
    The ESA CCI role (0.25 degree, about a third of the days missing in every
    cell) and the SMOPS role (gap-free, noisier).
reference_sm
    The SMCI role: the 1 km truth plus noise.
NoisePool
    Cheap standard normal fields for the per-pixel noise of every day.

Error models (m3 m-3 for SM, K for LST; e is standard normal, independent by
cell and day):

- reanalysis SM: ``0.85 B + 0.04 + b(x) + 0.012 e`` with B the block mean of the
  truth and b a static bias field (sd 0.01) -- ERA5-Land is too wet in dry land;
- reanalysis LST: ``B - 1.5 + 0.8 e`` by day, ``B + 0.5 + 0.8 e`` by night;
- CCI: ``B + b(x) + 0.025 e``, missing with probability 0.33 +- 0.12 (more in winter);
- SMOPS: ``B + 0.01 + 0.045 e``;
- reference: ``T + 0.02 e`` at 1 km;

all SM clipped to [0.01, 0.6].
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import ndimage

from smvar.grid import FineGrid, GeoGrid, fine_to_coarse_index

__all__ = [
    "Aggregator",
    "reanalysis_sm",
    "reanalysis_lst",
    "microwave_cci",
    "microwave_smops",
    "reference_sm",
    "NoisePool",
]

_SM_RANGE = (0.01, 0.6)


class Aggregator:
    """Block means from a fine grid to a coarse lat-lon grid.

    Parameters
    ----------
    fine : FineGrid
    coarse : GeoGrid
    """

    def __init__(self, fine: FineGrid, coarse: GeoGrid) -> None:
        index = fine_to_coarse_index(fine, coarse).ravel()
        keep = np.flatnonzero(index >= 0)
        counts = np.bincount(index[keep], minlength=coarse.size)
        weights = 1.0 / counts[index[keep]]
        self.matrix = sp.csr_matrix((weights.astype(np.float32), (index[keep], keep)),
                                    shape=(coarse.size, index.size))
        self.shape = coarse.shape
        empty = (counts == 0).reshape(coarse.shape)
        if empty.all():
            raise ValueError("no fine-grid cell falls inside the coarse grid; check the basin extent")
        _, (rows, cols) = ndimage.distance_transform_edt(empty, return_indices=True)
        self.fill_from = (rows * coarse.shape[1] + cols).ravel()

    def day(self, field: np.ndarray) -> np.ndarray:
        """Block means of one (y, x) field: (lat, lon) float32."""
        means = self.matrix @ field.ravel()
        return means[self.fill_from].reshape(self.shape).astype(np.float32)

    def __call__(self, cube: np.ndarray, chunk: int = 32) -> np.ndarray:
        """Block means of a (time, y, x) cube: (time, lat, lon) float32."""
        n_time = cube.shape[0]
        flat = cube.reshape(n_time, -1)
        out = np.empty((n_time, self.matrix.shape[0]), dtype=np.float32)
        for start in range(0, n_time, chunk):
            block = np.ascontiguousarray(flat[start:start + chunk].T)
            out[start:start + chunk] = (self.matrix @ block).T
        out = out[:, self.fill_from]
        return out.reshape(n_time, *self.shape)


def _clip_sm(values: np.ndarray) -> np.ndarray:
    return np.clip(values, *_SM_RANGE).astype(np.float32)


def _static_bias(shape: tuple[int, ...], rng: np.random.Generator, sd: float) -> np.ndarray:
    field = ndimage.gaussian_filter(rng.standard_normal(shape), 1.5, mode="wrap")
    return (sd * field / max(field.std(), 1e-9)).astype(np.float32)


def reanalysis_sm(block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """ERA5-Land-like SM (m3 m-3) from the block-mean truth (time, lat, lon)."""
    bias = _static_bias(block.shape[1:], rng, 0.01)
    noise = rng.standard_normal(block.shape, dtype=np.float32) * 0.012
    return _clip_sm(0.85 * block + 0.04 + bias + noise)


def reanalysis_lst(block_day: np.ndarray, block_night: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """ERA5-Land-like skin temperatures at the two overpasses (K)."""
    day = block_day - 1.5 + rng.standard_normal(block_day.shape, dtype=np.float32) * 0.8
    night = block_night + 0.5 + rng.standard_normal(block_night.shape, dtype=np.float32) * 0.8
    return day.astype(np.float32), night.astype(np.float32)


def microwave_cci(block: np.ndarray, months: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """ESA-CCI-like SM (m3 m-3) with NaN gaps; ``months`` (1-12) of each time step."""
    bias = _static_bias(block.shape[1:], rng, 0.01)
    values = _clip_sm(block + bias + rng.standard_normal(block.shape, dtype=np.float32) * 0.025)
    p_gap = 0.33 + 0.12 * np.cos(2 * np.pi * (np.asarray(months) - 1) / 12.0)
    gaps = rng.random(block.shape, dtype=np.float32) < p_gap[:, None, None]
    values[gaps] = np.nan
    return values


def microwave_smops(block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """SMOPS-like SM (m3 m-3): gap-free, noisier."""
    return _clip_sm(block + 0.01 + rng.standard_normal(block.shape, dtype=np.float32) * 0.045)


def reference_sm(truth_day: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """SMCI-like 1 km reference SM (m3 m-3) of one day: truth plus 0.02 x ``noise`` (standard normal)."""
    return _clip_sm(truth_day + noise * np.float32(0.02))


class NoisePool:
    """Standard normal fields for the per-pixel sensor noise of many days, cheaply.

    One pool of ``factor x size`` normal numbers is drawn once; each request
    returns a window of it at a random offset. Windows of different requests
    overlap with shifts, so the fields are not strictly independent, but a
    shift of at least one cell decorrelates every pixel's value from its
    neighbours': the noise stays white in space and, in effect, in time.

    Parameters
    ----------
    shape : tuple of int
        Shape of each field.
    rng : numpy.random.Generator
        Draws the pool.
    factor : int, default 4
        Pool size in fields.
    """

    def __init__(self, shape: tuple[int, ...], rng: np.random.Generator, factor: int = 4) -> None:
        self.shape = shape
        self.size = int(np.prod(shape))
        self.pool = rng.standard_normal(self.size * factor + 7919, dtype=np.float32)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """A read-only standard normal field of ``shape`` (a view into the pool)."""
        offset = int(rng.integers(0, self.pool.size - self.size))
        view = self.pool[offset:offset + self.size].reshape(self.shape)
        view.flags.writeable = False
        return view
