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

Examples
--------
>>> import geopandas as gpd
>>> from egovkit.coverage.population import population_from_points
>>> pts = gpd.GeoDataFrame({"pop": [5.0, 7.0, 9.0]}, geometry=gpd.points_from_xy([0, 100, 1000], [0, 0, 0]), crs=3857)
>>> cand = np.array([[50.0, 0.0], [1000.0, 0.0], [5000.0, 0.0]])
>>> r = site_new(population_from_points(pts, "pop"), np.empty((0, 2)), cand, k=2, radius=60)
>>> r[["candidate", "population_added", "population_added_cum"]].to_numpy().tolist()
[[0.0, 12.0, 12.0], [1.0, 9.0, 21.0]]
>>> r.attrs["gap_pct"]
0.0
"""

from __future__ import annotations

import heapq
import itertools
import warnings
from typing import Any, NamedTuple, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import EgovkitWarning, InputError
from .engine import nearest_site_distance, site_coordinates
from .gaps import _grid_for
from .population import Population, _cells_of

__all__ = ["site_new", "candidate_grid", "coverage_sets", "greedy_max_cover", "exact_max_cover",
           "max_cover_bound", "CoverSolution"]

# site_new solves the LP relaxation by default when the coverage matrix has at most this many
# non-zeros (HiGHS: about a second; 10^5 non-zeros can take minutes), with at most this time limit
LP_BOUND_AUTO_NNZ = 50_000
LP_BOUND_AUTO_TIME_S = 20.0
_PAIRS_PER_CHUNK = 2_000_000  # candidate-demand pairs tested at once when building coverage sets
_NNZ_PER_CHUNK = 4_000_000    # non-zeros summed at once when computing every candidate's gain
# HiGHS's presolve does not look at the time limit: on a 140,737 x 99,629 MCLP (1.7 M non-zeros,
# benchmarks/siting.py part 3) it ran 869 s past a 30 s limit, while without presolve the limit holds
# (32.8 s); on the 11,691 x 2,000 model of part 2 both take 11.5 s. Presolve is skipped above this.
_PRESOLVE_MAX_NNZ = 200_000
_ZERO = np.zeros(1, dtype=np.intp)


class CoverSolution(NamedTuple):
    """Result of :func:`exact_max_cover`.

    ``chosen`` (candidate indices, ascending), ``objective`` (covered weight), ``upper_bound``
    (no choice covers more: HiGHS's dual bound, or the greedy online bound when smaller),
    ``status`` (``"optimal"`` or ``"time limit reached"``), ``mip_gap`` (relative gap between
    objective and bound, 0-1), ``incumbent`` (``"milp"``, or ``"greedy"`` when HiGHS stopped at the
    time limit with nothing better than the greedy choice, which is then returned).
    """

    chosen: list[int]
    objective: float
    upper_bound: float
    status: str
    mip_gap: float
    incumbent: str = "milp"


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


def coverage_sets(demand_xy: np.ndarray, cand_xy: np.ndarray, radius: float) -> sparse.csr_array:
    """Which demand points each candidate covers: a boolean ``(n_candidates, n_demand)`` CSR matrix
    whose row ``j`` holds the demand points within ``radius`` of candidate ``j`` (inclusive).

    Demand points are bucketed into square cells of side ``radius`` (one sort); each candidate tests
    only the points of its 3 x 3 neighbouring cells, in chunks, all vectorised. Column indices within
    a row are not sorted.

    Examples
    --------
    >>> a = coverage_sets(np.array([[0.0, 0], [3, 4], [9, 0]]), np.array([[0.0, 0], [9, 1]]), 5)
    >>> a.shape, [sorted(a.indices[a.indptr[j]:a.indptr[j + 1]].tolist()) for j in range(2)]
    ((2, 3), [[0, 1], [2]])
    """
    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    cand_xy = np.asarray(cand_xy, dtype=float).reshape(-1, 2)
    nd, nc = len(demand_xy), len(cand_xy)
    r = float(radius)
    idx_dtype = np.int32 if nd < 2**31 - 1 else np.int64
    if nd == 0 or nc == 0 or not r >= 0:
        return sparse.csr_array((nc, nd), dtype=bool)
    for what, xy in (("demand point", demand_xy), ("candidate", cand_xy)):
        bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
        if len(bad):
            raise InputError(f"{len(bad)} {what}(s) without finite coordinates (positions {bad[:10].tolist()})",
                             fix="drop or geocode them first")
    # cells a little larger than r, so that rounding never puts a covered point two cells away
    side = r * (1 + 1e-6) + 1e-6
    inv = 1.0 / side
    x0 = min(demand_xy[:, 0].min(), cand_xy[:, 0].min())
    y0 = min(demand_xy[:, 1].min(), cand_xy[:, 1].min())
    dcol = ((demand_xy[:, 0] - x0) * inv).astype(np.int64) + 1
    drow = ((demand_xy[:, 1] - y0) * inv).astype(np.int64) + 1
    ccol = ((cand_xy[:, 0] - x0) * inv).astype(np.int64) + 1
    crow = ((cand_xy[:, 1] - y0) * inv).astype(np.int64) + 1
    ncol = int(max(dcol.max(), ccol.max())) + 2
    if float(ncol) * float(max(drow.max(), crow.max()) + 2) > 2.0**62:
        return _coverage_sets_kdtree(demand_xy, cand_xy, r, idx_dtype)  # tiny radius: few pairs
    # points sorted by cell; the 3 cells of one grid row next to a candidate are one contiguous run
    key = drow * ncol + dcol
    order = np.argsort(key, kind="stable")
    skey = key[order]
    sx, sy = demand_xy[order, 0], demand_xy[order, 1]
    order = order.astype(idx_dtype)
    del key, dcol, drow
    centre = (crow[:, None] + np.array([-1, 0, 1])[None, :]) * ncol + ccol[:, None]
    lo = np.searchsorted(skey, centre - 1, side="left")
    hi = np.searchsorted(skey, centre + 1, side="right")
    del skey, centre
    runs = hi - lo
    per_cand = runs.sum(axis=1)
    cum = np.cumsum(per_cand)
    r2 = r * r
    parts: list[np.ndarray] = []
    counts = np.zeros(nc, dtype=np.int64)
    s = 0
    while s < nc:
        done = int(cum[s - 1]) if s else 0
        e = min(nc, max(s + 1, int(np.searchsorted(cum, done + _PAIRS_PER_CHUNK, side="right"))))
        ln, st = runs[s:e].ravel(), lo[s:e].ravel()
        total = int(cum[e - 1]) - done
        # positions in the sorted points of every (candidate, run) pair, candidate by candidate
        pos = np.arange(total, dtype=np.int64)
        pos += np.repeat(st - (np.cumsum(ln) - ln), ln)
        cand = np.repeat(np.arange(s, e), per_cand[s:e])
        dx = sx[pos]
        dx -= cand_xy[cand, 0]
        dy = sy[pos]
        dy -= cand_xy[cand, 1]
        dx *= dx
        dy *= dy
        dx += dy
        hit = dx <= r2
        parts.append(order[pos[hit]])
        counts[s:e] = np.bincount(cand[hit] - s, minlength=e - s)
        s = e
    indices = np.concatenate(parts) if len(parts) > 1 else parts[0]
    indptr = np.zeros(nc + 1, dtype=idx_dtype if int(counts.sum()) < 2**31 - 1 else np.int64)
    np.cumsum(counts, out=indptr[1:])
    if indptr.dtype != indices.dtype:
        indices = indices.astype(indptr.dtype)
    return sparse.csr_array((np.ones(len(indices), dtype=bool), indices, indptr), shape=(nc, nd))


def _coverage_sets_kdtree(demand_xy: np.ndarray, cand_xy: np.ndarray, r: float, idx_dtype: Any,
                          ) -> sparse.csr_array:
    """:func:`coverage_sets` with a k-d tree, for a radius so small against the extent that the
    cell keys would overflow (then there are few pairs and Python lists of them are cheap)."""
    from scipy.spatial import cKDTree

    tree = cKDTree(demand_xy)
    parts, lens = [], []
    for s in range(0, len(cand_xy), 20_000):
        found = tree.query_ball_point(cand_xy[s:s + 20_000], r=r, return_sorted=False)
        ln = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        parts.append(np.fromiter(itertools.chain.from_iterable(found), dtype=idx_dtype, count=int(ln.sum())))
        lens.append(ln)
    indptr = np.zeros(len(cand_xy) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(lens), out=indptr[1:])
    ind = np.concatenate(parts).astype(np.int64)
    return sparse.csr_array((np.ones(len(ind), dtype=bool), ind, indptr), shape=(len(cand_xy), len(demand_xy)))


def _as_csr(sets: Any, n_demand: int) -> sparse.csr_array:
    """A coverage matrix from a sparse matrix or a list of index arrays (one per candidate)."""
    if sparse.issparse(sets):
        a = sparse.csr_array(sets)
        if a.shape[1] != n_demand:
            raise InputError(f"the coverage matrix has {a.shape[1]} demand columns but there are "
                             f"{n_demand} weights", fix="pass one weight per demand point")
        return a
    arrs = [np.asarray(s, dtype=np.int64).ravel() for s in sets]
    lens = np.fromiter((len(s) for s in arrs), dtype=np.int64, count=len(arrs))
    indptr = np.zeros(len(arrs) + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    ind = np.concatenate(arrs) if arrs else np.zeros(0, dtype=np.int64)
    if len(ind) and (ind.min() < 0 or ind.max() >= n_demand):
        raise InputError(f"coverage sets refer to demand point {int(ind.max())} but there are only "
                         f"{n_demand} weights", fix="pass one weight per demand point")
    return sparse.csr_array((np.ones(len(ind), dtype=bool), ind, indptr), shape=(len(arrs), n_demand))


def _weights(weights: Any, n: int | None = None, covered: np.ndarray | None = None) -> np.ndarray:
    w = np.asarray(weights, dtype=float).ravel()
    if n is not None and len(w) != n:
        raise InputError(f"{len(w)} weights for {n} demand points", fix="pass one weight per demand point")
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError("demand weights must be finite and >= 0", fix="drop or correct the negative/NaN weights")
    if covered is not None:
        w = np.where(np.asarray(covered, dtype=bool), 0.0, w)
    return w


def _row_sums(a: sparse.csr_array, w: np.ndarray) -> np.ndarray:
    """Sum of ``w`` over every row's columns, in chunks (no full-size temporary); the same
    floating-point sums as :func:`_set_sum` on each row."""
    nc = a.shape[0]
    out = np.zeros(nc, dtype=float)
    ip, ind = a.indptr, a.indices
    s = 0
    while s < nc:
        e = min(nc, max(s + 1, int(np.searchsorted(ip, ip[s] + _NNZ_PER_CHUNK, side="right")) - 1))
        lo, hi = int(ip[s]), int(ip[e])
        if hi > lo:
            # reduceat over the non-empty rows only: each one's segment then ends where the next begins
            nonempty = np.flatnonzero(ip[s + 1:e + 1] > ip[s:e])
            out[s + nonempty] = np.add.reduceat(w[ind[lo:hi]], (ip[s + nonempty] - lo).astype(np.intp))
        s = e
    return out


def _set_sum(v: np.ndarray) -> float:
    # reduceat on one segment: bit-identical to the same row's sum in _row_sums
    return float(np.add.reduceat(v, _ZERO)[0]) if len(v) else 0.0


def greedy_max_cover(sets: Any, weights: np.ndarray, k: int, *, lazy: bool = True,
                     covered: np.ndarray | None = None) -> tuple[list[int], list[float]]:
    """Greedy maximal covering: pick ``k`` candidates, each time the one adding the most uncovered
    weight.

    Parameters
    ----------
    sets
        Coverage matrix from :func:`coverage_sets` (candidates x demand, sparse) or a list of arrays
        of demand indices, one per candidate.
    weights
        Weight (persons) of each demand point.
    k
        Number of candidates to pick (at most the number of candidates).
    lazy
        ``True`` (default): CELF lazy re-evaluation with a heap; a candidate's gain only shrinks as
        others are picked, so a stale gain is an upper bound and only the candidates that reach
        the top of the heap are re-evaluated. ``False``: recompute every gain each round (the
        plain greedy; same result, kept for comparison).
    covered
        Boolean mask of demand already covered (e.g. by existing sites): not counted again.

    Returns
    -------
    tuple
        Chosen candidate indices in order, and the weight each one added. Ties go to the lowest
        index.

    Examples
    --------
    >>> greedy_max_cover([np.array([0, 1]), np.array([1, 2]), np.array([3])], np.array([1.0, 5, 1, 2]), 2)
    ([0, 2], [6.0, 2.0])
    >>> greedy_max_cover([np.array([0, 1]), np.array([1, 2]), np.array([3])], np.array([1.0, 5, 1, 2]), 2,
    ...                  covered=np.array([False, True, False, False]))
    ([2, 0], [2.0, 1.0])
    """
    w_rem = _weights(weights, None, covered).copy()
    a = _as_csr(sets, len(w_rem))
    nc = a.shape[0]
    k = max(0, min(int(k), nc))
    ip, ind = a.indptr, a.indices
    chosen: list[int] = []
    gains: list[float] = []
    if k == 0:
        return chosen, gains
    first = _row_sums(a, w_rem)
    if not lazy:
        taken = np.zeros(nc, dtype=bool)
        g = first
        for _ in range(k):
            g[taken] = -np.inf
            j = int(np.argmax(g))
            chosen.append(j)
            gains.append(float(g[j]))
            taken[j] = True
            w_rem[ind[ip[j]:ip[j + 1]]] = 0.0
            if len(chosen) < k:
                g = _row_sums(a, w_rem)
        return chosen, gains
    # entries (-gain, index, round the gain was computed in); a gain computed in the current round
    # that tops the heap beats every other candidate's upper bound
    heap = list(zip((-first).tolist(), range(nc), [0] * nc))
    heapq.heapify(heap)
    while heap and len(chosen) < k:
        neg, j, rnd = heapq.heappop(heap)
        s = ind[ip[j]:ip[j + 1]]
        if rnd == len(chosen):
            chosen.append(j)
            gains.append(-neg)
            w_rem[s] = 0.0
        else:
            heapq.heappush(heap, (-_set_sum(w_rem[s]), j, len(chosen)))
    return chosen, gains


def _greedy_online_bound(a: sparse.csr_array, w: np.ndarray, chosen: Sequence[int], k: int) -> float:
    """Upper bound on the best ``k``-site coverage from a greedy run (submodularity): the smaller of
    (sum of the ``k`` largest single gains) and (value of ``chosen`` + the ``k`` largest gains left)."""
    k = max(0, min(int(k), a.shape[0]))
    if k == 0:
        return 0.0
    g0 = _row_sums(a, w)
    bound0 = float(np.sort(g0)[-k:].sum())
    w_rem = w.copy()
    for j in chosen:
        w_rem[a.indices[a.indptr[j]:a.indptr[j + 1]]] = 0.0
    g = _row_sums(a, w_rem)
    bound1 = float(w.sum() - w_rem.sum()) + float(np.sort(g)[-k:].sum())
    return min(bound0, bound1, float(w.sum()))


class _Model(NamedTuple):
    groups: sparse.csr_array   # demand groups x useful candidates
    weight: np.ndarray         # weight of each group
    useful: np.ndarray         # original index of each useful candidate


def _mclp_model(a: sparse.csr_array, w: np.ndarray) -> _Model:
    """The MCLP data, reduced exactly: demand with no weight or no covering candidate dropped,
    candidates covering nothing dropped, demand points covered by the same candidates merged."""
    keep_d = (w > 0) & (np.bincount(a.indices, minlength=a.shape[1]) > 0)
    t = sparse.csr_array(a.T)[np.flatnonzero(keep_d)]
    wd = w[keep_d]
    useful = np.flatnonzero(np.bincount(t.indices, minlength=a.shape[0]) > 0)
    t = t[:, useful]
    t = sparse.csr_array(t)
    t.sort_indices()
    lens = np.diff(t.indptr)
    if len(wd) and len(wd) * int(lens.max()) <= 50_000_000:
        pad = np.full((len(wd), int(lens.max())), -1, dtype=np.int64)
        rows = np.repeat(np.arange(len(wd)), lens)
        pad[rows, np.arange(len(rows)) - np.repeat(t.indptr[:-1], lens)] = t.indices
        _, first, inverse = np.unique(pad, axis=0, return_index=True, return_inverse=True)
        wg = np.bincount(inverse.ravel(), weights=wd, minlength=len(first))
        t = t[first]
        wd = wg
    return _Model(sparse.csr_array(t), wd, useful)


_STATUS = {0: "optimal", 1: "time limit reached", 2: "infeasible", 3: "unbounded", 4: "failed"}


def _solve(model: _Model, k: int, *, integral: bool, time_limit_s: float | None, mip_rel_gap: float) -> Any:
    from scipy.optimize import Bounds, LinearConstraint, milp

    g = model.groups
    ng, nu = g.shape
    # variables: x (useful candidates) then y (demand groups); maximise sum w_g y_g
    c = np.concatenate([np.zeros(nu), -model.weight])
    cover = sparse.hstack([-g.astype(float), sparse.identity(ng, format="csr")], format="csr")
    pick = sparse.csr_array(np.concatenate([np.ones(nu), np.zeros(ng)])[None, :])
    cons = [LinearConstraint(cover, -np.inf, 0.0), LinearConstraint(pick, k, k)]
    integrality = np.concatenate([np.ones(nu) if integral else np.zeros(nu), np.zeros(ng)])
    options: dict[str, Any] = {"disp": False, "presolve": bool(g.nnz <= _PRESOLVE_MAX_NNZ)}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    if integral:
        options["mip_rel_gap"] = float(mip_rel_gap)
    return milp(c, integrality=integrality, bounds=Bounds(0.0, 1.0), constraints=cons, options=options)


def _solve_failed(what: str, res: Any, model: _Model, time_limit_s: float | None) -> InputError:
    status = _STATUS.get(int(res.status), str(res.status))
    return InputError(
        f"the {what} ({model.groups.shape[1]} candidates, {model.groups.shape[0]} demand groups) ended "
        f"without a solution: HiGHS status {status!r} ({res.message})",
        fix=f"aggregate demand with demand_cell_m (e.g. half the radius), raise time_limit_s "
            f"(now {time_limit_s} s), or use method='greedy'")


def exact_max_cover(sets: Any, weights: np.ndarray, k: int, *, time_limit_s: float | None = 120,
                    mip_rel_gap: float = 0.0, covered: np.ndarray | None = None) -> CoverSolution:
    """Exact maximal covering: choose ``k`` candidates maximising covered weight, as a mixed-integer
    program solved by HiGHS (``scipy.optimize.milp``).

    Binary ``x_j`` per candidate, ``0 <= y_i <= 1`` per demand group, ``y_i <= sum_j a_ij x_j``,
    ``sum_j x_j = k``; demand points covered by the same candidates are merged first.

    Parameters
    ----------
    sets, weights, covered
        As in :func:`greedy_max_cover`.
    k
        Number of candidates to choose.
    time_limit_s
        HiGHS time limit. When it is reached with a solution, that solution is returned with
        status ``"time limit reached"``, its gap, and an :class:`~egovkit.errors.EgovkitWarning`.
    mip_rel_gap
        Relative gap at which HiGHS may stop (0: prove optimality).

    Returns
    -------
    CoverSolution
        When HiGHS stops at the time limit, the better of its incumbent and the greedy (CELF)
        choice is returned (``incumbent`` says which), with the gap to the best bound known.

    Raises
    ------
    InputError
        When HiGHS fails or finds the model infeasible (never on a well-formed model), naming the fixes.

    Examples
    --------
    >>> s = exact_max_cover([np.array([0, 1]), np.array([1, 2]), np.array([2, 3])], np.array([3.0, 1, 3, 1]), 2)
    >>> s.chosen, s.objective, s.status
    ([0, 2], 8.0, 'optimal')
    """
    w = _weights(weights, None, covered)
    a = _as_csr(sets, len(w))
    nc = a.shape[0]
    k = max(0, min(int(k), nc))
    model = _mclp_model(a, w)
    nu = len(model.useful)
    if nu <= k:
        # every useful candidate fits: optimal without solving; fill up with the lowest others
        rest = np.setdiff1d(np.arange(nc), model.useful)[:k - nu]
        chosen = sorted(model.useful.tolist() + rest.tolist())
        total = float(model.weight.sum())
        return CoverSolution(chosen, total, total, "optimal", 0.0)
    res = _solve(model, k, integral=True, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
    status_code = int(res.status)
    if status_code not in (0, 1) or (res.x is None and status_code != 1):
        raise _solve_failed("exact maximal covering model", res, model, time_limit_s)

    def covered_by(chosen: Sequence[int]) -> float:
        covered_now = np.zeros(len(w), dtype=bool)
        for j in chosen:
            covered_now[a.indices[a.indptr[j]:a.indptr[j + 1]]] = True
        return float(w[covered_now].sum())

    chosen: list[int] = []
    objective = -1.0
    if res.x is not None:
        xs = res.x[:nu]
        chosen = np.sort(model.useful[np.argsort(-xs, kind="stable")[:k]]).tolist()
        objective = covered_by(chosen)
    dual = getattr(res, "mip_dual_bound", None)
    upper = -float(dual) if dual is not None and np.isfinite(dual) else float("inf")
    incumbent = "milp"
    if status_code == 1:
        # stopped at the time limit: HiGHS's incumbent may be poor (or absent) on a large model, and
        # scipy's milp takes no starting solution; the greedy choice is the floor
        g_chosen, _ = greedy_max_cover(a, w, k)
        g_obj = covered_by(g_chosen)
        upper = min(upper, _greedy_online_bound(a, w, g_chosen, k))
        if g_obj > objective:
            chosen, objective, incumbent = sorted(int(j) for j in g_chosen), g_obj, "greedy"
    upper = max(upper, objective)
    status = _STATUS[status_code]
    gap = 0.0 if upper <= 0 else (upper - objective) / upper
    if status != "optimal":
        warnings.warn(f"exact siting stopped at the time limit ({time_limit_s} s) with a solution within "
                      f"{100 * gap:.2f} % of the optimum (the {'greedy' if incumbent == 'greedy' else 'solver'}'s "
                      f"choice); raise time_limit_s or aggregate demand with demand_cell_m to prove optimality",
                      EgovkitWarning, stacklevel=2)
    return CoverSolution(chosen, objective, upper, status, gap, incumbent)


def max_cover_bound(sets: Any, weights: np.ndarray, k: int, *, method: str = "lp",
                    time_limit_s: float | None = 60, iterations: int = 300, lower: float | None = None,
                    covered: np.ndarray | None = None) -> float:
    """Upper bound on the best coverage with ``k`` candidates, from the LP relaxation of the maximal
    covering model.

    Any choice of ``k`` candidates covers at most this weight, so ``100 * (bound - greedy) / bound``
    is the most greedy can be from the optimum, in %.

    Parameters
    ----------
    sets, weights, covered
        As in :func:`greedy_max_cover`.
    k
        Number of candidates.
    method
        ``"lp"``: solve the relaxation (``0 <= x_j <= 1``) with HiGHS; exact, but slow beyond about
        10^5 non-zeros. ``"lagrangian"``: relax the coverage constraints with multipliers and
        minimise the Lagrangian dual by subgradient steps (one pass over the matrix each); every
        step gives a valid bound, converging from above to the LP value. Scales like greedy.
    time_limit_s
        HiGHS time limit (``"lp"``).
    iterations, lower
        Subgradient steps and a known achievable coverage (e.g. greedy's; default: the greedy
        value is computed) for the step size (``"lagrangian"``).

    Raises
    ------
    InputError
        When HiGHS does not solve the relaxation (e.g. time limit).

    Examples
    --------
    >>> sets = [np.array([0, 1]), np.array([1, 2]), np.array([2, 0])]
    >>> max_cover_bound(sets, np.array([1.0, 1, 1]), 1)
    2.0
    >>> 2.0 <= max_cover_bound(sets, np.array([1.0, 1, 1]), 1, method="lagrangian") < 2.01
    True
    """
    if method not in ("lp", "lagrangian"):
        raise InputError(f"method must be 'lp' or 'lagrangian', not {method!r}")
    w = _weights(weights, None, covered)
    a = _as_csr(sets, len(w))
    k = max(0, min(int(k), a.shape[0]))
    if method == "lagrangian":
        if lower is None:
            lower = float(np.sum(greedy_max_cover(a, w, k)[1]))
        return _lagrangian_bound(a, w, k, float(lower), int(iterations))
    model = _mclp_model(a, w)
    if len(model.useful) <= k:
        return float(model.weight.sum())
    res = _solve(model, k, integral=False, time_limit_s=time_limit_s, mip_rel_gap=0.0)
    if res.x is None or int(res.status) != 0:
        raise _solve_failed("LP relaxation of the maximal covering model", res, model, time_limit_s)
    return round(-float(res.fun), 9)


def _lagrangian_bound(a: sparse.csr_array, w: np.ndarray, k: int, lower: float, iterations: int) -> float:
    """Best Lagrangian bound found by subgradient optimisation.

    Relaxing ``y_i <= sum_j a_ij x_j`` with multipliers ``0 <= lam_i <= w_i`` gives, for every
    ``lam``, ``OPT <= sum_i (w_i - lam_i) + (the k largest of sum_i a_ij lam_i)``; its minimum over
    ``lam`` is the LP bound. Polyak steps towards ``lower``, halved after 5 steps without progress.
    """
    total = float(w.sum())
    if k == 0 or total <= 0:
        return 0.0
    ip, ind = a.indptr, a.indices
    lam = w.copy()  # start: the sum of the k best single gains
    best, theta, stale = total, 2.0, 0
    for _ in range(max(1, iterations)):
        c = _row_sums(a, lam)
        top = np.argpartition(-c, k - 1)[:k] if k < len(c) else np.arange(len(c))
        value = float((w - lam).sum()) + float(c[top].sum())
        if value < best * (1 - 1e-9):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= 5:
                theta, stale = theta / 2, 0
        if best - lower <= 1e-9 * best or theta < 1e-3:
            break
        # subgradient of the dual in lam: (times i is covered by the chosen x) - y_i
        step = np.bincount(np.concatenate([ind[ip[j]:ip[j + 1]] for j in top]), minlength=len(w)).astype(float)
        step -= lam < w
        norm = float(np.square(step).sum())  # (not step @ step: BLAS threads cost more than the sum)
        if norm == 0:
            break
        lam -= (theta * max(value - lower, 0.0) / norm) * step
        np.clip(lam, 0.0, w, out=lam)
    return min(best, total)


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
    mip_rel_gap: float = 0.0,
    lp_bound: bool | None = None,
    bound_iterations: int | None = None,
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
    # demand already covered by the existing (fixed) sites is removed before solving
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
    a = coverage_sets(np.column_stack([dx, dy]), cand_xy, radius)
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
        exact_sets = coverage_sets(np.column_stack([ux, uy]), cand_xy[chosen], radius)
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
        from .population import _assign_points
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
    g.attrs["upper_bound"] = float(upper)
    g.attrs["upper_bound_lp"] = upper_lp
    g.attrs["gap_pct"] = float(gap_pct)
    g.attrs["status"] = status
    g.attrs["mip_gap_pct"] = mip_gap_pct
    return g
