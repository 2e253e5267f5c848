"""Diagnosis charts, stakeholder map and the EN/FR report section (egovkit.present.diagnosis_plots)."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from egovkit import diagnosis as dg  # noqa: E402
from egovkit.errors import InputError  # noqa: E402
from egovkit.present import diagnosis_plots as dp  # noqa: E402


@pytest.fixture(scope="module")
def results():
    return [dg.score_assessment(a) for a in dg.example_assessments()]


@pytest.fixture(scope="module")
def register():
    return dg.make_register(
        [{"name": "Town hall", "type": "local_authority", "lat": -1.29, "lon": 36.82},
         {"name": "TelcoX", "type": "telecom_operator", "lat": -1.30, "lon": 36.80},
         {"name": "Uni <b>", "type": "university"}],
        [{"source": "Town hall", "target": "TelcoX", "status": "proposed"},
         {"source": "Town hall", "target": "Uni <b>", "status": "existing"}])


def test_radar_draws_each_dimension_score(results):
    fig = dp.radar_chart([results[0], results[2]], labels=["2024", "2025"])
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("2024", "2025")]
    assert len(lines) == 2
    for ln, r in zip(lines, (results[0], results[2])):
        y = ln.get_ydata()[:-1]
        assert list(y) == pytest.approx(list(r.dimensions["score"]), nan_ok=True)
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == list(r.dimensions["label_en"])
    plt.close(fig)


def test_progress_and_grid_and_network(results, register):
    p = dg.compare_assessments(results[0], results[2])
    fig = dp.progress_chart(p, lang="fr")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == dg.load_questionnaire().dimensions["fr"].iloc[0]
    plt.close(fig)
    fig = dp.influence_interest_chart(register)
    names = {t.get_text() for t in fig.axes[0].texts}
    assert {"Town hall", "TelcoX", "Uni <b>", "Manage closely"} <= names
    plt.close(fig)
    fig = dp.partnership_chart(register)
    plt.close(fig)


def test_stakeholder_map_no_tiles(register):
    import folium

    m = dp.stakeholder_map(register)
    markers = [c for c in m._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(markers) == 2
    assert not any(isinstance(c, folium.TileLayer) for c in m._children.values())
    with pytest.raises(InputError, match="no stakeholder is located"):
        dp.stakeholder_map(dg.make_register([{"name": "A", "type": "ngo"}]))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_section_lists_scores_in_the_language(results, register, lang):
    r = results[0]
    plan = dg.action_plan(r, register=register, lang=lang)
    agree = dg.compare_assessors(*dg.example_assessments()[:2])
    html = dp.diagnosis_section(r, lang, plan=plan, progress=dg.compare_assessments(results[0], results[2]),
                                agreement=agree, who=dg.who_could_help(register, r), include_radar=False)
    assert html.startswith("<section") and html.endswith("</section>")
    q = r.assessment.questionnaire
    for label in r.dimensions[f"label_{lang}"]:
        assert label in html
    for band in set(r.dimensions["band"]):
        assert q.label("band", band, lang) in html
    score = f"{r.overall:.2f}"
    assert (score if lang == "en" else score.replace(".", ",")) in html
    assert plan["action"].iloc[0] in html.replace("&#x27;", "'")
    assert "Uni <b>" not in html                                  # names are escaped
    assert ("Cohen's kappa" if lang == "en" else "kappa de Cohen") in html.replace("&#x27;", "'")
    assert len(re.findall("<table", html)) == 5


def test_section_embeds_radar_and_rejects_unknown_language(results):
    assert "data:image/svg+xml;base64," in dp.diagnosis_section(results[0])
    with pytest.raises(InputError):
        dp.diagnosis_section(results[0], lang="de")


@pytest.mark.parametrize("lang, word", [("en", "provisional"), ("fr", "provisoire")])
def test_section_marks_a_band_on_few_answers_provisional(lang, word):
    r = dg.score_assessment(dg.make_assessment({"EQ1": "high", "PR1": "end_to_end"}, territory="T", date="2024-05-01"))
    html = dp.diagnosis_section(r, lang, include_radar=False)
    intro = html[html.index("<p>"):html.index("</p>")]
    assert f"({word})" in intro
    assert html.count(f"({word})") == 3                     # the intro and the two answered dimensions
    assert ("Weakest" if lang == "en" else "plus faibles") not in html   # nothing ranked on one answer


def test_french_section_shows_labels_not_ids(results):
    r = results[0]
    plan = dg.action_plan(r, lang="fr")                       # no register: the carrier types are shown
    reg = dg.make_register([{"name": "Forum", "type": "community_organisation"}])
    html = dp.diagnosis_section(r, "fr", plan=plan, who=dg.who_could_help(reg, r), include_radar=False)
    body = html.replace("&#x27;", "'")
    assert "community_organisation" not in body and "social_solidarity_economy" not in body
    assert "Organisations communautaires et de la société civile" in body
    assert "humaines" in body and "; data" not in body and "human" not in body
    assert not re.search(r"score \d\.\d", body)               # decimal comma in the findings


def test_radar_leaves_unscored_dimensions_out():
    r = dg.score_assessment(dg.make_assessment({"PR2": "payment", "CO4": "consultation", "DA5": "yes"},
                                               territory="T", date="2024-01-01"))
    fig = dp.radar_chart(r, labels=["x"])
    ax = fig.axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "x")
    y = list(line.get_ydata()[:-1])
    scores = list(r.dimensions["score"])
    assert y == pytest.approx(scores, nan_ok=True)
    assert 0.0 not in y                                            # unscored is a gap, not a zero
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    for tick, s in zip(ticks, scores):
        assert ("(no answer)" in tick) == (s != s)
    plt.close(fig)


@pytest.mark.parametrize("lang, n, text", [("fr", 0, "0 désaccord à trancher"), ("fr", 1, "1 désaccord à"),
                                           ("fr", 2, "2 désaccords"), ("en", 0, "0 disagreements"),
                                           ("en", 1, "1 disagreement to")])
def test_agreement_sentence_singular_and_plural(results, lang, n, text):
    a = dg.example_assessments()[0]
    ids = list(a.answers.loc[a.answers["answer"] != "", "question_id"])
    answers = {q: a.answer(q) for q in ids}
    b = dict(answers)
    for q in ids[:n]:
        allowed = a.questionnaire.allowed_answers(q)
        b[q] = next(x for x in allowed if x != answers[q])
    g = dg.compare_assessors(dg.make_assessment(answers, territory="T", date="2024-01-01", assessor="A"),
                             dg.make_assessment(b, territory="T", date="2024-01-01", assessor="B"))
    assert len(g.disagreements) == n
    html = dp.diagnosis_section(results[0], lang, agreement=g, include_radar=False)
    assert text in html
