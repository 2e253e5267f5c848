"""Agreement between two assessors: agreement rate, Cohen's kappa and the list of disagreements.

Cohen's kappa compares the observed agreement :math:`p_o` with the agreement expected by chance
from each assessor's own answer frequencies, :math:`p_e = \\sum_k p_{A}(k)\\, p_{B}(k)`:
:math:`\\kappa = (p_o - p_e) / (1 - p_e)`. The weighted form (linear or quadratic weights on
ordered categories) is :math:`1 - \\sum w_{ij} O_{ij} / \\sum w_{ij} E_{ij}`.

Examples
--------
>>> round(cohen_kappa(["yes", "yes", "no", "no"], ["yes", "no", "no", "no"]), 4)
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .questionnaire import Assessment


def confusion_matrix(a: Sequence, b: Sequence, categories: Sequence | None = None) -> pd.DataFrame:
    """Counts of (answer of A, answer of B); rows A, columns B, in ``categories`` order.

    >>> confusion_matrix(["x", "y", "y"], ["x", "x", "y"]).values.tolist()
    [[1, 0], [1, 1]]
    """
    a = [str(x) for x in a]
    b = [str(x) for x in b]
    if len(a) != len(b):
        raise InputError(code="diagnosis.ratings_count", params={"a": len(a), "b": len(b)})
    cats = [str(c) for c in categories] if categories is not None else sorted(set(a) | set(b))
    unknown = (set(a) | set(b)) - set(cats)
    if unknown:
        raise InputError(code="diagnosis.ratings_unknown", params={"ratings": sorted(unknown), "categories": cats})
    pos = {c: i for i, c in enumerate(cats)}
    m = np.zeros((len(cats), len(cats)), dtype=int)
    np.add.at(m, ([pos[x] for x in a], [pos[y] for y in b]), 1)
    return pd.DataFrame(m, index=pd.Index(cats, name="A"), columns=pd.Index(cats, name="B"))


def cohen_kappa(
    a: Sequence,
    b: Sequence,
    categories: Sequence | None = None,
    weights: Literal["linear", "quadratic"] | None = None,
) -> float:
    """Cohen's kappa between two assessors' ratings of the same items.

    Parameters
    ----------
    a, b
        The two assessors' answers, item by item.
    categories
        All possible answers, in order (needed for the weighted form, where the order matters);
        default: the answers seen, sorted.
    weights
        ``None`` (plain kappa), ``"linear"`` or ``"quadratic"`` (disagreement weight
        ``|i-j|/(k-1)`` or its square).

    Returns
    -------
    float
        Kappa (1 = perfect agreement, 0 = what chance gives); NaN when chance agreement is
        already 1 (both assessors gave one and the same answer to every item) or no item.

    Examples
    --------
    >>> cohen_kappa(list("aabbc"), list("aabbc"))
    1.0
    >>> round(cohen_kappa([0, 1, 2, 2], [0, 2, 2, 1], categories=[0, 1, 2], weights="linear"), 4)   # 1 - 1/1.75
    0.4286
    """
    m = confusion_matrix(a, b, categories).to_numpy(dtype=float)
    n = m.sum()
    if n == 0:
        return float("nan")
    k = m.shape[0]
    expected = np.outer(m.sum(axis=1), m.sum(axis=0)) / n
    if weights is None:
        w = 1.0 - np.eye(k)
    elif weights in ("linear", "quadratic"):
        i, j = np.indices((k, k))
        w = np.abs(i - j) / max(k - 1, 1)
        if weights == "quadratic":
            w = w**2
    else:
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    denom = float(np.sum(w * expected))
    if denom == 0:
        return float("nan")
    return float(1.0 - np.sum(w * m) / denom)


@dataclass
class Agreement:
    """Agreement between two assessments of the same territory.

    Attributes
    ----------
    n_compared
        Questions answered by both (``not_applicable`` counts as an answer).
    agreement_rate
        Share (0-1) of those with the same answer.
    kappa
        Cohen's kappa over those questions pooled, each category being ``scale:answer`` (so that
        ``none`` of one scale and ``none`` of another are different categories).
    kappa_by_dimension
        Per dimension: ``dimension``, ``n_compared``, ``agreement_rate``, ``kappa``.
    disagreements
        ``question_id``, ``dimension``, ``question``, ``answer_a``, ``answer_b``, ``score_a``,
        ``score_b``, ``evidence_a``, ``evidence_b``.
    only_one
        Questions answered by one assessor only.
    """

    assessor_a: str
    assessor_b: str
    n_compared: int
    agreement_rate: float
    kappa: float
    kappa_by_dimension: pd.DataFrame
    disagreements: pd.DataFrame
    only_one: pd.DataFrame

    def __repr__(self) -> str:
        return (f"Agreement({self.assessor_a!r} vs {self.assessor_b!r}: {self.n_compared} questions, "
                f"agreement {self.agreement_rate:.0%}, kappa {self.kappa:.2f}, "
                f"{len(self.disagreements)} disagreements)")


def compare_assessors(a: Assessment, b: Assessment) -> Agreement:
    """Compare two assessors' answers: agreement rate, Cohen's kappa, disagreements.

    Examples
    --------
    >>> from egovkit.diagnosis.questionnaire import make_assessment
    >>> x = make_assessment({"PE4": "yes", "DA5": "no", "CO6": "yes"}, territory="T", date="2024-01-01", assessor="A")
    >>> y = make_assessment({"PE4": "yes", "DA5": "yes", "CO6": "yes"}, territory="T", date="2024-01-01", assessor="B")
    >>> g = compare_assessors(x, y)
    >>> g.n_compared, round(g.agreement_rate, 3), g.disagreements["question_id"].tolist()
    (3, 0.667, ['DA5'])
    """
    if a.questionnaire.version != b.questionnaire.version:
        raise InputError(code="diagnosis.assessor_versions_differ",
                         params={"a": a.questionnaire.version, "b": b.questionnaire.version})
    q = a.questionnaire
    cols = ["question_id", "answer", "evidence_url", "evidence_document"]
    m = a.answers[cols].merge(b.answers[cols], on="question_id", suffixes=("_a", "_b"))
    m = m.merge(q.questions[["question_id", "dimension", "scale", "en"]].rename(columns={"en": "question"}),
                on="question_id")
    both = m.loc[(m["answer_a"] != "") & (m["answer_b"] != "")].copy()
    # categories of the pooled kappa: the same code on two scales is two categories
    both["cat_a"] = both["scale"] + ":" + both["answer_a"]
    both["cat_b"] = both["scale"] + ":" + both["answer_b"]
    one = m.loc[(m["answer_a"] != "") != (m["answer_b"] != ""),
                ["question_id", "dimension", "question", "answer_a", "answer_b"]].reset_index(drop=True)
    same = both["answer_a"] == both["answer_b"]
    rows = []
    for dim, sub in both.groupby("dimension", sort=False):
        rows.append({"dimension": dim, "n_compared": len(sub),
                     "agreement_rate": float((sub["answer_a"] == sub["answer_b"]).mean()),
                     "kappa": cohen_kappa(sub["cat_a"], sub["cat_b"])})
    dis = both.loc[~same].copy()
    dis["score_a"] = [q.score(i, x) for i, x in zip(dis["question_id"], dis["answer_a"])]
    dis["score_b"] = [q.score(i, x) for i, x in zip(dis["question_id"], dis["answer_b"])]
    for side in ("a", "b"):
        url, doc = dis[f"evidence_url_{side}"], dis[f"evidence_document_{side}"]
        dis[f"evidence_{side}"] = url.where(url != "", doc)
    dis = dis[["question_id", "dimension", "question", "answer_a", "answer_b", "score_a", "score_b",
               "evidence_a", "evidence_b"]].reset_index(drop=True)
    return Agreement(assessor_a=a.assessor, assessor_b=b.assessor, n_compared=len(both),
                     agreement_rate=float(same.mean()) if len(both) else float("nan"),
                     kappa=cohen_kappa(both["cat_a"], both["cat_b"]),
                     kappa_by_dimension=pd.DataFrame(rows, columns=["dimension", "n_compared", "agreement_rate",
                                                                    "kappa"]),
                     disagreements=dis, only_one=one)
