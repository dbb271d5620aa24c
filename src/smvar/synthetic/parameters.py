"""The free parameters of the twin, in one place, with the values its calibration found.

Provides
--------
TwinParameters
    A frozen dataclass of the twin's free parameters: noise levels, the
    strength of the drivers of soil moisture, and spatial correlation
    lengths. The twin's modules read them from :func:`current`.
CALIBRATED
    The values found by ``scripts/calibrate_twin.py`` (see the comment there).
current, overridden
    The parameters in force, and a context manager that replaces them for
    the calibration script (never used by the default run).

Notes
-----
Every other number of the twin is either physics from the literature (cited
where it is used) or the real geography. The parameters here are the ones the
literature does not pin down for the Heihe basin and that change the paper's
published statistics; ``scripts/calibrate_twin.py`` chooses them so that a
run of the default basin reproduces some of those statistics (its targets),
and the comparison page reports the others as outcomes. The calibration
targets only the run's published statistics (basin means, semivariogram
shape, q of the geographical detector), never the truth's relation to the
factors, so the twin does not build in the paper's regression.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

__all__ = ["TwinParameters", "CALIBRATED", "current", "overridden", "fingerprint"]


@dataclass(frozen=True)
class TwinParameters:
    """The twin's free parameters.

    Attributes
    ----------
    residual_base : float
        The air-dry (residual) water content of a pure sand, m3 m-3 (clay and
        silt add to it): the level of the desert floor.
    hidden_residual_sd : float
        Standard deviation (m3 m-3) of the part of the residual (air-dry)
        water content that no soil map carries (gravel, salts, crusts): a
        spatially correlated field added to the texture-based residual.
    hidden_residual_scales_km : tuple of float
        Lattice spacings (km) of that field's octaves.
    frozen_liquid_floor : float
        Share (0-1) of the water above the residual content that stays liquid
        in deeply frozen soil.
    freeze_scale_k : float
        Temperature scale (K) of the progressive freezing below 0 degrees C.
    unfrozen_residual_share : float
        Share (0-1) of the residual (adsorbed) water content that stays
        liquid in frozen soil; the rest freezes like the water above it.
    irrigation_mm : float
        Water given to irrigated cropland every 10 days, mm.
    groundwater_twi, groundwater_river : float
        Rise (m3 m-3) of the groundwater floor of the wettest valley bottoms
        (TWI term) and next to the rivers (distance term).
    lst_noise_k : float
        Standard deviation of the per-pixel LST sensor noise, K.
    microwave_bias_sd : float
        Standard deviation (m3 m-3) of the static bias of the microwave products.
    reanalysis_lst_error_k : float
        Standard deviation (K) of the daily error of the reanalysis skin
        temperatures at each overpass against the 1 km LST.
    land_cover_edge_error : float
        Probability that the land-cover product gives a pixel at a class edge
        its neighbours' class.
    land_cover_error_scale : float
        Factor on the per-class probabilities that the land-cover product
        mislabels an interior pixel (:data:`smvar.synthetic.factors.LAND_COVER_ERROR`,
        global MCD12Q1 confusion rates).
    modis_lst_error_day_k, modis_lst_error_night_k : float
        Standard deviation (K) of the monthly error of the factors' daytime
        and night-time LST (the MOD11A2 role) against the all-weather LST the
        downscaling uses (see :func:`smvar.synthetic.factors.modis_lst_product`).
    """

    residual_base: float = 0.075
    hidden_residual_sd: float = 0.0
    hidden_residual_scales_km: tuple[float, ...] = (40.0, 12.0, 4.0)
    frozen_liquid_floor: float = 0.3
    freeze_scale_k: float = 3.0
    unfrozen_residual_share: float = 1.0
    irrigation_mm: float = 45.0
    groundwater_twi: float = 0.10
    groundwater_river: float = 0.12
    lst_noise_k: float = 1.0
    microwave_bias_sd: float = 0.01
    reanalysis_lst_error_k: float = 0.8
    land_cover_edge_error: float = 0.5
    land_cover_error_scale: float = 1.0
    modis_lst_error_day_k: float = 0.0
    modis_lst_error_night_k: float = 0.0

    def as_dict(self) -> dict:
        """The parameters as a JSON-ready dict."""
        out = asdict(self)
        out["hidden_residual_scales_km"] = list(self.hidden_residual_scales_km)
        return out

    def with_values(self, **values) -> "TwinParameters":
        """A copy with some values replaced (tuples given as lists are accepted)."""
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return replace(self, **values)


# Found by scripts/calibrate_twin.py, run by hand on 2026-12-01 and 2026-12-02 (a grid of
# candidates on data/basins/heihe.yaml, screened on every 15th or 3rd day, the chosen ones verified
# on the full year; the script prints targets, parameters and results). Targets: published
# statistics of Yin et al. 2023 (data/paper/): the monthly basin-mean SM range (0.115-0.146
# m3/m3), the largest q of the low-SM months (0.30-0.45), the dominant factors of April,
# October and November (dem) and of January-March and December (lucc), the SD of the upper
# reach's monthly means (0.03-0.13), the q of lst_day in May (0.60) and the strongest pair of
# January-March (dem and lucc), under the constraint that the downscaling beats the bilinear
# baseline on at least 80 % of the days. Every other published claim is an outcome.
# Candidate "R2" of the script: on the full default year 10 of the 14 published claims agree
# (of the targets, the largest low-SM q is 0.33-0.55 against 0.30-0.45, the dominant factor of
# April, October and November is lucc, not dem, and the strongest winter pairs are lucc with
# pet, lst_day and lst_diff) and the downscaling beats the bilinear baseline on 97 % of the
# days (99 % with seed 2021, where 7 claims agree).
# Changes from the dataclass defaults (the values before calibration) and why they are
# plausible: LST noise 0.3 K (MODIS C6 LST is within 0.5 K over homogeneous surfaces, Wan
# 2014; the random per-pixel part is smaller); land-cover errors of a basin that is mostly
# barren (agreement about 93 % instead of the global 74 % of MCD12Q1); a hidden air-dry water
# content of 0.05 m3/m3 varying at 8-24 km (gravel and salt crusts of the gobi, in no soil
# map); a wetter pure-sand floor (0.09) compensating the drier desert-steppe soils; sharper
# freezing (liquid floor 0.2, scale 1.5 K) that reaches a fifth of the adsorbed water too
# (unfrozen share 0.8); the factors' LST (MOD11A2 role) off the downscaling's all-weather
# LST by 2 K by day and 5 K by night in a month (MOD11 night LST is too cold under undetected
# cloud; the all-weather product fills cloudy days from reanalysis).
CALIBRATED = TwinParameters(
    lst_noise_k=0.3,
    land_cover_edge_error=0.2,
    land_cover_error_scale=0.4,
    hidden_residual_sd=0.05,
    hidden_residual_scales_km=(24.0, 8.0),
    residual_base=0.09,
    frozen_liquid_floor=0.2,
    freeze_scale_k=1.5,
    unfrozen_residual_share=0.8,
    modis_lst_error_day_k=2.0,
    modis_lst_error_night_k=5.0,
)

_ACTIVE: list[TwinParameters] = [CALIBRATED]


def current() -> TwinParameters:
    """The parameters in force (:data:`CALIBRATED` unless :func:`overridden`)."""
    return _ACTIVE[-1]


def fingerprint(parameters: TwinParameters | None = None) -> str:
    """A short hash of the parameters (keys the streamed twin's work)."""
    parameters = current() if parameters is None else parameters
    return hashlib.sha256(json.dumps(parameters.as_dict(), sort_keys=True).encode()).hexdigest()[:12]


@contextlib.contextmanager
def overridden(parameters: TwinParameters) -> Iterator[TwinParameters]:
    """Use other parameters inside a ``with`` block (the calibration script's hook).

    The run's steps are keyed on the code, not on these values: a run made
    with other parameters must go to its own folder.
    """
    _ACTIVE.append(parameters)
    try:
        yield parameters
    finally:
        _ACTIVE.pop()
