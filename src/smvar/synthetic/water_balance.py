"""The soil-moisture truth: a daily bucket water balance of the surface layer.

Provides
--------
Bucket
    The state (total water content, snow water equivalent, soil temperature)
    of every cell and its daily update; :meth:`Bucket.step` returns the day's
    liquid volumetric water content (m3 m-3), the truth.
LAYER_MM
    Effective depth of the surface layer, mm.

Notes
-----
One day of the balance, per cell (all vectorised over cells):

1. precipitation falls as snow below 0.5 degrees C; snow melts at 3.5 mm K-1 day-1;
2. irrigated cropland gets ``irrigation_mm`` every 10 days from mid-April to
   September (each cell on its own rotation);
3. water infiltrates up to saturation (only 30 % of it when the soil is frozen),
   the rest runs off;
4. water above field capacity drains at a rate set by ksat (slowed 20-fold
   when frozen);
5. evapotranspiration is PET x (0.5 + 0.5 FVC) x a soil-water stress factor
   falling linearly from 0.7 field capacity to the residual content (a tenth
   of it when frozen);
6. shallow groundwater raises wet valley bottoms towards a floor set by the
   topographic wetness index and the distance to the rivers (capillary rise);
7. the soil temperature follows air temperature with a 6-day time constant;
   below 0 degrees C the water above an unfrozen content u freezes
   progressively: liquid = u + (theta - u)(f + (1 - f) exp(T / s)) with the
   floor f = ``frozen_liquid_floor``, the scale s = ``freeze_scale_k`` and
   u = ``unfrozen_residual_share`` x the residual content: the adsorbed
   water that stays liquid well below 0 degrees C (the soil freezing
   characteristic curve: a few hundredths m3 m-3 in sands at -2 degrees C,
   about 0.1 in silts and clays; Anderson & Tice 1972).

The free parameters named here are those of
:class:`smvar.synthetic.parameters.TwinParameters`, set by the calibration.

The truth is the liquid content, which is what a microwave sensor sees.
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic.parameters import current as current_parameters

__all__ = ["Bucket", "LAYER_MM"]

LAYER_MM = 100.0


class Bucket:
    """Daily water balance of the surface layer of every cell.

    Parameters
    ----------
    soils : dict
        From :func:`smvar.synthetic.soils.soil_properties`.
    landcover : numpy.ndarray
        IGBP codes (12 is irrigated; 15 keeps permanent snow).
    twi : numpy.ndarray
        Topographic wetness index.
    river_km : numpy.ndarray
        Distance to the nearest river, km.
    seed : int
        Seed of the irrigation rotation.
    phase : numpy.ndarray of int, optional
        Day (0-9) of every cell in its 10-day irrigation rotation; default:
        drawn from ``seed`` for the whole array (so it depends on the array's
        shape). :func:`smvar.synthetic.generate.irrigation_phase` keys it by
        the cell's place instead.
    """

    def __init__(self, soils: dict, landcover: np.ndarray, twi: np.ndarray, river_km: np.ndarray,
                 seed: int, phase: np.ndarray | None = None) -> None:
        self.fc = soils["field_capacity"]
        self.sat = soils["saturated_water_content"]
        self.res = soils["residual_water_content"]
        self.drain_rate = np.clip(soils["ksat"] / 150.0, 0.1, 0.8).astype(np.float32)
        self.stress_top = np.maximum(0.7 * self.fc, self.res + 0.01).astype(np.float32)
        parameters = current_parameters()
        self.irrigation = np.float32(parameters.irrigation_mm)
        self.frozen_floor = np.float32(parameters.frozen_liquid_floor)
        self.unfrozen_share = np.float32(parameters.unfrozen_residual_share)
        self.freeze_scale = np.float32(1.0 / parameters.freeze_scale_k)
        self.irrigated = landcover == 12
        self.glacier = np.flatnonzero(landcover == 15)
        if phase is None:
            phase = np.random.default_rng([seed, 601]).integers(0, 10, size=landcover.shape)
        self.phase = phase
        gw = (parameters.groundwater_twi * np.clip((twi - 14.0) / 6.0, 0.0, 1.0)
              + parameters.groundwater_river * np.exp(-river_km / 1.5))
        self.gw_floor = np.minimum(self.res + gw, self.fc).astype(np.float32)
        self.theta = (0.5 * (self.fc + self.res)).astype(np.float32)
        self.swe = np.zeros(landcover.shape, dtype=np.float32)
        self.swe.flat[self.glacier] = 500.0
        self.t_soil: np.ndarray | None = None

    def step(self, weather: dict, fvc: np.ndarray, doy: int) -> np.ndarray:
        """Advance one day; returns the liquid water content (m3 m-3, float32).

        Parameters
        ----------
        weather : dict
            From :meth:`smvar.synthetic.meteorology.Weather.day`.
        fvc : numpy.ndarray
            Fractional vegetation cover of the day.
        doy : int
            Day of year (irrigation season).
        """
        t_air = weather["t_air"]
        if self.t_soil is None:
            self.t_soil = t_air.copy()
        else:
            self.t_soil += (t_air - self.t_soil) * np.float32(1.0 / 6.0)
        frozen = self.t_soil < 0.0
        thawed = np.where(frozen, np.float32(0.0), np.float32(1.0))
        precip = weather["precipitation"]
        rain = np.where(t_air < 0.5, np.float32(0.0), precip)
        self.swe += precip - rain
        melt = np.minimum(self.swe, np.float32(3.5) * np.maximum(t_air, np.float32(0.0)))
        glacier = self.glacier
        melt.flat[glacier] = np.minimum(melt.flat[glacier], 4.0)
        self.swe -= melt
        self.swe.flat[glacier] = np.maximum(self.swe.flat[glacier], 200.0)
        water = rain + melt
        if 105 <= doy <= 270:
            water += np.where(self.irrigated & ((doy + self.phase) % 10 == 0), self.irrigation, np.float32(0.0))
        water *= np.float32(0.3) + np.float32(0.7) * thawed  # frozen ground: most runs off
        theta = np.minimum(self.theta + water * np.float32(1.0 / LAYER_MM), self.sat)
        rate = self.drain_rate * (np.float32(0.05) + np.float32(0.95) * thawed)
        theta -= np.maximum(theta - self.fc, np.float32(0.0)) * rate
        stress = np.clip((theta - self.res) / (self.stress_top - self.res), np.float32(0.0), np.float32(1.0))
        aet = weather["pet"] * (np.float32(0.5) + np.float32(0.5) * fvc) * stress
        aet *= np.float32(0.1) + np.float32(0.9) * thawed
        theta -= aet * np.float32(1.0 / LAYER_MM)
        theta += np.float32(0.15) * np.maximum(self.gw_floor - theta, np.float32(0.0))
        self.theta = np.maximum(theta, self.res)
        # Part of the adsorbed (residual) water never freezes; the rest freezes progressively.
        cold = np.minimum(self.t_soil, np.float32(0.0))
        floor = self.frozen_floor
        fraction = floor + (np.float32(1.0) - floor) * np.exp(cold * self.freeze_scale)
        unfrozen = self.res * self.unfrozen_share
        return unfrozen + (self.theta - unfrozen) * fraction
