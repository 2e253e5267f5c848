"""The outcome of a join: the joined boundaries, what did not match on each side, the report.

>>> import pandas as pd
>>> r = JoinResult(gpd.GeoDataFrame(), pd.DataFrame(), pd.DataFrame(), ValidationReport(), 0, "name", "a", "b")
>>> r.complete
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import pandas as pd

from ..errors import JoinError
from ..shared.messages import render
from ..validate import ValidationReport
from .candidates import LISTED_IN_LISTING, fmt_candidates

__all__ = ["JoinResult", "Sides"]

Sides = Literal["both", "table", "boundaries"]


@dataclass
class JoinResult:
    """The outcome of :func:`join_table`.

    Attributes
    ----------
    gdf
        The boundaries with the table's columns (one row per district; see ``how``).
    unmatched_table, unmatched_boundaries
        One row per item without a partner: ``row`` (1-based position in the table, the file
        line of the district's first row for a CensusTable / feature number), ``name`` (as
        written), ``key`` (normalised), ``candidates`` (up to 3
        ``(name, score)`` from the other side, best first; rapidfuzz ``WRatio`` 0-100 on the
        normalised keys), ``best``/``best_score`` (the closest candidate that is itself
        unmatched and scores at least :data:`MIN_SUGGEST_SCORE`, else None: the override to try).
    report
        One issue per unmatched item, naming it and suggesting an override.
    matched
        Number of districts matched.
    by
        ``"code"`` or ``"name"``.
    table_on, boundary_on
        The columns joined.
    """

    gdf: gpd.GeoDataFrame
    unmatched_table: pd.DataFrame
    unmatched_boundaries: pd.DataFrame
    report: ValidationReport
    matched: int
    by: str
    table_on: str
    boundary_on: str
    overrides_used: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every table row and every boundary found its partner."""
        return self.unmatched_table.empty and self.unmatched_boundaries.empty

    def listing(self, sides: Sides = "both", lang: str | None = None) -> str:
        """Human-readable list of what did not match, with candidates and an overrides hint (in ``lang``)."""
        lines = [render("join.listing_head", {"by": self.by, "table_on": self.table_on,
                                              "boundary_on": self.boundary_on, "matched": self.matched}, lang=lang)]
        for side, frame, head in (("table", self.unmatched_table, "join.listing_table"),
                                  ("boundaries", self.unmatched_boundaries, "join.listing_boundaries")):
            if sides not in ("both", side) or frame.empty:
                continue
            lines.append(render(head, {"n": len(frame)}, lang=lang))
            lines += ["  " + render("join.listing_item", {"name": repr(r.name),
                                                          "candidates": fmt_candidates(r.candidates, lang)}, lang=lang)
                      for r in frame.iloc[:LISTED_IN_LISTING].itertuples()]
            if len(frame) > LISTED_IN_LISTING:
                lines.append("  " + render("join.listing_more", {"n": len(frame) - LISTED_IN_LISTING}, lang=lang))
        hint = {r.name: r.best for r in self.unmatched_table.itertuples() if r.best is not None}
        if hint and sides in ("both", "table"):
            shown = dict(list(hint.items())[:5])
            lines.append(render("where.fix", {"fix": render("join.listing_fix", {"overrides": repr(shown)}, lang=lang)},
                                lang=lang))
        return "\n".join(lines)

    def raise_if_unmatched(self, sides: Sides = "both") -> "JoinResult":
        """Raise :class:`~egovkit.errors.JoinError` with :meth:`listing` if anything is unmatched."""
        bad = ((sides in ("both", "table") and not self.unmatched_table.empty)
               or (sides in ("both", "boundaries") and not self.unmatched_boundaries.empty))
        if bad:
            raise JoinError(code="join.unmatched", params={"listing": self.listing(sides)})
        return self

    def __repr__(self) -> str:
        return (f"JoinResult(by={self.by!r}, {self.table_on!r} <-> {self.boundary_on!r}: {self.matched} matched, "
                f"{len(self.unmatched_table)} table row(s) and {len(self.unmatched_boundaries)} "
                f"boundary(ies) unmatched)")
