"""Do low-equipped districts cluster together? Global Moran's I and local clusters (LISA).

A thin layer over libpysal (spatial weights) and esda (``Moran``, ``Moran_Local``) that
keeps track of district names, of districts without neighbours (islands) and of
disconnected territories, and says what it did with them.

Weights
    ``method="queen"`` (share an edge or a corner), ``"rook"`` (share an edge),
    ``"knn"`` (the ``k`` nearest district centroids) or ``"distance"`` (centroids within
    ``threshold_m`` metres). Distances are measured in a projected CRS chosen from the
    data's extent when the data are in longitude/latitude. Weights are row-standardised.
Islands
    Districts without any neighbour (a real island, or boundaries that do not touch) cannot
    be compared with their neighbours. ``islands="drop"`` (default) leaves them out of
    Moran/LISA and lists them (``SpatialWeights.left_out`` and the report);
    ``islands="knn"`` attaches each to its nearest district (libpysal
    ``attach_islands``); ``islands="raise"`` stops with their names.
Significance
    Permutation (pseudo) p-values, reproducible through ``seed``. A district is in a LISA
    cluster when ``p_sim < alpha`` (default 0.05), or, with ``fdr=True``, below the
    false-discovery-rate cut-off of ``esda.fdr`` -- stricter, advisable with many districts.

Examples
--------
>>> import geopandas as gpd, shapely
>>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)]
>>> gdf = gpd.GeoDataFrame({"n": [1, 2, 3, 2, 3, 4, 3, 4, 5], "d": [10] * 9}, geometry=cells)
>>> sw = spatial_weights(gdf, method="rook")
>>> sw.w.n, sw.islands
(9, [])
"""

from __future__ import annotations

import warnings
from typing import Unpack

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .rate_table import Invalid, RateColumns, RateTable, as_rate_table, district_names, list_names
from .spatial_weights import Islands, Method, SpatialWeights, _build_weights, spatial_weights

__all__ = ["CLUSTER_LABELS", "LEFT_OUT", "LEFT_OUT_INVALID", "LEFT_OUT_LABELS", "LEFT_OUT_NOT_IN_WEIGHTS",
           "NOT_SIGNIFICANT", "NOT_TESTED", "Islands", "Method", "SpatialWeights", "global_moran", "local_moran",
           "spatial_weights"]

#: LISA cluster labels, by esda quadrant (1 HH, 2 LH, 3 LL, 4 HL).
CLUSTER_LABELS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
NOT_SIGNIFICANT = "not significant"
#: Label of every district when ``permutations=0`` (no p-values, nothing is tested).
NOT_TESTED = "not tested"
#: Labels of the districts left out of Moran's I and LISA, by reason.
LEFT_OUT = "left out (no neighbour)"
LEFT_OUT_INVALID = "left out (invalid rate)"
LEFT_OUT_NOT_IN_WEIGHTS = "left out (not in the weights)"
LEFT_OUT_LABELS = (LEFT_OUT, LEFT_OUT_INVALID, LEFT_OUT_NOT_IN_WEIGHTS)


def _prepare(gdf, weights, rate_kw, method, k, threshold_m, islands, invalid, report):
    """The rate table, the weights and every left-out district with its reason and LISA label.

    ``rate_kw``: the caller's ``**columns`` and its name (``caller=``), for :func:`as_rate_table`."""
    given = report
    report = report if report is not None else ValidationReport(source="spatial")
    rates = as_rate_table(gdf, invalid=invalid, report=report, stacklevel=6, **rate_kw)
    t, gdf = rates.table, rates.source
    if given is None and rates.report is not None:  # a rate table built with its own report: add to it
        report = rates.report
    invalid_reason = {i: render("distribution.invalid_rate", {"why": why}) for i, why in rates.dropped.items()}
    if weights is None:
        weights = _build_weights(gdf, method=method, k=k, threshold_m=threshold_m, islands=islands, key=rates.key,
                                 name=rates.name, report=report, keep=gdf.index.isin(t.index),
                                 dropped_reason=invalid_reason, stacklevel=5)
    elif not isinstance(weights, SpatialWeights):
        raise InputError(code="distribution.not_weights", params={"kind": type(weights).__name__})
    missing = weights.index.difference(t.index)
    if len(missing):
        raise InputError(code="distribution.weights_without_rate_named",
                         params={"names": list_names(weights.areas.loc[missing])})
    rows = []
    for i in gdf.index:
        if i in invalid_reason:
            rows.append((i, invalid_reason[i], LEFT_OUT_INVALID))
    known = set(invalid_reason)
    for i, r in weights.left_out["reason"].items():
        if i not in known and i in t.index:
            rows.append((i, str(r), LEFT_OUT))
            known.add(i)
    outside = t.index[~t.index.isin(weights.index) & ~t.index.isin(list(known))]
    if len(outside):
        why = render("distribution.not_in_weights_reason")
        rows += [(i, why, LEFT_OUT_NOT_IN_WEIGHTS) for i in outside]
        for a in t.loc[outside, "area"]:
            report.add("warning", "distribution.not_in_weights", area=a, action="dropped")
        warnings.warn(render("distribution.not_in_weights_warning",
                             {"n": len(outside), "names": list_names(t.loc[outside, "area"])}),
                      EgovkitWarning, stacklevel=4)
    areas = district_names(gdf, rates.name, rates.key)
    left = pd.DataFrame([(areas.loc[i], r, lab) for i, r, lab in rows], columns=["area", "reason", "label"],
                        index=pd.Index([i for i, _, _ in rows], dtype=gdf.index.dtype))
    y = t.loc[weights.index, "share"].to_numpy(float)
    if np.allclose(y, y[0]):
        raise InputError(code="distribution.same_rate")
    return t, weights, y, report, left, rates


@renamed(area="name")
def global_moran(
    gdf: gpd.GeoDataFrame | RateTable,
    *,
    weights: SpatialWeights | None = None,
    method: Method = "queen",
    k: int = 6,
    threshold_m: float | None = None,
    islands: Islands = "drop",
    permutations: int = 999,
    seed: int | None = 0,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> pd.DataFrame:
    """Global Moran's I of the district rates, with a permutation p-value.

    Parameters
    ----------
    gdf
        One row per district with its geometry, or a
        :class:`~egovkit.distribution.rate_table.RateTable` of one.
    **columns
        Which columns hold the rate and the district: see :class:`~egovkit.distribution.rate_table.RateColumns`.
        ``weight`` is only used to check the input here: Moran's I compares district rates, each district
        once. To test smoothed rates, pass ``share="share_smoothed", weight=<denominator column>`` (the
        output of :func:`egovkit.distribution.smooth_rates`).
    invalid, report
        As in :func:`egovkit.distribution.inequality`.
    weights
        Prebuilt :class:`SpatialWeights`; else built with ``method``, ``k``,
        ``threshold_m``, ``islands``.
    permutations
        Number of random permutations for ``p_sim`` (0 to skip).
    seed
        Seed of the permutations (the global NumPy state is restored afterwards);
        ``None`` for a fresh random draw.

    Returns
    -------
    pandas.DataFrame
        One row: ``moran_i``, ``expected_i``, ``z_norm``, ``p_norm`` (normal approximation,
        two-sided), ``p_sim`` (one-sided pseudo p-value, esda convention), ``z_sim``,
        ``permutations``, ``seed``, ``method``, ``n_districts`` (analysed), ``n_left_out``,
        ``left_out`` (names), ``left_out_reasons`` (``"name: reason; ..."``: invalid rate
        with ``invalid="drop"``, no neighbour, no neighbour left once its neighbours were
        left out, or not in ``weights``), ``n_components``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)]
    >>> gdf = gpd.GeoDataFrame({"n": [x + y for y in range(4) for x in range(4)], "d": [10] * 16},
    ...                        geometry=cells)
    >>> m = global_moran(gdf, numerator="n", denominator="d", method="rook", permutations=99)
    >>> bool(m["moran_i"].item() > 0.5), float(m["p_sim"].item())
    (True, 0.01)
    """
    t, sw, y, report, left, _ = _prepare(gdf, weights, dict(columns, caller="global_moran"), method, k, threshold_m,
                                         islands, invalid, report)
    state = np.random.get_state()
    try:
        if seed is not None:
            np.random.seed(seed)  # esda.Moran draws its permutations from the global NumPy generator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            m = esda.Moran(y, sw.w, transformation="r", permutations=permutations)
    finally:
        np.random.set_state(state)
    return pd.DataFrame([{
        "moran_i": float(m.I), "expected_i": float(m.EI), "z_norm": float(m.z_norm), "p_norm": float(m.p_norm),
        "p_sim": float(m.p_sim) if permutations else np.nan, "z_sim": float(m.z_sim) if permutations else np.nan,
        "permutations": int(permutations), "seed": seed, "method": sw.method, "n_districts": int(len(y)),
        "n_left_out": int(len(left)), "left_out": ", ".join(left["area"].astype(str)),
        "left_out_reasons": "; ".join(f"{a}: {r}" for a, r in zip(left["area"].astype(str), left["reason"])),
        "n_components": sw.n_components,
    }])


@renamed(area="name")
def local_moran(
    gdf: gpd.GeoDataFrame | RateTable,
    *,
    weights: SpatialWeights | None = None,
    method: Method = "queen",
    k: int = 6,
    threshold_m: float | None = None,
    islands: Islands = "drop",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    fdr: bool = False,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> gpd.GeoDataFrame:
    """Local Moran's I (LISA): which districts form high-high or low-low clusters.

    Parameters are those of :func:`global_moran`, plus:

    alpha
        Significance level of the permutation p-values (default 0.05).
    fdr
        Use the false-discovery-rate cut-off (``esda.fdr``) instead of ``alpha``.

    Returns
    -------
    geopandas.GeoDataFrame
        The input rows (none dropped) with ``area``, ``share`` (the rate, 0-1),
        ``lisa_z`` (standardised rate), ``lisa_lag`` (mean ``lisa_z`` of the neighbours),
        ``lisa_i``, ``lisa_p`` (pseudo p-value), ``lisa_quadrant`` (``high-high``,
        ``low-high``, ``low-low``, ``high-low``), ``lisa_significant`` and ``lisa_cluster``:
        the quadrant when significant, else ``"not significant"`` (``"not tested"`` for
        every district when ``permutations=0``, with a warning). Districts left out get
        missing statistics, ``lisa_cluster`` ``"left out (invalid rate)"`` (dropped with
        ``invalid="drop"``), ``"left out (no neighbour)"`` (an island, or its neighbours
        were left out) or ``"left out (not in the weights)"``, and the full reason in
        ``lisa_left_out_reason`` (empty for the others). ``.attrs`` holds
        ``alpha``, ``cutoff`` (the p-value cut-off used) and ``fdr``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)]
    >>> gdf = gpd.GeoDataFrame({"n": [x + y for y in range(4) for x in range(4)], "d": [10] * 16},
    ...                        geometry=cells)
    >>> lisa = local_moran(gdf, numerator="n", denominator="d", method="rook", permutations=99)
    >>> lisa["lisa_quadrant"].iloc[0], lisa["lisa_quadrant"].iloc[-1]
    ('low-low', 'high-high')
    """
    if not 0 < alpha < 1:
        raise InputError(code="distribution.alpha", params={"alpha": alpha})
    t, sw, y, report, left, rates = _prepare(gdf, weights, dict(columns, caller="local_moran"), method, k,
                                             threshold_m, islands, invalid, report)
    gdf = rates.source
    if not permutations:
        report.add("warning", "distribution.lisa_not_tested", params={"label": NOT_TESTED}, action="kept")
        warnings.warn(render("distribution.lisa_not_tested_warning", {"label": NOT_TESTED}), EgovkitWarning,
                      stacklevel=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lm = esda.Moran_Local(y, sw.w, transformation="r", permutations=permutations, seed=seed,
                              keep_simulations=False)
    p = np.asarray(lm.p_sim, dtype=float) if permutations else np.full(len(y), np.nan)
    cutoff = float(esda.fdr(p, alpha)) if fdr and permutations else alpha
    sig = p <= cutoff if fdr else p < cutoff
    quad = pd.Series(np.asarray(lm.q)).map(CLUSTER_LABELS).to_numpy()
    out = gdf.copy()
    if "area" not in out.columns:
        out["area"] = district_names(gdf, rates.name, rates.key).to_numpy()
    out["share"] = t["share"].reindex(gdf.index).to_numpy()
    z = np.asarray(lm.z, dtype=float)
    cols = {
        "lisa_z": z,
        "lisa_lag": libpysal.weights.lag_spatial(sw.w, z),
        "lisa_i": np.asarray(lm.Is, dtype=float),
        "lisa_p": p,
    }
    for c, v in cols.items():
        out[c] = pd.Series(v, index=sw.index).reindex(gdf.index).to_numpy(float)
    out["lisa_quadrant"] = pd.Series(quad, index=sw.index, dtype=object).reindex(gdf.index).to_numpy()
    out["lisa_significant"] = pd.Series(sig, index=sw.index).reindex(gdf.index).fillna(False).astype(bool).to_numpy()
    cluster = np.where(out["lisa_significant"], out["lisa_quadrant"],
                       NOT_SIGNIFICANT if permutations else NOT_TESTED).astype(object)
    outside = ~gdf.index.isin(sw.index)
    cluster[outside] = left["label"].reindex(gdf.index[outside]).fillna(LEFT_OUT).to_numpy()
    out["lisa_cluster"] = cluster
    out["lisa_left_out_reason"] = left["reason"].reindex(gdf.index).to_numpy()
    out.attrs = {"alpha": alpha, "cutoff": cutoff, "fdr": fdr, "method": sw.method, "permutations": permutations}
    return out
