"""Order-independent per-group sums of float64 weights (binned exact summation).

Summing the same weights in another order (tile by tile, on several machines, or in one
``np.bincount``) normally changes the last bits of a float sum. Here every weight is split into
at most :data:`N_BINS` pieces on a fixed ladder of exponents (the "binned" summation of Demmel
and Nguyen, ReproBLAS): piece ``k`` is a multiple of ``2**(E_k - 20)`` and smaller than
``2**E_k``, so up to ``2**33`` (8.6e9) pieces add up *exactly* in float64, in any order. Partial
sums (``(N_BINS, n_groups)`` arrays) therefore merge by plain addition without rounding, and
:func:`collapse` turns them into one float per group, the correctly rounded exact sum: the
result depends only on the multiset of weights per group, never on the order or the tiling.

What is lost: the part of each weight below ``2**-80`` (about 1e-24 persons), the same whatever
the order. Weights must be below :data:`MAX_WEIGHT` (1.1e12 per point).

Examples
--------
>>> w = np.array([0.1, 0.2, 0.3, 1e-3])
>>> g = np.array([0, 0, 0, 1])
>>> a = collapse(exact_bincount(g, w, 2))
>>> b = collapse(exact_bincount(g[::-1], w[::-1], 2))
>>> bool((a == b).all()), a.tolist()
(True, [0.6, 0.001])
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InputError

__all__ = ["N_BINS", "MAX_WEIGHT", "exact_bincount", "collapse"]

_W = 20  # bits of headroom: 2**(53 - 20) pieces can be added exactly in one bin
_E = (40, 20, 0, -20, -40, -60)  # bin k holds multiples of 2**(E_k - 20), each below 2**E_k
_C = tuple(1.5 * 2.0 ** (e - _W + 52) for e in _E)  # (r + C) - C rounds r to a multiple of 2**(E_k - 20)
N_BINS = len(_E)
#: largest weight of one point (2**40 persons)
MAX_WEIGHT = 2.0 ** _E[0]


def exact_bincount(groups: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Exact partial sums of ``weights`` per group ``0..n-1``: an ``(N_BINS, n)`` array.

    Partial sums of different chunks add up exactly (``a + b``, up to 8.6e9 weights in all);
    :func:`collapse` gives the float sums.

    Examples
    --------
    >>> collapse(exact_bincount(np.array([1, 1]), np.array([0.5, 0.25]), 3)).tolist()
    [0.0, 0.75, 0.0]
    """
    out = np.zeros((N_BINS, n))
    if len(weights) == 0:
        return out
    r = np.array(weights, dtype=np.float64, copy=True)
    m = float(np.abs(r).max())
    if not m < MAX_WEIGHT:  # also nan
        raise InputError(code="tiled.weight_not_a_count", params={"weight": m, "limit": MAX_WEIGHT})
    q = np.empty_like(r)
    for k, c in enumerate(_C):
        if m < 2.0 ** (_E[k] - _W - 1):  # every weight below half a unit of this bin: its pieces are 0
            continue
        np.add(r, c, out=q)
        q -= c
        r -= q  # exact: the remainder is below half a unit of bin k
        out[k] = np.bincount(groups, weights=q, minlength=n)
        if k + 1 < N_BINS and not r.any():
            break
    return out


def collapse(partials: np.ndarray) -> np.ndarray:
    """Float sums from exact partial sums (``(N_BINS, ...)``): each the correctly rounded value of
    the exact sum of its partials (``math.fsum``), so equal partials give bit-identical sums.

    Examples
    --------
    >>> collapse(np.zeros((N_BINS, 2))).tolist()
    [0.0, 0.0]
    """
    p = np.asarray(partials, dtype=np.float64)
    flat = p.reshape(len(p), -1)
    out = np.fromiter((math.fsum(col) for col in flat.T.tolist()), dtype=np.float64, count=flat.shape[1])
    return out.reshape(p.shape[1:])
