"""The maximal covering location problem (MCLP) on coverage sets: greedy with lazy re-evaluation
(:func:`greedy_max_cover`), the exact mixed-integer program solved by HiGHS (:func:`exact_max_cover`)
and upper bounds on the optimum (:func:`max_cover_bound`; the greedy online bound).

Examples
--------
>>> sets = [np.array([0, 1]), np.array([1, 2]), np.array([3])]
>>> greedy_max_cover(sets, np.array([1.0, 5, 1, 2]), 2), exact_max_cover(sets, np.array([1.0, 5, 1, 2]), 2).objective
(([0, 2], [6.0, 2.0]), 8.0)
"""

from __future__ import annotations

import heapq
import warnings
from typing import Any, NamedTuple, Sequence

import numpy as np
from scipy import sparse

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from .siting_sets import _as_csr, _row_sums, _set_sum, _weights

__all__ = ["CoverSolution", "greedy_max_cover", "exact_max_cover", "max_cover_bound"]

# HiGHS's presolve does not look at the time limit: on a 140,737 x 99,629 MCLP (1.7 M non-zeros,
# benchmarks/siting.py part 3) it ran 869 s past a 30 s limit, while without presolve the limit holds
# (32.8 s); on the 11,691 x 2,000 model of part 2 both take 11.5 s. Presolve is skipped above this.
_PRESOLVE_MAX_NNZ = 200_000


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


def _solve_failed(lp: bool, res: Any, model: _Model, time_limit_s: float | None) -> InputError:
    """The error of a HiGHS solve without a solution (the LP relaxation when ``lp``, else the exact model)."""
    status = _STATUS.get(int(res.status), str(res.status))
    said = {"candidates": model.groups.shape[1], "groups": model.groups.shape[0], "status": status,
            "detail": str(res.message), "time_limit_s": str(time_limit_s), "fix_code": "siting.no_solution"}
    return InputError(code="siting.lp_relaxation_failed" if lp else "siting.exact_model_failed", params=said)


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
        raise _solve_failed(False, res, model, time_limit_s)

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
        said = {"time_limit_s": str(time_limit_s), "gap": 100 * gap}
        warnings.warn(render("siting.time_limit_greedy" if incumbent == "greedy" else "siting.time_limit_solver",
                             said), EgovkitWarning, stacklevel=2)
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
        raise InputError(code="siting.bad_bound_method", params={"method": method})
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
        raise _solve_failed(True, res, model, time_limit_s)
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
