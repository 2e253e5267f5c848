"""Charts, map and report section of the e-governance diagnosis.

- :func:`radar_chart`: dimension scores of one or more assessments, with the LOSI band circles;
- :func:`progress_chart`: scores before/after between two assessment dates;
- :func:`influence_interest_chart`: stakeholders on the influence/interest grid;
- :func:`partnership_chart`: network of existing (solid) and proposed (dashed) partnerships;
- :func:`stakeholder_map`: located stakeholders on a folium map (no tiles by default);
- :func:`diagnosis_section`: the HTML fragment of the report (English or French).

Texts come from ``egovkit/diagnosis/data/report_text.yaml``.

Examples
--------
>>> from egovkit import diagnosis as dg
>>> r = dg.score_assessment(dg.example_assessments()[0])
>>> fig = radar_chart(r)
>>> html = diagnosis_section(r, lang="fr")
>>> "Scores par dimension" in html
True
"""

from __future__ import annotations

import base64
import html as _html
import io
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..diagnosis.agreement import Agreement
from ..diagnosis.questionnaire import COMPUTED_EVIDENCE
from ..diagnosis.scoring import AssessmentResult, Progress
from ..diagnosis.stakeholders import StakeholderRegister, influence_interest_grid, partnership_graph, stakeholder_labels
from ..errors import InputError
from ..shared.texts import load_texts
from .i18n import format_number, format_percent
from .safe import check_map_text, literal_figure_text, literal_text, map_text

__all__ = ["radar_chart", "progress_chart", "influence_interest_chart", "partnership_chart", "stakeholder_map",
           "diagnosis_section", "report_text"]

_TEXT = Path(__file__).resolve().parents[1] / "diagnosis" / "data" / "report_text.yaml"
_BAND_COLOURS = {"low": "#d7191c", "middle": "#fdae61", "high": "#a6d96a", "very_high": "#1a9641", "": "#bbbbbb"}


def report_text(lang: str = "en") -> dict[str, Any]:
    """Texts of the diagnosis section and charts for ``en`` or ``fr`` (:func:`egovkit.shared.texts.load_texts`)."""
    return load_texts(_TEXT, lang)


def _lang(lang: str) -> str:
    report_text(lang)
    return lang


def _results(results: AssessmentResult | Sequence[AssessmentResult]) -> list[AssessmentResult]:
    return [results] if isinstance(results, AssessmentResult) else list(results)


@literal_text
def radar_chart(
    results: AssessmentResult | Sequence[AssessmentResult],
    *,
    lang: str = "en",
    labels: Sequence[str] | None = None,
    ax: Any = None,
) -> Any:
    """Radar chart of the dimension scores (0-1) with the LOSI band bounds as circles.

    A dimension without any scored answer is left out of the outline (a gap, not a 0) and its
    axis label says "no answer".

    Parameters
    ----------
    results
        One or several scored assessments (e.g. two dates, or two assessors).
    labels
        Legend labels (default: ``date, assessor``).
    ax
        A polar matplotlib axis to draw on.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    lang = _lang(lang)
    rs = _results(results)
    dims = rs[0].dimensions
    names = list(dims[f"label_{lang}"])
    angles = np.linspace(0, 2 * np.pi, len(names), endpoint=False)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 6), subplot_kw={"projection": "polar"})
    else:
        fig = ax.figure
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ring = np.linspace(0, 2 * np.pi, 200)
    for bound in (0.25, 0.5, 0.75):
        ax.plot(ring, np.full_like(ring, bound), color="#999999", lw=0.6, ls=":")
    labels = list(labels) if labels is not None else [f"{r.assessment.date}, {r.assessment.assessor}" for r in rs]
    unscored: set[int] = set()
    for r, lab in zip(rs, labels):
        vals = r.dimensions.set_index("dimension").loc[dims["dimension"], "score"].to_numpy(dtype=float)
        unscored |= set(np.flatnonzero(np.isnan(vals)))
        # an unscored dimension is a gap in the outline (NaN), not a score of 0
        ax.plot(np.append(angles, angles[0]), np.append(vals, vals[0]), lw=2, marker="o", ms=3, label=lab)
        ok = ~np.isnan(vals)
        if ok.sum() >= 3:
            ax.fill(np.append(angles[ok], angles[ok][0]), np.append(vals[ok], vals[ok][0]), alpha=0.12)
    ax.set_xticks(angles)
    no_answer = report_text(lang)["no_answer"]
    ax.set_xticklabels([n.replace(" and ", "\nand ").replace(" et ", "\net ")
                        + (f"\n({no_answer})" if i in unscored else "")
                        for i, n in enumerate(names)], fontsize=9)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75, 1.0])
    ax.set_yticklabels(["0.25", "0.50", "0.75", "1"], fontsize=7)
    ax.set_title(report_text(lang)["radar_title"], pad=28)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), fontsize=8, ncol=min(len(rs), 2))
    fig.tight_layout()
    return fig


@literal_text
def progress_chart(progress: Progress, *, lang: str = "en", ax: Any = None) -> Any:
    """Before/after scores per dimension and overall (a dumbbell chart with arrows)."""
    import matplotlib.pyplot as plt

    lang = _lang(lang)
    t = report_text(lang)
    d = progress.dimensions.iloc[::-1].reset_index(drop=True)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(d) + 1.2))
    else:
        fig = ax.figure
    y = np.arange(len(d))
    for bound in (0.25, 0.5, 0.75):
        ax.axvline(bound, color="#cccccc", lw=0.8, ls=":")
    for yi, b, a in zip(y, d["score_before"], d["score_after"]):
        if pd.notna(b) and pd.notna(a) and abs(a - b) > 1e-9:
            ax.annotate("", xy=(a, yi), xytext=(b, yi),
                        arrowprops={"arrowstyle": "->", "color": "#1a9641" if a > b else "#d7191c", "lw": 1.5})
    ax.scatter(d["score_before"], y, color="#999999", zorder=3, label=f"{t['before']} ({progress.date_before})")
    ax.scatter(d["score_after"], y, color="#2c7bb6", zorder=3, label=f"{t['after']} ({progress.date_after})")
    ax.set_yticks(y)
    ax.set_yticklabels(d[f"label_{lang}"])
    ax.set_xlim(0, 1)
    ax.set_xlabel(t["score"])
    ax.set_title(t["progress_title"].format(before=progress.date_before, after=progress.date_after))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


@literal_text
def influence_interest_chart(register: StakeholderRegister, *, lang: str = "en", ax: Any = None) -> Any:
    """Stakeholders on the influence (y) / interest (x) grid, levels low-medium-high.

    Stakeholders sharing a cell are spread on a small circle so that every name stays readable.
    """
    import matplotlib.pyplot as plt

    lang = _lang(lang)
    t = report_text(lang)
    g = influence_interest_grid(register)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 6))
    else:
        fig = ax.figure
    for _i, (_, cell) in enumerate(g.groupby(["interest_level", "influence_level"])):
        n = len(cell)
        ang = np.linspace(0, 2 * np.pi, n, endpoint=False) + 0.3
        r = 0.0 if n == 1 else 0.28
        xs = cell["interest_level"].to_numpy() + r * np.cos(ang)
        ys = cell["influence_level"].to_numpy() + r * np.sin(ang)
        ax.scatter(xs, ys, s=40, color="#2c7bb6", zorder=3)
        for x, yv, name in zip(xs, ys, cell["name"]):
            ax.annotate(name, (x, yv), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.axhline(2.5, color="#999999", lw=0.8)
    ax.axvline(2.5, color="#999999", lw=0.8)
    q = t["quadrants"]
    for (x, yv), key in {(3.45, 3.45): "manage closely", (0.55, 3.45): "keep satisfied",
                         (3.45, 0.55): "keep informed", (0.55, 0.55): "monitor"}.items():
        ax.text(x, yv, q[key], ha="right" if x > 2 else "left", va="top" if yv > 2 else "bottom",
                fontsize=8, color="#666666", style="italic")
    lv = t["levels"]
    ax.set_xticks([1, 2, 3], [lv["low"], lv["medium"], lv["high"]])
    ax.set_yticks([1, 2, 3], [lv["low"], lv["medium"], lv["high"]])
    ax.set_xlim(0.5, 3.5)
    ax.set_ylim(0.5, 3.5)
    ax.set_xlabel(t["interest"])
    ax.set_ylabel(t["influence"])
    ax.set_title(t["grid_title"])
    fig.tight_layout()
    return fig


@literal_text
def partnership_chart(register: StakeholderRegister, *, lang: str = "en", seed: int = 1, ax: Any = None) -> Any:
    """Network of partnerships: solid lines existing, dashed lines proposed; node colour by type."""
    import matplotlib.pyplot as plt
    import networkx as nx

    lang = _lang(lang)
    t = report_text(lang)
    g = partnership_graph(register)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 6))
    else:
        fig = ax.figure
    pos = nx.spring_layout(g, seed=seed)
    types = sorted({d["type"] for _, d in g.nodes(data=True)})
    cmap = plt.get_cmap("tab20")
    colours = {ty: cmap(i % 20) for i, ty in enumerate(types)}
    for status, style in (("existing", "solid"), ("proposed", "dashed")):
        edges = [(u, v) for u, v, s in g.edges(data="status") if s == status]
        nx.draw_networkx_edges(g, pos, edgelist=edges, style=style, ax=ax, width=1.6,
                               edge_color="#333333" if status == "existing" else "#2c7bb6")
    nx.draw_networkx_nodes(g, pos, node_color=[colours[g.nodes[n]["type"]] for n in g.nodes], node_size=260, ax=ax)
    nx.draw_networkx_labels(g, pos, font_size=7, ax=ax)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="#333333", ls="solid", label=t["existing"]),
               Line2D([], [], color="#2c7bb6", ls="dashed", label=t["proposed"])]
    handles += [Line2D([], [], marker="o", ls="", color=colours[ty], label=ty) for ty in types]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(t["partnerships_title"])
    ax.axis("off")
    fig.tight_layout()
    return fig


def stakeholder_map(register: StakeholderRegister, *, tiles: str | None = None, lang: str = "en") -> Any:
    """Folium map of the located stakeholders as circle markers (no tiles unless asked).

    Raises
    ------
    InputError
        If no stakeholder has ``lat`` and ``lon``.
    """
    import folium

    lang = _lang(lang)
    s = register.stakeholders.dropna(subset=["lat", "lon"])
    if s.empty:
        raise InputError(code="charts.no_stakeholder_location", column="lat, lon")
    m = folium.Map(tiles=tiles, control_scale=True)
    types = sorted(s["type"].unique())
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf", "#393b79", "#637939"]
    colour = {ty: palette[i % len(palette)] for i, ty in enumerate(types)}
    size = {"low": 5, "medium": 8, "high": 11}
    for r in s.itertuples(index=False):
        # user text through map_text (inert for folium's Jinja passes, the JS template literal of
        # folium's tooltip and innerHTML); a tooltip, not a folium Popup, which needs jQuery (not
        # shipped in the offline page)
        tip = (f"<b>{map_text(r.name)}</b><br>{map_text(r.type)}<br>{map_text(r.resources)}<br>"
               f"{map_text(report_text(lang)['influence'])}: {map_text(r.influence)}")
        folium.CircleMarker([r.lat, r.lon], radius=size.get(r.influence, 6), color=colour[r.type], fill=True,
                            fill_opacity=0.8, weight=1, tooltip=folium.Tooltip(tip, sticky=True)).add_to(m)
    m.fit_bounds([[s["lat"].min(), s["lon"].min()], [s["lat"].max(), s["lon"].max()]])
    check_map_text(m)
    return m


def _fig_svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    literal_figure_text(fig).savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return "<img alt='radar' src='data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode() + "'>"


def _plural(t: dict, key: str, n: int, lang: str) -> str:
    """Singular for 1 (en) or for 0 and 1 (fr: « 0 désaccord »), plural otherwise."""
    one = n in (0, 1) if lang == "fr" else n == 1
    return t[f"{key}_one" if one else f"{key}_many"]


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='egovkit-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def diagnosis_section(
    result: AssessmentResult,
    lang: str = "en",
    *,
    plan: pd.DataFrame | None = None,
    progress: Progress | None = None,
    agreement: Agreement | None = None,
    who: pd.DataFrame | None = None,
    include_radar: bool = True,
    max_actions: int = 10,
) -> str:
    """The diagnosis section of the report as an HTML fragment (``<section>``), in ``en`` or ``fr``.

    Parameters
    ----------
    result
        A scored assessment.
    plan
        An action plan from :func:`egovkit.diagnosis.action_plan` (in the same language).
    progress, agreement, who
        Optional comparison with an earlier assessment, agreement between two assessors, and
        the "who could help" table.
    include_radar
        Embed the radar chart as an inline SVG image.
    max_actions
        Actions listed at most.
    """
    lang = _lang(lang)
    t = report_text(lang)
    q = result.assessment.questionnaire
    esc = _html.escape
    a = result.assessment

    def num(x: float) -> str:
        return format_number(x, lang, 2)

    def band(b: str, provisional: bool = False) -> str:
        if not b:
            return "–"
        return esc(q.label("band", b, lang)) + (f" ({esc(t['provisional'])})" if provisional else "")

    parts = [f"<section class='egovkit-diagnosis' lang='{lang}'>", f"<h2>{esc(t['section_title'])}</h2>"]
    parts.append("<p>" + t["intro"].format(territory=esc(a.territory), date=esc(a.date), assessor=esc(a.assessor),
                                           version=esc(q.version), score=num(result.overall),
                                           band=band(result.overall_band, result.provisional),
                                           answered=format_percent(result.share_answered, lang)) + "</p>")
    if result.provisional:
        parts.append("<p class='egovkit-warning'>" + esc(t["provisional_note"].format(
            answered=format_percent(result.share_answered, lang),
            min=format_percent(result.min_share_answered, lang, 0))) + "</p>")
    n_auto = int((a.answers["evidence_document"] == COMPUTED_EVIDENCE).sum())
    if n_auto:
        parts.append(f"<p>{esc(t['computed_note'].format(n=n_auto))}</p>")
    weak = result.weakest(3)
    if len(weak):
        parts.append(f"<p>{esc(t['weakest'].format(dims=', '.join(weak[f'label_{lang}'])))}</p>")
    if include_radar:
        parts.append(f"<figure>{_fig_svg(radar_chart(result, lang=lang))}</figure>")
    parts.append(f"<h3>{esc(t['dimensions_title'])}</h3>")
    parts.append(_table([t["dimension"], t["score"], t["band"], t["answered"]],
                        [[esc(r[f"label_{lang}"]), num(r["score"]), band(r["band"], bool(r["provisional"])),
                          format_percent(r["share_answered"], lang)] for _, r in result.dimensions.iterrows()]))
    parts.append(f"<h3>{esc(t['losi_title'])}</h3>")
    parts.append(_table([t["criterion"], t["score"], t["band"]],
                        [[esc(r[f"label_{lang}"]), num(r["score"]), band(r["band"])]
                         for _, r in result.losi.iterrows()]))
    if progress is not None:
        title = t["progress_title"].format(before=progress.date_before, after=progress.date_after)
        parts.append(f"<h3>{esc(title)}</h3>")
        parts.append(_table([t["dimension"], t["before"], t["after"], t["change"]],
                            [[esc(t["overall"] if r["dimension"] == "overall" else r[f"label_{lang}"]),
                              num(r["score_before"]), num(r["score_after"]),
                              ("+" if r["change"] > 0 else "") + num(r["change"])]
                             for _, r in progress.dimensions.iterrows()]))
    if agreement is not None:
        parts.append("<p>" + esc(t["agreement"].format(a=agreement.assessor_a, b=agreement.assessor_b,
                                                      n=agreement.n_compared,
                                                      rate=format_percent(agreement.agreement_rate, lang),
                                                      kappa=num(agreement.kappa), k=len(agreement.disagreements),
                                                      disagreements=_plural(t, "disagreement",
                                                                            len(agreement.disagreements),
                                                                            lang)))
                     + "</p>")
    if plan is not None and len(plan):
        parts.append(f"<h3>{esc(t['actions_title'])}</h3>")
        parts.append(_table([t["rank"], t["area"], t["action"], t["finding"], t["carriers"]],
                            [[str(r["rank"]), esc(r["area_label"]), esc(r["action"]), esc(r["finding"]),
                              esc(r["stakeholders"] or r.get("carrier_labels") or r["carrier_types"])]
                             for _, r in plan.head(max_actions).iterrows()]))
    if who is not None and len(who):
        res_label = stakeholder_labels(lang)
        parts.append(f"<h3>{esc(t['who_title'])}</h3>")
        parts.append(_table([t["dimension"], t["stakeholder"], t["resources"]],
                            [[esc(q.label("dimension", r["dimension"], lang)), esc(r["name"]),
                              esc("; ".join(res_label.get(x, x)
                                            for x in str(r["matching_resources"]).split("; ") if x))]
                             for _, r in who.iterrows()]))
    parts.append("</section>")
    return "\n".join(parts)
