"""E-governance maturity assessment, stakeholder ecosystem and action plan.

A versioned questionnaire shipped as data is filled in (in Python or as an Excel/CSV template),
scored 0-1 per dimension, per UN LOSI criterion and overall with LOSI-aligned bands, compared
between assessors (Cohen's kappa) and between dates (progress), and turned, with the computed
gaps and a stakeholder register, into a prioritised action plan. See ``docs/diagnosis.md``.

Examples
--------
>>> from egovkit import diagnosis as dg
>>> a = dg.make_assessment({"PR2": "payment", "CO4": "consultation"}, territory="X", date="2024-01-01")
>>> a = a.with_answers(dg.autofill_equipment({"internet": 0.179, "computer": 0.088}))
>>> r = dg.score_assessment(a)
>>> r.overall_band
'middle'
"""

from __future__ import annotations

from .actions import AREAS, PLAN_COLUMNS, action_plan, load_action_rules
from .agreement import Agreement, cohen_kappa, compare_assessors, confusion_matrix
from .autofill import autofill_equipment
from .questionnaire import (
                            ANSWER_COLUMNS,
                            COMPUTED_EVIDENCE,
                            NOT_APPLICABLE,
                            Assessment,
                            Questionnaire,
                            load_questionnaire,
                            make_assessment,
)
from .scoring import BANDS, AssessmentResult, Progress, band_of, compare_assessments, score_assessment
from .stakeholders import (
                            PARTNERSHIP_COLUMNS,
                            REGISTER_COLUMNS,
                            StakeholderRegister,
                            influence_interest_grid,
                            load_stakeholder_types,
                            located_stakeholders,
                            make_register,
                            partnership_graph,
                            read_register,
                            stakeholder_labels,
                            who_could_help,
                            write_register,
)
from .template import (
                            TEMPLATE_COLUMNS,
                            example_assessments,
                            read_assessments,
                            read_template,
                            template_frame,
                            write_template,
)

__all__ = [
    "AREAS", "ANSWER_COLUMNS", "BANDS", "COMPUTED_EVIDENCE", "NOT_APPLICABLE", "PARTNERSHIP_COLUMNS",
    "PLAN_COLUMNS", "REGISTER_COLUMNS", "TEMPLATE_COLUMNS",
    "Agreement", "Assessment", "AssessmentResult", "Progress", "Questionnaire", "StakeholderRegister",
    "action_plan", "autofill_equipment", "band_of", "cohen_kappa", "compare_assessments", "compare_assessors",
    "confusion_matrix", "example_assessments", "influence_interest_grid", "load_action_rules",
    "load_questionnaire", "load_stakeholder_types", "located_stakeholders", "make_assessment", "make_register",
    "partnership_graph", "read_assessments", "read_register", "read_template", "score_assessment",
    "stakeholder_labels", "template_frame", "who_could_help", "write_register", "write_template",
]
