"""Scores of an assessment per question, dimension, LOSI criterion and overall, and progress.

Scores are on a 0-1 scale. A question scores the value of its answer on its scale; a dimension
scores the weighted mean of its answered, applicable questions; the overall score is the
weighted mean of the dimension scores. Bands follow the UN Local Online Service Index (LOSI)
levels: low < 0.25 <= middle < 0.50 <= high < 0.75 <= very high.

A score resting on few answers is not a maturity level: below ``min_share_answered`` (default
:data:`MIN_SHARE_ANSWERED`, half of the questions, incl. ``not_applicable``) overall or in a
dimension, the band is marked *provisional*, an :class:`~egovkit.errors.EgovkitWarning` is
emitted and the dimension is not ranked among the weakest.

Examples
--------
>>> from egovkit.diagnosis.questionnaire import make_assessment
>>> a = make_assessment({"PR1": "end_to_end", "PR2": "information"}, territory="X", date="2024-01-01")
>>> r = score_assessment(a)
>>> round(r.dimension_score("procedures"), 4)   # (1.0 * 1 + 0.2 * 2) / 3
0.4667
>>> band_of(0.4667)
'middle'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import EgovkitWarning, InputError
from ..shared.formatting import format_percent, resolve_language
from ..shared.messages import render
from ..validate import ValidationReport
from .questionnaire import NOT_APPLICABLE, Assessment, Questionnaire

#: LOSI band lower bounds (0-1); the shipped questionnaire carries the same values as data.
BANDS = {"low": 0.0, "middle": 0.25, "high": 0.50, "very_high": 0.75}
#: Default minimum share (0-1) of questions answered (incl. not applicable), overall and per
#: dimension, below which a band is provisional.
MIN_SHARE_ANSWERED = 0.5


def band_of(score: float | Iterable[float], questionnaire: Questionnaire | None = None) -> str | list[str]:
    """LOSI band of a score (or of each score): ``low``, ``middle``, ``high``, ``very_high``.

    A score equal to a bound belongs to the upper band (0.25 is middle, 0.75 very high).
    NaN gives ``""``.

    >>> band_of([0.0, 0.2499, 0.25, 0.5, 0.7499, 0.75, 1.0])
    ['low', 'low', 'middle', 'high', 'high', 'very_high', 'very_high']
    """
    if questionnaire is not None:
        names, mins = list(questionnaire.bands["band"]), list(questionnaire.bands["min"])
    else:
        names, mins = list(BANDS), list(BANDS.values())
    scalar = np.ndim(score) == 0
    arr = np.atleast_1d(np.asarray(score, dtype=float))
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"scores must be between 0 and 1, got {arr[(arr < 0) | (arr > 1)][:3].tolist()}")
    idx = np.searchsorted(np.asarray(mins), arr, side="right") - 1
    out = ["" if np.isnan(v) else names[i] for v, i in zip(arr, idx)]
    return out[0] if scalar else out


@dataclass
class AssessmentResult:
    """Scores of one assessment.

    Attributes
    ----------
    assessment
        The scored :class:`~egovkit.diagnosis.questionnaire.Assessment`.
    questions
        One row per question: ``question_id``, ``dimension``, ``answer``, ``score`` (0-1 or NaN),
        ``weight``, ``status`` (``scored``, ``not applicable``, ``unanswered``), ``losi``.
    dimensions
        One row per dimension: ``dimension``, ``label_en``, ``label_fr``, ``score``, ``band``,
        ``n_questions``, ``n_scored``, ``n_not_applicable``, ``n_unanswered``,
        ``share_answered`` (answered incl. not applicable / questions), ``provisional``
        (``share_answered`` below ``min_share_answered``: the band rests on too few answers).
    losi
        One row per LOSI criterion: ``criterion``, ``label_en``, ``label_fr``, ``score``,
        ``band``, ``n_scored`` (each question counts in every criterion it is mapped to).
    overall, overall_band
        Weighted mean of the dimension scores that could be computed, and its band.
    share_answered
        Answered (incl. not applicable) / all questions.
    provisional
        ``share_answered`` is below ``min_share_answered``: the overall band is provisional.
    min_share_answered
        The threshold used (0-1).
    report
        Dimensions without any scored question, and the answers' report.
    """

    assessment: Assessment
    questions: pd.DataFrame
    dimensions: pd.DataFrame
    losi: pd.DataFrame
    overall: float
    overall_band: str
    share_answered: float
    report: ValidationReport = field(default_factory=ValidationReport)
    provisional: bool = False
    min_share_answered: float = MIN_SHARE_ANSWERED

    def dimension_score(self, dimension: str) -> float:
        """Score (0-1) of one dimension."""
        return float(self.dimensions.set_index("dimension").loc[dimension, "score"])

    def weakest(self, n: int = 3) -> pd.DataFrame:
        """The ``n`` lowest-scoring dimensions, weakest first.

        Only dimensions with a score and enough answers (not ``provisional``) are ranked: a
        dimension scoring 1.00 on one answer out of eight is not known to be strong.
        """
        d = self.dimensions.dropna(subset=["score"])
        d = d.loc[~d["provisional"].astype(bool)]
        return d.sort_values(["score", "dimension"]).head(n).reset_index(drop=True)

    def __repr__(self) -> str:
        a = self.assessment
        return (f"AssessmentResult({a.territory!r}, {a.date}, {a.assessor!r}: overall {self.overall:.2f} "
                f"({self.overall_band}{', provisional' if self.provisional else ''}), "
                f"{self.share_answered:.0%} answered)")


def score_assessment(assessment: Assessment, *, min_share_answered: float = MIN_SHARE_ANSWERED) -> AssessmentResult:
    """Score an assessment per question, dimension, LOSI criterion and overall.

    Parameters
    ----------
    assessment
        From :func:`~egovkit.diagnosis.questionnaire.make_assessment` or
        :func:`~egovkit.diagnosis.template.read_template`.
    min_share_answered
        Minimum share (0-1) of questions answered (``not_applicable`` counts as answered),
        overall and per dimension. Below it the band is marked ``provisional``, a warning
        (``few_answers``, also an :class:`~egovkit.errors.EgovkitWarning`) says so, and the
        dimension is left out of :meth:`AssessmentResult.weakest`. Default 0.5.

    Returns
    -------
    AssessmentResult

    Examples
    --------
    >>> from egovkit.diagnosis.questionnaire import make_assessment
    >>> a = make_assessment({"FR1": "obtained", "FR2": "unknown"}, territory="X", date="2024-01-01")
    >>> r = score_assessment(a)
    >>> round(r.dimension_score("framework"), 4), round(r.overall, 4)   # (1*2 + 0*1)/3
    (0.6667, 0.6667)
    """
    if not 0 <= min_share_answered <= 1:
        raise ValueError(f"min_share_answered must be between 0 and 1, got {min_share_answered}")
    q = assessment.questionnaire
    report = ValidationReport(source=render("diagnosis.assessment_source", {"territory": assessment.territory,
                                                                           "date": assessment.date}))
    lang = "fr" if resolve_language(None) == "fr" else "en"
    report.extend(assessment.report)
    qs = q.questions[["question_id", "dimension", "weight", "losi"]].merge(
        assessment.answers[["question_id", "answer"]], on="question_id", how="left")
    qs["answer"] = qs["answer"].fillna("").astype("str")
    qs["score"] = [q.score(i, a) for i, a in zip(qs["question_id"], qs["answer"])]
    qs["status"] = np.where(qs["answer"] == "", "unanswered",
                            np.where(qs["answer"] == NOT_APPLICABLE, "not applicable", "scored"))
    qs = qs[["question_id", "dimension", "answer", "score", "weight", "status", "losi"]]

    dim_rows = []
    for _, d in q.dimensions.iterrows():
        sub = qs.loc[qs["dimension"] == d["dimension"]]
        score = _weighted_mean(sub["score"], sub["weight"])
        if np.isnan(score):
            report.add("warning", "diagnosis.dimension_not_scored", params={"dimension": d["dimension"],
                                                                            "label": d[lang]},
                       action="left out of the overall score")
        dim_rows.append({"dimension": d["dimension"], "label_en": d["en"], "label_fr": d["fr"], "score": score,
                         "weight": d["weight"], "n_questions": len(sub),
                         "n_scored": int((sub["status"] == "scored").sum()),
                         "n_not_applicable": int((sub["status"] == "not applicable").sum()),
                         "n_unanswered": int((sub["status"] == "unanswered").sum())})
    dims = pd.DataFrame(dim_rows)
    dims["share_answered"] = 1 - dims["n_unanswered"] / dims["n_questions"]
    dims.insert(4, "band", band_of(dims["score"].to_numpy(), q))
    dims["provisional"] = dims["score"].notna() & (dims["share_answered"] < min_share_answered)
    for _, d in dims.loc[dims["provisional"]].iterrows():
        _few_answers(report, {"dimension": d["dimension"], "label": d[f"label_{lang}"]},
                     d["n_questions"] - d["n_unanswered"], d["n_questions"], min_share_answered,
                     "not ranked among the weakest dimensions")

    exploded = qs.explode("losi")
    losi_rows = []
    for crit, labels in q.losi_criteria.items():
        sub = exploded.loc[exploded["losi"] == crit]
        losi_rows.append({"criterion": crit, "label_en": labels["en"], "label_fr": labels["fr"],
                          "score": _weighted_mean(sub["score"], sub["weight"]),
                          "n_scored": int((sub["status"] == "scored").sum())})
    losi = pd.DataFrame(losi_rows)
    losi.insert(4, "band", band_of(losi["score"].to_numpy(), q))

    overall = _weighted_mean(dims["score"], dims["weight"])
    share = float((qs["status"] != "unanswered").mean())
    provisional = bool(not np.isnan(overall) and share < min_share_answered)
    if provisional:
        _few_answers(report, None, int((qs["status"] != "unanswered").sum()), len(qs),
                     min_share_answered, "overall band marked provisional")
    return AssessmentResult(assessment=assessment, questions=qs, dimensions=dims, losi=losi, overall=overall,
                            overall_band=band_of(overall, q) if not np.isnan(overall) else "",
                            share_answered=share, report=report, provisional=provisional,
                            min_share_answered=min_share_answered)


def _few_answers(report: ValidationReport, dimension: dict | None, n: int, total: int, threshold: float,
                 action: str) -> None:
    """A provisional band: of a ``dimension`` (its id and label), or of the whole assessment (None)."""
    what = render("diagnosis.few_what_dimension", dimension) if dimension else render("diagnosis.few_what_assessment")
    said = {"what": what, "n": n, "total": total, "share": format_percent(n / total, None, 0),
            "threshold": format_percent(threshold, None, 0)}
    issue = report.add("warning", "diagnosis.few_answers", params=said, action=action)
    warnings.warn(issue.text(), EgovkitWarning, stacklevel=3)


@dataclass
class Progress:
    """Change between two assessments of the same territory.

    Attributes
    ----------
    dimensions
        Per dimension and ``overall``: ``score_before``, ``score_after``, ``change``,
        ``band_before``, ``band_after``.
    questions
        Questions whose answer changed: ``question_id``, ``dimension``, ``answer_before``,
        ``answer_after``, ``score_before``, ``score_after``, ``change``.
    date_before, date_after
        Dates of the two assessments.
    """

    dimensions: pd.DataFrame
    questions: pd.DataFrame
    date_before: str
    date_after: str


def compare_assessments(before: Assessment | AssessmentResult, after: Assessment | AssessmentResult) -> Progress:
    """Progress between two assessment dates, per dimension and per question.

    Examples
    --------
    >>> from egovkit.diagnosis.questionnaire import make_assessment
    >>> a = make_assessment({"PR3": "form"}, territory="X", date="2024-01-01")
    >>> b = make_assessment({"PR3": "payment"}, territory="X", date="2025-01-01")
    >>> p = compare_assessments(a, b)
    >>> p.questions[["question_id", "answer_before", "answer_after"]].values.tolist()
    [['PR3', 'form', 'payment']]
    >>> round(float(p.dimensions.set_index("dimension").loc["procedures", "change"]), 2)
    0.4
    """
    rb = before if isinstance(before, AssessmentResult) else score_assessment(before)
    ra = after if isinstance(after, AssessmentResult) else score_assessment(after)
    if rb.assessment.questionnaire.version != ra.assessment.questionnaire.version:
        raise InputError(code="diagnosis.versions_differ", params={"before": rb.assessment.questionnaire.version,
                                                                   "after": ra.assessment.questionnaire.version})
    cols = ["dimension", "label_en", "label_fr", "score", "band"]
    d = rb.dimensions[cols].merge(ra.dimensions[["dimension", "score", "band"]], on="dimension",
                                  suffixes=("_before", "_after"))
    overall = pd.DataFrame([{"dimension": "overall", "label_en": "Overall", "label_fr": "Ensemble",
                             "score_before": rb.overall, "band_before": rb.overall_band,
                             "score_after": ra.overall, "band_after": ra.overall_band}])
    d = pd.concat([d, overall], ignore_index=True)
    d["change"] = d["score_after"] - d["score_before"]
    d = d[["dimension", "label_en", "label_fr", "score_before", "score_after", "change", "band_before", "band_after"]]
    qq = rb.questions[["question_id", "dimension", "answer", "score"]].merge(
        ra.questions[["question_id", "answer", "score"]], on="question_id", suffixes=("_before", "_after"))
    qq = qq.loc[qq["answer_before"] != qq["answer_after"]].reset_index(drop=True)
    qq["change"] = qq["score_after"] - qq["score_before"]
    return Progress(dimensions=d, questions=qq, date_before=rb.assessment.date, date_after=ra.assessment.date)


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    v = values.to_numpy(dtype=float)
    w = weights.to_numpy(dtype=float)
    ok = ~np.isnan(v)
    if not ok.any() or w[ok].sum() == 0:
        return float("nan")
    # rounded so that exact fractions (1/3, 2/3) do not fall just under a band bound or threshold
    return round(float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])), 12)
