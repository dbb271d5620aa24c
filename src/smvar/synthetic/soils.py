"""Soils of the twin: the soil factors of Table 1 of Yin et al. 2023 (0-5 cm).

Provides
--------
soil_properties
    Bulk density (cg cm-3) and organic carbon (dg kg-1) in SoilGrids units,
    field capacity and saturated water content (m3 m-3) and saturated
    hydraulic conductivity (cm day-1) in the units of the global hydraulic
    property maps (Zhang et al. 2020 in the paper), plus the hidden sand and
    clay fractions and the residual water content used by the water balance
  (with a hidden, spatially correlated part of standard deviation
  ``hidden_residual_sd``, :mod:`smvar.synthetic.parameters`).

Notes
-----
Every property derives from two correlated hidden fields, texture (sand, clay)
and organic carbon, each set by land cover and elevation plus spatially
correlated noise, so the properties are mutually consistent:

- organic carbon is high under alpine meadow and forest, low in the desert;
  grassland below 2,000 m is desert steppe (sandy, poor in organic matter),
  becoming alpine meadow by 2,800 m;
- bulk density falls with organic carbon (an Adams-type mixing rule);
- saturated water content is the porosity ``1 - BD / 2.65``;
- ksat follows Cosby et al. (1984): ``log10 Ks[in/h] = -0.6 + 0.0126 sand% - 0.0064 clay%``;
- field capacity rises with silt + clay and organic carbon (after Saxton &
  Rawls 2006, simplified to a linear form).
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import fractal_noise, key_of, twin_km
from smvar.synthetic.parameters import current as current_parameters

__all__ = ["soil_properties"]

# per land-cover class: (sand fraction, clay fraction, organic carbon g/kg)
_BY_CLASS = {
    1: (0.30, 0.18, 55.0),
    7: (0.70, 0.08, 6.0),
    10: (0.35, 0.15, 35.0),
    12: (0.32, 0.20, 14.0),
    15: (0.45, 0.08, 8.0),
    16: (0.78, 0.06, 3.0),
    17: (0.30, 0.25, 10.0),
}
# grassland (10) below 2,000 m: desert steppe (Hexi Corridor foothills)
_DESERT_STEPPE = (0.62, 0.09, 7.0)


def _lookup(codes: np.ndarray, column: int) -> np.ndarray:
    table = np.zeros(256, dtype=np.float32)
    for code, values in _BY_CLASS.items():
        table[code] = values[column]
    return table[codes]


def soil_properties(lon: np.ndarray, lat: np.ndarray, dem: np.ndarray, landcover: np.ndarray,
                    seed: int) -> dict[str, np.ndarray]:
    """Soil properties of every point (float32 arrays).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    dem : numpy.ndarray
        Elevation, m (organic carbon rises with elevation in the mountains).
    landcover : numpy.ndarray
        IGBP codes (see :mod:`smvar.synthetic.landcover`).
    seed : int
        Seed of the correlated noise.

    Returns
    -------
    dict
        ``bulk_density`` (cg cm-3), ``organic_carbon`` (dg kg-1),
        ``field_capacity`` (m3 m-3), ``ksat`` (cm day-1),
        ``saturated_water_content`` (m3 m-3), ``sand``, ``clay`` (fractions),
        ``residual_water_content`` (m3 m-3).
    """
    u, v = twin_km(lon, lat)
    n_tex = fractal_noise(u, v, key_of(seed, 301), (48.0, 16.0, 6.0, 2.0))
    n_oc = fractal_noise(u, v, key_of(seed, 302), (48.0, 16.0, 6.0, 2.0))
    # Grassland below the mountains is desert steppe on sandy, gravelly soils
    # poor in organic matter; it becomes alpine meadow between 2,000 and 2,800 m.
    steppe = (landcover == 10) & (dem < 2800.0)
    meadow_share = np.clip((dem - 2000.0) / 800.0, 0.0, 1.0)
    base = [_lookup(landcover, k) for k in range(3)]
    for k, value in enumerate(_DESERT_STEPPE):
        base[k] = np.where(steppe, value + (base[k] - value) * meadow_share, base[k])
    sand = np.clip(base[0] + 0.08 * n_tex, 0.05, 0.95)
    clay = np.clip(base[1] - 0.04 * n_tex, 0.02, 0.5)
    clay = np.minimum(clay, 1.0 - sand - 0.02)
    elev_gain = 1.0 + 0.35 * np.clip((dem - 2500.0) / 1500.0, 0.0, 1.0)
    oc_gkg = np.minimum(base[2] * elev_gain * np.exp(0.35 * n_oc - 0.06), 120.0)
    oc_frac = oc_gkg / 1000.0
    # Adams (1973) mixing of organic (0.224 g/cm3) and mineral (1.6 g/cm3 + texture) matter
    mineral_bd = 1.45 + 0.20 * sand - 0.15 * clay
    bd = 1.0 / (1.724 * oc_frac / 0.224 + (1.0 - 1.724 * oc_frac) / mineral_bd)
    porosity = 1.0 - bd / 2.65
    log_ks_inh = -0.6 + 1.26 * sand - 0.64 * clay  # Cosby et al. (1984), fractions
    ksat = 10.0 ** log_ks_inh * 2.54 * 24.0  # in/h -> cm/day
    fc = np.clip(0.06 + 0.33 * (1.0 - sand) + 0.0018 * oc_gkg, 0.07, 0.45)
    fc = np.minimum(fc, porosity - 0.05)
    # Residual (air-dry, adsorbed) water of the layer. It is set high, so that
    # desert cells hold ~0.09 m3/m3 as the microwave products used by the
    # paper report there (basin monthly means 0.115-0.146).
    parameters = current_parameters()
    residual = parameters.residual_base + 0.10 * clay + 0.05 * (1.0 - sand)
    # What no soil map carries (gravel, salts, crusts, the microtopography of
    # the gobi): a hidden, spatially correlated part of the air-dry water
    # content, kept above 0.04 and at least 0.03 below field capacity.
    if parameters.hidden_residual_sd > 0:
        hidden = fractal_noise(u, v, key_of(seed, 303), parameters.hidden_residual_scales_km)
        residual = np.maximum(residual + parameters.hidden_residual_sd * hidden, 0.04)
        fc = np.maximum(fc, residual + 0.03)
    return {
        "bulk_density": (bd * 100.0).astype(np.float32),
        "organic_carbon": (oc_gkg * 10.0).astype(np.float32),
        "field_capacity": fc.astype(np.float32),
        "ksat": ksat.astype(np.float32),
        "saturated_water_content": porosity.astype(np.float32),
        "sand": sand.astype(np.float32),
        "clay": clay.astype(np.float32),
        "residual_water_content": residual.astype(np.float32),
    }
