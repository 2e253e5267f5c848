"""The classes of a choropleth: values put into classes (mapclassify), one colour per class.

Examples
--------
>>> c = classify([0.1, 0.2, 0.3, 0.4, None], scheme="equal_interval", k=3)
>>> c.k, c.counts, c.color_of(-1) == NO_DATA_COLOR
(3, [2, 1, 1], True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["PALETTES", "NO_DATA_COLOR", "SCHEMES", "Classes", "classify"]

#: Colour-blind-safe sequential palettes (ColorBrewer and matplotlib perceptual maps).
PALETTES = ("YlGnBu", "viridis", "cividis", "Blues", "PuBu", "YlOrRd", "Greens", "magma")
#: Fill of the "No data" class.
NO_DATA_COLOR = "#d9d9d9"
#: The classifications :func:`classify` knows.
SCHEMES = ("quantiles", "fisher_jenks", "equal_interval", "user_defined")


# --------------------------------------------------------------------------- classes
@dataclass
class Classes:
    """The classes of a choropleth.

    Attributes
    ----------
    bins
        Upper bound of each class (in the units of the values).
    lower
        Lower bound of each class (the first is the minimum value).
    index
        Class of each value (0 .. k-1), ``-1`` for a missing value ("No data").
    colors
        One hex colour per class.
    scheme
        The classification used.
    """

    bins: np.ndarray
    lower: np.ndarray
    index: np.ndarray
    colors: list[str]
    scheme: str
    counts: list[int] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.bins)

    @property
    def n_missing(self) -> int:
        return int((self.index < 0).sum())

    def color_of(self, i: int) -> str:
        return NO_DATA_COLOR if i < 0 else self.colors[i]

    def labels(self, fmt: Any = str) -> list[str]:
        """``"lower – upper"`` for every class, values written with ``fmt``."""
        return [f"{fmt(lo)} – {fmt(hi)}" for lo, hi in zip(self.lower, self.bins)]


def _palette(name: str, k: int) -> list[str]:
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    try:
        cmap = mpl.colormaps[name]
    except KeyError:
        raise InputError(code="maps.unknown_palette", params={"palette": name, "palettes": list(PALETTES)},
                         column="palette") from None
    if k == 1:
        return [to_hex(cmap(0.6))]
    lo, hi = (0.12, 0.95) if name not in ("viridis", "cividis", "magma") else (0.0, 0.92)
    return [to_hex(cmap(lo + (hi - lo) * i / (k - 1))) for i in range(k)]


def classify(
    values: Sequence[float] | pd.Series,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    palette: str = "YlGnBu",
) -> Classes:
    """Put values into classes with mapclassify; missing values get class ``-1``.

    Parameters
    ----------
    values
        The values to map (NaN = no data).
    scheme
        ``"quantiles"``, ``"fisher_jenks"``, ``"equal_interval"`` or ``"user_defined"``
        (then ``breaks`` gives the upper bounds; the maximum is added if above them).
    k
        Number of classes (reduced when there are fewer distinct values).
    palette
        A sequential, colour-blind-safe palette, see :data:`PALETTES`.

    Examples
    --------
    >>> c = classify([0.1, 0.2, 0.3, 0.4, None], scheme="equal_interval", k=3)
    >>> c.index.tolist(), c.n_missing
    ([0, 0, 1, 2, -1], 1)
    """
    import mapclassify

    v = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(v)
    if breaks is not None:
        scheme = "user_defined"
    if scheme not in SCHEMES:
        raise InputError(code="maps.unknown_scheme", params={"scheme": scheme, "schemes": list(SCHEMES)},
                         column="scheme")
    index = np.full(len(v), -1, dtype=int)
    if not ok.any():
        return Classes(np.array([]), np.array([]), index, [], scheme, [])
    x = v[ok]
    n_unique = len(np.unique(x))
    k = max(1, min(int(k), n_unique))
    if scheme == "user_defined":
        if breaks is None or len(breaks) == 0:
            raise InputError(code="maps.no_breaks", column="breaks")
        b = sorted(float(b) for b in breaks)
        if x.max() > b[-1]:
            b.append(float(x.max()))
        c = mapclassify.UserDefined(x, bins=b)
    elif n_unique == 1:
        c = mapclassify.UserDefined(x, bins=[float(x.max())])
    elif scheme == "quantiles":
        c = mapclassify.Quantiles(x, k=k)
    elif scheme == "fisher_jenks":
        c = mapclassify.FisherJenks(x, k=k)
    else:
        c = mapclassify.EqualInterval(x, k=k)
    bins = np.asarray(c.bins, dtype=float)
    index[ok] = np.asarray(c.yb, dtype=int)
    lower = np.concatenate([[x.min()], bins[:-1]])
    counts = [int((index == i).sum()) for i in range(len(bins))]
    return Classes(bins, lower, index, _palette(palette, len(bins)), scheme, counts)
