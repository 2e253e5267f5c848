"""Siting: where the next ``k`` Wi-Fi sites would newly cover the most people.

Existing sites stay fixed; people already within ``radius`` of one are not counted again. Each
candidate covers the uncovered population points within ``radius`` (``cKDTree.query_ball_point``);
the problem is the maximal covering location problem (MCLP, Church & ReVelle 1974):

- ``method="greedy"`` (always available): lazy greedy with a heap; its newly covered population is
  at least ``1 - 1/e`` (63 %) of the optimum and usually within a few per mille of it;
- ``method="exact"``: the MCLP as an integer program solved by PuLP's bundled CBC (binary site
  choice, coverage variables ``y_i <= sum of chosen sites covering i``). Exact but slower on
  tens of thousands of demand points: aggregate demand with ``demand_cell_m``.

Examples
--------
>>> import geopandas as gpd
>>> from egovkit.coverage.population import population_from_points
>>> pts = gpd.GeoDataFrame({"pop": [5.0, 7.0, 9.0]}, geometry=gpd.points_from_xy([0, 100, 1000], [0, 0, 0]), crs=3857)
>>> cand = np.array([[50.0, 0.0], [1000.0, 0.0], [5000.0, 0.0]])
>>> r = site_new(population_from_points(pts, "pop"), np.empty((0, 2)), cand, k=2, radius=60)
>>> r[["candidate", "population_added", "population_added_cum"]].to_numpy().tolist()
[[0.0, 12.0, 12.0], [1.0, 9.0, 21.0]]
"""

from __future__ import annotations

import heapq
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..errors import InputError
from .engine import nearest_site_distance, site_coordinates
from .gaps import _grid_for
from .population import Population, _cells_of

__all__ = ["site_new", "candidate_grid", "coverage_sets", "greedy_max_cover", "exact_max_cover"]


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
    cells = _cells_of(population.x, population.y, grid)
    ok = cells >= 0
    w = np.bincount(cells[ok], weights=population.weight[ok], minlength=grid.shape[0] * grid.shape[1])
    sel = np.flatnonzero(w > min_population)
    x, y = grid.centres(sel)
    return np.column_stack([x, y])


def coverage_sets(demand_xy: np.ndarray, cand_xy: np.ndarray, radius: float) -> list[np.ndarray]:
    """For each candidate, the indices of the demand points within ``radius`` (inclusive)."""
    if len(demand_xy) == 0 or len(cand_xy) == 0:
        return [np.array([], dtype=np.int64) for _ in range(len(cand_xy))]
    tree = cKDTree(demand_xy)
    lists = tree.query_ball_point(cand_xy, r=float(radius), workers=-1)
    return [np.asarray(sorted(s), dtype=np.int64) for s in lists]


def greedy_max_cover(sets: list[np.ndarray], weights: np.ndarray, k: int) -> tuple[list[int], list[float]]:
    """Lazy greedy: pick ``k`` sets, each time the one adding the most uncovered weight.

    Ties go to the lowest index. Returns (chosen indices in order, weight each one added).

    Examples
    --------
    >>> greedy_max_cover([np.array([0, 1]), np.array([1, 2]), np.array([3])], np.array([1.0, 5, 1, 2]), 2)
    ([0, 2], [6.0, 2.0])
    """
    covered = np.zeros(len(weights), dtype=bool)
    # entries (-gain, index, round the gain was computed in); gains only shrink, so a stale gain is
    # an upper bound and a gain computed in the current round that tops the heap is the best
    heap = [(-float(weights[s].sum()), j, 0) for j, s in enumerate(sets)]
    heapq.heapify(heap)
    chosen: list[int] = []
    gains: list[float] = []
    while heap and len(chosen) < k:
        neg, j, rnd = heapq.heappop(heap)
        if rnd == len(chosen):
            chosen.append(j)
            gains.append(-neg)
            covered[sets[j]] = True
        else:
            s = sets[j]
            heapq.heappush(heap, (-float(weights[s][~covered[s]].sum()), j, len(chosen)))
    return chosen, gains


def exact_max_cover(sets: list[np.ndarray], weights: np.ndarray, k: int, *, time_limit_s: float | None = 120,
                    ) -> list[int]:
    """Exact maximal covering: choose ``k`` sets maximising covered weight (PuLP + CBC).

    Examples
    --------
    >>> exact_max_cover([np.array([0, 1]), np.array([1, 2]), np.array([2, 3])], np.array([3.0, 1, 3, 1]), 2)
    [0, 2]
    """
    try:
        import pulp
    except ImportError as exc:  # pragma: no cover - pulp is a dependency of spopt
        raise InputError("the exact solver needs PuLP", fix="pip install pulp, or use method='greedy'") from exc
    cover_of: dict[int, list[int]] = {}
    for j, s in enumerate(sets):
        for i in s:
            cover_of.setdefault(int(i), []).append(j)
    import warnings

    with warnings.catch_warnings():
        # PuLP 3 deprecates its own long-standing API ahead of 4.0; the calls below work in both
        warnings.simplefilter("ignore", DeprecationWarning)
        prob = pulp.LpProblem("mclp", pulp.LpMaximize)
        x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(len(sets))]
        y = {i: pulp.LpVariable(f"y{i}", lowBound=0, upBound=1) for i in cover_of if weights[i] > 0}
        prob += pulp.lpSum(float(weights[i]) * v for i, v in y.items())
        for i, v in y.items():
            prob += v <= pulp.lpSum(x[j] for j in cover_of[i])
        prob += pulp.lpSum(x) == min(k, len(sets))
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)
        status = prob.solve(solver)
    if pulp.LpStatus[status] != "Optimal":
        raise InputError(f"the exact MCLP solve ended with status {pulp.LpStatus[status]!r}",
                         fix="raise time_limit_s, aggregate demand (demand_cell_m) or use method='greedy'")
    return [j for j in range(len(sets)) if (x[j].value() or 0) > 0.5]


def site_new(
    population: Population,
    sites: Any,
    candidates: Any,
    k: int,
    radius: float,
    *,
    method: str = "greedy",
    demand_cell_m: float | None = None,
    time_limit_s: float | None = 120,
) -> gpd.GeoDataFrame:
    """Choose ``k`` new sites among ``candidates`` that newly cover the most people within ``radius``.

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
    radius
        Coverage radius in metres.
    method
        ``"greedy"`` or ``"exact"`` (MCLP with PuLP/CBC).
    demand_cell_m
        Aggregate uncovered population to cells of this size (at the population-weighted centre
        of each cell) before solving; ``None`` uses every point exactly. The population each
        chosen site adds is always recounted exactly on the original points.

    Returns
    -------
    GeoDataFrame
        One row per chosen site, in greedy order: ``rank``, ``candidate`` (position in
        ``candidates``; a GeoDataFrame's own columns follow), ``population_added`` (newly covered persons, given the sites above it),
        ``population_added_cum``, ``share_added_cum`` (0-1 of the total population), ``district``
        when known, geometry in the population's CRS. ``attrs["objective"]`` holds the total
        newly covered population, ``attrs["objective_model"]`` the solver's objective on the
        (possibly aggregated) demand.
    """
    if method not in ("greedy", "exact"):
        raise InputError(f"method must be 'greedy' or 'exact', not {method!r}")
    if k < 0:
        raise InputError(f"k must be >= 0, not {k}")
    if isinstance(candidates, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geom = candidates.geometry if isinstance(candidates, gpd.GeoDataFrame) else candidates
        usable = ~(geom.isna() | geom.is_empty).to_numpy()
        if not usable.all():
            raise InputError(f"{int((~usable).sum())} candidate(s) have no geometry (positions "
                             f"{np.flatnonzero(~usable)[:10].tolist()})", fix="drop or geocode them first")
        cand_xy = site_coordinates(geom, population.crs)
    else:
        cand_xy = site_coordinates(candidates, population.crs)
    d = nearest_site_distance(population, sites, float(radius))
    unc = (d > radius) & (population.weight > 0)
    dx, dy, dw = population.x[unc], population.y[unc], population.weight[unc]
    ux, uy, uw = dx, dy, dw
    if demand_cell_m is not None and len(dw):
        cell = float(demand_cell_m)
        key = pd.DataFrame({"i": np.floor(dx / cell), "j": np.floor(dy / cell), "w": dw, "wx": dw * dx,
                            "wy": dw * dy}).groupby(["i", "j"], sort=False).sum()
        dw = key["w"].to_numpy()
        dx, dy = key["wx"].to_numpy() / dw, key["wy"].to_numpy() / dw
    sets = coverage_sets(np.column_stack([dx, dy]), cand_xy, radius)
    if method == "greedy":
        chosen, gains = greedy_max_cover(sets, dw, k)
    else:
        pick = exact_max_cover(sets, dw, k, time_limit_s=time_limit_s)
        # order the optimal set greedily so that each row says what it adds to the ones above
        sub_order, _ = greedy_max_cover([sets[j] for j in pick], dw, len(pick))
        chosen = [pick[i] for i in sub_order]
        covered = np.zeros(len(dw), dtype=bool)
        gains = []
        for j in chosen:
            gains.append(float(dw[sets[j]][~covered[sets[j]]].sum()))
            covered[sets[j]] = True
    model_objective = float(np.sum(gains))
    if demand_cell_m is not None:
        # what each chosen site adds, recounted exactly on the original population points
        exact_sets = coverage_sets(np.column_stack([ux, uy]), cand_xy[chosen], radius)
        covered = np.zeros(len(uw), dtype=bool)
        gains = []
        for s_ in exact_sets:
            gains.append(float(uw[s_][~covered[s_]].sum()))
            covered[s_] = True
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
        from .population import _assign_points
        from ..validate import ValidationReport
        di = _assign_points(np.asarray(cx), np.asarray(cy), population.districts, population.district_names,
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
    return g
