"""The maturity questionnaire (shipped as data) and an assessment filled in against it.

The questionnaire lives in ``egovkit/diagnosis/data/questionnaire_v1.yaml``: scales of allowed
answers with their 0-1 scores, six dimensions, the questions with their mapping to the UN LOSI
criteria, and, for equipment and connectivity, the cut points used to fill answers automatically
from computed figures. See ``docs/diagnosis.md``.

Examples
--------
>>> q = load_questionnaire()
>>> q.version, len(q.questions) > 30
('1.1', True)
>>> q.allowed_answers("PR2")[:3]
['not_online', 'information', 'form']
>>> a = make_assessment({"PR2": "payment"}, territory="Example town", date="2024-03-01")
>>> a.answer("PR2"), a.answer("PR1")
('payment', '')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError
from ..shared.formatting import resolve_language
from ..shared.messages import render
from ..validate import ValidationReport

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_QUESTIONNAIRE = DATA_DIR / "questionnaire_v1.yaml"

#: The answer that removes a question from the scores (only where ``allow_na`` is true).
NOT_APPLICABLE = "not_applicable"
#: Columns of ``Assessment.answers``, one row per question.
ANSWER_COLUMNS = ["question_id", "answer", "evidence_url", "evidence_document", "evidence_date",
                  "assessor", "comment"]
#: Evidence text of the answers filled from computed figures.
COMPUTED_EVIDENCE = "computed by egovkit"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NA_SPELLINGS = {"na", "n/a", "n_a", "not_applicable", "not applicable", "non applicable", "sans objet"}


@dataclass
class Questionnaire:
    """A versioned questionnaire: scales, dimensions, questions, LOSI criteria and bands.

    Build it with :func:`load_questionnaire`.

    Attributes
    ----------
    id, version
        Identity of the questionnaire (kept with every assessment).
    scales
        ``{scale: (answers, scores)}``; answers in increasing order of maturity, scores 0-1.
    dimensions
        One row per dimension: ``dimension``, ``weight``, ``en``, ``fr``.
    questions
        One row per question: ``question_id``, ``dimension``, ``scale``, ``weight``,
        ``allow_na``, ``losi`` (tuple of criteria), ``en``, ``fr``, ``auto`` (dict or None).
    losi_criteria
        ``{criterion: {"en": ..., "fr": ...}}``.
    bands
        One row per band: ``band``, ``min`` (lower bound, 0-1), ``en``, ``fr``.
    source
        File it was read from.
    answer_labels
        ``{scale: {"en": [...], "fr": [...]}}``: what a reader sees for each answer code.
    """

    id: str
    version: str
    scales: dict[str, tuple[list[str], list[float]]]
    dimensions: pd.DataFrame
    questions: pd.DataFrame
    losi_criteria: dict[str, dict[str, str]]
    bands: pd.DataFrame
    source: str = ""
    answer_labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def question(self, question_id: str) -> pd.Series:
        """The row of one question; an :class:`InputError` naming the known ids otherwise."""
        ids = self.questions["question_id"]
        index = self.__dict__.get("_index")
        if index is None or index[0] is not ids:  # built once per questions table (a dict, not a scan)
            index = (ids, {str(q): i for i, q in enumerate(ids)})
            self.__dict__["_index"] = index
        at = index[1].get(question_id) if isinstance(question_id, str) else None
        if at is None:
            raise InputError(code="diagnosis.unknown_question_id",
                             params={"question": question_id, "ids": list(self.questions["question_id"])})
        return self.questions.iloc[at]

    def allowed_answers(self, question_id: str) -> list[str]:
        """Allowed answers of a question, in increasing order (plus ``not_applicable`` if allowed)."""
        q = self.question(question_id)
        answers = list(self.scales[q["scale"]][0])
        if q["allow_na"]:
            answers.append(NOT_APPLICABLE)
        return answers

    def score(self, question_id: str, answer: str | None) -> float:
        """Score (0-1) of an answer; NaN for blank or ``not_applicable``.

        >>> load_questionnaire().score("PR2", "payment")
        0.8
        """
        if answer is None or (isinstance(answer, float) and math.isnan(answer)) or answer == "":
            return float("nan")
        if answer == NOT_APPLICABLE:
            return float("nan")
        answers, scores = self.scales[self.question(question_id)["scale"]]
        if answer not in answers:
            raise InputError(code="diagnosis.score_not_allowed", column="answer",
                             params={"question": question_id, "answer": answer,
                                     "allowed": self.allowed_answers(question_id)})
        return float(scores[answers.index(answer)])

    def answer_choices(self, question_id: str, lang: str = "en") -> list[str]:
        """The answers a template offers for a question: the codes in English, the labels in French.

        Either reads back (:meth:`answer_code`), so a French and an English template score the same.

        >>> load_questionnaire().answer_choices("EQ1", "fr")
        ['Très faible', 'Faible', 'Moyen', 'Élevé']
        """
        codes = self.allowed_answers(question_id)
        if lang != "fr":
            return codes
        return [self.answer_label(question_id, c, "fr") for c in codes]

    def answer_code(self, question_id: str, text: Any) -> str | None:
        """The answer code a cell means: a code, or a label in English or French (case, accents and
        spaces aside); None when it is none of the question's answers.

        >>> q = load_questionnaire()
        >>> q.answer_code("PR2", "Paiement en ligne"), q.answer_code("PR2", "online payment"), q.answer_code("PR2", "x")
        ('payment', 'payment', None)
        """
        key = _label_key(text)
        for code in self.allowed_answers(question_id):
            said = {_label_key(self.answer_label(question_id, code, lg)) for lg in ("en", "fr")}
            if key == _label_key(code) or key in said:
                return code
        return None

    def answer_label(self, question_id: str, answer: str, lang: str = "en") -> str:
        """Label of an answer code in ``en``/``fr`` (the code itself when the scale has no labels).

        >>> load_questionnaire().answer_label("PR2", "payment", "fr")
        'Paiement en ligne'
        """
        lang = "fr" if lang == "fr" else "en"
        if answer == NOT_APPLICABLE:
            return render("diagnosis.not_applicable", lang=lang)
        scale = self.question(question_id)["scale"]
        answers = self.scales[scale][0]
        labels = self.answer_labels.get(scale, {}).get(lang)
        if not labels or answer not in answers:
            return str(answer)
        return str(labels[answers.index(answer)])

    def label(self, kind: str, key: str, lang: str = "en") -> str:
        """Label of a ``dimension``, ``question``, ``losi`` criterion or ``band`` in ``en``/``fr``."""
        lang = "fr" if lang == "fr" else "en"
        if kind == "dimension":
            row = self.dimensions.loc[self.dimensions["dimension"] == key]
        elif kind == "question":
            row = self.questions.loc[self.questions["question_id"] == key]
        elif kind == "band":
            row = self.bands.loc[self.bands["band"] == key]
        elif kind == "losi":
            return self.losi_criteria[key][lang]
        else:
            raise ValueError(f"kind must be dimension, question, losi or band, not {kind!r}")
        return str(row.iloc[0][lang]) if not row.empty else str(key)

    def check_answers(self, answers: pd.DataFrame, *,
                      source: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
        """Normalise and check an answers table; return it with a :class:`ValidationReport`.

        Answers are compared after trimming, lower-casing and replacing spaces and hyphens by
        ``_`` (``"End to end"`` -> ``end_to_end``; ``"N/A"`` -> ``not_applicable``), each such
        repair being recorded. An ``evidence_date`` that is not ``YYYY-MM-DD`` is a warning
        (``invalid_evidence_date``) naming the question. Errors (unknown question, answer not allowed, question twice)
        name the question, the row and the allowed answers. Questions left blank or absent are
        recorded as ``unanswered`` notes. Nothing is raised here: call ``report.raise_if_errors()``.
        """
        report = ValidationReport(source=source)
        lang = "fr" if resolve_language(None) == "fr" else "en"
        df = _answer_frame(answers)
        rows = df["source_row"] if "source_row" in df else pd.Series(np.arange(len(df)) + 2, index=df.index)
        report.rows_in = len(df)
        known = set(self.questions["question_id"])
        clean: list[str] = []
        for _i, (qid, raw, row) in enumerate(zip(df["question_id"], df["answer"], rows)):
            ans = _normalise_answer(raw)
            clean.append(ans)
            row = int(row)
            if qid not in known:
                report.add("error", "diagnosis.unknown_question", row=row, column="question_id",
                           params={"question": qid, "ids": list(self.questions["question_id"])})
                continue
            if ans == "":
                continue
            allowed = self.allowed_answers(qid)
            if ans not in allowed and self.answer_code(qid, raw) is not None:
                clean[-1] = ans = str(self.answer_code(qid, raw))  # a label of the template (French or English)
            elif ans not in allowed:
                report.add("error", "diagnosis.answer_not_allowed", row=row, column="answer",
                           params={"question": qid, "label": self.label("question", qid, lang), "answer": raw,
                                   "allowed": self.answer_choices(qid, lang)})
            elif ans != raw:
                report.add("info", "diagnosis.answer_normalised", params={"question": qid, "answer": raw, "code": ans},
                           row=row, column="answer", action="repaired")
        for qid, when, row in zip(df["question_id"], df["evidence_date"], rows):
            if when != "":
                try:
                    _iso_date(when, "evidence_date")
                except InputError:
                    report.add("warning", "diagnosis.invalid_evidence_date", params={"question": qid, "value": when},
                               row=int(row), column="evidence_date", action="kept as written")
        df["answer"] = pd.Series(clean, index=df.index, dtype="str")
        dup = df["question_id"].duplicated(keep=False) & df["question_id"].isin(known)
        for qid in dict.fromkeys(df.loc[dup, "question_id"]):
            where = [int(r) for r in rows[df["question_id"] == qid]]
            report.add("error", "diagnosis.duplicate_question", params={"question": qid, "n": len(where),
                                                                        "rows": where},
                       row=where[1], column="question_id")
        answered = set(df.loc[df["answer"] != "", "question_id"])
        for qid in self.questions["question_id"]:
            if qid not in answered:
                report.add("info", "diagnosis.unanswered", params={"question": qid,
                                                                   "label": self.label("question", qid, lang)},
                           column="answer", action="left out of the scores")
        report.set_fate(rows, "used")
        return df, report


def load_questionnaire(path: str | Path | None = None) -> Questionnaire:
    """Read a questionnaire YAML (default: the shipped ``questionnaire_v1.yaml``).

    Examples
    --------
    >>> q = load_questionnaire()
    >>> list(q.dimensions["dimension"])
    ['equipment', 'procedures', 'data', 'people', 'participation', 'framework']
    """
    path = Path(path) if path is not None else DEFAULT_QUESTIONNAIRE
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(code="diagnosis.questionnaire_not_found", file=str(path)) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(code="diagnosis.questionnaire_unreadable", file=str(path),
                         params={"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"}) from exc
    try:
        return _questionnaire_from_spec(spec, path)
    except (KeyError, TypeError, AttributeError, ValueError, ZeroDivisionError) as exc:
        if isinstance(exc, InputError):
            raise
        what = render("diagnosis.missing_key", {"key": exc}) if isinstance(exc, KeyError) \
            else f"{type(exc).__name__}: {exc}"
        raise InputError(code="diagnosis.questionnaire_malformed", params={"problem": what}, file=str(path)) from exc


def _questionnaire_from_spec(spec: Any, path: Path) -> Questionnaire:
    scales: dict[str, tuple[list[str], list[float]]] = {}
    labels: dict[str, dict[str, list[str]]] = {}
    for name, s in spec["scales"].items():
        answers = [str(a) for a in s["answers"]]
        scores = [to_number(x) for x in s["scores"]]
        if len(answers) != len(scores) or any(not 0 <= x <= 1 for x in scores) or scores != sorted(scores):
            raise InputError(code="diagnosis.scale_scores", params={"scale": name}, file=str(path))
        scales[name] = (answers, scores)
        for lang in ("en", "fr"):
            if lang in s and len(s[lang]) != len(answers):
                raise InputError(code="diagnosis.scale_labels", file=str(path),
                                 params={"scale": name, "n": len(s[lang]), "lang": lang, "answers": len(answers)})
        labels[name] = {lang: [str(x) for x in s[lang]] for lang in ("en", "fr") if lang in s}
    dims = pd.DataFrame([{"dimension": d["id"], "weight": float(d.get("weight", 1)), "en": d["en"], "fr": d["fr"]}
                         for d in spec["dimensions"]])
    rows = []
    for q in spec["questions"]:
        if q["scale"] not in scales:
            raise InputError(code="diagnosis.unknown_scale", file=str(path),
                             params={"question": q["id"], "scale": q["scale"], "scales": list(scales)})
        if q["dimension"] not in set(dims["dimension"]):
            raise InputError(code="diagnosis.unknown_dimension", file=str(path),
                             params={"question": q["id"], "dimension": q["dimension"],
                                     "dimensions": list(dims["dimension"])})
        bad = set(q.get("losi", [])) - set(spec["losi_criteria"])
        if bad:
            raise InputError(code="diagnosis.unknown_losi", file=str(path),
                             params={"question": q["id"], "criteria": sorted(bad),
                                     "known": list(spec["losi_criteria"])})
        rows.append({"question_id": str(q["id"]), "dimension": q["dimension"], "scale": q["scale"],
                     "weight": float(q.get("weight", 1)), "allow_na": bool(q.get("allow_na", False)),
                     "losi": tuple(q.get("losi", [])), "en": q["en"], "fr": q.get("fr", q["en"]),
                     "auto": q.get("auto")})
    questions = pd.DataFrame(rows)
    if questions["question_id"].duplicated().any():
        raise InputError(code="diagnosis.question_ids_unique", file=str(path))
    bands = pd.DataFrame([{"band": b["id"], "min": float(b["min"]), "en": b["en"], "fr": b["fr"]}
                          for b in spec["bands"]])
    return Questionnaire(id=str(spec["id"]), version=str(spec["version"]), scales=scales, dimensions=dims,
                         questions=questions, losi_criteria=spec["losi_criteria"], bands=bands, source=str(path),
                         answer_labels=labels)


@dataclass
class Assessment:
    """Answers of one assessor for one territory at one date.

    Attributes
    ----------
    answers
        One row per question (``ANSWER_COLUMNS``); ``answer`` is ``""`` when unanswered.
    territory, date, assessor
        What, when (ISO date ``YYYY-MM-DD``) and who (default assessor of the rows).
    questionnaire
        The :class:`Questionnaire` the answers refer to.
    report
        What was repaired or left unanswered.
    """

    answers: pd.DataFrame
    territory: str
    date: str
    assessor: str
    questionnaire: Questionnaire
    report: ValidationReport = field(default_factory=ValidationReport)

    def answer(self, question_id: str) -> str:
        """The answer given to a question (``""`` if unanswered)."""
        hit = self.answers.loc[self.answers["question_id"] == question_id, "answer"]
        return str(hit.iloc[0]) if len(hit) else ""

    def with_answers(self, answers: pd.DataFrame | Mapping[str, Any], *, overwrite: bool = True) -> "Assessment":
        """A new assessment with these answers added (e.g. from :func:`autofill_equipment`).

        With ``overwrite=False`` only questions still unanswered are filled.
        """
        new = _answer_frame(answers)
        new = new.loc[new["answer"].astype(str).str.strip() != ""]
        old = self.answers.drop(columns=["source_row"], errors="ignore")
        if not overwrite:
            new = new.loc[~new["question_id"].isin(old.loc[old["answer"] != "", "question_id"])]
        merged = pd.concat([old.loc[~old["question_id"].isin(new["question_id"])], new], ignore_index=True)
        return make_assessment(merged, territory=self.territory, date=self.date, assessor=self.assessor,
                               questionnaire=self.questionnaire)

    def __repr__(self) -> str:
        n = int((self.answers["answer"] != "").sum())
        return (f"Assessment({self.territory!r}, {self.date}, assessor {self.assessor!r}: {n}/"
                f"{len(self.questionnaire.questions)} questions answered, questionnaire v{self.questionnaire.version})")


def make_assessment(
    answers: pd.DataFrame | Mapping[str, Any],
    *,
    territory: str,
    date: str,
    assessor: str = "",
    questionnaire: Questionnaire | None = None,
    source: str | None = None,
) -> Assessment:
    """Check answers against the questionnaire and build an :class:`Assessment`.

    Parameters
    ----------
    answers
        ``{question_id: answer}``, ``{question_id: {"answer": ..., "evidence_url": ...}}``, or a
        DataFrame with ``question_id`` and ``answer`` (and optionally the other ``ANSWER_COLUMNS``).
    territory, date, assessor
        What is assessed, when (``YYYY-MM-DD``), by whom (used where a row has no assessor).
    questionnaire
        Default: the shipped questionnaire.
    source
        File name, for messages.

    Raises
    ------
    egovkit.errors.ValidationError
        Listing every unknown question, duplicated question and answer not allowed, each with
        the allowed answers.

    Examples
    --------
    >>> a = make_assessment({"CO4": "consultation", "FR4": "Applied"}, territory="X", date="2024-01-31")
    >>> a.answer("FR4"), a.report.by_code("diagnosis.answer_normalised")[0].action
    ('applied', 'repaired')
    """
    q = questionnaire or load_questionnaire()
    date = _iso_date(date, "date")
    df, report = q.check_answers(_answer_frame(answers), source=source)
    report.raise_if_errors()
    df["assessor"] = df["assessor"].where(df["assessor"] != "", assessor)
    # one row per question of the questionnaire, in questionnaire order
    order = pd.DataFrame({"question_id": q.questions["question_id"]})
    out = order.merge(df, on="question_id", how="left")
    for c in ANSWER_COLUMNS[1:]:
        out[c] = out[c].fillna("").astype("str")
    out.loc[out["assessor"] == "", "assessor"] = assessor
    keep = ANSWER_COLUMNS + (["source_row"] if "source_row" in out else [])
    return Assessment(answers=out[keep], territory=str(territory), date=date, assessor=str(assessor),
                      questionnaire=q, report=report)


# -- helpers --------------------------------------------------------------------------------

def to_number(value: Any) -> float:
    """A number from data files: ``0.5``, ``"0.5"`` or an exact fraction such as ``"2/3"``.

    >>> to_number("2/3") == 2 / 3
    True
    """
    if isinstance(value, str) and "/" in value:
        return float(Fraction(value.replace(" ", "")))
    return float(value)


def _answer_frame(answers: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """Any accepted form of answers -> DataFrame with every ANSWER_COLUMNS column as str."""
    if isinstance(answers, pd.DataFrame):
        df = answers.copy()
    else:
        recs = []
        for qid, val in dict(answers).items():
            rec = dict(val) if isinstance(val, Mapping) else {"answer": val}
            rec["question_id"] = qid
            recs.append(rec)
        df = pd.DataFrame(recs)
    if "question_id" not in df or "answer" not in df:
        raise InputError(code="diagnosis.answer_columns", column=", ".join(map(str, df.columns)))
    df = df.reset_index(drop=True)
    for c in ANSWER_COLUMNS:
        if c not in df:
            df[c] = ""
        df[c] = df[c].map(_cell_text).astype("str")
    df["question_id"] = df["question_id"].str.strip().str.upper()
    return df


def _cell_text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return ""
    if hasattr(v, "isoformat"):
        return v.date().isoformat() if hasattr(v, "date") and callable(v.date) else v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _normalise_answer(raw: Any) -> str:
    text = _cell_text(raw)
    low = text.strip().lower()
    if low in _NA_SPELLINGS:
        return NOT_APPLICABLE
    return low.replace(" ", "_").replace("-", "_")


def _iso_date(value: Any, what: str, *, row: int | None = None, file: str | None = None) -> str:
    """``YYYY-MM-DD`` text (or a real date cell) -> ISO date; anything else is an :class:`InputError`.

    Slash dates are refused: ``01/05/2024`` is 1 May in most of the world and 5 January in the US.
    """
    text = _cell_text(value)
    said = {"params": {"what": what, "value": value}, "file": file, "row": row, "column": what}
    if _ISO_DATE.match(text):
        try:
            return pd.Timestamp(text[:10]).date().isoformat()
        except (ValueError, TypeError, OverflowError):
            raise InputError(code="diagnosis.date_not_real", **said) from None
    excel_number = text.isdigit() and 20000 <= int(text) <= 80000
    raise InputError(code="diagnosis.date_excel_number" if excel_number
                     else "diagnosis.date_is_blank" if text == "" else "diagnosis.date_format", **said) from None


def _label_key(text: Any) -> str:
    """An answer or label as compared: lower case, no accents, words joined by ``_``."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", _cell_text(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[\s\-_]+", "_", plain.strip().lower())
