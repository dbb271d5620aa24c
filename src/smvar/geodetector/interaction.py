"""The interaction detector (Yin et al. 2023, Table 2; Wang et al. 2010).

Provides
--------
interaction_detector
    q of the crossed strata of every pair of factors and its Table 2 type.
interaction_type
    The type of (q1, q2, q12), vectorised, under a convention's boundaries.
cross_codes
    Integer codes of the crossed strata of two factors (R ``paste(x1, x2)``).
TYPES, PAPER_NAMES
    GD's type strings and the paper's Table 2 names.

Boundaries (GD, the default): q12 < min(q1, q2) weaken, nonlinear;
min <= q12 <= max weaken, uni-; max < q12 < q1 + q2 enhance, bi-;
|q12 - (q1 + q2)| <= tol independent (tol = 0: exact equality, as GD);
q12 > q1 + q2 enhance, nonlinear. The R geodetector convention differs at
the equalities (see :mod:`.conventions`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from smvar.geodetector.conventions import Convention, get_convention
from smvar.geodetector.factor import response_values, strata_frame, column_codes, q_statistic

__all__ = ["interaction_detector", "interaction_type", "cross_codes", "TYPES", "PAPER_NAMES"]

#: GD's type strings, in Table 2 order.
TYPES = ("Weaken, nonlinear", "Weaken, uni-", "Enhance, bi-", "Independent", "Enhance, nonlinear")
#: The paper's Table 2 names for the same types.
PAPER_NAMES = dict(zip(TYPES, ("Nonlinear weaken", "Uni-variable weaken", "Bi-variable enhance",
                               "Independent", "Nonlinear enhance")))


def interaction_type(q1, q2, q12, convention: "str | Convention | None" = None) -> np.ndarray:
    """Table 2 type of each interaction.

    Parameters
    ----------
    q1, q2, q12 : array_like
        q of factor 1, factor 2 and of their crossed strata.
    convention : str or Convention, optional
        Boundaries ("gd" default, or "geodetector") and ``independent_tol``.

    Returns
    -------
    ndarray of object
        One of :data:`TYPES` for each element, or None where q1, q2 or q12 is
        NaN (too few rows or strata): an undefined q never gets a type.
    """
    conv = get_convention(convention)
    q1, q2, q12 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q1, q2, q12)))
    lo, hi, total = np.minimum(q1, q2), np.maximum(q1, q2), q1 + q2
    indep = np.abs(q12 - total) <= conv.independent_tol
    if conv.interaction_rule == "gd":
        conditions = [q12 < lo, q12 <= hi, (q12 < total) & ~indep, indep]
        choices = TYPES[:4]
    else:
        conditions = [q12 <= lo, q12 < hi, indep, q12 > total]
        choices = (TYPES[0], TYPES[1], TYPES[3], TYPES[4])
    default = TYPES[4] if conv.interaction_rule == "gd" else TYPES[2]
    kind = np.select(conditions, choices, default=default).astype(object)
    kind[~(np.isfinite(q1) & np.isfinite(q2) & np.isfinite(q12))] = None
    return kind


def cross_codes(c1: np.ndarray, c2: np.ndarray, convention: "str | Convention | None" = None) -> np.ndarray:
    """Codes of the crossed strata of two code arrays (R ``paste(x1, x2)``).

    Rows with code -1 (in no stratum) form their own level under GD's
    convention (R pastes "NA"), and stay outside (-1) otherwise. Codes are
    compacted to 0..K-1 only when the combinations outnumber the rows (two
    factors of thousands of levels), so that memory stays linear in rows;
    otherwise empty combinations are simply unused.
    """
    conv = get_convention(convention)
    c1, c2 = np.asarray(c1, dtype=np.int64), np.asarray(c2, dtype=np.int64)
    width = int(c2.max(initial=0)) + 2
    crossed = (c1 + 1) * width + (c2 + 1)
    if conv.outside_rows == "drop":
        crossed = np.where((c1 < 0) | (c2 < 0), -1, crossed)
    if (int(c1.max(initial=0)) + 2) * width > crossed.size:
        inside = crossed >= 0
        compact = np.full(crossed.shape, -1, dtype=np.int64)
        compact[inside] = np.unique(crossed[inside], return_inverse=True)[1].ravel()
        crossed = compact
    return crossed


def interaction_q(y, codes: np.ndarray, pairs, convention: "str | Convention | None" = None,
                  chunk: int = 8) -> np.ndarray:
    """q of the crossed strata for each pair of code columns (chunked bincounts)."""
    out = np.empty(len(pairs))
    for s in range(0, len(pairs), chunk):
        block = pairs[s:s + chunk]
        crossed = np.column_stack([cross_codes(codes[:, i], codes[:, j], convention) for i, j in block])
        out[s:s + chunk] = q_statistic(y, crossed, convention).q
    return out


def interaction_detector(y, strata, convention: "str | Convention | None" = None) -> pd.DataFrame:
    """The interaction detector for every pair of factors.

    Parameters
    ----------
    y : array_like or Series, shape (N,)
        Response.
    strata : DataFrame
        Integer codes (-1 for rows in no stratum) or categorical columns, one
        per factor.
    convention : str or Convention, optional
        Default GD.

    Returns
    -------
    DataFrame
        One row per pair (in column order): ``var1``, ``var2``, ``q1``, ``q2``,
        ``q12``, ``interaction`` (GD's string) and ``type`` (the paper's
        Table 2 name).
    """
    conv = get_convention(convention)
    frame = strata_frame(strata)
    if frame.shape[1] < 2:
        raise ValueError("interaction detector: at least two factors are needed")
    yv = response_values(y, len(frame))
    codes = np.column_stack([column_codes(frame[c], str(c)) for c in frame.columns])
    single = q_statistic(yv, codes, conv).q
    pairs = list(combinations(range(codes.shape[1]), 2))
    q12 = interaction_q(yv, codes, pairs, conv)
    names = [str(c) for c in frame.columns]
    q1 = single[[i for i, _ in pairs]]
    q2 = single[[j for _, j in pairs]]
    kind = interaction_type(q1, q2, q12, conv)
    return pd.DataFrame({"var1": [names[i] for i, _ in pairs], "var2": [names[j] for _, j in pairs],
                         "q1": q1, "q2": q2, "q12": q12, "interaction": kind,
                         "type": [PAPER_NAMES.get(k) for k in kind]})

