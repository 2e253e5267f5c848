"""The roles a publisher codebook gives a table of coded headers (INEGI ``VPH_INTER``, ABS
``IA_Total``, CSO ``T15_2_Y``...): only what the user did not give, said in a ``codebook`` note.

Examples
--------
>>> import pandas as pd
>>> from egovkit.validate import ValidationReport
>>> from egovkit.read.context import _Context
>>> ctx = _Context(raw=pd.DataFrame({"District": ["A"], "Internet": ["3"]}), report=ValidationReport(),
...                name="t.csv", lines=[2])
>>> _codebook_roles(ctx, area=None, code=None, parent=None, denominator=None, universe=None, columns={},
...                 layout=None) is None
True
"""

from __future__ import annotations

import pandas as pd

from ..shared.messages import render
from .context import _Context
from .numbers import _text


def _codebook_roles(ctx: _Context, *, area, code, parent, denominator, universe, columns, layout) -> dict | None:
    """The arguments a publisher codebook gives a table of coded headers (the user's win), reported;
    ``None`` when no codebook matches (see :mod:`egovkit.read.codebooks`)."""
    if layout == "long":
        return None
    from .codebooks import match_codebook
    from .total_names import total_kind

    raw = ctx.raw

    def names_of(col: str) -> list[str]:
        vals = pd.unique(_text(raw[col]).str.strip())
        return [v for v in vals if v and total_kind(v) is None]

    m = match_codebook(list(raw.columns), names_of=names_of)
    if m is None:
        return None
    cb, given = m.codebook, []
    out: dict = {"match": m, "area": area, "code": code, "parent": parent, "denominator": denominator,
                 "universe": universe, "den_map": dict(denominator) if isinstance(denominator, dict) else {}}
    if area is None:
        out["area"] = m.area
        if code is None and m.code not in (None, m.area):
            out["code"] = m.code
        if parent is None and m.parent not in (None, m.area):
            out["parent"] = m.parent
    else:
        given.append("area=")
    cols = dict(columns)
    mine = {h: i for h, i in m.columns.items() if h not in cols and i not in cols.values()}
    if len(mine) < len(m.columns):
        given.append("columns=")
    cols = {**mine, **cols}
    out["columns"] = cols
    if denominator is None:
        read = {i: d for i, d in m.den_map.items() if i in mine.values()}
        dens = set(read.values())
        if len(dens) == 1:
            out["denominator"] = next(iter(dens))
        elif dens:
            out["denominator"] = read
            out["den_map"] = dict(read)
        unis = {m.denominators[d] for d in dens}
        if universe is None and len(unis) == 1:
            out["universe"] = next(iter(unis))
    else:
        given.append("denominator=")
    out["supplied_columns"] = list(mine)
    out["supplied_denominators"] = [] if denominator is not None else list(set(m.den_map[i] for i in mine.values()))
    out["other"] = [h for h in m.codes if h not in cols and h not in m.denominators
                    and h not in (out["area"], out["code"], out["parent"])]
    ctx.report.add("info", "codebook", params={
        "described": m.describe(), "file": cb.source_file,
        "given": render("read.codebook_given", {"given": ", ".join(given)}) if given else ""}, action="inferred")
    return out

