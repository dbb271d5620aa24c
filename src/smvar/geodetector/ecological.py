"""The ecological detector: does one factor explain y significantly better than another?

Provides
--------
ecological_detector
    An F test for every pair of factors (Wang et al. 2010).

Conventions (see :mod:`.conventions`):
* GD (default) and R geodetector: F = q(var1)/q(var2); "different" if F or
  1/F exceeds the 0.9 quantile of F(N - 1, N - 1).
* gdverse (and PyPI geodetector 0.2.0): F = SSW1/SSW2 = (1 - q1)/(1 - q2),
  one-sided upper-tail p of F(N - 1, N - 1), "different" if p < alpha.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import special

from smvar.geodetector.conventions import Convention, get_convention
from smvar.geodetector.factor import response_values, strata_frame, column_codes, q_statistic


__all__ = ["ecological_detector"]


def ecological_detector(y, strata, convention: "str | Convention | None" = None) -> pd.DataFrame:
    """The ecological detector for every pair of factors.

    Parameters
    ----------
    y : array_like or Series, shape (N,)
        Response.
    strata : DataFrame
        Integer codes (-1 = no stratum) or categorical columns.
    convention : str or Convention, optional
        Default GD.

    Returns
    -------
    DataFrame
        ``var1``, ``var2``, ``F``, ``p`` (NaN under GD's q-ratio rule, which
        has no p value), ``critical`` (the F quantile compared with, or NaN),
        ``significant`` (bool; GD writes "Y"/"N").
    """
    conv = get_convention(convention)
    frame = strata_frame(strata)
    if frame.shape[1] < 2:
        raise ValueError("ecological detector: at least two factors are needed")
    yv = response_values(y, len(frame))
    codes = np.column_stack([column_codes(frame[c], str(c)) for c in frame.columns])
    q = q_statistic(yv, codes, conv).q
    names = [str(c) for c in frame.columns]
    i, j = (np.array(v, dtype=int) for v in zip(*combinations(range(len(names)), 2)))
    dfn = float(len(yv) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if conv.ecological_test == "q_ratio":
            F = q[i] / q[j]
            crit = special.fdtri(dfn, dfn, 0.9)
            sig = (F > crit) | (1.0 / F > crit)
            p = np.full(F.shape, np.nan)
            crit = np.full(F.shape, crit)
        else:
            F = (1.0 - q[i]) / (1.0 - q[j])
            p = special.fdtrc(dfn, dfn, F)
            sig = p < conv.alpha
            crit = np.full(F.shape, np.nan)
    return pd.DataFrame({"var1": [names[k] for k in i], "var2": [names[k] for k in j],
                         "F": F, "p": p, "critical": crit, "significant": sig.astype(bool)})
