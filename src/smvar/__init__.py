"""smvar: spatiotemporal analysis of soil moisture and its driving factors.

A reproduction of Yin et al. 2023 (Remote Sensing 15:5768) that reruns for any
basin from one parameter file. The science modules (:mod:`smvar.downscaling`,
:mod:`smvar.stats`, :mod:`smvar.variogram`, :mod:`smvar.geodetector`) take
arrays and tables and can be imported on their own.
"""

__version__ = "0.1.0"
