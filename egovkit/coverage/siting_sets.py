"""Coverage sets of the siting problem: which demand points each candidate site covers, as one
sparse boolean candidate x demand matrix (:func:`coverage_sets`), and the weight sums over its rows
the solvers of :mod:`~egovkit.coverage.siting_solvers` are built on.

Examples
--------
>>> a = coverage_sets(np.array([[0.0, 0], [3, 4], [9, 0]]), np.array([[0.0, 0], [9, 1]]), 5)
>>> _row_sums(a, np.array([1.0, 2.0, 4.0])).tolist()
[3.0, 4.0]
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy import sparse

from ..errors import InputError
from ..shared.renamed import renamed

__all__ = ["coverage_sets"]

_PAIRS_PER_CHUNK = 2_000_000  # candidate-demand pairs tested at once when building coverage sets
_NNZ_PER_CHUNK = 4_000_000    # non-zeros summed at once when computing every candidate's gain
_ZERO = np.zeros(1, dtype=np.intp)


@renamed(radius="radius_m")
def coverage_sets(demand_xy: np.ndarray, cand_xy: np.ndarray, radius_m: float) -> sparse.csr_array:
    """Which demand points each candidate covers: a boolean ``(n_candidates, n_demand)`` CSR matrix
    whose row ``j`` holds the demand points within ``radius_m`` of candidate ``j`` (inclusive).

    Demand points are bucketed into square cells of side ``radius_m`` (one sort); each candidate tests
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
    r = float(radius_m)
    idx_dtype = np.int32 if nd < 2**31 - 1 else np.int64
    if nd == 0 or nc == 0 or not r >= 0:
        return sparse.csr_array((nc, nd), dtype=bool)
    for candidates, xy in ((False, demand_xy), (True, cand_xy)):
        bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
        if len(bad):
            said = {"n": len(bad), "positions": str(bad[:10].tolist()),
                    "fix_code": "siting.candidates_without_geometry"}
            raise InputError(code="siting.candidates_without_coordinates" if candidates
                             else "siting.demand_without_coordinates", params=said)
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
            raise InputError(code="siting.matrix_weights_mismatch", params={"columns": a.shape[1], "n": n_demand})
        return a
    arrs = [np.asarray(s, dtype=np.int64).ravel() for s in sets]
    lens = np.fromiter((len(s) for s in arrs), dtype=np.int64, count=len(arrs))
    indptr = np.zeros(len(arrs) + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    ind = np.concatenate(arrs) if arrs else np.zeros(0, dtype=np.int64)
    if len(ind) and (ind.min() < 0 or ind.max() >= n_demand):
        raise InputError(code="siting.sets_out_of_range", params={"point": int(ind.max()), "n": n_demand,
                                                                  "fix_code": "siting.matrix_weights_mismatch"})
    return sparse.csr_array((np.ones(len(ind), dtype=bool), ind, indptr), shape=(len(arrs), n_demand))


def _weights(weights: Any, n: int | None = None, covered: np.ndarray | None = None) -> np.ndarray:
    w = np.asarray(weights, dtype=float).ravel()
    if n is not None and len(w) != n:
        raise InputError(code="siting.weights_count", params={"weights": len(w), "n": n,
                                                              "fix_code": "siting.matrix_weights_mismatch"})
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError(code="siting.bad_weights", params={})
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
