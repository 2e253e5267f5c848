"""What the column labels of a table-tool download say: a total, an answer (``Sim``/``Não``), an
unknown, a device, a combination of devices (``Computer and internet``), an ``only`` part.

Examples
--------
>>> _is_total("Total"), _is_answer("Sim"), _and_sides("Computador e internet")
(True, True, ['Computador', 'internet'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..concepts import recognise
from .column_headers import normalise_header, recognise_indicator
from .crosstab_grid import _SEGMENT, _words
from .total_names import total_kind


# -- from blocks to a tidy table -----------------------------------------------------------------
@dataclass(eq=False)  # compared by identity: the values are arrays
class _Column:
    label: str          # as written (combined header, item of a row, or the sheet's variable)
    full: str           # with the dimension prefix a bare answer needs to be recognised
    values: np.ndarray  # one value per area
    sheet: str
    percent: bool = False


def _segments(label: str) -> list[str]:
    return [s for s in _SEGMENT.split(label) if s]


def _prefix(label: str) -> str:
    return " - ".join(_segments(label)[:-1])


def _tokens(label: str) -> set[str]:
    return set(normalise_header(label).split())


def _is_total(label: str) -> bool:
    last = (_segments(label) or [label])[-1]
    return total_kind(last) == "national" or \
        normalise_header(last) in {"total", "totais", "totaal", "gesamt", "insgesamt"}


def _is_unknown(label: str) -> bool:
    last = normalise_header((_segments(label) or [label])[-1])
    return last in _words()["unknown_answers"]


def _is_answer(label: str) -> bool:
    """Whether the last part of a header is a yes or no answer (``Domicílios - Sim``)."""
    from .universe import _NO, _YES

    last = normalise_header((_segments(label) or [label])[-1]).split()
    return len(last) == 1 and last[0] in _YES | _NO


def _is_negative(col: _Column) -> bool:
    return recognise(col.full).negated or recognise(col.label).negated


def _only_part(label: str) -> bool:
    last = (_segments(label) or [label])[-1]
    return bool(_tokens(last) & _words()["only_words"])


def _without_only(label: str) -> str:
    """``'Telefone - tinham - somente celular'`` -> ``'Telefone - tinham - celular'``."""
    segs = _segments(label) or [label]
    kept = [w for w in segs[-1].split() if normalise_header(w) not in _words()["only_words"]]
    return " - ".join([*segs[:-1], " ".join(kept)])


def _and_sides(label: str) -> list[str] | None:
    """The two sides of an ``A e B`` category (the prefix kept on the first), None when not one."""
    segs = _segments(label) or [label]
    words = normalise_header(segs[-1]).split()
    if set(words) & _words()["or_words"] or set(words) & _words()["only_words"]:
        return None
    raw = re.split(r"\s+(?:" + "|".join(map(re.escape, sorted(_words()["and_words"]))) + r")\s+", segs[-1],
                   maxsplit=1, flags=re.IGNORECASE)
    if len(raw) != 2:
        return None
    pre = " - ".join(segs[:-1])
    return [f"{pre} - {raw[0]}" if pre else raw[0], raw[1]]


def _device(text: str) -> str | None:
    return recognise_indicator(text).indicator
