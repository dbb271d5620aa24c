"""Meteorology of the twin: precipitation, air temperature, cloud and PET.

Provides
--------
annual_precipitation
    Climatological annual precipitation (mm yr-1): about 700 mm on the high
    Qilian ridges, 100-150 mm in the Hexi Corridor, under 50 mm at Ejina.
MONTHLY_SHARE
    Share of the annual precipitation falling in each month (summer maximum,
    after the Zhangye and Qilian station climatologies).
air_temperature_climate
    Annual mean (degrees C) and seasonal amplitude (K) of air temperature, with
    a lapse rate of 6 K km-1.
extraterrestrial_radiation
    Daily extraterrestrial radiation (mm day-1 of evaporation equivalent),
    FAO-56 (Allen et al. 1998, Eq. 21-25).
Weather
    A daily weather generator stepping day by day: precipitation (mm day-1),
    cloud fraction, mean air temperature (degrees C), diurnal air-temperature
    range (K) and Hargreaves PET (mm day-1; Hargreaves & Samani 1985,
    scaled by 1.35 for the advective, windy desert).

Notes
-----
Each day's random fields are keyed by the seed and the date (see
:mod:`smvar.synthetic._noise`), so the weather of a date is the same whatever
period or sub-extent a parameter file asks for. Wet days are spatially
coherent: rain falls where a smooth daily field exceeds a wet-day threshold
set by the month and the place; amounts are scaled so that the expected
monthly total equals the climatology.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from smvar.synthetic._noise import _VAR_FACTOR, TwoStageLattice, fractal_noise, key_of, twin_km

__all__ = [
    "annual_precipitation",
    "MONTHLY_SHARE",
    "air_temperature_climate",
    "extraterrestrial_radiation",
    "Weather",
]

MONTHLY_SHARE = np.array([1.0, 1.5, 3.0, 5.0, 10.0, 16.0, 22.0, 20.0, 12.0, 5.0, 2.5, 2.0]) / 100.0
MONTHLY_SHARE = MONTHLY_SHARE / MONTHLY_SHARE.sum()
_WET_PROB = np.array([0.06, 0.07, 0.10, 0.13, 0.20, 0.28, 0.34, 0.32, 0.24, 0.12, 0.08, 0.06])
_DAYS_IN_MONTH = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def annual_precipitation(lon: np.ndarray, lat: np.ndarray, dem: np.ndarray, seed: int) -> np.ndarray:
    """Annual precipitation, mm yr-1 (float32).

    A plain term falling from 140 mm at 39 N to 35 mm north of 41.9 N plus an
    orographic term rising to ~520 mm at 4,300 m, times correlated noise (±10 %).
    """
    plain = 35.0 + 105.0 * np.clip((41.9 - lat) / 2.9, 0.0, 1.0)
    orographic = 520.0 * np.clip((dem - 1900.0) / 2400.0, 0.0, 1.0) ** 0.9
    u, v = twin_km(lon, lat)
    noise = fractal_noise(u, v, key_of(seed, 401), (80.0, 30.0, 10.0))
    return ((plain + orographic) * (1.0 + 0.1 * noise)).astype(np.float32)


def air_temperature_climate(lat: np.ndarray, dem: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Annual mean air temperature (degrees C) and seasonal half-range (K), float32.

    Zhangye (1,480 m, 38.9 N) has 7.5 degrees C and 15.5 K; the lapse rate is
    6 K km-1; the amplitude grows northward into the continental desert.
    """
    mean = 7.5 - 0.006 * (dem - 1480.0) - 0.6 * (lat - 38.9)
    amplitude = 15.5 + 1.1 * (lat - 38.9) - 0.0008 * np.maximum(dem - 2500.0, 0.0)
    return mean.astype(np.float32), amplitude.astype(np.float32)


def extraterrestrial_radiation(lat: np.ndarray, doy: int) -> np.ndarray:
    """Daily extraterrestrial radiation, mm day-1 of evaporation (FAO-56 Eq. 21, x 0.408)."""
    phi = np.deg2rad(lat)
    dr = 1 + 0.033 * np.cos(2 * np.pi * doy / 365)
    decl = 0.409 * np.sin(2 * np.pi * doy / 365 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(decl), -1.0, 1.0))
    ra = 24 * 60 / np.pi * 0.0820 * dr * (ws * np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.sin(ws))
    return (0.408 * ra).astype(np.float32)


class Weather:
    """Daily weather of the twin at a set of points, stepped one day at a time.

    Parameters
    ----------
    lon, lat, dem : numpy.ndarray
        Degrees east, degrees north and elevation (m) of the points (2-D).
    seed : int
        Seed of the twin.
    lat_range : tuple of float, optional
        ``(south, north, centre)`` latitudes (degrees) over which the daily
        radiation is fitted; default: the minimum, maximum and mean of ``lat``.
        A band of rows of a larger grid passes the whole grid's values, so
        that its weather equals that grid's rows bit for bit.

    Notes
    -----
    :meth:`day` must be called for consecutive dates: the synoptic temperature
    anomaly is an AR(1) process (lag-1 correlation 0.7, 3 K standard deviation).
    """

    def __init__(self, lon: np.ndarray, lat: np.ndarray, dem: np.ndarray, seed: int,
                 lat_range: tuple[float, float, float] | None = None) -> None:
        self.seed = seed
        self.lat = lat
        self.annual_p = annual_precipitation(lon, lat, dem, seed)
        self.t_mean, self.t_amp = air_temperature_climate(lat, dem)
        wet = np.clip((dem - 1500.0) / 2500.0, 0.0, 1.0).astype(np.float32)
        self.wet_boost = (0.4 + 1.0 * wet).astype(np.float32)  # mountains: more wet days
        u, v = twin_km(lon, lat)
        # octaves: storms at 150, 45 and 15 km, synoptic temperature at 400 km
        self._fields = TwoStageLattice(u, v, (150.0, 45.0, 15.0, 400.0))
        self._anomaly = None
        # Radiation varies smoothly with latitude: fit a quadratic in latitude
        # for every day of the year (error < 0.01 mm/day over 5 degrees).
        if lat_range is None:
            lat_range = (float(lat.min()), float(lat.max()), float(np.mean(lat)))
        south, north, lat0 = lat_range
        nodes = np.linspace(south - 0.01, north + 0.01, 16)
        doys = np.arange(1, 367)
        table = extraterrestrial_radiation(nodes[None, :], doys[:, None])
        self._ra_coef = np.polynomial.polynomial.polyfit(nodes - lat0, table.T, 2).T.astype(np.float32)
        self._dlat = (lat - lat0).astype(np.float32)
        self._dlat2 = self._dlat * self._dlat
        self._ra_max = float(extraterrestrial_radiation(np.array(lat0), 172))
        self._p_wet = [np.clip(np.float32(_WET_PROB[m]) * self.wet_boost, 0.02, 0.6) for m in range(12)]
        self._expected = [self.annual_p * np.float32(MONTHLY_SHARE[m] / _DAYS_IN_MONTH[m]) for m in range(12)]

    def day(self, date: dt.date) -> dict[str, np.ndarray]:
        """Weather of one day: ``precipitation`` (mm), ``cloud`` (0-1), ``t_air`` (deg C),
        ``dtr`` (K), ``pet`` (mm) and ``ra_ratio`` (radiation relative to the June maximum)."""
        doy = date.timetuple().tm_yday
        month = date.month - 1
        key = key_of(self.seed, 402, date.toordinal())
        both = self._fields.fields([
            [(0, key_of(key, 0), 0.79), (1, key_of(key, 1), 0.94), (2, key_of(key, 2), 0.75)],
            [(3, key_of(key, 9), 1.0 / np.sqrt(_VAR_FACTOR))],
        ])
        storm, shock = both[0], both[1]  # both about unit variance
        # about uniform in [0, 1]: the logistic approximation of the normal CDF
        # (Bowling et al. 2009), ten times cheaper than scipy.special.ndtr
        u = 1.0 / (1.0 + np.exp(np.float32(-1.702) * storm))
        p_wet = self._p_wet[month]
        excess = (u - (1.0 - p_wet)) / p_wet
        precipitation = np.maximum(excess, 0.0) * (self._expected[month] * 2.0 / p_wet)
        cloud = np.clip(np.float32(0.15) + np.float32(0.9) * (u - np.float32(0.35)), 0.0, 1.0)
        if self._anomaly is None:
            self._anomaly = 3.0 * shock
        else:
            self._anomaly = np.float32(0.7) * self._anomaly + np.float32(3.0 * np.sqrt(1 - 0.49)) * shock
        season = np.float32(np.cos(2 * np.pi * (doy - 16) / 365.25))
        t_air = self.t_mean - self.t_amp * season + self._anomaly - np.float32(2.0) * cloud
        dtr = np.float32(15.0) - np.float32(8.0) * cloud
        c0, c1, c2 = self._ra_coef[min(doy, 366) - 1]
        ra = c0 + c1 * self._dlat + c2 * self._dlat2
        # Hargreaves & Samani (1985), x 1.35 for the advective arid setting
        pet = np.float32(1.35 * 0.0023) * ra * np.maximum(t_air + np.float32(17.8), 0.0) * np.sqrt(dtr)
        return {
            "precipitation": precipitation,
            "cloud": cloud,
            "t_air": t_air,
            "dtr": dtr,
            "pet": pet,
            "ra_ratio": ra * np.float32(1.0 / self._ra_max),
        }
