"""The optimal-parameter geographical detector (Yin et al. 2023, section 2.3.3).

Provides
--------
geodetector, GeodetectorResult
    Everything at once on a table: OPGD, then factor, interaction, risk and
    ecological detectors (:mod:`.workflow`; R GD's ``gdm``).
factor_detector, q_statistic, encode_strata
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

from smvar.geodetector.conventions import CONVENTIONS, GD, GDVERSE, GEODETECTOR, Convention, get_convention
from smvar.geodetector.discretise import METHODS, Discretisation, breaks_for, discretise, strata_codes
from smvar.geodetector.ecological import ecological_detector
from smvar.geodetector.factor import encode_strata, factor_detector, q_statistic
from smvar.geodetector.interaction import TYPES, interaction_detector, interaction_type
from smvar.geodetector.natural_breaks import natural_breaks, natural_breaks_many, within_class_ss
from smvar.geodetector.optimise import OptimalDiscretisation, optimal_discretisation
from smvar.geodetector.risk import risk_detector
from smvar.geodetector.sampling import random_sample, systematic_sample
from smvar.geodetector.workflow import GeodetectorResult, geodetector

__all__ = [
    "geodetector", "GeodetectorResult",
    "factor_detector", "q_statistic", "encode_strata",
    "discretise", "Discretisation", "breaks_for", "strata_codes", "METHODS",
    "natural_breaks", "natural_breaks_many", "within_class_ss",
    "optimal_discretisation", "OptimalDiscretisation",
    "interaction_detector", "interaction_type", "TYPES",
    "risk_detector", "ecological_detector",
    "systematic_sample", "random_sample",
    "Convention", "GD", "GEODETECTOR", "GDVERSE", "CONVENTIONS", "get_convention",
]
