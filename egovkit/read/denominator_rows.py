"""Long tables giving the denominator as rows (``A,households,1000``): one denominator column per
such row label, each row holding the value of its area's denominator row.

Examples
--------
>>> import pandas as pd
>>> from egovkit.validate import ValidationReport
>>> from egovkit.read.context import _Context
>>> raw = pd.DataFrame({"area": ["A", "A"], "indicator": ["households", "internet"], "value": ["10", "4"]})
>>> ctx = _Context(raw=raw, report=ValidationReport(), name="t.csv", lines=[2, 3])
>>> _denominator_rows(ctx, area="area", code=None, parent=None, ind_col="indicator", val_col="value")
[('households', 'households')]
>>> raw["households"].tolist()
['10', '10']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .area_keys import area_keys
from .column_headers import column_role
from .context import _Context
from .numbers import _lines_text, _text


def _denominator_rows(ctx: _Context, *, area: str, code: str | None, parent: str | None, ind_col: str,
                      val_col: str) -> list[tuple[str, str | None]]:
    """Long tables giving the denominator as rows (``A,households,1000``): one denominator column
    per such label, each row holding the value of its area's denominator row (same code, else
    same parent and name). Returns the new columns with their universes."""
    raw, report = ctx.raw, ctx.report
    labels = _text(raw[ind_col]).str.strip()
    role_of = {lab: column_role(lab) for lab in pd.unique(labels)}
    den_labels = [lab for lab, r in role_of.items() if r is not None and r[0] == "denominator"]
    if not den_labels:
        return []
    key = area_keys(raw[area])
    if parent is not None:
        key = area_keys(raw[parent]) + "\x1f" + key
    if code is not None:
        codes = _text(raw[code]).str.strip()
        key = codes.where(codes != "", key)
    values = _text(raw[val_col]).str.strip()
    lines = np.asarray(ctx.lines)
    out = []
    for lab in den_labels:
        is_den = (labels == lab).to_numpy()
        den_idx = np.flatnonzero(is_den)
        k, v = key[is_den].to_numpy(dtype=object), values[is_den].to_numpy(dtype=object)
        first = ~pd.Series(k).duplicated().to_numpy()
        lut = dict(zip(k[first], v[first]))
        # each later row against its key's first row, all at once (no pass over all rows per key)
        first_line_of = dict(zip(k[first], lines[den_idx[first]]))
        later = np.flatnonzero(~first)
        differs = later[v[later] != pd.Series(k[later]).map(lut).to_numpy(dtype=object)]
        for i in differs:
            j = int(den_idx[i])
            report.add("warning", "duplicate_denominator", params={
                "label": lab, "value": v[i], "first_row": int(first_line_of[k[i]]), "first_value": lut[k[i]]},
                row=int(lines[j]), column=val_col, area=str(raw[area].iat[j]), action="ignored")
        col = lab if lab not in raw.columns else f"{lab} (rows)"
        raw[col] = key.map(lut).fillna("").astype(str)
        ctx.den_rows |= is_den
        where = lines[is_den]
        out.append((col, role_of[lab][1]))
        report.add("info", "denominator_rows", params={
            "n": int(is_den.sum()), "label": lab, "column": ind_col, "rows": _lines_text(where), "new": col},
            row=int(where[0]), column=ind_col, action="used")
    return out
