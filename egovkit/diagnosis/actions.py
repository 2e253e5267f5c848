"""A prioritised action plan from the weakest dimensions and the computed gaps.

Rules are data (``data/action_rules.yaml``, documented in ``docs/diagnosis.md``): each names a
trigger (a dimension, question, LOSI criterion or overall score below a threshold, the share of
questions answered below a threshold, or a computed gap above a threshold), an area among the
five (leadership and organisation, user focus, data and technology, exchange of knowledge and
information, communication), a weight and the stakeholder types who could carry it.

``severity`` = (threshold - value) / threshold for "below" triggers and
(value - threshold) / (max - threshold) for "above" ones, clipped to 0-1;
``priority`` = weight x severity.

Examples
--------
>>> from egovkit.diagnosis.questionnaire import make_assessment
>>> from egovkit.diagnosis.scoring import score_assessment
>>> a = make_assessment({"PR2": "information"}, territory="X", date="2024-01-01")
>>> r = score_assessment(a, min_share_answered=0)   # one answer: normally a provisional band
>>> plan = action_plan(r)
>>> plan["action_id"].head(2).tolist()     # L0: complete the assessment (1 of 36 answered)
['L0', 'U2']
>>> round(float(plan.loc[1, "priority"]), 3)   # U2: 0.9 * (0.8-0.2)/0.8
0.675
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import yaml

from ..errors import InputError
from ..shared.formatting import LocalNumber
from ..shared.renamed import renamed
from .questionnaire import to_number
from .scoring import AssessmentResult
from .stakeholders import LEVELS, StakeholderRegister, stakeholder_labels

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_RULES = DATA_DIR / "action_rules.yaml"
#: The five areas of an action plan, in display order.
AREAS = ["leadership", "user_focus", "data_technology", "knowledge_exchange", "communication"]
PLAN_COLUMNS = ["rank", "area", "area_label", "action_id", "action", "finding", "trigger", "value", "threshold",
                "severity", "priority", "carrier_types", "stakeholders", "carrier_labels"]
_KINDS = ("dimension", "question", "losi", "overall", "answered", "gap")


def load_action_rules(path: str | Path | None = None) -> dict:
    """Read and check an action-rules YAML (default: the shipped one).

    >>> rules = load_action_rules()
    >>> sorted({r["area"] for r in rules["rules"]}) == sorted(AREAS)
    True
    """
    path = Path(path) if path is not None else DEFAULT_RULES
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    ids = set()
    for i, r in enumerate(spec["rules"]):
        rule = r.get("id", i + 1)
        if r.get("id") in ids:
            raise InputError(code="diagnosis.rule_id_twice", params={"rule": rule}, file=str(path))
        ids.add(r.get("id"))
        if r.get("area") not in spec["areas"]:
            raise InputError(code="diagnosis.rule_area", params={"rule": rule, "area": r.get("area"),
                                                                 "areas": list(spec["areas"])}, file=str(path))
        when = r.get("when", {})
        kinds = [k for k in _KINDS if k in when]
        if len(kinds) != 1 or (("below" in when) == ("above" in when)):
            raise InputError(code="diagnosis.rule_when", file=str(path),
                             params={"rule": rule, "kinds": _KINDS, "example": "{dimension: people, below: 0.5}"})
        for k in ("en", "fr"):
            if not r.get(k):
                raise InputError(code="diagnosis.rule_text", params={"rule": rule, "lang": k}, file=str(path))
    return spec


@renamed(gaps="computed_figures")
def action_plan(
    result: AssessmentResult,
    *,
    computed_figures: Mapping[str, float] | None = None,
    register: StakeholderRegister | None = None,
    rules: str | Path | dict | None = None,
    lang: str = "en",
    max_actions: int | None = None,
) -> pd.DataFrame:
    """Prioritised actions triggered by an assessment's scores and the computed gaps.

    Parameters
    ----------
    result
        A scored assessment (:func:`~egovkit.diagnosis.scoring.score_assessment`).
    computed_figures
        Figures computed from the data that rules may use (the ``gap`` triggers), e.g.
        ``{"wifi_uncovered_share": 0.62, "lagging_districts": 4, "gini": 0.31}``; rules on absent
        figures are not evaluated. Was ``gaps=`` (deprecated alias, one release).
    register
        A stakeholder register: the names of its stakeholders of the carrier types (most
        influential first) fill ``stakeholders``.
    rules
        Path of an edited rules YAML, or the loaded dict (default: the shipped rules).
    lang
        ``en`` or ``fr`` for the action, finding and area texts.
    max_actions
        Keep only the first actions.

    Returns
    -------
    DataFrame
        ``PLAN_COLUMNS``, one row per triggered rule, ranked by priority (ties: area order,
        then rule id).
    """
    spec = rules if isinstance(rules, dict) else load_action_rules(rules)
    lang = "fr" if lang == "fr" else "en"
    q = result.assessment.questionnaire
    figures = dict(computed_figures or {})
    dims = result.dimensions.set_index("dimension")
    losi = result.losi.set_index("criterion")
    qs = result.questions.set_index("question_id")
    type_label = stakeholder_labels(lang, register.types if register is not None and register.types else None)
    rows = []
    for r in spec["rules"]:
        w = r["when"]
        kind = next(k for k in _KINDS if k in w)
        below = "below" in w
        t = to_number(w["below"] if below else w["above"])
        fmt: dict[str, Any] = {"threshold": LocalNumber(t, lang)}
        key = w[kind]
        if kind == "dimension":
            value = dims["score"].get(key, math.nan)
            fmt["label"] = q.label("dimension", key, lang)
        elif kind == "question":
            value = qs["score"].get(key, math.nan)
            fmt.update(id=key, label=q.label("question", key, lang),
                       answer=q.answer_label(key, qs["answer"].get(key, ""), lang))
        elif kind == "losi":
            value = losi["score"].get(key, math.nan)
            fmt["label"] = q.label("losi", key, lang)
        elif kind == "overall":
            value, key = result.overall, "overall"
        elif kind == "answered":
            value, key = result.share_answered, "answered"
        else:
            value = figures.get(key, math.nan)
            fmt["label"] = spec.get("gaps", {}).get(key, {}).get(lang, key)
        value = float(value) if value is not None and value == value else math.nan
        if math.isnan(value) or not (value < t if below else value > t):
            continue
        if below:
            sev = (t - value) / t if t > 0 else 1.0
        else:
            top = to_number(w.get("max", 1.0))
            sev = (value - t) / (top - t) if top > t else 1.0
        sev = min(max(sev, 0.0), 1.0)
        fmt["value"] = LocalNumber(value, lang)
        carriers = list(r.get("carriers", []))
        rows.append({"area": r["area"], "area_label": spec["areas"][r["area"]][lang], "action_id": r["id"],
                     "action": r[lang], "finding": spec["findings"][kind][lang].format(**fmt),
                     "trigger": f"{kind} {'' if kind in ('overall', 'answered') else key + ' '}{'<' if below else '>'} "
                                f"{t:.3g}", "value": value, "threshold": t,
                     "severity": sev, "priority": float(r.get("weight", 1.0)) * sev,
                     "carrier_types": "; ".join(carriers),
                     "stakeholders": _carriers(register, carriers),
                     "carrier_labels": "; ".join(type_label.get(c, c) for c in carriers)})
    if not rows:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    plan = pd.DataFrame(rows)
    plan["_area"] = plan["area"].map({a: i for i, a in enumerate(spec["areas"])})
    plan = plan.sort_values(["priority", "_area", "action_id"], ascending=[False, True, True], kind="stable")
    plan.insert(0, "rank", range(1, len(plan) + 1))
    plan = plan[PLAN_COLUMNS].reset_index(drop=True)
    return plan.head(max_actions) if max_actions else plan


def _carriers(register: StakeholderRegister | None, types: list[str]) -> str:
    if register is None:
        return ""
    s = register.stakeholders
    s = s.loc[s["type"].isin(types)].copy()
    s["_inf"] = s["influence"].map({v: i for i, v in enumerate(LEVELS)})
    s["_type"] = s["type"].map({t: i for i, t in enumerate(types)})
    return "; ".join(s.sort_values(["_inf", "_type", "name"], ascending=[False, True, True])["name"])
