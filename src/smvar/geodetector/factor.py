"""The factor detector: q statistic and its p value.

Provides
--------
q_statistic
    q of one or many stratifications from integer stratum codes, vectorised
    over factors and months (one ``np.bincount`` for all of them).
factor_detector
    q and p for every column of a table of strata (DataFrame in, DataFrame out).
encode_strata
    Integer codes 0..L-1 for categorical, string or integer stratum columns.
StratumSums
    Per-stratum counts, means and within sums of squares (used by the risk and
    ecological detectors).

q = 1 - SSW/SST is Eq. 7 of Yin et al. 2023 (Wang et al. 2010); its p value
uses the noncentral F distribution of Wang et al. 2016. Conventions (singleton
strata, variance of the noncentrality) follow :mod:`.conventions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import special

from smvar.geodetector.conventions import Convention, get_convention

__all__ = ["q_statistic", "factor_detector", "encode_strata", "column_codes", "strata_frame", "response_values",
           "StratumSums", "QResult"]


@dataclass(frozen=True)
class QResult:
    """q, p and the counts behind them, one entry per stratification.

    Attributes
    ----------
    q : ndarray
        q statistic (dimensionless, 0..1), Eq. 7 of Yin et al. 2023.
    p : ndarray
        p value of the noncentral F test (Wang et al. 2016).
    n : ndarray
        Number of rows used for the degrees of freedom.
    n_strata : ndarray
        Number of strata L used for the degrees of freedom.
    """

    q: np.ndarray
    p: np.ndarray
    n: np.ndarray
    n_strata: np.ndarray


@dataclass(frozen=True)
class StratumSums:
    """Per-stratum statistics of y for many stratifications at once.

    Arrays have shape (n_columns, n_codes); empty strata have count 0.
    """

    count: np.ndarray
    mean: np.ndarray
    ssw: np.ndarray


def _as_2d(y: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes = np.asarray(codes)
    if codes.ndim == 1:
        codes = codes[:, None]
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = np.broadcast_to(y[:, None], codes.shape)
    if y.shape != codes.shape:
        raise ValueError(f"y has shape {y.shape} but the stratum codes have shape {codes.shape}; "
                         "give one y column per code column or a single y")
    return y, codes


def _grouped(values: np.ndarray, flat: np.ndarray, weight: np.ndarray, size: int) -> np.ndarray:
    """Weighted sum of values for each flat group index."""
    return np.bincount(flat.ravel(), weights=(values * weight).ravel(), minlength=size)


def stratum_sums(y: np.ndarray, codes: np.ndarray, weight: np.ndarray | None = None) -> StratumSums:
    """Counts, means and within sums of squares of y per stratum and column.

    Parameters
    ----------
    y : ndarray, shape (N,) or (N, F)
        Response values (any unit).
    codes : ndarray of int, shape (N,) or (N, F)
        Stratum codes 0..L-1; negative codes belong to no stratum.
    weight : ndarray of {0, 1}, optional
        Rows with weight 0 are ignored.

    Returns
    -------
    StratumSums
        Arrays of shape (F, S) where S is the largest code + 1.
    """
    y, codes = _as_2d(y, codes)
    ncol = codes.shape[1]
    size = int(max(codes.max(initial=-1), 0)) + 1
    w = (codes >= 0).astype(float) if weight is None else weight * (codes >= 0)
    flat = np.where(codes >= 0, codes, 0) + size * np.arange(ncol)[None, :]
    count = np.bincount(flat.ravel(), weights=w.ravel(), minlength=size * ncol)
    total = _grouped(y, flat, w, size * ncol)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)
    resid = y - np.nan_to_num(mean)[flat]
    ssw = _grouped(resid * resid, flat, w, size * ncol)
    shape = (ncol, size)
    return StratumSums(count.reshape(shape), mean.reshape(shape), ssw.reshape(shape))


def _column_total_ss(y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row count and total sum of squares about the mean, per column."""
    n = weight.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (y * weight).sum(axis=0) / n
    resid = (y - mean[None, :]) * weight
    return n, (resid * resid).sum(axis=0)


def _slot_sums(yc: np.ndarray, codes: np.ndarray, keep: np.ndarray | None, size: int):
    """Counts, sums and sums of squares per (column, code + 1); slot 0 holds code -1 rows."""
    ncol = codes.shape[1]
    flat = (codes + 1) + (size + 1) * np.arange(ncol)[None, :]
    total = (size + 1) * ncol
    if keep is None:
        count = np.bincount(flat.ravel(), minlength=total)
        s1 = np.bincount(flat.ravel(), weights=yc.ravel(), minlength=total)
        s2 = np.bincount(flat.ravel(), weights=(yc * yc).ravel(), minlength=total)
    else:
        count = np.bincount(flat.ravel(), weights=keep.ravel(), minlength=total)
        s1 = np.bincount(flat.ravel(), weights=(yc * keep).ravel(), minlength=total)
        s2 = np.bincount(flat.ravel(), weights=(yc * yc * keep).ravel(), minlength=total)
    shape = (ncol, size + 1)
    return count.reshape(shape).astype(float), s1.reshape(shape), s2.reshape(shape)


def _slot_sums_one_y(y: np.ndarray, codes: np.ndarray):
    """:func:`_slot_sums` for one complete y shared by every code column.

    Centres y once and sums column by column (the same sums, in the same row
    order, as the one bincount over all columns, without an N x F copy of y).
    """
    ncol = codes.shape[1]
    # the mean exactly as the column-wise nanmean of the (N, F) broadcast gives it
    mu = np.nanmean(np.broadcast_to(y[:, None], (y.size, min(ncol, 2))), axis=0)[:1]
    mu = np.repeat(mu, ncol)
    yc = y - mu[0]
    yc2 = yc * yc
    size = int(max(codes.max(initial=-1), 0)) + 1
    count = np.empty((ncol, size + 1))
    s1 = np.empty((ncol, size + 1))
    s2 = np.empty((ncol, size + 1))
    for c in range(ncol):
        slot = codes[:, c] + 1
        count[c] = np.bincount(slot, minlength=size + 1)
        s1[c] = np.bincount(slot, weights=yc, minlength=size + 1)
        s2[c] = np.bincount(slot, weights=yc2, minlength=size + 1)
    return count, s1, s2, mu


def q_statistic(y: np.ndarray, codes: np.ndarray, convention: "str | Convention | None" = None) -> QResult:
    """q and its noncentral-F p value for one or many stratifications.

    Eq. 7 of Yin et al. 2023 (Wang et al. 2010):
    q = 1 - sum_h N_h sigma_h^2 / (N sigma^2) = 1 - SSW/SST. The p value
    follows Wang et al. 2016: F = (N - L)/(L - 1) q/(1 - q) has a noncentral
    F(L - 1, N - L) distribution with noncentrality
    lambda = (sum_h mean_h^2 - (sum_h sqrt(N_h) mean_h)^2 / N) / s^2.

    Parameters
    ----------
    y : array_like, shape (N,) or (N, F)
        Response (any unit); NaN rows are ignored column by column.
    codes : array_like of int, shape (N,) or (N, F)
        Stratum codes; -1 marks a row in no stratum (see
        ``Convention.outside_rows``).
    convention : str or Convention, optional
        Default GD (R ``GD`` 10.8).

    Returns
    -------
    QResult
        Arrays of length F. q and p are NaN where fewer than two strata
        remain or y is constant.

    Notes
    -----
    All stratifications are summed in three ``np.bincount`` calls over
    (column, stratum) slots; y is centred first so that the one-pass sums of
    squares keep about 15 significant digits.
    """
    conv = get_convention(convention)
    y1 = np.asarray(y, dtype=float)
    if y1.ndim == 1 and y1.size and np.isfinite(y1).all():
        codes = np.asarray(codes, dtype=np.int64)
        codes = codes[:, None] if codes.ndim == 1 else codes
        if codes.shape[0] != y1.size:
            _as_2d(y1, codes)  # raises the shape error
        count, s1, s2, mu = _slot_sums_one_y(y1, codes)
    else:
        y, codes = _as_2d(y, np.asarray(codes, dtype=np.int64))
        present = np.isfinite(y)
        mu = np.nanmean(y, axis=0) if present.any() else np.zeros(y.shape[1])
        yc = np.where(present, y - mu[None, :], 0.0)
        codes = np.where(present, codes, -1)
        base = None if present.all() else present.astype(float)
        size = int(max(codes.max(initial=-1), 0)) + 1
        count, s1, s2 = _slot_sums(yc, codes, base, size)
    if conv.outside_rows == "drop":  # rows in no stratum leave the total too
        count[:, 0] = s1[:, 0] = s2[:, 0] = 0.0
    n_before = count.sum(axis=1)
    l_before = (count[:, 1:] > 0).sum(axis=1).astype(float)
    if conv.singletons == "drop" and (count[:, 1:] == 1).any():
        single = count[:, 1:] == 1
        s1[:, 1:][single] = 0.0
        s2[:, 1:][single] = 0.0
        count[:, 1:][single] = 0.0
    n_after = count.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sst = s2.sum(axis=1) - s1.sum(axis=1) ** 2 / n_after
        inner = count[:, 1:]
        ssw = np.where(inner > 0, s2[:, 1:] - s1[:, 1:] ** 2 / np.where(inner > 0, inner, 1), 0.0)
        ssw = np.maximum(ssw, 0.0).sum(axis=1)
        mean = np.where(inner > 0, s1[:, 1:] / np.where(inner > 0, inner, 1) + mu[:, None], np.nan)
    l_after = (inner > 0).sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where((sst > 0) & (l_after >= 2), 1.0 - ssw / sst, np.nan)
    n, L = (n_before, l_before) if conv.p_counts == "before_drop" else (n_after, l_after)
    sums = StratumSums(inner, mean, ssw)
    p = _noncentral_p(q, sums, n, L, sst, n_after, conv)
    return QResult(q=q, p=p, n=n, n_strata=L)


def _noncentral_p(q, sums: StratumSums, n, L, sst, n_kept, conv: Convention) -> np.ndarray:
    """p value of q from the noncentral F distribution (Wang et al. 2016)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(sums.count > 0, sums.mean, 0.0)
        m1 = (mean**2).sum(axis=1)
        m2 = ((mean * np.sqrt(sums.count)).sum(axis=1)) ** 2 / n
        s2 = sst / (n_kept - 1.0)
        if conv.p_variance == "population":
            s2 = s2 * (n - 1.0) / n
        lam = (m1 - m2) / s2
        fstat = (n - L) / (L - 1.0) * q / (1.0 - q)
        ok = np.isfinite(q) & (L >= 2) & (n > L)
        p = np.full(q.shape, np.nan)
        # GD's sig <- 1 - pf(F, v1, v2, ncp); scipy.special rather than scipy.stats,
        # which would double the start-up of smvar detect (0.3 s more imports)
        p[ok] = 1.0 - special.ncfdtr(L[ok] - 1.0, n[ok] - L[ok], np.maximum(lam[ok], 0.0), fstat[ok])
        p[ok & (q >= 1.0)] = 0.0
    return p


def encode_strata(values: "pd.Series | np.ndarray", name: str = "factor") -> tuple[np.ndarray, list]:
    """Integer codes 0..L-1 of a stratum column and the level labels.

    Parameters
    ----------
    values : Series or array
        Categorical (its category order is kept), strings or integers
        (levels sorted).
    name : str
        Column name for error messages.

    Returns
    -------
    codes : ndarray of int64
    levels : list
        Label of each code.

    Raises
    ------
    ValueError
        If the column has missing values.
    """
    s = pd.Series(values)
    if s.isna().any():
        raise ValueError(f"stratum column {name!r} has {int(s.isna().sum())} missing values; "
                         "drop those rows or give them their own category first")
    if isinstance(s.dtype, pd.CategoricalDtype):
        cat = s.cat.remove_unused_categories()
        return cat.cat.codes.to_numpy(np.int64), list(cat.cat.categories)
    codes, levels = pd.factorize(s, sort=True)
    return codes.astype(np.int64), list(levels)


def column_codes(column: "pd.Series | np.ndarray", name: str = "factor") -> np.ndarray:
    """Integer stratum codes of one strata column, keeping rows in no stratum.

    An integer column with negative values is taken as codes already: -1
    marks a row that falls in no interval (GD's NA stratum, see
    ``Convention.outside_rows``). Any other column is encoded by
    :func:`encode_strata`. This is the one reading of a strata column used by
    the factor, interaction, risk and ecological detectors.
    """
    s = pd.Series(column)
    if pd.api.types.is_integer_dtype(s.dtype) and (s < 0).any():
        return np.where(s.to_numpy(np.int64) < 0, -1, s.to_numpy(np.int64))
    return encode_strata(s, name)[0]


def strata_frame(strata) -> pd.DataFrame:
    """A table of strata columns from a DataFrame, a Series or an (N,) / (N, F) array."""
    if isinstance(strata, pd.DataFrame):
        return strata
    if isinstance(strata, pd.Series):
        return strata.to_frame(strata.name if strata.name is not None else "factor")
    arr = np.asarray(strata)
    if arr.ndim == 1:
        arr = arr[:, None]
    return pd.DataFrame(arr, columns=[f"x{i + 1}" for i in range(arr.shape[1])])


def response_values(y, n_rows: int) -> np.ndarray:
    """y as a float vector of ``n_rows`` values; a mismatch with the strata table is an error."""
    yv = np.asarray(y, dtype=float).ravel()
    if yv.shape[0] != n_rows:
        raise ValueError(f"y has {yv.shape[0]} values but the strata table has {n_rows} rows; "
                         "give them the same rows in the same order")
    return yv


def factor_detector(y, strata, convention: "str | Convention | None" = None) -> pd.DataFrame:
    """The factor detector: q (Eq. 7 of Yin et al. 2023) and p for every factor.

    Parameters
    ----------
    y : array_like or Series, shape (N,)
        Response (e.g. soil moisture, m3/m3).
    strata : DataFrame, Series or array, N rows
        One column per factor: integer stratum codes (-1 = the row is in no
        stratum, as GD's breaks can leave rows at a factor's extremes) or
        categorical labels.
    convention : str or Convention, optional
        Default GD (R ``GD`` 10.8); see :mod:`.conventions`.

    Returns
    -------
    DataFrame
        Index: factor names; columns ``q``, ``p``, ``n``, ``n_strata``.
    """
    frame = strata_frame(strata)
    yv = response_values(y, len(frame))
    codes = np.column_stack([column_codes(frame[c], str(c)) for c in frame.columns])
    res = q_statistic(yv, codes, convention)
    out = pd.DataFrame({"q": res.q, "p": res.p, "n": res.n.astype(int), "n_strata": res.n_strata.astype(int)},
                       index=pd.Index([str(c) for c in frame.columns], name="factor"))
    return out
