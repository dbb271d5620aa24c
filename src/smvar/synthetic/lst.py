"""Land surface temperature of the twin: day (~10:30) and night (~22:30).

Provides
--------
thermal_inertia
    Soil thermal inertia (J m-2 K-1 s-1/2) rising nonlinearly with the degree
    of saturation.
diurnal_range
    The day-night LST difference (K) of every cell for one day.
lst_pair
    Daytime and night-time LST (K) of every cell for one day.

Notes
-----
The diurnal amplitude of surface temperature is inversely proportional to
thermal inertia P (Price 1977; Xue & Cracknell 1995), and P grows with soil
water (Verhoef 2004; Lu et al. 2009). The twin uses

    P = 700 + 1900 * S ** 0.5,   S = theta / theta_sat,

    dLST = 42 K * R * (1 - 0.65 c) * (1 - 0.55 FVC) * (1 + 0.12 (z - 1500 m) / 1000 m)
           * (1000 / P) * (1 - 0.6 snow) + noise,

with R the day's extraterrestrial radiation relative to June, c the cloud
fraction, FVC the vegetation cover, z the elevation (thin air, strong
radiation) and ``snow`` 1 under snow. dLST therefore falls as soil moisture
rises, but hyperbolically, with a slope that changes with soil porosity,
vegetation, elevation, season and the day's cloud: the per-class linear
regression of Eq. 1 of Yin et al. 2023 is only an approximation on the twin.
The day and night temperatures split dLST unevenly about the air temperature
(60 % above, 40 % below, plus 2 K of surface warming by day).
"""

from __future__ import annotations

import numpy as np

__all__ = ["thermal_inertia", "diurnal_range", "lst_pair"]

KELVIN = np.float32(273.15)


def thermal_inertia(theta: np.ndarray, theta_sat: np.ndarray) -> np.ndarray:
    """Thermal inertia, J m-2 K-1 s-1/2 (float32)."""
    saturation = np.clip(theta / theta_sat, 0.0, 1.0)
    return (700.0 + 1900.0 * np.sqrt(saturation)).astype(np.float32)


def diurnal_range(theta, theta_sat, fvc, dem, weather: dict, snow) -> np.ndarray:
    """Day-night LST difference (K, float32) before sensor noise.

    Parameters
    ----------
    theta, theta_sat : numpy.ndarray
        Liquid and saturated water content, m3 m-3.
    fvc : numpy.ndarray
        Fractional vegetation cover, 0-1.
    dem : numpy.ndarray
        Elevation, m.
    weather : dict
        The day's weather (``ra_ratio``, ``cloud``).
    snow : numpy.ndarray of bool
        Snow-covered cells.
    """
    radiative = 42.0 * weather["ra_ratio"] * (1.0 - 0.65 * weather["cloud"])
    cover = (1.0 - 0.55 * fvc) * (1.0 + 0.12 * (dem - 1500.0) / 1000.0)
    inertia = 1000.0 / thermal_inertia(theta, theta_sat)
    out = radiative * cover * inertia * np.where(snow, 0.4, 1.0)
    return np.maximum(out, 0.5).astype(np.float32)


def lst_pair(theta, theta_sat, fvc, dem, weather: dict, snow, noise_day: np.ndarray,
             noise_night: np.ndarray, noise_k: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Daytime and night-time LST (K, float32) of one day, with sensor noise.

    Parameters
    ----------
    noise_day, noise_night : numpy.ndarray
        Standard normal fields; the sensor noise is ``noise_k`` times them (K).
    noise_k : float, default 1.0
        Standard deviation of the sensor noise, K.
    Other parameters as :func:`diurnal_range`.
    """
    d = diurnal_range(theta, theta_sat, fvc, dem, weather, snow)
    t_air = weather["t_air"] + KELVIN
    day = t_air + 2.0 + 0.6 * d
    night = t_air - 0.4 * d
    day += noise_day * np.float32(noise_k)
    night += noise_night * np.float32(noise_k)
    return day.astype(np.float32), night.astype(np.float32)
