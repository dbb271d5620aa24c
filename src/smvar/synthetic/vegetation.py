"""Vegetation of the twin: daily NDVI and FVC (EVI is made in :mod:`.factors`).

Provides
--------
Phenology
    Per-cell parameters of a double-logistic NDVI curve (dormant and peak
    NDVI, start and end of the season in day of year): dormant and peak NDVI
    are the real yearly minimum and maximum (BESS climatology, 0.05 degree,
    :func:`smvar.synthetic.geography.ndvi_range_at`); the season's timing is
    set by land cover and elevation; :meth:`Phenology.ndvi` gives a day's NDVI.
fvc_from_ndvi
    Fractional vegetation cover by the dimidiate pixel model (Gutman &
    Ignatov 1998) with NDVI_soil 0.05 and NDVI_veg 0.85.

Notes
-----
The growing season runs from May to September: cropland greens up in early
May (irrigation), alpine meadow later at higher elevation, forest keeps a high
dormant NDVI (evergreen). The daily NDVI is smooth in time, as the paper's
Savitzky-Golay reconstruction of 16-day composites is.
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import fractal_noise, key_of, twin_km

__all__ = ["Phenology", "fvc_from_ndvi"]

# class: (dormant NDVI, peak NDVI, start-of-season doy, end-of-season doy)
_BY_CLASS = {
    1: (0.42, 0.80, 135.0, 270.0),
    7: (0.10, 0.32, 125.0, 270.0),
    10: (0.12, 0.60, 140.0, 262.0),
    12: (0.12, 0.80, 125.0, 268.0),
    15: (-0.05, -0.02, 160.0, 240.0),
    16: (0.07, 0.10, 130.0, 265.0),
    17: (-0.25, -0.20, 130.0, 265.0),
}


def _lookup(codes: np.ndarray, column: int) -> np.ndarray:
    table = np.zeros(256, dtype=np.float32)
    for code, values in _BY_CLASS.items():
        table[code] = values[column]
    return table[codes]


class Phenology:
    """Double-logistic NDVI phenology of every cell.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    landcover : numpy.ndarray
        IGBP codes.
    dem : numpy.ndarray
        Elevation (m): the season starts ~1 day later and ends ~1 day earlier
        per 100 m above 2,500 m.
    annual_p : numpy.ndarray
        Annual precipitation (mm): without ``ndvi_range``, grassland peak NDVI rises with it.
    seed : int
        Seed of the correlated noise on peak NDVI (without ``ndvi_range``).
    ndvi_range : tuple of numpy.ndarray, optional
        The real yearly minimum and maximum NDVI of every cell: the curve
        runs between them (the peak is kept at least 0.01 above the minimum).
        Without it, class values of :data:`_BY_CLASS` (the earlier twin).
    """

    def __init__(self, lon, lat, landcover, dem, annual_p, seed: int,
                 ndvi_range: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        if ndvi_range is not None:
            low, high = (np.asarray(a, dtype=np.float32) for a in ndvi_range)
            self.base = low
            self.peak = np.maximum(high, low + np.float32(0.01)).astype(np.float32)
        else:
            u, v = twin_km(lon, lat)
            noise = fractal_noise(u, v, key_of(seed, 501), (24.0, 8.0, 3.0))
            self.base = _lookup(landcover, 0)
            peak = _lookup(landcover, 1)
            grass = landcover == 10
            peak = np.where(grass, 0.18 + 0.50 * np.clip(annual_p / 550.0, 0.0, 1.0), peak)
            spread = np.clip((peak - self.base) / 0.3, 0.0, 1.0)
            self.peak = (peak + 0.05 * noise * spread).astype(np.float32)
            self.base = np.minimum(self.base, self.peak - 0.01).astype(np.float32)
        shift = np.clip((dem - 2500.0) / 100.0, 0.0, 20.0)
        self.sos = (_lookup(landcover, 2) + shift).astype(np.float32)
        self.eos = (_lookup(landcover, 3) - shift).astype(np.float32)
        # Bounds of the season of any cell (elevation only delays the start
        # and advances the end): the same for every grid and band of rows.
        self._first = min(values[2] for values in _BY_CLASS.values())
        self._last = max(values[3] for values in _BY_CLASS.values())

    def ndvi(self, doy: int) -> np.ndarray:
        """NDVI of every cell on day of year ``doy`` (float32).

        Far outside the season (60 days before the earliest start of any
        class or after the latest end) the curve equals the dormant NDVI
        within 0.1 %: it is returned directly.
        """
        if doy < self._first - 60 or doy > self._last + 60:
            return self.base
        rise = 1.0 / (1.0 + np.exp((self.sos - doy) / 9.0))
        fall = 1.0 / (1.0 + np.exp((self.eos - doy) / 9.0))
        return (self.base + (self.peak - self.base) * (rise - fall)).astype(np.float32)


def fvc_from_ndvi(ndvi: np.ndarray, ndvi_soil: float = 0.05, ndvi_veg: float = 0.85) -> np.ndarray:
    """Fractional vegetation cover (0-1) by the dimidiate pixel model (float32)."""
    return np.clip((ndvi - ndvi_soil) / (ndvi_veg - ndvi_soil), 0.0, 1.0).astype(np.float32)
