"""Named conventions for the points where geographical-detector programs differ.

Provides
--------
Convention
    A frozen record of every choice that changes a number: singleton strata,
    rows outside every interval, the variance and degrees of freedom of the
    p value, the interaction-type boundaries, and the risk and ecological tests.
GD, GEODETECTOR, GDVERSE
    The three peers (R ``GD`` 10.8, the default; R ``geodetector`` 1.0-5;
    R ``gdverse`` 1.7). PyPI ``geodetector`` 0.2.0 follows ``GDVERSE`` for q, p
    and interaction and ``py-geodetector`` 0.2.1 follows ``GEODETECTOR`` for q
    and p (see the book's method page).
CONVENTIONS, get_convention
    The conventions by name, and a look-up that accepts a name or a Convention.

The differences are documented in ``shared/reference/geodetector/CONVENTIONS.md``
and in ``book/methods_geodetector.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["Convention", "GD", "GEODETECTOR", "GDVERSE", "CONVENTIONS", "get_convention"]


@dataclass(frozen=True)
class Convention:
    """Every choice on which geographical-detector programs disagree.

    Parameters
    ----------
    name : str
        Short name ("gd", "geodetector", "gdverse").
    singletons : {"drop", "keep"}
        "drop": rows of strata holding one observation are removed before q
        is computed, and the total sum of squares is taken over the remaining
        rows (GD, gdverse). "keep": they stay and add nothing to the within
        sum of squares (R geodetector).
    outside_rows : {"in_total", "drop"}
        Rows that fall in no interval (possible only with GD's breaks, whose
        end points can miss the data's minimum or maximum by one rounding
        step). "in_total": they count in the total sum of squares and in N but
        in no stratum, as in GD's ``gd`` (an NA stratum); in crossed strata
        they form their own stratum, as R's ``paste`` makes "NA" a label.
        "drop": they are removed.
    p_variance : {"population", "sample"}
        The variance dividing the noncentrality parameter lambda
        (Wang et al. 2016): population (GD, gdverse) or sample (geodetector).
    p_counts : {"before_drop", "after_drop"}
        Whether N and L in the F statistic's degrees of freedom are counted
        before (GD) or after (gdverse) singleton rows are removed.
    interaction_rule : {"gd", "geodetector"}
        Boundaries of the Table 2 types. "gd": q12 < min -> weaken nonlinear;
        min <= q12 <= max -> weaken uni-; max < q12 < q1+q2 -> enhance bi-;
        q12 == q1+q2 (within ``independent_tol``) -> independent; else enhance
        nonlinear. "geodetector": q12 <= min -> weaken nonlinear (inclusive);
        min < q12 < max -> weaken uni-; independent; q12 > q1+q2 -> enhance
        nonlinear; otherwise (q12 >= max) enhance bi-.
    independent_tol : float
        Absolute tolerance on q12 - (q1 + q2) for "independent". 0 reproduces
        GD's exact comparison.
    risk_test : {"welch", "welch_rounded_df"}
        "welch": Welch t test with unrounded degrees of freedom, significant
        if p < alpha; a pair that R's t.test refuses (a stratum with fewer than
        two values, or constant data) gets t = 0, p = 1 (GD, gdverse).
        "welch_rounded_df": degrees of freedom rounded, significant if
        t > qt(1 - alpha/2, df); pairs with a singleton or zero standard error
        are skipped (R geodetector).
    ecological_test : {"q_ratio", "ssw_ratio"}
        "q_ratio": F = q2/q1, different if F or 1/F exceeds the 0.9 quantile
        of F(N-1, N-1) (GD, geodetector). "ssw_ratio": F = SSW1/SSW2,
        one-sided upper-tail p < alpha (gdverse).
    alpha : float
        Significance level of the risk and ecological tests (0.05).
    """

    name: str = "gd"
    singletons: Literal["drop", "keep"] = "drop"
    outside_rows: Literal["in_total", "drop"] = "in_total"
    p_variance: Literal["population", "sample"] = "population"
    p_counts: Literal["before_drop", "after_drop"] = "before_drop"
    interaction_rule: Literal["gd", "geodetector"] = "gd"
    independent_tol: float = 0.0
    risk_test: Literal["welch", "welch_rounded_df"] = "welch"
    ecological_test: Literal["q_ratio", "ssw_ratio"] = "q_ratio"
    alpha: float = 0.05

    def with_options(self, **changes: object) -> "Convention":
        """A copy with some options changed (``GD.with_options(independent_tol=1e-12)``)."""
        return replace(self, **changes)


#: R ``GD`` 10.8 (Song et al. 2020), the OPGD the paper used: the default.
GD = Convention()

#: R ``geodetector`` 1.0-5 (Wang's group); py-geodetector 0.2.1 shares q and p.
GEODETECTOR = Convention(
    name="geodetector",
    singletons="keep",
    outside_rows="drop",
    p_variance="sample",
    p_counts="before_drop",
    interaction_rule="geodetector",
    risk_test="welch_rounded_df",
    ecological_test="q_ratio",
)

#: R ``gdverse`` 1.7 (with sdsfun 0.9.0); PyPI geodetector 0.2.0 shares q and p.
GDVERSE = Convention(
    name="gdverse",
    singletons="drop",
    outside_rows="drop",
    p_variance="population",
    p_counts="after_drop",
    interaction_rule="gd",
    risk_test="welch",
    ecological_test="ssw_ratio",
)

CONVENTIONS: dict[str, Convention] = {"gd": GD, "geodetector": GEODETECTOR, "gdverse": GDVERSE}


def get_convention(convention: "str | Convention | None") -> Convention:
    """Return a :class:`Convention` from a name, a Convention or None (GD).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known ones.
    """
    if convention is None:
        return GD
    if isinstance(convention, Convention):
        return convention
    key = str(convention).lower()
    if key not in CONVENTIONS:
        raise ValueError(
            f"unknown geodetector convention {convention!r}; use one of "
            f"{sorted(CONVENTIONS)} or a smvar.geodetector.Convention"
        )
    return CONVENTIONS[key]
