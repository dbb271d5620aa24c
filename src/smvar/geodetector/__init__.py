"""The optimal-parameter geographical detector (Yin et al. 2023, section 2.3.3).

Provides
--------
geodetector, GeodetectorResult, rows_outside, q_by_method, geometric_cuts_outside
    Everything at once on a table: OPGD, then factor, interaction, risk and
    ecological detectors (:mod:`.workflow`; R GD's ``gdm``).
factor_detector, q_statistic, encode_strata, column_codes
    q = 1 - SSW/SST (Eq. 7) and its noncentral-F p value, vectorised over
    factors and months (:mod:`.factor`).
discretise, Discretisation, breaks_for, strata_codes, METHODS
    Equal, natural, quantile, geometric and sd intervals as GD 10.8 makes
    them (:mod:`.discretise`).
natural_breaks, natural_breaks_many, within_class_ss
    Exact Jenks natural breaks in O(k N log N) (:mod:`.natural_breaks`).
optimal_discretisation, OptimalDiscretisation
    OPGD with GD's rejection and tie rules (:mod:`.optimise`).
interaction_detector, interaction_type
    Table 2 interaction types (:mod:`.interaction`).
risk_detector, ecological_detector
    Welch t tests between strata; F test between factors.
systematic_sample, random_sample
    Samples of an xarray grid as tidy tables (:mod:`.sampling`).
Convention, GD, GEODETECTOR, GDVERSE, CONVENTIONS
    Named options for every point where peer programs differ (:mod:`.conventions`).

The command ``smvar detect`` lives in :mod:`.cli`.
"""

from smvar.lazy_exports import lazy_exports

_MODULES = {
    "conventions": ["CONVENTIONS", "GD", "GDVERSE", "GEODETECTOR", "Convention", "get_convention"],
    "discretise": ["METHODS", "Discretisation", "breaks_for", "discretise", "strata_codes"],
    "ecological": ["ecological_detector"],
    "factor": ["column_codes", "encode_strata", "factor_detector", "q_statistic"],
    "interaction": ["TYPES", "interaction_detector", "interaction_type"],
    "natural_breaks": ["natural_breaks", "natural_breaks_many", "within_class_ss"],
    "optimise": ["OptimalDiscretisation", "optimal_discretisation"],
    "risk": ["risk_detector"],
    "sampling": ["random_sample", "systematic_sample"],
    "workflow": ["GeodetectorResult", "geodetector", "rows_outside", "q_by_method", "geometric_cuts_outside",
                 "ALL_METHODS_ROW"],
}
# Names load their module on first use, so that ``smvar detect --help`` starts fast.
lazy_exports(__name__, {name: f"{__name__}.{module}" for module, names in _MODULES.items() for name in names})

__all__ = [
    "geodetector", "GeodetectorResult", "rows_outside", "q_by_method", "geometric_cuts_outside", "ALL_METHODS_ROW",
    "factor_detector", "q_statistic", "encode_strata", "column_codes",
    "discretise", "Discretisation", "breaks_for", "strata_codes", "METHODS",
    "natural_breaks", "natural_breaks_many", "within_class_ss",
    "optimal_discretisation", "OptimalDiscretisation",
    "interaction_detector", "interaction_type", "TYPES",
    "risk_detector", "ecological_detector",
    "systematic_sample", "random_sample",
    "Convention", "GD", "GEODETECTOR", "GDVERSE", "CONVENTIONS", "get_convention",
]
