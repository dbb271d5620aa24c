"""The driving-factor maps of the twin are products of the truth, with realistic errors.

Provides
--------
soil_products
    ``bulk_density``, ``organic_carbon`` (the SoilGrids role), ``field_capacity``,
    ``ksat`` and ``saturated_water_content`` (the role of the global hydraulic
    maps of Zhang et al. 2018) from the true soils plus mapping error.
dem_product
    Elevation with the error of a global DEM (the GEBCO role); slope, aspect
    and TWI are then derived from it, as a user derives them.
land_cover_product
    The true land cover with the confusion of MODIS MCD12Q1 (IGBP): about a
    quarter of the basin's pixels carry a plausible neighbouring class, more
    at class edges.
modis_lst_product
    Monthly daytime and night-time LST of the factors (the MOD11A2 role): the
    clear-sky mean of the twin's LST plus the error of another product.
evi_product, fvc_product
    Monthly EVI from simulated red, near-infrared and blue reflectances (the
    MOD13 formula, so EVI depends on soil brightness as well as on NDVI) and
    FVC by a dimidiate model with spatially varying end-members plus retrieval
    error: neither is a function of NDVI.

Notes
-----
The water balance and the LST of the twin are driven by the true fields
(:func:`smvar.synthetic.generate.static_fields`); the fine dataset carries these
products under the contract's names, as real inputs would. Without errors the
geographical detector sees the very fields that make the truth, and its q is
higher than any real analysis can find. Every error is a location-keyed random
field (:func:`smvar.synthetic._noise.fractal_noise`), so a sub-extent crops
the same products. Magnitudes, with their sources:

- SoilGrids1km, which the paper uses, explains 23-51 % of the variance of its
  properties at cross-validation points (Hengl et al. 2014); SoilGrids250m
  about 60 % (Hengl et al. 2017); SoilGrids 2.0 reports model efficiencies of
  the same order, lowest in sparsely sampled regions such as western China
  (Poggio et al. 2021). Errors are spatially correlated (they come from the
  covariates and the density of profiles), here at 32, 8 and 2 km.
  Organic carbon: a log-normal error of sd 0.55 (ln units; a factor of 1.7);
  texture (sand and clay): sd 0.12 and 0.06 (AfSoilGrids250m RMSE 16 and 14 %
  at points); bulk density: the mixing rule of the product organic carbon and
  texture (the same covariates drive all properties, so their errors are
  correlated) times a 1 + 0.10 e error (RMSE about 0.14-0.2 g cm-3 in
  SoilGrids' validation).
- The hydraulic maps apply pedotransfer functions to SoilGrids texture, bulk
  density and organic carbon (Zhang et al. 2018, with Rosetta3: Zhang &
  Schaap 2017), so they inherit the texture errors and add the PTF residuals:
  RMSE of about 0.6 in log10 ksat and 0.04-0.05 m3 m-3 in water contents
  (Zhang & Schaap 2017). Field capacity is kept below saturation.
- GEBCO_2020 on land is SRTM15+ (Tozer et al. 2019), built from SRTM and
  ASTER; SRTM 3-arc-second heights have RMSE of 23-47 m in high mountains
  (Mukul et al. 2017) against about 10 m globally. Error sd here: 5 m on the
  plains rising to 35 m from 30 km inside the mountains, correlated at 6, 3
  and 1.5 km.
- MCD12Q1 collection 6 has an overall accuracy of 73.6 % in IGBP (Sulla-Menashe
  et al. 2019), with confusion concentrated between similar classes
  (grassland, open shrubland, barren, cropland) and in mixed pixels at class
  edges. Here an edge pixel (a neighbour of another class) takes that class
  with probability ``land_cover_edge_error``; other pixels take a plausible
  confused class with a per-class probability (the global rates barren 0.12,
  grassland 0.30, open shrubland 0.40, cropland 0.20, forest 0.20, snow and
  ice 0.10, water 0.03, times ``land_cover_error_scale``; both calibrated in
  :mod:`smvar.synthetic.parameters`: the basin is mostly barren and easy to
  classify, and the downscaling's per-class fits are sensitive to them), in patches
  (a field correlated at 6 and 2.5 km).
- MOD13 EVI = 2.5 (NIR - red) / (NIR + 6 red - 7.5 blue + 1) (Huete et al.
  2002) responds to canopy structure and soil background where NDVI does
  not, and saturates less. Reflectances are built from NDVI and a brightness
  NIR + red that mixes a soil brightness (sand-rich soils bright, organic
  soils dark, plus a correlated field) with a canopy brightness; blue is
  0.6 red + 0.02. Plus a product error of 0.015 (Didan et al. 2015 give
  about +/- 0.015 for EVI), correlated at 5 and 1.5 km, new every month.
- FVC products come from other algorithms than NDVI thresholds (e.g. GLASS
  FVC, RMSE about 0.16 against ground, Jia et al. 2015). Here the dimidiate
  model with a soil NDVI varying in space (0.0-0.15; bare-soil NDVI varies
  with soil type, Montandon & Small 2008) and a vegetation NDVI of 0.86 +/-
  0.03, plus an error of sd 0.02 + 0.08 FVC, correlated at 10 and 3 km, new
  every month.
- The paper's LST factors come from MOD11A2 (8-day clear-sky composites,
  averaged by month; section 2.2), while its downscaling uses the daily
  all-weather TRIMS LST (section 2.1, Eq. 3; ref. 47), which merges MODIS
  thermal infrared with reanalysis. The two differ by the clear-sky
  sampling and by their retrievals: MOD11 collection 5 underestimated the
  LST of arid bare soils by up to several kelvin through its
  classification-based emissivities, which collection 6 reduced but did
  not remove (Wan 2014, Remote Sens. Environ. 140, 36-45). Here the
  factors' monthly LST is the mean of the twin's LST over the clear-sky
  output days of the month (cloud fraction below :data:`CLEAR_SKY_CLOUD`;
  the all-sky mean where a month has none) plus an error field new every
  month, of sd ``modis_lst_error_day_k`` by day and
  ``modis_lst_error_night_k`` by night, independent, correlated at 16, 4
  and 1 km (emissivity follows soils and land cover; water vapour, view
  angle and undetected cloud, which makes night LST too cold, vary at tens
  of km). Their sizes are free parameters of the calibration
  (:mod:`smvar.synthetic.parameters`).
"""

from __future__ import annotations

import numpy as np

from smvar.synthetic._noise import KM_PER_DEG, fractal_noise, key_of, twin_km
from smvar.synthetic.basin import mountain_front
from smvar.synthetic.parameters import current as current_parameters

__all__ = ["soil_products", "dem_product", "land_cover_product", "evi_product", "fvc_product",
           "modis_lst_product", "LAND_COVER_ERROR", "CONFUSED_WITH", "CLEAR_SKY_CLOUD"]

CLEAR_SKY_CLOUD = 0.3  # cloud fraction below which a day's LST counts as clear sky

_SOIL_SCALES = (32.0, 8.0, 2.0)

# probability that an interior pixel of the class is mislabelled
LAND_COVER_ERROR = {1: 0.20, 7: 0.40, 10: 0.30, 12: 0.20, 15: 0.10, 16: 0.12, 17: 0.03}
# plausible confused classes and their shares (IGBP confusions in drylands and mountains)
CONFUSED_WITH = {
    1: ((10, 1.0),),
    7: ((10, 0.5), (16, 0.5)),
    10: ((16, 0.6), (7, 0.4)),
    12: ((10, 0.7), (7, 0.3)),
    15: ((16, 1.0),),
    16: ((10, 0.6), (7, 0.4)),
    17: ((16, 1.0),),
}
SCREE_ELEVATION = 4300.0  # barren above it is scree, confused with snow and ice


def _uniform(z: np.ndarray) -> np.ndarray:
    """Gaussian-like field of unit sd to about-uniform [0, 1] (logistic approximation)."""
    return 1.0 / (1.0 + np.exp(-1.702 * z))


def soil_products(lon: np.ndarray, lat: np.ndarray, soils: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """Mapped soil properties: the true soils plus SoilGrids-like and PTF errors.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    soils : dict
        The true soils (:func:`smvar.synthetic.soils.soil_properties`).
    seed : int
        Seed of the twin.

    Returns
    -------
    dict
        ``bulk_density`` (cg cm-3), ``organic_carbon`` (dg kg-1),
        ``field_capacity``, ``saturated_water_content`` (m3 m-3), ``ksat``
        (cm day-1), float32.
    """
    u, v = twin_km(lon, lat)

    def err(component: int) -> np.ndarray:
        return fractal_noise(u, v, key_of(seed, 950, component), _SOIL_SCALES)

    sand = np.clip(soils["sand"] + 0.12 * err(1), 0.05, 0.95)
    clay = np.clip(soils["clay"] + 0.06 * err(2), 0.02, 0.5)
    clay = np.minimum(clay, 1.0 - sand - 0.02)
    oc_gkg = np.clip(soils["organic_carbon"] / 10.0 * np.exp(0.8 * err(3) - 0.5 * 0.8**2), 0.5, 150.0)
    oc_frac = oc_gkg / 1000.0
    mineral_bd = 1.45 + 0.20 * sand - 0.15 * clay
    bd = 1.0 / (1.724 * oc_frac / 0.224 + (1.0 - 1.724 * oc_frac) / mineral_bd)
    bd = np.clip(bd * (1.0 + 0.10 * err(4)), 0.6, 1.75)
    # hydraulic maps: pedotransfer functions of the mapped properties plus PTF residuals
    porosity = np.clip(1.0 - bd / 2.65 + 0.04 * err(5), 0.3, 0.75)
    log_ks_inh = -0.6 + 1.26 * sand - 0.64 * clay + 0.3 * err(6)
    ksat = np.clip(10.0 ** log_ks_inh * 2.54 * 24.0, 1.5, 900.0)
    fc = np.clip(0.06 + 0.33 * (1.0 - sand) + 0.0018 * oc_gkg + 0.05 * err(7), 0.06, 0.45)
    fc = np.minimum(fc, porosity - 0.05)
    return {
        "bulk_density": (bd * 100.0).astype(np.float32),
        "organic_carbon": (oc_gkg * 10.0).astype(np.float32),
        "field_capacity": fc.astype(np.float32),
        "ksat": ksat.astype(np.float32),
        "saturated_water_content": porosity.astype(np.float32),
    }


def dem_product(lon: np.ndarray, lat: np.ndarray, dem: np.ndarray, seed: int) -> np.ndarray:
    """Elevation as a global DEM maps it (m, float32): truth + relief-dependent error.

    The error sd is 5 m on the plains rising to 35 m 30 km and more inside the
    mountains (the ramp of the twin's roughness, so it is location-keyed: a
    sub-extent crops the same DEM), correlated at 6, 3 and 1.5 km (see the
    module notes for the sources).
    """
    u, v = twin_km(lon, lat)
    m = np.maximum((mountain_front(np.asarray(lon, dtype=np.float64)) - np.asarray(lat)) * KM_PER_DEG, 0.0)
    sd = 5.0 + 30.0 * np.clip(m / 30.0, 0.0, 1.0)
    noise = fractal_noise(u, v, key_of(seed, 960), (6.0, 3.0, 1.5), hurst=0.5)
    return (dem + sd * noise).astype(np.float32)


def _neighbour_counts(codes: np.ndarray, classes: list[int]) -> np.ndarray:
    """How many of the 8 neighbours of each cell have each class: (n_classes, y, x)."""
    padded = np.pad(codes, 1, mode="edge")
    ny, nx = codes.shape
    counts = np.zeros((len(classes), ny, nx), dtype=np.int8)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            shifted = padded[1 + dr:1 + dr + ny, 1 + dc:1 + dc + nx]
            for k, c in enumerate(classes):
                counts[k] += shifted == c
    return counts


def _assign(out: np.ndarray, where: np.ndarray, choice: np.ndarray, alternatives) -> None:
    """Set ``out[where]`` to the alternative whose share interval holds ``choice``."""
    edges = np.cumsum([share for _, share in alternatives])
    codes = np.asarray([alt for alt, _ in alternatives], dtype=out.dtype)
    k = np.minimum(np.searchsorted(edges, choice[where], side="right"), len(codes) - 1)
    out[where] = codes[k]


def land_cover_product(lon: np.ndarray, lat: np.ndarray, landcover: np.ndarray, dem: np.ndarray,
                       seed: int) -> np.ndarray:
    """Land cover as MCD12Q1 maps it (IGBP codes, int16).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    landcover : numpy.ndarray
        True IGBP codes.
    dem : numpy.ndarray
        True elevation (m): barren above 4,300 m (scree) is confused with ice.
    seed : int
        Seed of the twin.

    Notes
    -----
    An edge pixel (with a neighbour of another class on the grid) takes the
    most frequent other class among its 8 neighbours with probability
    ``land_cover_edge_error``; an interior pixel takes a class of
    :data:`CONFUSED_WITH` with the probability of :data:`LAND_COVER_ERROR`
    times ``land_cover_error_scale`` (both of
    :class:`smvar.synthetic.parameters.TwinParameters`).
    Errors fall in patches: the draw is a field correlated at 6 and 2.5 km,
    made uniform.
    """
    codes = np.asarray(landcover).astype(np.int16)
    classes = sorted(CONFUSED_WITH)
    u, v = twin_km(lon, lat)
    draw = _uniform(fractal_noise(u, v, key_of(seed, 970), (6.0, 2.5), hurst=0.3))
    choice = _uniform(fractal_noise(u, v, key_of(seed, 971), (8.0, 3.0), hurst=0.3))
    counts = _neighbour_counts(codes, classes)
    own = np.zeros(codes.shape, dtype=bool)
    other_counts = counts.copy()
    for k, c in enumerate(classes):
        here = codes == c
        other_counts[k][here] = 0
        own |= here
    edge = other_counts.max(axis=0) > 0
    edge_class = np.asarray(classes, dtype=np.int16)[np.argmax(other_counts, axis=0)]
    parameters = current_parameters()
    p_table = np.zeros(256, dtype=np.float32)
    for c, p in LAND_COVER_ERROR.items():
        p_table[c] = p * parameters.land_cover_error_scale
    p = np.where(edge, parameters.land_cover_edge_error, p_table[np.clip(codes, 0, 255)])
    wrong = (draw < p) & own
    interior_class = codes.copy()
    scree = (codes == 16) & (dem >= SCREE_ELEVATION)
    for c, alternatives in CONFUSED_WITH.items():
        here = codes == c
        _assign(interior_class, here & ~scree, choice, alternatives)
    _assign(interior_class, scree, choice, ((15, 0.5), (10, 0.5)))
    out = codes.copy()
    out[wrong & edge] = edge_class[wrong & edge]
    out[wrong & ~edge] = interior_class[wrong & ~edge]
    return out


def _soil_brightness(lon: np.ndarray, lat: np.ndarray, sand: np.ndarray, seed: int) -> np.ndarray:
    """NIR + red of bare soil: 0.2-0.7, brighter on sand, correlated at 16 and 4 km."""
    u, v = twin_km(lon, lat)
    noise = fractal_noise(u, v, key_of(seed, 980), (16.0, 4.0))
    return np.clip(0.30 + 0.35 * sand + 0.06 * noise, 0.2, 0.7).astype(np.float32)


def evi_product(lon: np.ndarray, lat: np.ndarray, ndvi_monthly: np.ndarray, sand: np.ndarray,
                months: np.ndarray, seed: int) -> np.ndarray:
    """Monthly EVI (float32, (month, y, x)) from reflectances consistent with NDVI.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    ndvi_monthly : numpy.ndarray
        Monthly maximum-value NDVI, (month, y, x).
    sand : numpy.ndarray
        True sand fraction (soil background brightness).
    months : numpy.ndarray
        Calendar months of the first axis (the monthly error is keyed by month).
    seed : int
        Seed of the twin.

    Notes
    -----
    Brightness B = NIR + red mixes the soil brightness and a canopy
    brightness of 0.42 +/- 0.05 (canopy structure, correlated at 12 km) by the
    vegetated fraction c = (NDVI - 0.05) / 0.8; red = B (1 - NDVI) / 2,
    NIR = B (1 + NDVI) / 2, blue = 0.6 red + 0.02, and
    EVI = 2.5 (NIR - red) / (NIR + 6 red - 7.5 blue + 1) (Huete et al. 2002),
    plus a 0.015 error, clipped to [-0.2, 1].
    """
    u, v = twin_km(lon, lat)
    soil = _soil_brightness(lon, lat, sand, seed)
    canopy = (0.42 + 0.05 * fractal_noise(u, v, key_of(seed, 981), (12.0, 4.0))).astype(np.float32)
    out = np.empty(ndvi_monthly.shape, dtype=np.float32)
    for k, month in enumerate(months):
        ndvi = ndvi_monthly[k]
        c = np.clip((ndvi - 0.05) / 0.8, 0.0, 1.0)
        bright = (1.0 - c) * soil + c * canopy
        red = bright * (1.0 - ndvi) / 2.0
        nir = bright * (1.0 + ndvi) / 2.0
        blue = 0.6 * red + 0.02
        evi = 2.5 * (nir - red) / (nir + 6.0 * red - 7.5 * blue + 1.0)
        evi = evi + 0.015 * fractal_noise(u, v, key_of(seed, 982, int(month)), (5.0, 1.5), hurst=0.3)
        out[k] = np.clip(evi, -0.2, 1.0)
    return out


def fvc_product(lon: np.ndarray, lat: np.ndarray, ndvi_monthly: np.ndarray, months: np.ndarray,
                seed: int) -> np.ndarray:
    """Monthly FVC (0-1, float32) by a dimidiate model with varying end-members plus error.

    NDVI_soil = 0.07 + 0.04 e1 clipped to 0-0.15 (e1 correlated at 20 and 5
    km), NDVI_veg = 0.86 + 0.03 e2; error sd 0.02 + 0.08 FVC, correlated at
    10 and 3 km, new every month.
    """
    u, v = twin_km(lon, lat)
    n_soil = np.clip(0.07 + 0.04 * fractal_noise(u, v, key_of(seed, 990), (20.0, 5.0)), 0.0, 0.15)
    n_veg = 0.86 + 0.03 * fractal_noise(u, v, key_of(seed, 991), (40.0, 10.0))
    out = np.empty(ndvi_monthly.shape, dtype=np.float32)
    for k, month in enumerate(months):
        fvc = np.clip((ndvi_monthly[k] - n_soil) / (n_veg - n_soil), 0.0, 1.0)
        noise = fractal_noise(u, v, key_of(seed, 992, int(month)), (10.0, 3.0))
        out[k] = np.clip(fvc + (0.02 + 0.08 * fvc) * noise, 0.0, 1.0)
    return out


def modis_lst_product(lon: np.ndarray, lat: np.ndarray, clear_sums: np.ndarray, clear_counts: np.ndarray,
                      all_sky_means: np.ndarray, months: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Monthly daytime and night-time LST of the factors (K, float32, (month, y, x)).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees east and north.
    clear_sums : numpy.ndarray
        Sums of the day and night LST over the clear-sky days, K, (2, month, y, x).
    clear_counts : numpy.ndarray
        Clear-sky days of every month and cell, (month, y, x).
    all_sky_means : numpy.ndarray
        Day and night LST averaged over every day, K, (2, month, y, x): used
        where a month has no clear-sky day (the composites' gap filling).
    months : numpy.ndarray
        Calendar months of the month axis (the error is keyed by month).
    seed : int
        Seed of the twin.
    """
    parameters = current_parameters()
    errors_k = (parameters.modis_lst_error_day_k, parameters.modis_lst_error_night_k)
    u, v = twin_km(lon, lat)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(clear_counts > 0, clear_sums / clear_counts, all_sky_means).astype(np.float32)
    for part, error_k in enumerate(errors_k):
        if error_k <= 0:
            continue
        for k, month in enumerate(months):
            noise = fractal_noise(u, v, key_of(seed, 995, part, int(month)), (16.0, 4.0, 1.0), hurst=0.3)
            means[part, k] += np.float32(error_k) * noise
    return means[0], means[1]
