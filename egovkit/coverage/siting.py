"""Siting: where the next ``k`` Wi-Fi sites would newly cover the most people.

Existing sites stay fixed; people already within ``radius`` of one are not counted again. Each
candidate covers the uncovered population points within ``radius``; the coverage sets are one
sparse candidate x demand matrix (:func:`coverage_sets`, a boolean ``scipy.sparse.csr_array``).
The problem is the maximal covering location problem (MCLP, Church & ReVelle 1974):

- ``method="greedy"`` (default): greedy with lazy re-evaluation (CELF, Leskovec et al. 2007);
  its newly covered population is at least ``1 - 1/e`` (63 %) of the optimum and usually within a
  few per mille of it. Scales to 10^5 candidates and 10^6 demand points.
- ``method="exact"``: the MCLP as a mixed-integer program solved by HiGHS through
  ``scipy.optimize.milp`` (binary site choice ``x_j``, coverage ``0 <= y_i <= sum of chosen
  sites covering i``, ``sum x_j = k``), with a time limit. Demand points covered by the same
  candidates are merged first (an exact reduction). Slower on tens of thousands of demand
  groups: aggregate demand with ``demand_cell_m``.

How far a solution can be from the optimum is reported as an upper bound on the optimum: the LP
relaxation of the MCLP (:func:`max_cover_bound`), the MIP dual bound of the exact solve, and the
greedy "online" bound (the objective plus the ``k`` largest remaining gains, valid because
coverage is submodular).

The coverage sets are :mod:`~egovkit.coverage.siting_sets`, the solvers and bounds
:mod:`~egovkit.coverage.siting_solvers`; this module chooses the sites (:func:`site_new`) and gathers
them (the import path of earlier releases).

Examples
--------
>>> import geopandas as gpd
>>> from egovkit.coverage.population import population_from_points
>>> pts = gpd.GeoDataFrame({"pop": [5.0, 7.0, 9.0]}, geometry=gpd.points_from_xy([0, 100, 1000], [0, 0, 0]), crs=3857)
>>> cand = np.array([[50.0, 0.0], [1000.0, 0.0], [5000.0, 0.0]])
>>> r = site_new(population_from_points(pts, "pop"), np.empty((0, 2)), cand, k=2, radius_m=60)
>>> r[["candidate", "population_added", "population_added_cum"]].to_numpy().tolist()
[[0.0, 12.0, 12.0], [1.0, 9.0, 21.0]]
>>> r.attrs["gap_pct"]
0.0
"""


from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.renamed import renamed
from .engine import nearest_site_distance, site_coordinates
from .gaps import _grid_for
from .population_assign import assign_points
from .population_grid import Population, cells_of
from .siting_sets import _weights, coverage_sets
from .siting_solvers import (
    CoverSolution,
    _greedy_online_bound,
    _lagrangian_bound,
    _mclp_model,  # noqa: F401 - imported from here by benchmarks/siting.py (one release)
    exact_max_cover,
    greedy_max_cover,
    max_cover_bound,
)

__all__ = ["site_new", "candidate_grid", "coverage_sets", "greedy_max_cover", "exact_max_cover",
           "max_cover_bound", "CoverSolution"]

# site_new solves the LP relaxation by default when the coverage matrix has at most this many
# non-zeros (HiGHS: about a second; 10^5 non-zeros can take minutes), with at most this time limit
LP_BOUND_AUTO_NNZ = 50_000
LP_BOUND_AUTO_TIME_S = 20.0


def candidate_grid(population: Population, spacing_m: float, *, min_population: float = 0.0) -> np.ndarray:
    """Candidate locations: centres of a ``spacing_m`` grid over the population, keeping cells
    whose population exceeds ``min_population``. Returns an ``(n, 2)`` array in the population CRS.

    Examples
    --------
    >>> from egovkit.coverage.population import population_from_array
    >>> from affine import Affine
    >>> p = population_from_array(np.ones((2, 2)), Affine(100, 0, 0, 0, -100, 200), 3857)
    >>> candidate_grid(p, 200).tolist()
    [[100.0, 100.0]]
    """
    grid = _grid_for(population, spacing_m)
    cells = cells_of(population.x, population.y, grid)
    ok = cells >= 0
    w = np.bincount(cells[ok], weights=population.weight[ok], minlength=grid.shape[0] * grid.shape[1])
    sel = np.flatnonzero(w > min_population)
    x, y = grid.centres(sel)
    return np.column_stack([x, y])


@renamed(radius="radius_m")
def site_new(
    population: Population,
    sites: Any,
    candidates: Any,
    k: int,
    radius_m: float,
    *,
    method: str = "greedy",
    demand_cell_m: float | None = None,
    time_limit_s: float | None = 120,
    mip_rel_gap: float = 0.0,
    lp_bound: bool | None = None,
    bound_iterations: int | None = None,
) -> gpd.GeoDataFrame:
    """Choose ``k`` new sites among ``candidates`` that newly cover the most people within ``radius_m``.

    Parameters
    ----------
    population
        From :mod:`egovkit.coverage.population`.
    sites
        Existing sites (kept fixed; may be empty).
    candidates
        Candidate points: a GeoDataFrame/GeoSeries (any CRS) or an ``(n, 2)`` array in the
        population CRS (e.g. :func:`candidate_grid`).
    k
        Number of new sites.
    radius_m
        Coverage radius in metres.
    method
        ``"greedy"`` (CELF lazy greedy) or ``"exact"`` (MCLP with HiGHS through ``scipy.optimize.milp``).
    demand_cell_m
        Aggregate uncovered population to cells of this size (at the population-weighted centre
        of each cell) before solving; ``None`` uses every point exactly. The population each
        chosen site adds is always recounted exactly on the original points.
    time_limit_s
        Time limit of each HiGHS solve (exact model, LP bound).
    mip_rel_gap
        Relative gap at which the exact solve may stop (0: prove optimality).
    lp_bound
        Solve the LP relaxation with HiGHS for an upper bound on the optimum: ``None`` (default)
        when the coverage matrix has at most ``LP_BOUND_AUTO_NNZ`` non-zeros (skipped without a
        word if HiGHS does not finish), ``True`` always, ``False`` never.
    bound_iterations
        Subgradient steps of the Lagrangian bound for ``"greedy"`` (a valid bound above the LP
        value; see :func:`max_cover_bound`); each costs one pass over the coverage matrix. ``None``
        (default): 100, fewer (down to 20) beyond 2 million coverage pairs, keeping the bound
        within about 2 * 10^8 pair visits (a few seconds); 0 skips it.

    Returns
    -------
    GeoDataFrame
        One row per chosen site, in greedy order: ``rank``, ``candidate`` (position in
        ``candidates``; a GeoDataFrame's own columns follow), ``population_added`` (newly covered
        persons, given the sites above it), ``population_added_cum``, ``share_added_cum`` (0-1 of
        the total population), ``district`` when known, geometry in the population's CRS.

        ``attrs``: ``objective`` (total newly covered persons, recounted on the original points),
        ``objective_model`` (the solver's objective on the possibly aggregated demand),
        ``method``; ``upper_bound`` (no choice of ``k`` candidates covers more than this, in the
        units of ``objective_model``: the smallest of the LP bound, the greedy online bound and,
        for ``"exact"``, HiGHS's dual bound), ``upper_bound_lp`` (LP relaxation, or None when not
        computed), ``gap_pct`` (``100 * (upper_bound - objective_model) / upper_bound``: at most
        this % from the optimum), ``status`` (``"greedy"``, ``"optimal"`` or ``"time limit
        reached"``) and ``mip_gap_pct`` (HiGHS's gap for ``"exact"``, else None).
    """
    if method not in ("greedy", "exact"):
        raise InputError(code="siting.bad_method", params={"method": method})
    if k < 0:
        raise InputError(code="siting.negative_k", params={"k": k})
    if isinstance(candidates, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geom = candidates.geometry if isinstance(candidates, gpd.GeoDataFrame) else candidates
        usable = ~(geom.isna() | geom.is_empty).to_numpy()
        if not usable.all():
            bad = np.flatnonzero(~usable)
            raise InputError(code="siting.candidates_without_geometry",
                             params={"n": len(bad), "positions": str(bad[:10].tolist())})
        cand_xy = site_coordinates(geom, population.crs)
    else:
        cand_xy = site_coordinates(candidates, population.crs)
    # demand already covered by the existing (fixed) sites is removed before solving
    d = nearest_site_distance(population, sites, float(radius_m))
    unc = (d > radius_m) & (population.weight > 0)
    dx, dy, dw = population.x[unc], population.y[unc], population.weight[unc]
    ux, uy, uw = dx, dy, dw
    if demand_cell_m is not None and len(dw):
        cell = float(demand_cell_m)
        key = pd.DataFrame({"i": np.floor(dx / cell), "j": np.floor(dy / cell), "w": dw, "wx": dw * dx,
                            "wy": dw * dy}).groupby(["i", "j"], sort=False).sum()
        dw = key["w"].to_numpy()
        dx, dy = key["wx"].to_numpy() / dw, key["wy"].to_numpy() / dw
    a = coverage_sets(np.column_stack([dx, dy]), cand_xy, radius_m)
    mip_gap_pct = None
    if method == "greedy":
        chosen, gains = greedy_max_cover(a, dw, k)
        status = "greedy"
        upper = _greedy_online_bound(a, dw, chosen, k)
        steps = int(bound_iterations) if bound_iterations is not None else \
            int(np.clip(2e8 / max(a.nnz, 1), 20, 100))
        if steps > 0:
            upper = min(upper, _lagrangian_bound(a, _weights(dw), min(k, a.shape[0]), float(np.sum(gains)), steps))
    else:
        sol = exact_max_cover(a, dw, k, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
        # order the chosen set greedily so that each row says what it adds to the ones above
        sub_order, gains = greedy_max_cover(a[sol.chosen], dw, len(sol.chosen))
        chosen = [sol.chosen[i] for i in sub_order]
        status, upper, mip_gap_pct = sol.status, sol.upper_bound, 100 * sol.mip_gap
    model_objective = float(np.sum(gains))
    upper_lp = None
    if lp_bound or (lp_bound is None and a.nnz <= LP_BOUND_AUTO_NNZ):
        try:
            limit = time_limit_s if lp_bound else min(time_limit_s or LP_BOUND_AUTO_TIME_S, LP_BOUND_AUTO_TIME_S)
            upper_lp = max_cover_bound(a, dw, k, time_limit_s=limit)
        except InputError:
            if lp_bound:
                raise
        else:
            upper = min(upper, upper_lp)
    upper = max(upper, model_objective)  # rounding only
    gap_pct = 0.0 if upper <= 0 else 100 * (upper - model_objective) / upper
    if demand_cell_m is not None:
        # what each chosen site adds, recounted exactly on the original population points
        exact_sets = coverage_sets(np.column_stack([ux, uy]), cand_xy[chosen], radius_m)
        gains = []
        w_rem = uw.astype(float).copy()
        for j in range(len(chosen)):
            s_ = exact_sets.indices[exact_sets.indptr[j]:exact_sets.indptr[j + 1]]
            gains.append(float(w_rem[s_].sum()))
            w_rem[s_] = 0.0
    total = population.total
    cx, cy = cand_xy[chosen, 0] if chosen else np.array([]), cand_xy[chosen, 1] if chosen else np.array([])
    out = pd.DataFrame({
        "rank": np.arange(1, len(chosen) + 1),
        "candidate": np.asarray(chosen, dtype=np.int64),
        "population_added": np.asarray(gains, dtype=float),
    })
    out["population_added_cum"] = out["population_added"].cumsum()
    out["share_added_cum"] = out["population_added_cum"] / total if total > 0 else np.nan
    if population.districts is not None and len(chosen):
        from ..validate import ValidationReport

        di = assign_points(np.asarray(cx), np.asarray(cy), population.districts, population.district_names,
                            ValidationReport(), "chosen site")
        names = np.asarray(population.district_names, dtype=object)
        out["district"] = pd.array([names[i] if i >= 0 else None for i in di], dtype="string")
    if isinstance(candidates, gpd.GeoDataFrame):
        # carry the candidates' own attributes (name, type...) for the chosen ones
        attrs = pd.DataFrame(candidates.drop(columns=candidates.geometry.name)).iloc[chosen].reset_index(drop=True)
        attrs = attrs.drop(columns=[c for c in attrs.columns if c in out.columns])
        out = pd.concat([out, attrs], axis=1)
    g = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(cx, cy), crs=population.crs)
    g.attrs["objective"] = float(np.sum(gains))
    g.attrs["objective_model"] = model_objective
    g.attrs["method"] = method
    g.attrs["upper_bound"] = float(upper)
    g.attrs["upper_bound_lp"] = upper_lp
    g.attrs["gap_pct"] = float(gap_pct)
    g.attrs["status"] = status
    g.attrs["mip_gap_pct"] = mip_gap_pct
    return g
