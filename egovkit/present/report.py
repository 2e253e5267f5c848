"""The diagnosis report of a territory: one call, one self-contained HTML file and its tables.

:func:`build_report` writes into ``out_dir``:

- ``index.html``: summary figures, the interactive map (inlined gzip-compressed and opened into an
  ``<iframe srcdoc>`` by the browser's own ``DecompressionStream``: a third of the size; a browser
  without it gets a link to ``maps/``),
  static maps and charts (PNG, base64), the lagging districts, Wi-Fi coverage and gaps,
  the tables and the narrative sentences, in English or French. Every script, style and
  image is inside the file: it opens with the network switched off;
- ``maps/*.html`` (the same interactive map, offline), ``figures/*.png`` and ``*.svg``,
  ``tables/*.csv`` and ``tables/*.gpkg``;
- ``tables.xlsx``: every CSV table in one workbook, one sheet per table, units in the headers,
  the validation report included (:mod:`egovkit.present.workbook`);
- proposed sites and gap zones with ``longitude``/``latitude`` (EPSG:4326; for a zone, a point
  inside it) in their CSV, and as ``tables/{new_sites,gap_zones}.geojson`` and ``.kml``.

``index.html`` carries a print stylesheet: the browser's "Print" / "Save as PDF" shows the static
map instead of the interactive one, repeats table headers on each page, keeps rows and figures
whole and leaves out the list of files. Its links are relative to the folder.

Every number in the text is read from the tables written next to it (``tables/summary.csv``
and the others); the sentences are templates in ``i18n/{en,fr}.yaml``.

Examples
--------
>>> import geopandas as gpd, pandas as pd, tempfile
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"]},
...                      geometry=[box(0, 0, .1, .1), box(.1, 0, .2, .1)], crs=4326)
>>> rates = pd.DataFrame({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"],
...                       "indicator": "internet", "universe": "households",
...                       "numerator": [10.0, 30.0], "denominator": [100.0, 100.0]})
>>> index = build_report(tempfile.mkdtemp(), territory_name="Demo", districts=d, rates=rates)
>>> "20.0%" in index.read_text(encoding="utf-8")
True
>>> inputs = ReportInputs(territory_name="Démo", districts=d, rates=rates, lang="fr")
>>> "20,0\xa0%" in build_report(tempfile.mkdtemp(), inputs).read_text(encoding="utf-8")
True

The page is assembled from one section builder per part (:mod:`egovkit.present.report_sections`:
the district layers, interactive map, data checks, static maps, summary, lagging districts, Wi-Fi,
distribution, charts, tables, e-governance diagnosis); the tables and files are written by
:mod:`egovkit.present.report_tables`.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..shared.catalogue import indicator_label
from ..shared.messages import render
from .report_sections import SECTIONS, ReportInputs, ReportPage, start_page
from .report_tables import CSV_FLOAT, _inside, _Markup, _outputs_text, summary_table
from .workbook import WORKBOOK_NAME, write_workbook

__all__ = ["CSV_FLOAT", "ReportInputs", "build_report", "indicator_label", "summary_table"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Keywords of earlier releases, kept one release (they warn): old -> new field of ReportInputs.
_RENAMED = {"name_column": "name", "gaps": "gap_zones"}


def build_report(out_dir: str | Path, inputs: ReportInputs | None = None, **keywords: Any) -> Path:
    """Build the HTML diagnosis report of a territory and export its tables and figures.

    The report is made of one :class:`~egovkit.present.report_sections.ReportInputs` (give it as
    ``inputs``, or give its fields as keywords) that each section builder of
    :mod:`egovkit.present.report_sections` reads in turn.

    Parameters
    ----------
    out_dir
        Output folder (created). Receives ``index.html``, ``tables.xlsx``, ``maps/``, ``figures/``,
        ``tables/``.
    inputs
        Everything below in one object; then no keyword may be given.
    territory_name
        Name used in the title and sentences.
    districts
        District polygons with ``key`` (the district code column) and ``name`` (its label column; the
        old keyword ``name_column=`` still works and warns), in any CRS.
    rates
        The long indicator table: one row per (district, indicator) with ``key``,
        ``indicator``, ``universe``, ``numerator``, ``denominator`` and optionally ``share``
        (0-1; computed as numerator/denominator when absent).
    indicator
        The indicator of the interactive map, bars and Lorenz curve (default: ``internet``
        when present, else the first).
    hotspots
        Wi-Fi hotspot points (drawn, counted per 10,000 of the denominator's universe).
    coverage
        Output of :func:`egovkit.coverage.coverage` (territory rows are used) or any table
        with ``radius_m`` and a ``share_*`` column (0-1).
    coverage_radius_m
        Without ``coverage_areas``: the maps show the area within this radius of a hotspot.
    coverage_areas, gap_zones, new_sites
        Covered polygons, uncovered gap zones (``population``, ``area_km2`` used when present;
        the old keyword ``gaps=`` still works and warns) and proposed sites (a ``population_added`` /
        ``population_covered`` column is used when present).
    lagging
        Output of :func:`egovkit.distribution.lagging_districts`, shown as given: to keep the
        set-apart districts off it, pass the same districts as its ``exclude=`` (see
        :func:`egovkit.distribution.lagging.set_apart_mask`). When ``None`` the ``n_lowest``
        districts with the lowest rate (set-apart ones left out) are listed instead.
    lisa
        Output of :func:`egovkit.distribution.local_moran` (``key`` + ``lisa_cluster``) or
        ``key`` + ``cluster`` with ``HH``/``LL``/``HL``/``LH``.
    distribution
        Inequality figures (a DataFrame, or a mapping name -> value) shown as a table.
    lang
        ``"en"`` or ``"fr"``.
    static_maps_for
        Indicators with a static map (default: the main one and others, at most 6). The static map
        of the main indicator stands for the interactive map when the page is printed.
    assessment, action_plan
        A scored e-governance assessment (:func:`egovkit.diagnosis.score_assessment`) and its
        action plan: the diagnosis section of ``egovkit.present.diagnosis_plots`` is added.
    extra_sections
        Further HTML fragments (trusted, e.g. ``<section>`` elements) appended before the files.
    district_word
        What the districts are called: ``"county"``, ``"neighbourhood"``, ``"tract"``... (translated
        with the ``district_words`` of ``i18n/{en,fr}.yaml``; other words are used as given).
    lagging_sentences
        Sentences already written about the lagging districts (e.g. by
        :func:`egovkit.distribution.lagging_summary`), shown first in that section.
    min_denominator
        Districts whose denominator (persons or households) of the main indicator is under this
        are set apart: left out of the lowest/highest rates and of the lowest list, and the
        report says which (their figures stay in every table). 0 (default) keeps every district.
    set_apart
        Keys of districts that are not residential (parks, airports, a prison island), left out
        in the same way whatever their population.
    validation
        The validation report of the inputs: its errors and warnings (row, column, district,
        how to fix) are listed in "Data checks"; all of it goes to ``tables/validation_report.csv``
        (unless already there) and to the workbook.
    extra_files
        Files already in ``out_dir`` (relative or absolute) to list under "Files".
    extra_notes
        ``{"wifi": [...], "distribution": [...], "quality": [...]}``: further notes per section.
    map_geometry_bytes
        Budget of the district GeoJSON in the interactive map (see
        :func:`~egovkit.present.maps.simplify_for_web`); 1 MB (about 4 m tolerance) keeps the NYC tract
        report (2,166 tracts, 3,319 hotspots) under 10 MB in all.

    Returns
    -------
    Path
        The path of ``index.html``.
    """
    for old, new_name in _RENAMED.items():
        if old in keywords:
            said = {"function": "build_report", "old": old, "new": new_name}
            if new_name in keywords:
                raise TypeError(render("shared.renamed_both", said))
            warnings.warn(render("shared.renamed", said), DeprecationWarning, stacklevel=2)
            keywords[new_name] = keywords.pop(old)
    if inputs is None:
        inputs = ReportInputs(**keywords)
    elif keywords:
        raise InputError(code="report.inputs_and_keywords", params={"names": sorted(keywords)})
    page = start_page(inputs, out_dir)
    for section in SECTIONS:
        section(inputs, page)
    return write_page(inputs, page)


def write_page(inp: ReportInputs, page: ReportPage) -> Path:
    """The validation table, the workbook of every table, then ``index.html`` from the template."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    import egovkit

    out, tr, lang, files = page.out, page.tr, page.lang, page.files
    if inp.validation is not None and not (out / "tables" / "validation_report.csv").exists():
        files.append(inp.validation.save(out / "tables" / "validation_report.csv", lang=lang))
    extra = _inside(out, inp.extra_files)
    page_title = inp.title or tr["title"].format(territory=inp.territory_name)
    sources = [str(x) for x in page.r["source"].dropna().unique()] if "source" in page.r.columns else []
    if inp.validation is not None and inp.validation.source:
        sources.append(str(inp.validation.source))
    csvs = [p for p in [*files, *(out / f for f in extra)] if p.suffix == ".csv" and p.parent == out / "tables"]
    workbook = write_workbook(list(dict.fromkeys(csvs)), out / WORKBOOK_NAME, title=page_title, lang=lang,
                              sources=sources, validation=inp.validation)
    files.append(workbook)
    words_out = _outputs_text(lang)
    downloads = [{"href": WORKBOOK_NAME, "label": words_out["link"]}]
    geo_files = [p for p in files if p.suffix in (".geojson", ".kml")]
    if geo_files:
        downloads.append({"label": words_out["geo"], "links": [str(p.relative_to(out)) for p in geo_files]})
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(
        lang=lang, t=tr, title=page_title, downloads=downloads,
        generated=tr["generated"].format(version=getattr(egovkit, "__version__", ""),
                                         date=_dt.date.today().isoformat()),
        sections=[_Markup(x) for x in page.sections], cards=page.cards, sentences=page.sentences, notes=page.notes,
        maps=page.maps, static_maps=page.static, charts=page.charts,
        tables={k_: _Markup(v) for k_, v in page.tables.items()},
        files=sorted({p.relative_to(out).as_posix() for p in files} | set(extra)))
    index = out / "index.html"
    index.write_text(html, encoding="utf-8")
    return index

