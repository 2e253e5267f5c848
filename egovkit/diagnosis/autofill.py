"""Answers of the equipment and connectivity questions filled from computed figures (the shares of
the census table, a Gini, the Wi-Fi coverage), with the cut points of the questionnaire.

Examples
--------
>>> a = autofill_equipment({"computer": 0.088, "internet": 0.179, "mobile_phone": 0.473})
>>> dict(zip(a["question_id"], a["answer"]))
{'EQ1': 'very_low', 'EQ4': 'very_low', 'EQ5': 'very_low'}
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from .questionnaire import ANSWER_COLUMNS, COMPUTED_EVIDENCE, Questionnaire, _iso_date, load_questionnaire


def autofill_equipment(
    figures: Mapping[str, float] | pd.Series | pd.DataFrame | None = None,
    *,
    gini: float | None = None,
    wifi_coverage: float | None = None,
    questionnaire: Questionnaire | None = None,
    date: str | None = None,
) -> pd.DataFrame:
    """Turn computed figures into answers of the equipment and connectivity questions.

    Each question with an ``auto`` block in the questionnaire names the figure(s) it uses and
    the cut points between its answers (data, see ``docs/diagnosis.md``). For "higher is
    better" figures a value equal to a cut point goes to the upper answer; for "lower is
    better" ones (the Gini) to the better answer too (a Gini of exactly 0.20 is ``medium``, as
    0.15 is). In both directions a value on a cut point gets the better of the two answers.
    Questions whose figure is not given are left out. Each answer carries the evidence
    ``"computed by egovkit"`` and the value in ``comment``.

    Parameters
    ----------
    figures
        Shares 0-1 of the whole territory by indicator name (``computer``, ``internet``,
        ``mobile_phone``, ``smartphone``, ``tablet``, ...; ``*_hh`` household variants also
        accepted), as a mapping, a Series, a DataFrame with columns ``indicator`` and ``share``,
        or the long indicator table (``indicator``, ``numerator``, ``denominator`` per
        district), whose districts are summed.
    gini
        Inequality of a device/internet share over the districts (0-1), e.g. the
        household-weighted Gini of district internet shares.
    wifi_coverage
        Share (0-1) of the population within reach of a public Wi-Fi hotspot.
    questionnaire
        Default: the shipped questionnaire.
    date
        Evidence date (``YYYY-MM-DD``), e.g. the census date.

    Returns
    -------
    DataFrame
        ``ANSWER_COLUMNS``, one row per question that could be filled.

    Examples
    --------
    >>> a = autofill_equipment({"computer": 0.088, "internet": 0.179, "mobile_phone": 0.473})
    >>> dict(zip(a["question_id"], a["answer"]))
    {'EQ1': 'very_low', 'EQ4': 'very_low', 'EQ5': 'very_low'}
    """
    q = questionnaire or load_questionnaire()
    values: dict[str, float] = {}
    if isinstance(figures, pd.DataFrame):
        cols = set(figures.columns)
        if {"indicator", "numerator", "denominator"} <= cols:
            # the long indicator table (one row per district and indicator): territory share
            # = sum of numerators / sum of denominators over the districts with both
            num = pd.to_numeric(figures["numerator"], errors="coerce")
            den = pd.to_numeric(figures["denominator"], errors="coerce")
            ok = num.notna() & den.notna()
            sums = pd.DataFrame({"indicator": figures["indicator"], "n": num, "d": den})[ok]
            sums = sums.groupby("indicator", sort=False)[["n", "d"]].sum()
            values.update({str(k): float(r.n / r.d) for k, r in sums.iterrows() if r.d > 0})
        elif {"indicator", "share"} <= cols:
            dup = figures["indicator"][figures["indicator"].duplicated()]
            if len(dup):
                raise InputError(code="diagnosis.several_shares", params={"indicator": dup.iloc[0]},
                                 column="indicator")
            values.update({str(k): v for k, v in zip(figures["indicator"], figures["share"])})
        else:
            raise InputError(code="diagnosis.figures_columns", column=", ".join(map(str, cols)))
    elif figures is not None:
        values.update({str(k): v for k, v in dict(figures).items()})
    if gini is not None:
        values["gini"] = gini
    if wifi_coverage is not None:
        values["wifi_coverage"] = wifi_coverage
    for k, v in list(values.items()):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            del values[k]
            continue
        v = float(v)
        if not 0 <= v <= 1:
            raise InputError(code="diagnosis.figure_not_share", params={"name": k, "value": v}, column=k)
        values[k] = v
    date = _iso_date(date, "date") if date else ""
    rows = []
    for _, qu in q.questions.iterrows():
        auto = qu["auto"]
        if not auto:
            continue
        name = next((f for f in auto["figure"] if f in values), None)
        if name is None:
            continue
        value = values[name]
        answers = q.scales[qu["scale"]][0]
        cuts = [float(c) for c in auto["cuts"]]
        if len(cuts) != len(answers) - 1:
            raise InputError(code="diagnosis.cut_points", file=q.source,
                             params={"question": qu["question_id"], "n": len(cuts), "answers": len(answers)})
        lower = auto.get("direction", "higher") == "lower"
        if lower:
            idx = len(answers) - 1 - int(np.searchsorted(cuts, value, side="left"))
        else:
            idx = int(np.searchsorted(cuts, value, side="right"))
        cut_txt = "/".join(f"{c:g}" for c in cuts)
        rows.append({"question_id": qu["question_id"], "answer": answers[idx], "evidence_url": "",
                     "evidence_document": COMPUTED_EVIDENCE, "evidence_date": date, "assessor": "egovkit",
                     "comment": render("diagnosis.auto_comment_lower" if lower else "diagnosis.auto_comment_higher",
                                       {"name": name, "value": f"{value:.3f}", "cuts": cut_txt})})
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)
