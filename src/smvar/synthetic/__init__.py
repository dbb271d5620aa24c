"""The synthetic twin of the Heihe River Basin: the default input, with a known truth.

Provides
--------
generate
    ``generate(config) -> smvar.inputs.Inputs``: every variable of the input
    contract plus the soil-moisture truth ``sm_truth``, deterministic for
    ``config.data.seed``.

One module per component: :mod:`~smvar.synthetic.geography` (the real static
geography shipped in ``data/geography``: ETOPO1 elevation, MODIS MCD12C1 land
cover, the yearly NDVI range, and the flow routing that derives the basin),
:mod:`~smvar.synthetic.basin` (outline, rivers,
reaches), :mod:`~smvar.synthetic.terrain` (DEM, slope, aspect, TWI),
:mod:`~smvar.synthetic.landcover`, :mod:`~smvar.synthetic.soils`,
:mod:`~smvar.synthetic.meteorology`, :mod:`~smvar.synthetic.vegetation`,
:mod:`~smvar.synthetic.water_balance` (the truth), :mod:`~smvar.synthetic.lst`
(the nonlinear LST-SM relation), :mod:`~smvar.synthetic.products` (error
models of the coarse products) and :mod:`~smvar.synthetic.generate`.
The data are synthetic: a plausible twin on the real geography, not
observations of the basin.
"""

from smvar.lazy_exports import lazy_exports

# ``generate`` loads on first use, so that ``smvar --help`` does not import the twin.
lazy_exports(__name__, {"generate": "smvar.synthetic.generate"})

__all__ = ["generate"]
