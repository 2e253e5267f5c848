"""The main job: from a census table and district boundaries (plus, optionally, Wi-Fi sites
and population) to indicators, their spread, Wi-Fi coverage and the offline report.

It only chains the public functions of the other modules. What reads the user's files for it
(``egovkit run``, the app) is :mod:`egovkit.run_files`; the worked cases (``egovkit report
kenya|nyc``, ``egovkit demo``) are :mod:`egovkit.cases`.

Examples
--------
>>> from egovkit.pipeline import diagnose                                  # doctest: +SKIP
>>> d = diagnose(table, boundaries, territory_name="Kenya", out_dir="out/k")  # doctest: +SKIP
>>> print(d.summary())                                                     # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import shutil
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from . import settings
from .errors import EgovkitError, InputError
from .export import write_csv
from .output_folder import check_folder, staged_folder
from .shared.formatting import resolve_language, speaks_its_lang
from .shared.messages import has_message, render
from .shared.renamed import renamed
from .table import CensusTable
from .validate import ValidationReport


@dataclass
class Diagnosis:
    """Everything the main job computed (tables are tidy (Geo)DataFrames).

    Attributes
    ----------
    table : the validated census table (``.report`` says what was read, kept apart, dropped)
    districts : boundaries joined with ``numerator_/denominator_/share_<indicator>`` columns
    rates : long table, one row per (district, indicator) with ``share`` (0-1) and flags
    territory : the territory's figures (denominator-weighted), one row per indicator
    gap_to_territory : gap of each district to the territory (percentage points) and ranks (was ``gaps``)
    composite : composite digital-access index (0-100) and its rank
    inequality : weighted inequality statistics, one row per (indicator, statistic)
    lagging : districts below half the territory's rate of the main indicator
    sentences : sentence-ready findings in the chosen language
    notes : what was not done and why (e.g. coverage without a population layer)
    min_denominator : districts with a smaller denominator are left out of the lagging list
    coverage, coverage_gaps, new_sites : Wi-Fi coverage results (None without sites)
    report : every validation issue of every step
    """

    territory_name: str
    main_indicator: str
    table: CensusTable
    districts: gpd.GeoDataFrame
    rates: pd.DataFrame
    territory: pd.DataFrame
    gap_to_territory: pd.DataFrame
    composite: pd.DataFrame | None = None
    inequality: pd.DataFrame | None = None
    lagging: pd.DataFrame | None = None
    lisa: pd.DataFrame | None = None
    sentences: list[str] = field(default_factory=list)
    hotspots: gpd.GeoDataFrame | None = None
    coverage: pd.DataFrame | None = None
    coverage_gaps: gpd.GeoDataFrame | None = None
    new_sites: gpd.GeoDataFrame | None = None
    assessment: Any = None
    action_plan: pd.DataFrame | None = None
    report: ValidationReport = field(default_factory=ValidationReport)
    out_dir: Path | None = None
    report_path: Path | None = None
    lang: str = "en"
    district_word: str = "district"
    min_denominator: float = 0
    notes: list[str] = field(default_factory=list)
    set_apart: list[str] = field(default_factory=list)

    @property
    def gaps(self) -> pd.DataFrame:
        """Deprecated name of :attr:`gap_to_territory` (one release)."""
        said = {"owner": "Diagnosis", "old": "gaps", "new": "gap_to_territory"}
        warnings.warn(render("shared.renamed_attribute", said), DeprecationWarning, stacklevel=2)
        return self.gap_to_territory

    def summary(self, lang: str | None = None) -> str:
        """A few lines for the terminal: territory figures, findings, where the files are.

        In the language of the run (``lang``), from the message catalogue (``pipeline.summary_*``).
        """
        from .present.i18n import format_number

        lang = lang or self.lang

        def line(code: str, **params: Any) -> str:
            return "  " + render(code, params, lang=lang)

        def pct(x: float) -> str:
            return format_number(100 * x, lang, 1) + " %"

        n_districts = self.districts.shape[0]
        districts = district_words(self.district_word, lang)[1]
        lines = [render("pipeline.summary_head", {"territory": self.territory_name, "n_districts": n_districts,
                                                  "districts": districts,
                                                  "n_indicators": len(self.rates["indicator"].unique())}, lang=lang)]
        for _, r in self.territory.iterrows():
            universe = render(f"pipeline.{r['universe']}", lang=lang) \
                if has_message(f"pipeline.{r['universe']}") else r["universe"]
            lines.append(line("pipeline.summary_rate", indicator=f"{r['indicator']:<16}", pct=f"{pct(r['share']):>6}",
                              universe=universe, num=format_number(r["numerator"], lang),
                              den=format_number(r["denominator"], lang)))
        if self.coverage is not None:
            terr = self.coverage[(self.coverage["level"] == "territory") & (self.coverage["sites"] == "all")]
            parts = ", ".join(render("pipeline.summary_wifi_part", {"pct": pct(s), "radius": f"{r:g}"}, lang=lang)
                              for r, s in zip(terr["radius_m"], terr["share_covered"]))
            lines.append(line("pipeline.summary_wifi", parts=parts))
        n_data = self.rates.loc[self.rates["indicator"] == self.main_indicator, ["area_code", "area_name"]] \
            .drop_duplicates().shape[0]
        if 0 < n_data < n_districts:  # a partial table: say it at once
            lines.append(line("pipeline.summary_no_data", n_missing=n_districts - n_data, n_districts=n_districts,
                              districts=districts))
        lines += [f"  - {s}" for s in self.sentences]
        lines += [line("pipeline.summary_note", note=n) for n in self.notes]
        if self.assessment is not None:
            res = self.assessment
            band = res.assessment.questionnaire.label("band", res.overall_band, lang) if res.overall_band else "–"
            lines.append(line("pipeline.summary_maturity", score=format_number(res.overall, lang, 2), band=band,
                              territory=res.assessment.territory))
        lines.append(line("pipeline.summary_validation", summary=self.report.summary(lang)))
        if self.report_path:
            lines.append(line("pipeline.summary_report", path=self.report_path))
        return "\n".join(lines)


def district_words(word: str, lang: str | None = None) -> tuple[str, str]:
    """A district word (``county``) in ``lang``, singular and plural, as the report says it.

    >>> district_words("county", "fr")
    ('comté', 'comtés')
    """
    from .present.i18n import translations

    words = translations(resolve_language(lang)).get("district_words", {}).get(str(word).lower())
    return (str(words[0]), str(words[1])) if words else (word, word + "s")


@contextmanager
def _steps(names: Sequence[str], lang: str | None = None) -> Iterator[Any]:
    """Progress over the named steps (a tqdm bar when ``settings.progress``), said in ``lang``."""
    if settings.progress:
        from tqdm.auto import tqdm

        said = [render(f"pipeline.step_{n}", lang=lang) for n in names]
        bar = tqdm(total=len(names), unit=render("pipeline.step_unit", lang=lang), leave=False)
        bar.set_description(said[0] if said else "")

        def step(name: str) -> None:
            """``name`` is done: count it and show the step that runs now."""
            bar.update(1)
            i = list(names).index(name) if name in names else bar.n - 1
            if i + 1 < len(names):
                bar.set_description(said[i + 1])
        try:
            yield step
        finally:
            bar.close()
    else:
        yield lambda name: None


def _pick_main(rates: pd.DataFrame, preferred: Sequence[str] = ("internet", "computer", "smartphone_hh",
                                                                  "mobile_phone", "internet_use")) -> str:
    have = list(dict.fromkeys(rates["indicator"]))
    return next((p for p in preferred if p in have), have[0])


@renamed(boundary_key="key")
@speaks_its_lang
def diagnose(
    table: CensusTable,
    boundaries: gpd.GeoDataFrame,
    *,
    territory_name: str | None = None,
    key: str | None = None,
    overrides: dict[str, str] | None = None,
    main_indicator: str | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    population: Any = None,
    radii_m: Sequence[float] = (100.0, 250.0, 500.0),
    n_new_sites: int = 10,
    district_word: str = "district",
    territory_word: str | None = None,
    assessment: Any = None,
    report_options: dict[str, Any] | None = None,
    min_denominator: float = 0,
    set_apart: Sequence[str] = (),
    lang: str = "en",
    out_dir: str | Path | None = None,
    force: bool = False,
    _inputs: Path | None = None,
    _what: str = "diagnose",
    _fix_text: Any = None,
) -> Diagnosis:
    """Run the whole diagnosis on a validated table and its boundaries.

    Parameters
    ----------
    table
        From :func:`egovkit.read.read_table`.
    boundaries
        District polygons (any CRS; distances and areas use an automatic projected CRS).
    territory_name
        The territory's name in the report and its tables (default: "Territory" in ``lang``).
    key
        Column of ``boundaries`` to join on (code or name; default guessed and reported); was
        ``boundary_key=`` (deprecated alias, one release).
    overrides
        ``{"NAME IN TABLE": "Name in boundaries"}`` for names that do not match.
    main_indicator
        Indicator of the map, lagging districts and spatial clusters (default: internet if present).
    hotspots
        Public Wi-Fi sites (points); with ``population`` (a :class:`egovkit.coverage.Population`)
        the coverage, gap zones and ``n_new_sites`` proposed sites are computed.
    radii_m
        Wi-Fi reach radii in metres.
    district_word, territory_word
        Words of the sentences: ``"county"``, ``"neighbourhood"``...; ``"national"`` (default) or
        e.g. ``"city-wide"`` for the territory's rate.
    min_denominator
        Districts whose denominator (persons or households) of the main indicator is under this
        (parks, cemeteries, an island prison) are left out of the lagging list and sentence and of
        the lowest/highest rates of the report, which names them; every figure and inequality
        statistic still includes them. 0 (default) keeps every district.
    set_apart
        Codes (``key``) of districts that are not residential (parks, airports, a
        prison island), left out in the same way whatever their population.
    report_options
        Extra arguments of :func:`egovkit.present.build_report` (e.g. ``static_maps_for``).
    assessment
        An e-governance assessment (:func:`egovkit.diagnosis.make_assessment`); its equipment and
        connectivity answers are filled in from the computed figures, it is scored and an action
        plan is drawn up, and both go into the report.
    lang
        ``"en"`` or ``"fr"``.
    out_dir
        When given, the report (``index.html``), tables and figures are written there: into a
        temporary folder next to it first, moved into place when complete (see
        :mod:`egovkit.output_folder`). A folder holding a previous egovkit report, or files of
        the user's, is refused (before any computation) unless ``force``.
    force
        Replace the egovkit report already in ``out_dir`` (only the files its manifest lists),
        or write beside the user's files there (they are kept).
    """
    from .distribution import inequality, lagging_districts, lagging_summary, local_moran
    from .distribution.lagging import set_apart_mask
    from .indicators import aggregate, composite_index, compute_rates, gap_to_territory
    from .join import join_table

    territory_name = territory_name or render("pipeline.territory_default", lang=lang)
    report = ValidationReport(source=table.source, rows_in=table.report.rows_in)
    report.extend(table.report)
    if out_dir is not None:
        check_folder(out_dir, force=force)
    notes: list[str] = []
    if hotspots is not None and population is None:
        from .present.i18n import translations

        notes.append(translations(lang)["s_coverage_needs_population"])
        report.add("warning", "pipeline.coverage_skipped", params={})
    steps = ["join", "indicators", "distribution"] \
        + (["coverage"] if hotspots is not None and population is not None else []) \
        + (["report"] if out_dir is not None else [])
    with _steps(steps, lang) as step:
        joined = join_table(table, boundaries, boundary_on=key, overrides=overrides)
        report.extend(joined.report)
        if joined.matched == 0:
            raise InputError(code="pipeline.no_match")
        step("join")

        rates = compute_rates(table, report=report)
        territory = aggregate(rates, name=territory_name)
        gap_table = gap_to_territory(rates, territory)
        try:
            composite = composite_index(rates)
        except EgovkitError as exc:  # e.g. a single indicator
            report.add("info", "pipeline.composite_skipped", params={"error": exc.text()})
            composite = None
        main = main_indicator or _pick_main(rates)
        step("indicators")

        gdf = joined.gdf
        have = gdf[f"share_{main}"].notna() if f"share_{main}" in gdf else pd.Series(False, index=gdf.index)
        districts_with_data = gdf[have]
        ineq_frames = []
        for ind in dict.fromkeys(rates["indicator"]):
            if f"numerator_{ind}" not in gdf:
                continue
            sub = gdf[gdf[f"share_{ind}"].notna()]
            try:
                ineq = inequality(sub, indicator=ind, report=report)
            except EgovkitError as exc:
                report.add("warning", "pipeline.inequality_skipped", params={"indicator": ind, "error": exc.text()})
                continue
            ineq.insert(0, "indicator", ind)
            ineq_frames.append(ineq)
        ineq_all = pd.concat(ineq_frames, ignore_index=True) if ineq_frames else None
        universe = str(rates.loc[rates["indicator"] == main, "universe"].iloc[0])
        code_col = key if key in gdf else "area_code"
        # the one mask of set-apart districts, from codes (a park may share its name with a
        # residential district): they count in every rate but are not listed or counted as lagging
        codes = code_col if code_col in gdf else None
        if set_apart and codes is None:
            report.add("warning", "pipeline.set_apart_ignored", params={"column": code_col})
        excluded = set_apart_mask(districts_with_data, key=codes, set_apart=set_apart if codes else (),
                                  denominator=f"denominator_{main}", min_denominator=min_denominator)
        apart = set_apart_mask(districts_with_data, key=codes, set_apart=set_apart if codes else ())
        if excluded.any():
            name_col = "area_name" if "area_name" in gdf else code_col
            for nm, is_apart in zip(districts_with_data.loc[excluded, name_col], apart[excluded]):
                report.add("info", "pipeline.set_apart" if is_apart else "pipeline.set_apart_small",
                           params={"min": round(min_denominator)}, area=str(nm),
                           action="kept apart from the lagging list")
        lag = lagging_districts(districts_with_data, indicator=main, fraction=0.5, exclude=excluded, report=report)
        sentences = [lagging_summary(districts_with_data, indicator=main, fraction=0.5, lang=lang,
                                     district_word=district_word, universe=universe, exclude=excluded,
                                     **({"territory_label": territory_word} if territory_word else {}),
                                     report=report)]
        lisa = None
        if len(districts_with_data) >= 5:
            try:
                lisa = local_moran(districts_with_data, indicator=main, islands="knn", report=report)
            except EgovkitError as exc:
                report.add("warning", "pipeline.lisa_skipped", params={"error": exc.text()})
        step("distribution")

        cov = gap_zones = new_sites = None
        if hotspots is not None and population is not None:
            from .coverage import RasterTiles, candidate_grid, coverage, coverage_gaps, site_new

            cov = coverage(population, hotspots, radii_m)
            r_main = float(sorted(radii_m)[len(radii_m) // 2])
            # gap zones: people beyond the largest radius, cut at district borders (one zone, one district)
            gap_kw = {"split_by_district": True} if _accepts(coverage_gaps, "split_by_district") else {}
            gap_zones = coverage_gaps(population, hotspots, float(max(radii_m)), top=10, **gap_kw)
            if isinstance(population, RasterTiles):
                report.extend(population.report)  # bad cells, total population, tile CRSs (filled by coverage())
                if n_new_sites > 0:
                    from .coverage.tiled_siting import tiled_site_new

                    new_sites = tiled_site_new(population, hotspots, n_new_sites, r_main,
                                               candidate_spacing_m=2 * r_main)
                    capped = new_sites.attrs["candidates_capped"]
                    report.add("info", "pipeline.siting_tiled_capped" if capped else "pipeline.siting_tiled",
                               params={"n_cells": population.n_cells, "cell_m": f"{new_sites.attrs['demand_cell_m']:g}",
                                       "n_demand": new_sites.attrs["n_demand_cells"],
                                       "n_candidates": new_sites.attrs["n_candidates"], "capped": capped})
            elif n_new_sites > 0:
                cands = candidate_grid(population, spacing_m=2 * r_main) if _accepts(candidate_grid, "spacing_m") \
                    else candidate_grid(population)
                new_sites = site_new(population, hotspots, cands, n_new_sites, r_main)
            step("coverage")

        result = plan = None
        if assessment is not None:
            result, plan = _assess(assessment, territory, ineq_all, main, cov, lag, lang)

        diag = Diagnosis(territory_name=territory_name, main_indicator=main, table=table, districts=gdf,
                         rates=rates, territory=territory, gap_to_territory=gap_table, composite=composite,
                         inequality=ineq_all, lagging=lag, lisa=lisa, sentences=sentences,
                         hotspots=hotspots, coverage=cov, coverage_gaps=gap_zones, new_sites=new_sites,
                         assessment=result, action_plan=plan, report=report, lang=lang,
                         district_word=district_word, min_denominator=min_denominator, notes=notes,
                         set_apart=[str(c) for c in set_apart])
        if _fix_text is not None:  # e.g. the command line's options instead of Python keywords
            for issue in report.issues:
                issue.rewrite_text(_fix_text)
        if out_dir is not None:
            with staged_folder(out_dir, force=force, what=_what) as stage:
                if _inputs is not None:
                    shutil.copytree(_inputs, stage / "inputs")
                index = write_outputs(diag, stage, lang=lang, **(report_options or {}))
            diag.out_dir = Path(out_dir)
            diag.report_path = Path(out_dir) / index.relative_to(stage)
            step("report")
    return diag


def _assess(assessment: Any, territory: pd.DataFrame, ineq: pd.DataFrame | None, main: str,
            cov: pd.DataFrame | None, lag: pd.DataFrame | None, lang: str) -> tuple[Any, pd.DataFrame]:
    """Fill the equipment answers from the computed figures, score, and draw up the action plan."""
    from .diagnosis import action_plan, autofill_equipment, score_assessment

    gini = None
    if ineq is not None:
        g = ineq[(ineq["indicator"] == main) & (ineq["statistic"] == "gini")]
        gini = float(g["value"].iloc[0]) if len(g) else None
    wifi = None
    if cov is not None:
        t = cov[(cov["level"] == "territory") & (cov["sites"] == "all")].sort_values("radius_m")
        wifi = float(t["share_covered"].iloc[len(t) // 2])
    answers = autofill_equipment(territory[["indicator", "share"]], gini=gini, wifi_coverage=wifi)
    filled = assessment.with_answers(answers, overwrite=True)
    result = score_assessment(filled)
    figures: dict[str, float] = {}
    if gini is not None:
        figures["gini"] = gini
    if wifi is not None:
        figures["wifi_uncovered_share"] = 1 - wifi
    if lag is not None:
        figures["lagging_districts"] = float(len(lag))
    return result, action_plan(result, computed_figures=figures, lang=lang)


def _accepts(func: Any, name: str) -> bool:
    import inspect

    return name in inspect.signature(func).parameters


def write_outputs(diag: Diagnosis, out_dir: str | Path, *, lang: str = "en", **options: Any) -> Path:
    """Write the offline report, the tables (CSV/GeoPackage) and the validation report.

    Writes straight into ``out_dir`` (no manifest, no check): :func:`diagnose` calls it on a
    temporary folder that it then swaps into place (:mod:`egovkit.output_folder`).

    ``options`` go to :func:`egovkit.present.build_report`.
    """
    from .present.report import CSV_FLOAT, build_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = out / "tables"
    tables.mkdir(exist_ok=True)
    diag.report.save(out / "validation_report.txt")
    diag.report.save(tables / "validation_report.csv")
    written = [out / "validation_report.txt", tables / "validation_report.csv"]
    # the lagging districts are written by the report (tables/lagging_districts.csv)
    for name, field_name in (("territory", "territory"), ("gaps", "gap_to_territory"), ("composite", "composite"),
                             ("inequality", "inequality")):  # the file names of version 1
        df = getattr(diag, field_name)
        if df is not None:
            df = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
            df = df.drop(columns=[c for c in ("area_code", "area_name") if c in df and df[c].isna().all()])
            write_csv(df, tables / f"{name}.csv", float_format=CSV_FLOAT)
            written.append(tables / f"{name}.csv")
    key = "area_code" if diag.rates["area_code"].notna().all() else "area_name"
    districts = diag.districts.copy()
    if key not in districts:
        src = "area_code" if key == "area_code" else "area_name"
        districts[key] = districts.get(src)
    kwargs: dict[str, Any] = dict(territory_name=diag.territory_name, districts=districts, rates=diag.rates,
                                  key=key, indicator=diag.main_indicator, lagging=diag.lagging,
                                  distribution=diag.inequality, lang=lang, district_word=diag.district_word,
                                  lagging_sentences=diag.sentences, min_denominator=diag.min_denominator,
                                  set_apart=diag.set_apart,
                                  validation=diag.report, extra_files=written,
                                  extra_notes={"wifi": list(diag.notes)})
    if diag.lisa is not None:
        kwargs["lisa"] = diag.lisa
    if diag.assessment is not None:
        kwargs.update(assessment=diag.assessment, action_plan=diag.action_plan)
    if diag.hotspots is not None:
        kwargs.update(hotspots=diag.hotspots, coverage=diag.coverage, gap_zones=diag.coverage_gaps,
                      new_sites=diag.new_sites)
        if diag.coverage is not None:  # the coverage buffers layer, at the middle radius
            radii = sorted(diag.coverage["radius_m"].unique())
            kwargs["coverage_radius_m"] = float(radii[len(radii) // 2])
    kwargs.update(options)
    return build_report(out, **kwargs)


def coverage_table(cov: pd.DataFrame, districts: gpd.GeoDataFrame, key: str, name: str, *, level: str = "district",
                   source: str | None = None, table_source: str | None = None,
                   report_source: str | None = None, extra: Sequence[Any] = ()
                   ) -> tuple[CensusTable, gpd.GeoDataFrame]:
    """District coverage (:func:`egovkit.coverage.coverage`) as a census table of ``wifi_<r>m`` indicators.

    Persons within each radius are the numerator, the district's population the denominator
    (universe persons). Districts without population are kept apart (a note each); summed cell
    weights above the population by float rounding are clipped (a note). Returns the table and
    the districts with ``area_code``/``area_name`` columns to join on. ``source`` (of every row) defaults
    to "population + public Wi-Fi sites" in :data:`egovkit.settings.language`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> cov = pd.DataFrame({"level": "district", "sites": "all", "district": ["A", "B"], "radius_m": 100.0,
    ...                     "population": [10.0, 0.0], "population_covered": [4.0, 0.0]})
    >>> t, _ = coverage_table(cov, d, "id", "id")
    >>> t.data[["area_code", "indicator", "numerator", "denominator"]].values.tolist()
    [['A', 'wifi_100m', 4.0, 10.0]]
    """
    source = source if source is not None else render("pipeline.coverage_source")
    d = cov[(cov["level"] == "district") & (cov["sites"] == "all")]
    over = (d["population_covered"] - d["population"]).to_numpy()
    covered = np.minimum(d["population_covered"].to_numpy(), d["population"].to_numpy())
    names = districts.set_index(key, drop=False)[name]
    names = names[~names.index.duplicated()]
    long = pd.DataFrame({
        "area_code": d["district"].astype(str).to_numpy(),
        "area_name": d["district"].map(names).astype(str).to_numpy(),
        "level": level, "parent": pd.NA,
        "indicator": [f"wifi_{int(r)}m" for r in d["radius_m"]],
        "itu_code": "", "universe": "persons",
        "numerator": covered, "denominator": d["population"].to_numpy(),
        "source": source, "source_row": pd.NA,
    })
    empty = long["denominator"] <= 0
    report = ValidationReport(source=report_source or source, rows_in=len(long))
    report.set_fate(np.flatnonzero(~empty.to_numpy()), "used")
    report.set_fate(np.flatnonzero(empty.to_numpy()), "kept apart")
    report.issues.extend(extra)
    if (over > 0).any():
        report.add("info", "pipeline.covered_clipped", params={"n": int((over > 0).sum()),
                                                               "excess": f"{over.max():.1g}"}, action="repaired")
    for _, r in long[empty].drop_duplicates("area_code").iterrows():
        report.add("info", "pipeline.no_population_district", params={}, area=r["area_name"], action="kept apart")
    table = CensusTable(long[~empty].reset_index(drop=True), long[empty].reset_index(drop=True), report,
                        "count", table_source or source)
    out = districts.assign(area_code=districts[key].astype(str),
                           area_name=districts[name].astype("string").fillna(districts[key].astype(str)))
    return table, out


# -- old import paths (one release) ------------------------------------------------------------

#: Names that moved out of this module, and where they live now.
MOVED = {
    **dict.fromkeys(("diagnose_example", "diagnose_kenya", "diagnose_nyc", "NYC_MIN_RESIDENTS",
                     "NYC_NOT_RESIDENTIAL"), "egovkit.cases"),
    **dict.fromkeys(("diagnose_files", "diagnose_coverage_files", "validate_files", "load_assessment",
                     "read_census_file", "is_acs_s2801", "acs_metadata_file"), "egovkit.run_files"),
}


def __getattr__(name: str) -> Any:
    """``egovkit.pipeline.diagnose_kenya`` and the other moved names still work, with a warning.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     from egovkit.pipeline import is_acs_s2801
    >>> is_acs_s2801.__module__, w[0].category.__name__
    ('egovkit.run_files', 'DeprecationWarning')
    """
    where = MOVED.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(render("pipeline.moved", {"name": name, "where": where}), DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(where), name)
