"""The commands that run the diagnosis or check its inputs: ``egovkit demo``, ``run``, ``report``,
``validate``, ``inspect`` and ``app`` (registered on :data:`egovkit.cli_common.app`).

Every line they print is in the language of ``--lang`` (default ``EGOVKIT_LANG``, else English).

Examples
--------
>>> from typer.testing import CliRunner
>>> from egovkit.cli_common import app
>>> CliRunner().invoke(app, ["report", "paris", "--lang", "fr"]).output.strip()
"erreur : cas inconnu 'paris' : utilisez kenya ou nyc"
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Optional

import typer

from . import settings
from .cli_common import (
    OUT_HELP,
    ForceOpt,
    LangOpt,
    OutOpt,
    QuietOpt,
    app,
    check_file_target,
    check_lang,
    check_output_folder,
    echo,
    fail,
    fail_with,
    in_its_language,
    remember_inputs,
    say,
)
from .cli_messages import cli_message, error_text, report_text
from .cli_options import (
    TABLE_HELP,
    AreaOpt,
    BoundaryKeyOpt,
    CodeOpt,
    ColumnsOpt,
    CrsOpt,
    DecimalOpt,
    DenominatorOpt,
    DistrictLevelOpt,
    EncodingOpt,
    LayerOpt,
    LayoutOpt,
    LevelOpt,
    OverrideOpt,
    ParentOpt,
    PeriodOpt,
    SepOpt,
    SheetOpt,
    UniverseOpt,
    ValueTypeOpt,
    boundary_options,
    given_options,
    pairs,
    read_options,
)
from .errors import EgovkitError


@app.command()
@in_its_language
def demo(out: Path = typer.Option(Path("out/demo"), "--out", "-o",
                                  help=OUT_HELP + " An earlier demo report there is replaced without asking."),
         lang: Optional[str] = LangOpt,
         seed: int = typer.Option(42, help="Seed of the synthetic territory (same seed, same territory)."),
         force: bool = ForceOpt,
         quiet: bool = QuietOpt) -> None:
    """Run the whole diagnosis on the embedded SYNTHETIC example territory (works offline)."""
    from .cases import diagnose_example

    settings.progress = not quiet
    lang = check_lang(lang)
    force = check_output_folder(out, force, replace_silently="demo")
    result = diagnose_example(out, lang=lang, seed=seed, force=force)
    echo(result.summary())


@app.command()
@in_its_language
def run(table: Optional[Path] = typer.Argument(None, metavar="TABLE",
                                               help=TABLE_HELP + " Leave it out for a coverage-only run "
                                                "(--boundaries, --hotspots and --population)."),
        boundaries_arg: Optional[Path] = typer.Argument(
            None, metavar="BOUNDARIES",
            help="District boundaries (GeoJSON, GeoPackage, shapefile, .zip, FlatGeobuf)."),
        out: Path = OutOpt,
        boundaries: Optional[Path] = typer.Option(None, "--boundaries", "-b",
                                                  help="District boundaries, as an option (e.g. without a table)."),
        hotspots: Optional[Path] = typer.Option(
            None, help="Public Wi-Fi sites (CSV with latitude/longitude, or GeoJSON/GPKG points)."),
        population: Optional[Path] = typer.Option(
            None, help="Population: points CSV/GeoJSON with a population column, a table or GeoPackage/GeoJSON "
                       "of population by district, or a GeoTIFF raster."),
        population_column: Optional[str] = typer.Option(None, help="Column of the population file with the persons."),
        hotspots_crs: Optional[str] = typer.Option(None, help="CRS of x/y columns of the hotspots (e.g. EPSG:2263)."),
        assessment: Optional[Path] = typer.Option(None, help="A filled-in e-governance questionnaire (egovkit assess "
                                                             "template), scored and included in the report."),
        assessment_date: Optional[str] = typer.Option(None,
                                                      help="Which assessment of --assessment, when it holds several."),
        assessor: Optional[str] = typer.Option(None, "--assessor",
                                               help="Which assessor of --assessment, when several."),
        name_col: Optional[str] = AreaOpt, code: Optional[str] = CodeOpt, parent: Optional[str] = ParentOpt,
        level: Optional[str] = LevelOpt, district_level: Optional[str] = DistrictLevelOpt,
        denominator: Optional[list[str]] = DenominatorOpt, universe: Optional[str] = UniverseOpt,
        value_type: Optional[str] = ValueTypeOpt, columns: Optional[list[str]] = ColumnsOpt,
        layout: Optional[str] = LayoutOpt, sheet: Optional[str] = SheetOpt, encoding: Optional[str] = EncodingOpt,
        sep: Optional[str] = SepOpt, decimal: Optional[str] = DecimalOpt, period: Optional[str] = PeriodOpt,
        join_key: Optional[str] = BoundaryKeyOpt, override: Optional[list[str]] = OverrideOpt,
        layer: Optional[str] = LayerOpt, crs: Optional[str] = CrsOpt,
        name: Optional[str] = typer.Option(None, help="Name of the territory in the report "
                                                 "(default: Territory, in the report's language)."),
        radius_m: list[float] = typer.Option([100.0, 250.0, 500.0], "--radius",
                                             help="Wi-Fi radii in metres (repeat the option)."),
        new_sites: int = typer.Option(10, "--new-sites", help="How many new Wi-Fi sites to propose (0: none)."),
        lang: Optional[str] = LangOpt,
        force: bool = ForceOpt,
        quiet: bool = QuietOpt) -> None:
    """Run the diagnosis on your own files and write the report, tables and figures to OUT.

    egovkit run TABLE BOUNDARIES [--hotspots H --population P]; coverage only (no census table):
    egovkit run --boundaries B --hotspots H --population P. 'egovkit inspect TABLE BOUNDARIES'
    shows first what will be read.
    """
    from .run_files import diagnose_files

    settings.progress = not quiet
    lang = check_lang(lang)
    table, b = _table_and_boundaries(table, boundaries_arg, boundaries, coverage_only=hotspots is not None
                                     and population is not None)
    if table is None and (hotspots is None or population is None):
        fail_with("cli.coverage_needs_files")
    opts = read_options(name=name_col, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period)
    if table is None and opts:
        fail_with("cli.options_need_table", options=", ".join("--" + k.replace("_", "-") for k in opts))
    overrides = pairs(override, "--override") or None
    if new_sites < 0:
        fail_with("cli.new_sites_negative", n=new_sites)
    if any(r <= 0 for r in radius_m):
        fail_with("cli.radius_positive", radius=f"{[r for r in radius_m if r <= 0][0]:g}")
    remember_inputs(table=table, boundaries=b, hotspots=hotspots, population=population, assessment=assessment)
    force = check_output_folder(out, force)
    assess = _assessment(assessment, assessment_date, assessor)
    try:
        result = diagnose_files(table, b, out, hotspots=hotspots, population=population, key=join_key,
                                read_options=opts, boundary_options=boundary_options(layer, crs),
                                hotspot_options={"crs": hotspots_crs} if hotspots_crs else None,
                                population_column=population_column, overrides=overrides, assessment=assess,
                                territory_name=name, radii_m=tuple(radius_m), lang=lang, force=force,
                                fix_text=report_text, n_new_sites=new_sites)
    except EgovkitError as exc:
        hint = _population_as_table_hint(table, exc, b, hotspots)
        if hint:
            fail(error_text(exc) + hint)
        raise
    echo(cli_message(result.summary()))


#: Words of a population column (a population table given as the census table).
_POPULATION_WORDS = re.compile(r"pop|habitant|inhabitant|resident|persons|personnes|einwohner|poblaci", re.I)


def _population_as_table_hint(table: Optional[Path], exc: Exception, boundaries: Path,
                              hotspots: Optional[Path]) -> str:
    """When no indicator was found in TABLE but it holds a population column, the coverage-only command."""
    if table is None or "indicator" not in str(exc) or not table.is_file():
        return ""
    try:
        import pandas as pd

        header = [str(c) for c in pd.read_csv(table, nrows=0, sep=None, engine="python").columns]
    except Exception:  # not a CSV this simple reader can open: no hint
        return ""
    if not any(_POPULATION_WORDS.search(c) for c in header):
        return ""
    cmd = shlex.join(["egovkit", "run", "--boundaries", str(boundaries), "--hotspots", str(hotspots or "SITES"),
                      "--population", str(table)])
    return say("cli.population_hint", name=table.name, command=cmd)


_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".kml", ".gml")


def _table_and_boundaries(table: Optional[Path], positional: Optional[Path], option: Optional[Path], *,
                          coverage_only: bool) -> tuple[Optional[Path], Path]:
    """TABLE and BOUNDARIES from ``run TABLE BOUNDARIES``, ``run TABLE --boundaries B`` or
    ``run --boundaries B`` / ``run B`` (coverage only, a boundaries file alone)."""
    if option is not None:
        if positional is not None:
            fail_with("cli.boundaries_twice")
        return table, option
    if positional is not None:
        return table, positional
    if table is not None and coverage_only and table.suffix.lower() in _VECTOR_SUFFIXES:
        return None, table  # egovkit run B --hotspots H --population P
    if table is None:
        fail_with("cli.boundaries_missing")
    fail_with("cli.boundaries_missing_after", table=table)
    raise AssertionError  # unreachable: fail_with exits


def _assessment(path: Optional[Path], date: Optional[str], assessor: Optional[str]) -> object:
    """The assessment of ``--assessment`` (None without it); read before any long computation."""
    if path is None:
        if date is not None or assessor is not None:
            fail_with("cli.assessment_needs_file")
        return None
    from .run_files import load_assessment

    return load_assessment(path, assessment_date=date, assessor=assessor)


@app.command()
@in_its_language
def report(case: str = typer.Argument(...,
                                      help="kenya (2019 census by county) or nyc (public Wi-Fi by neighbourhood)."),
           out: Optional[Path] = typer.Option(None, "--out", "-o",
                                              help="Output folder (default out/<case>). "
                                                   + OUT_HELP.split(". ", 1)[1]),  # noqa: B008 (typer default, built once at import)
           level: str = typer.Option("nta", help="nyc only: nta (195 neighbourhoods) or tract (2,166 tracts)."),
           assessment: Optional[Path] = typer.Option(None, help="A filled-in e-governance questionnaire (egovkit "
                                                                "assess template), scored and included in the report."),
           assessment_date: Optional[str] = typer.Option(None, help="Which assessment of --assessment, when several."),
           assessor: Optional[str] = typer.Option(None, "--assessor",
                                                  help="Which assessor of --assessment, when several."),
           lang: Optional[str] = LangOpt,
           force: bool = ForceOpt,
           quiet: bool = QuietOpt) -> None:
    """Build the diagnosis report of a real public data set (downloaded and cached on first use)."""
    from .cases import diagnose_kenya, diagnose_nyc

    settings.progress = not quiet
    lang = check_lang(lang)
    if case not in ("kenya", "nyc"):
        fail_with("cli.unknown_case", case=case)
    if case == "nyc" and level not in ("nta", "tract"):
        fail_with("cli.level_invalid", level=level)
    out = out or Path("out") / case
    remember_inputs(assessment=assessment)
    force = check_output_folder(out, force)
    assess = _assessment(assessment, assessment_date, assessor)
    if case == "kenya":
        result = diagnose_kenya(out, lang=lang, force=force, assessment=assess)
    else:
        result = diagnose_nyc(out, lang=lang, level=level, force=force, assessment=assess)
    echo(cli_message(result.summary()))


@app.command("app")
def app_command(port: int = typer.Option(8501, "--port", help="Port of the app's web page (0: any free port)."),
                host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on: this computer only "
                                         "unless --allow-remote."),
                no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the page in a browser."),
                allow_remote: bool = typer.Option(False, "--allow-remote",
                                                  help="Let --host be an address other computers can reach.")) -> None:
    """Start the browser app on this computer: upload files, check them, run, download the report."""
    from .app import serve

    serve(port, host, open_browser=not no_browser, allow_remote=allow_remote)


@app.command()
@in_its_language
def validate(table: Path = typer.Argument(..., metavar="TABLE", help=TABLE_HELP),
             boundaries: Optional[Path] = typer.Argument(None, metavar="BOUNDARIES",
                                                         help="Boundaries to check the join against."),
             name_col: Optional[str] = AreaOpt, code: Optional[str] = CodeOpt, parent: Optional[str] = ParentOpt,
             level: Optional[str] = LevelOpt, district_level: Optional[str] = DistrictLevelOpt,
             denominator: Optional[list[str]] = DenominatorOpt, universe: Optional[str] = UniverseOpt,
             value_type: Optional[str] = ValueTypeOpt, columns: Optional[list[str]] = ColumnsOpt,
             layout: Optional[str] = LayoutOpt, sheet: Optional[str] = SheetOpt,
             encoding: Optional[str] = EncodingOpt, sep: Optional[str] = SepOpt, decimal: Optional[str] = DecimalOpt,
             period: Optional[str] = PeriodOpt,
             join_key: Optional[str] = BoundaryKeyOpt, override: Optional[list[str]] = OverrideOpt,
             layer: Optional[str] = LayerOpt, crs: Optional[str] = CrsOpt,
             save: Optional[Path] = typer.Option(None, help="Also save the report to this FILE (.csv, .xlsx, .json "
                                                            "or text); an existing file is replaced."),
             lang: Optional[str] = LangOpt) -> None:
    """Print the validation report of a table (and of its join to boundaries); exit 1 on errors."""
    import tempfile

    from .run_files import validate_files

    check_lang(lang)

    if save:
        check_file_target(save, "--save")
    opts = read_options(name=name_col, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period)
    overrides = pairs(override, "--override") or None
    remember_inputs(table=table, boundaries=boundaries)
    report = validate_files(table, boundaries, key=join_key, read_options=opts,
                            boundary_options=boundary_options(layer, crs), overrides=overrides)
    for issue in report.issues:  # the saved report names the options too
        issue.rewrite_text(report_text)
    echo(cli_message(str(report)))
    if save:
        save.parent.mkdir(parents=True, exist_ok=True)
        # written beside, then renamed: a failed save leaves the previous file whole
        fd, tmp = tempfile.mkstemp(prefix=f".{save.stem}.", suffix=save.suffix, dir=save.parent)
        os.close(fd)
        try:
            report.save(tmp)
            os.replace(tmp, save)
        finally:
            Path(tmp).unlink(missing_ok=True)
        echo(say("cli.report_saved", path=save))
    raise typer.Exit(1 if report.has_errors else 0)


@app.command("inspect")
@in_its_language
def inspect_cmd(table: Path = typer.Argument(..., metavar="TABLE", help=TABLE_HELP),
                boundaries: Optional[Path] = typer.Argument(None, metavar="BOUNDARIES",
                                                            help="Boundaries to check the join against."),
                name_col: Optional[str] = AreaOpt, code: Optional[str] = CodeOpt, parent: Optional[str] = ParentOpt,
                level: Optional[str] = LevelOpt, district_level: Optional[str] = DistrictLevelOpt,
                denominator: Optional[list[str]] = DenominatorOpt, universe: Optional[str] = UniverseOpt,
                value_type: Optional[str] = ValueTypeOpt, columns: Optional[list[str]] = ColumnsOpt,
                layout: Optional[str] = LayoutOpt, sheet: Optional[str] = SheetOpt,
                encoding: Optional[str] = EncodingOpt, sep: Optional[str] = SepOpt,
                decimal: Optional[str] = DecimalOpt, period: Optional[str] = PeriodOpt,
                join_key: Optional[str] = BoundaryKeyOpt,
                override: Optional[list[str]] = OverrideOpt, layer: Optional[str] = LayerOpt,
                crs: Optional[str] = CrsOpt, lang: Optional[str] = LangOpt) -> None:
    """Dry run: what was recognised in TABLE (columns, indicators, confidence, rows kept apart or dropped)
    and its join to BOUNDARIES, with the egovkit run options to correct it. Nothing is written."""
    from .cli_inspect import inspect_files

    check_lang(lang)

    opts = read_options(name=name_col, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period)
    overrides = pairs(override, "--override") or None
    remember_inputs(table=table, boundaries=boundaries)
    given = given_options(area=name_col, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period,
                         boundary_key=join_key, override=override, layer=layer, crs=crs)
    try:
        result = inspect_files(table, boundaries, read_options=opts, key=join_key,
                               boundary_options=boundary_options(layer, crs), overrides=overrides, cli_options=given)
    except EgovkitError as exc:  # a table that cannot be read: what its headers say, then the error
        from .cli_inspect import header_recognitions, header_text

        about_table = table.name in str(exc) and (boundaries is None or boundaries.name not in str(exc))
        recs = header_recognitions(table) if about_table and table.is_file() else []
        if recs:
            echo(cli_message(header_text(table, recs)))
        raise
    echo(cli_message(result.text()))
