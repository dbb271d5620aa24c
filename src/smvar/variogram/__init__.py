"""Semivariograms: empirical (points, exact full grid), models, fitting, Table 3."""
from smvar.variogram.empirical import *  # noqa: F401,F403
