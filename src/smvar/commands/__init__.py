"""Sub-commands of ``smvar`` that drive a data source: ``smvar synth`` and ``smvar fetch``.

They sit above :mod:`smvar.sources` (which they call) and below :mod:`smvar.cli`
(which registers them); ``smvar detect`` and ``smvar variogram`` live beside
their science packages (:mod:`smvar.geodetector.cli`, :mod:`smvar.variogram.cli`),
which are all they import.
"""
