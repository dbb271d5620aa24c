"""Location-keyed random fields, so that any grid or sub-extent sees the same twin.

Provides
--------
twin_km
    Fixed kilometre coordinates (u east, v north) of longitude/latitude points,
    independent of the analysis grid.
hash_normal, hash_uniform
    Reproducible pseudo-random numbers keyed by integer lattice indices and a key.
Lattice
    Bilinear (smoothstep-weighted) interpolation from a square lattice of nodes
    in twin kilometres to a set of points; weights are computed once and every
    call draws a fresh node field for its key.
TwoStageLattice
    Several octaves summed on a 5 km intermediate lattice, then one
    interpolation to the points: the daily weather fields.
fractal_noise
    Sum of lattice value-noise octaves: a spatially correlated Gaussian-like
    field of unit standard deviation.

Notes
-----
Values at lattice nodes come from a counter-based hash (the SplitMix64
finaliser of Steele et al. 2014) of the node's global indices and a key, not
from a sequential generator. A node has the same value whatever grid asks for
it, which is why a parameter file with a sub-extent crops the same twin.
Value noise is the lattice method of Perlin (1985) with bilinear weights.
"""

from __future__ import annotations

import numpy as np

__all__ = ["twin_km", "hash_uniform", "hash_normal", "Lattice", "TwoStageLattice", "fractal_noise", "key_of"]

LON0, LAT0 = 99.55, 40.2  # centre of the twin's frame, degrees
KM_PER_DEG = 111.195  # km per degree of latitude on the authalic sphere

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_P1 = np.uint64(0xC2B2AE3D27D4EB4F)
_P2 = np.uint64(0x165667B19E3779F9)


def key_of(*parts: int) -> int:
    """One 63-bit key from several non-negative integers (seed, component, day ...)."""
    h = np.uint64(0x2545F4914F6CDD1D)
    with np.errstate(over="ignore"):
        for part in parts:
            h = _mix(h ^ (np.uint64(int(part) & 0xFFFFFFFFFFFFFFFF) * _M1))
    return int(h >> np.uint64(1))


def _mix(h):
    """SplitMix64 finaliser (Steele, Lea & Flood 2014), wrapping uint64 arithmetic."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(30))
        h = h * _M2
        h = h ^ (h >> np.uint64(27))
        h = h * _M3
        h = h ^ (h >> np.uint64(31))
    return h


def hash_uniform(ix: np.ndarray, iy: np.ndarray, key: int) -> np.ndarray:
    """Uniform numbers in [0, 1) keyed by integer indices ``ix``, ``iy`` and ``key``."""
    ix = np.asarray(ix, dtype=np.int64).astype(np.uint64)
    iy = np.asarray(iy, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = _mix(ix * _M1 ^ iy * _P1 ^ np.uint64(key) * _P2)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)


def hash_normal(ix: np.ndarray, iy: np.ndarray, key: int) -> np.ndarray:
    """Standard normal numbers keyed like :func:`hash_uniform` (Box-Muller)."""
    u1 = hash_uniform(ix, iy, key)
    u2 = hash_uniform(ix, iy, key ^ 0x5DEECE66D)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def twin_km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kilometre coordinates of the twin's frame (equirectangular about 40.2 N, 99.55 E).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.

    Returns
    -------
    u, v : numpy.ndarray
        Kilometres east and north of the frame's centre.
    """
    u = (np.asarray(lon) - LON0) * KM_PER_DEG * np.cos(np.deg2rad(LAT0))
    v = (np.asarray(lat) - LAT0) * KM_PER_DEG
    return u, v


def _smoothstep(t: np.ndarray) -> np.ndarray:
    return t * t * (3.0 - 2.0 * t)


class Lattice:
    """Interpolation weights from a square node lattice (spacing in km) to points.

    Parameters
    ----------
    u, v : numpy.ndarray
        Point coordinates in twin kilometres (see :func:`twin_km`), any shape.
    spacing_km : float
        Distance between lattice nodes, km.
    smooth : bool, default True
        Smoothstep weights (value noise without visible cell edges); False for
        plain bilinear interpolation.
    """

    def __init__(self, u: np.ndarray, v: np.ndarray, spacing_km: float, smooth: bool = True) -> None:
        self.shape = np.shape(u)
        gu = np.asarray(u, dtype=np.float64).ravel() / spacing_km
        gv = np.asarray(v, dtype=np.float64).ravel() / spacing_km
        iu, iv = np.floor(gu).astype(np.int64), np.floor(gv).astype(np.int64)
        self.i0, self.j0 = int(iu.min()), int(iv.min())
        self.nu, self.nv = int(iu.max()) - self.i0 + 2, int(iv.max()) - self.j0 + 2
        wu, wv = gu - iu, gv - iv
        if smooth:
            wu, wv = _smoothstep(wu), _smoothstep(wv)
        wu, wv = wu.astype(np.float32), wv.astype(np.float32)
        base = (iv - self.j0) * self.nu + (iu - self.i0)
        self.index = np.stack([base, base + 1, base + self.nu, base + self.nu + 1]).astype(np.intp)
        self.weight = np.stack([(1 - wu) * (1 - wv), wu * (1 - wv), (1 - wu) * wv, wu * wv])

    def nodes(self, key: int, normal: bool = True) -> np.ndarray:
        """The lattice's node values for ``key``: flat array, standard normal or uniform."""
        jj, ii = np.meshgrid(np.arange(self.j0, self.j0 + self.nv), np.arange(self.i0, self.i0 + self.nu),
                             indexing="ij")
        draw = hash_normal if normal else hash_uniform
        return draw(ii.ravel(), jj.ravel(), key).astype(np.float32)

    def field(self, key: int, normal: bool = True) -> np.ndarray:
        """The interpolated field at the points (float32, the points' shape)."""
        return self.interpolate(self.nodes(key, normal))

    def interpolate(self, node_values: np.ndarray) -> np.ndarray:
        """Interpolate flat node values to the points (float32, the points' shape)."""
        out = node_values[self.index[0]] * self.weight[0]
        for k in range(1, 4):
            out += node_values[self.index[k]] * self.weight[k]
        return out.reshape(self.shape)


class TwoStageLattice:
    """Smooth random fields evaluated cheaply at many points, day after day.

    Octaves of value noise are evaluated on a global intermediate lattice of
    ``step_km`` spacing (a few thousand nodes) and summed there; one bilinear
    interpolation then carries the sum to the points. Suited to fields whose
    finest octave is several times ``step_km``.

    Parameters
    ----------
    u, v : numpy.ndarray
        Twin kilometres of the points.
    spacings_km : tuple of float
        Lattice spacing of every octave, km.
    step_km : float, default 5.0
        Spacing of the intermediate lattice, km.
    """

    def __init__(self, u: np.ndarray, v: np.ndarray, spacings_km: tuple[float, ...], step_km: float = 5.0) -> None:
        self.final = Lattice(u, v, step_km, smooth=False)
        jj, ii = np.meshgrid(np.arange(self.final.j0, self.final.j0 + self.final.nv),
                             np.arange(self.final.i0, self.final.i0 + self.final.nu), indexing="ij")
        nu, nv = ii.ravel() * step_km, jj.ravel() * step_km
        self.octaves = [Lattice(nu, nv, spacing) for spacing in spacings_km]

    def fields(self, keys_and_weights: list[list[tuple[int, int, float]]]) -> np.ndarray:
        """Several fields at the points, each a weighted sum of octaves.

        Parameters
        ----------
        keys_and_weights : list of list of (octave, key, weight)
            One list per output field.

        Returns
        -------
        list of numpy.ndarray
            One float32 field of the points' shape per entry.
        """
        n_nodes = self.final.nu * self.final.nv
        out = []
        for terms in keys_and_weights:
            summed = np.zeros(n_nodes, dtype=np.float32)
            for octave, key, weight in terms:
                summed += np.float32(weight) * self.octaves[octave].field(key)
            out.append(self.final.interpolate(summed))
        return out


# Variance of bilinear smoothstep interpolation of unit-variance iid nodes,
# averaged over a cell: (E[w^2] + E[(1-w)^2])^2 with w = smoothstep(U).
_VAR_FACTOR = (2 * (13 / 35)) ** 2


def fractal_noise(u: np.ndarray, v: np.ndarray, key: int, spacings_km: tuple[float, ...],
                  hurst: float = 0.7) -> np.ndarray:
    """Spatially correlated noise of about unit standard deviation (float32).

    Parameters
    ----------
    u, v : numpy.ndarray
        Twin kilometres of the points.
    key : int
        Key of the realisation (from :func:`key_of`).
    spacings_km : tuple of float
        Lattice spacings of the octaves, km (largest first).
    hurst : float, default 0.7
        Octave amplitudes scale as ``spacing ** hurst`` (rougher when smaller).
    """
    spacings = np.asarray(spacings_km, dtype=float)
    amps = spacings**hurst
    amps = amps / np.sqrt(np.sum(amps**2) * _VAR_FACTOR)
    out = np.zeros(np.shape(u), dtype=np.float32)
    for octave, (spacing, amp) in enumerate(zip(spacings, amps)):
        out += np.float32(amp) * Lattice(u, v, float(spacing)).field(key_of(key, octave))
    return out
