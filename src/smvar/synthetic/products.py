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

Error models (m3 m-3 for SM, K for LST). B is the block mean of the truth
(or of the 1 km LST) over the coarse cell; b(x) a static bias field; e(x, t)
a daily error field of unit standard deviation:

- reanalysis SM: ``0.85 B + 0.04 + b(x) + 0.012 e`` (b: sd 0.01) -- ERA5-Land
  is too wet in dry land;
- reanalysis LST: ``B - 1.5 + s e`` by day, ``B + 0.5 + s e`` by night, s =
  ``reanalysis_lst_error_k`` of :mod:`smvar.synthetic.parameters`;
- CCI: ``B + b(x) + 0.025 e`` (b: sd ``microwave_bias_sd`` of
  :mod:`smvar.synthetic.parameters`), missing where a daily gap field
  falls below the gap probability 0.33 +- 0.12 (more in winter);
- SMOPS: ``B + 0.01 + 0.045 e``;
- reference: ``T + 0.02 e`` at 1 km, e white (independent by pixel and day);

all SM clipped to [0.01, 0.6].

Spatial structure of the coarse products' errors. The static biases and the
daily errors of the coarse products are random fields keyed by location and
date (:mod:`smvar.synthetic._noise`), not numbers drawn independently for
every grid cell:

- the microwave products are retrievals from sensors whose footprints
  (about 25-50 km: AMSR2, SMAP, SMOS, ASCAT) are as large as or larger than the
  0.25 degree cell, resampled to that grid, with ancillary inputs (vegetation
  optical depth, effective temperature) that are themselves smooth; their
  daily error is half (in variance) at the footprint scale (a 40 km lattice)
  and half at the synoptic scale (150 km). The CCI gaps come from orbit
  coverage and frozen-ground masks, so they are patches (a 250 km field
  thresholded at the day's gap probability), not isolated cells;
- the reanalysis errors come from its atmospheric forcing (ERA5 at about
  31 km): half at a 30 km lattice, half at 150 km;
- static biases (land-surface parameters, retrieval ancillaries) are smooth
  at 60-150 km.

Neighbouring coarse cells therefore share much of their error, as they do in
the real products; a per-cell white error would be averaged away by any
smoothing of the coarse field (such as bilinear interpolation), which real
errors are not. Being keyed by location, the errors of a sub-extent are those
of the full basin at the same cells.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import ndimage

from smvar.grid import FineGrid, GeoGrid, fine_to_coarse_index
from smvar.synthetic._noise import _VAR_FACTOR, Lattice, fractal_noise, key_of, twin_km
from smvar.synthetic.parameters import current as current_parameters

__all__ = [
    "Aggregator",
    "reanalysis_sm",
    "reanalysis_lst",
    "microwave_cci",
    "microwave_smops",
    "reference_sm",
    "NoisePool",
    "ErrorFields",
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


class ErrorFields:
    """Location- and date-keyed error fields on a coarse lat-lon grid.

    Parameters
    ----------
    grid : GeoGrid
        The coarse grid.
    seed : int
        Seed of the twin.
    component : int
        Distinguishes the products (and their variables) sharing a grid.
    scales_km : tuple of float
        Lattice spacings of the daily error, km; they get equal variance.
    """

    def __init__(self, grid: GeoGrid, seed: int, component: int, scales_km: tuple[float, ...]) -> None:
        lon, lat = np.meshgrid(grid.lon, grid.lat)
        self.u, self.v = twin_km(lon, lat)
        self.key = key_of(seed, component)
        self.lattices = [Lattice(self.u, self.v, s) for s in scales_km]
        self.norm = np.float32(1.0 / np.sqrt(len(scales_km) * _VAR_FACTOR))

    def static(self, sd: float, scales_km: tuple[float, ...] = (150.0, 60.0)) -> np.ndarray:
        """A static bias field of standard deviation ``sd`` (about; float32, (lat, lon))."""
        return (sd * fractal_noise(self.u, self.v, key_of(self.key, 1), scales_km)).astype(np.float32)

    def daily(self, days: np.ndarray, variable: int = 0) -> np.ndarray:
        """Unit-variance error fields, (time, lat, lon) float32, for day ordinals ``days``."""
        out = np.empty((len(days), *self.u.shape), dtype=np.float32)
        for i, day in enumerate(days):
            key = key_of(self.key, 2 + variable, int(day))
            field = self.lattices[0].field(key_of(key, 0))
            for k, lattice in enumerate(self.lattices[1:], start=1):
                field = field + lattice.field(key_of(key, k))
            out[i] = field * self.norm
        return out


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """The logistic approximation of the standard normal CDF (Bowling et al. 2009)."""
    return 1.0 / (1.0 + np.exp(-1.702 * x))


def reanalysis_sm(block: np.ndarray, errors: ErrorFields, days: np.ndarray) -> np.ndarray:
    """ERA5-Land-like SM (m3 m-3) from the block-mean truth (time, lat, lon).

    ``errors`` are the reanalysis grid's error fields, ``days`` the date
    ordinals of the time steps.
    """
    noise = errors.daily(days, 0) * np.float32(0.012)
    return _clip_sm(0.85 * block + 0.04 + errors.static(0.01) + noise)


def reanalysis_lst(block_day: np.ndarray, block_night: np.ndarray, errors: ErrorFields,
                   days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ERA5-Land-like skin temperatures at the two overpasses (K)."""
    sd = np.float32(current_parameters().reanalysis_lst_error_k)
    day = block_day - 1.5 + errors.daily(days, 1) * sd
    night = block_night + 0.5 + errors.daily(days, 2) * sd
    return day.astype(np.float32), night.astype(np.float32)


def microwave_cci(block: np.ndarray, months: np.ndarray, errors: ErrorFields, gaps: ErrorFields,
                  days: np.ndarray) -> np.ndarray:
    """ESA-CCI-like SM (m3 m-3) with NaN gaps; ``months`` (1-12) of each time step.

    ``errors`` give the retrieval error (footprint and synoptic scales),
    ``gaps`` the coverage field (one large scale), ``days`` the date ordinals.
    """
    noise = errors.daily(days, 0) * np.float32(0.025)
    values = _clip_sm(block + errors.static(current_parameters().microwave_bias_sd) + noise)
    p_gap = 0.33 + 0.12 * np.cos(2 * np.pi * (np.asarray(months) - 1) / 12.0)
    coverage = _normal_cdf(gaps.daily(days, 0))  # about uniform in [0, 1]
    values[coverage < p_gap[:, None, None]] = np.nan
    return values


def microwave_smops(block: np.ndarray, errors: ErrorFields, days: np.ndarray) -> np.ndarray:
    """SMOPS-like SM (m3 m-3): gap-free, noisier (its own error fields, ``variable`` 1)."""
    return _clip_sm(block + 0.01 + errors.daily(days, 1) * np.float32(0.045))


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
