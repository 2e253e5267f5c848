"""Small-area smoothing of rates from small denominators (empirical Bayes).

A district of 40 households where 10 have internet shows 25 %, but one household more or
less moves it by 2.5 points: its rate is noisy. Empirical Bayes (Marshall 1991) pulls each
rate toward a reference rate -- the territory's (``method="global"``) or its neighbourhood's
(``method="spatial"``) -- the more so the smaller its denominator:

``r_i = mu_i + (y_i - mu_i) * s2 / (s2 + mu_i / b_i)``

where ``b_i`` is the denominator, ``mu_i`` the reference rate and ``s2`` the between-district
variance of the rates, estimated by the method of moments and set to 0 when the estimate is
negative (then every rate becomes the reference rate). Smoothed rates are for maps and
ranking small districts; report raw rates for the territory's totals.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"n": [1, 30, 300], "d": [4, 100, 1000]})
>>> s = smooth_rates(df, numerator="n", denominator="d")
>>> bool(abs(s["share_smoothed"].iloc[0] - 0.3) < abs(0.25 - 0.3))
True
"""

from __future__ import annotations

from typing import Literal, Unpack

import numpy as np
import pandas as pd
from scipy import sparse

from .. import settings
from ..errors import InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .rate_table import Invalid, RateColumns, RateTable, as_rate_table
from .spatial_weights import Islands, Method, SpatialWeights, spatial_weights


def _eb(y: np.ndarray, b: np.ndarray, ref: np.ndarray, s2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s2 = np.clip(s2, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(s2 > 0, s2 / (s2 + ref / b), 0.0)
    return ref + (y - ref) * k, 1.0 - k


@renamed(area="name")
def smooth_rates(
    df: pd.DataFrame | RateTable,
    *,
    method: Literal["global", "spatial"] = "global",
    weights: SpatialWeights | None = None,
    neighbours: Method = "queen",
    k: int = 6,
    islands: Islands = "knn",
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> pd.DataFrame:
    """Empirical Bayes smoothed rates, flagged, next to the raw rates.

    Parameters
    ----------
    df
        One row per district (a GeoDataFrame for ``method="spatial"``), or a
        :class:`~egovkit.distribution.rate_table.RateTable`.
    **columns
        Which columns hold the rate and the district: see :class:`~egovkit.distribution.rate_table.RateColumns`.
    invalid, report
        As in :func:`egovkit.distribution.inequality`.
    method
        ``"global"``: shrink toward the territory's rate. ``"spatial"``: toward the rate of
        the district and its neighbours (``weights``, or built with ``neighbours``, ``k``,
        ``islands``; a district left without neighbours keeps its raw rate).

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` (rows not valid for the rate are left out only with
        ``invalid="drop"``) with ``share_raw`` (0-1), ``share_smoothed`` (0-1),
        ``share_reference`` (the rate it is pulled toward), ``shrinkage`` (0 = kept,
        1 = replaced by the reference), ``smoothed`` (True where ``share_smoothed`` is an
        empirical Bayes estimate; False for a district without neighbours, which keeps its raw rate),
        ``smoothing`` (the method, e.g. ``"empirical Bayes (global)"``) and
        ``small_denominator`` (denominator below ``egovkit.settings.small_denominator``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [5, 50, 500], "d": [10, 100, 1000]})
    >>> smooth_rates(df, numerator="n", denominator="d")["share_smoothed"].round(6).tolist()
    [0.5, 0.5, 0.5]
    """
    report = report if report is not None else ValidationReport(source="smooth_rates")
    if method not in ("global", "spatial"):
        raise InputError(code="distribution.not_an_option",
                         params={"option": "method", "value": method, "choices": ["global", "spatial"]})
    rates = as_rate_table(df, caller="smooth_rates", invalid=invalid, report=report, **columns)
    t, df = rates.table, rates.source
    y = t["share"].to_numpy(float)
    b = t["count"].to_numpy(float)
    e = y * b
    alone = np.zeros(len(y), dtype=bool)
    if method == "global":
        mu = e.sum() / b.sum()
        s2 = (b * (y - mu) ** 2).sum() / b.sum() - mu / b.mean()
        if s2 <= 0:
            report.add("info", "distribution.eb_no_variance", action="kept")
        ref = np.full_like(y, mu)
        r, shrink = _eb(y, b, ref, np.full_like(y, s2))
    else:
        sub = df.loc[t.index]
        sw = weights if weights is not None else spatial_weights(sub, method=neighbours, k=k, islands=islands,
                                                                  key=rates.key, name=rates.name, report=report)
        pos = pd.Index(t.index).get_indexer(sw.index)
        if (pos < 0).any():
            raise InputError(code="distribution.weights_without_rate")
        n = len(t)
        coo = sw.w.sparse.tocoo()  # rows/columns follow w.id_order, i.e. sw.index
        a = sparse.csr_matrix((np.ones(coo.nnz), (pos[coo.row], pos[coo.col])), shape=(n, n))
        a = ((a + sparse.identity(n, format="csr")) > 0).astype(float)  # neighbours and the district itself
        ngh = np.asarray(a.sum(axis=1)).ravel()
        bi = a @ b
        ref = (a @ e) / bi
        # sum_j b_j (y_j - ref_i)^2 = sum_j b_j y_j^2 - 2 ref_i sum_j b_j y_j + ref_i^2 sum_j b_j
        v = a @ (b * y * y) - 2 * ref * (a @ e) + ref ** 2 * bi
        s2 = v / bi - ref / (bi / ngh)
        r, shrink = _eb(y, b, ref, s2)
        alone = ngh == 1  # its own neighbourhood: the reference is its raw rate, nothing to shrink toward
        r[alone], shrink[alone] = y[alone], 0.0
        for a in t["area"][alone]:
            report.add("info", "distribution.eb_no_neighbour", area=a, action="kept")
    out = df.loc[t.index].copy()
    out["share_raw"] = y
    out["share_smoothed"] = r
    out["share_reference"] = ref
    out["shrinkage"] = shrink
    out["smoothed"] = ~alone
    out["smoothing"] = render("distribution.smoothing_method", {"method": method})
    out["small_denominator"] = b < settings.small_denominator
    return out
