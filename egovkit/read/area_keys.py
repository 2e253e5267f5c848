"""Area names as keys of one table (rows of the same area compared by name).

Examples
--------
>>> import pandas as pd
>>> area_keys(pd.Series(["Murang'a", "NAIROBI  City", "Ségou"])).tolist()
['murang a', 'nairobi city', 'segou']
"""

from __future__ import annotations

import re

import pandas as pd

from .column_headers import normalise_header
from .numbers import _text


def area_keys(s: pd.Series) -> pd.Series:
    """Area names as keys: lower case, no accents, punctuation as single spaces.

    Not :func:`egovkit.shared.names.normalise_name`, which would make more names equal than the
    reader may: it drops apostrophes, writes ``St`` as ``saint`` and removes words such as
    ``City`` or ``District`` at the ends (``Nairobi City`` and ``Nairobi`` would be one key):
    changing it would change which rows of a table are taken for the same area, and so the
    figures. These keys only compare the rows of one table with each other; joining to
    boundaries uses the shared normaliser.

    Computed once per distinct name (long tables repeat names); vectorised for ASCII names,
    :func:`~egovkit.read.column_headers.normalise_header` (without its ``%``/digit splitting,
    which is for column headers) for the others."""
    codes, uniques = pd.factorize(_text(s))
    txt = pd.Series(uniques, dtype=str)
    out = txt.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    ascii_ = txt.str.isascii().to_numpy()
    if not ascii_.all():
        rest = txt[~ascii_]
        lut = {u: re.sub(r"[^a-z0-9]+", " ", normalise_header(u.replace("%", " "))).strip() for u in rest}
        out = out.where(ascii_, rest.map(lut))
    return pd.Series(out.to_numpy(dtype=object)[codes], index=s.index, dtype=str)


#: The former name of :func:`area_keys` (imported by other modules of the reader).
_norm_series = area_keys
