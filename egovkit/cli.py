"""The ``egovkit`` command line (also ``python -m egovkit``).

    egovkit demo --out out/demo            # the main job on the embedded synthetic example
    egovkit run TABLE BOUNDARIES --out DIR # the same on your files
    egovkit report kenya|nyc --out DIR     # the report of a real public data set
    egovkit run --boundaries B --hotspots H --population P --out DIR   # coverage only
    egovkit inspect TABLE [BOUNDARIES]     # what is recognised, and the options to correct it
    egovkit validate TABLE [BOUNDARIES]    # print the validation report; exit 1 on errors
    egovkit app [--port N] [--no-browser]  # the browser app (http://localhost:N/, this computer only)
    egovkit datasets list | download NAME  # real public data sets
    egovkit assess template FILE.xlsx      # e-governance questionnaire to fill in
    egovkit assess score FILE.xlsx         # its scores, bands and action plan

User mistakes give a one-line error (no traceback) and exit code 2. Fixes printed name the
command-line options (``--value-type``, ``--columns "HEADER=INDICATOR"``...), never the
Python keywords of the library's messages (translated in :func:`_cli_message`).

Output folders (``--out``, ``assess score --save``) are written through a temporary folder
next to them and swapped in when complete (:mod:`egovkit.output_folder`): a folder holding a
previous egovkit report is replaced whole (after asking in a terminal, or with ``--force``), a
folder holding files of the user's is refused unless ``--force`` (they are then kept).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path
from typing import Optional

import typer

from . import output_folder, settings
from .errors import EgovkitError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="egovkit: digital diagnosis of a territory (device penetration, its spread, "
                       "public Wi-Fi coverage, e-governance maturity).",
                  epilog="Output folders are written whole or not at all: into a temporary folder beside them, "
                         "then moved into place. A folder holding an earlier egovkit report is replaced whole "
                         "(asked first in a terminal; --force otherwise); a folder holding other files is refused "
                         "unless --force (they are kept). Exit codes: 0 done, 1 validation errors or answer no, "
                         "2 a mistake in the command or its files (one line says which and how to fix it), "
                         "3 a bug of egovkit (the traceback is saved to a file to report).")
datasets_app = typer.Typer(no_args_is_help=True, help="List or download the real public data sets.")
app.add_typer(datasets_app, name="datasets")
assess_app = typer.Typer(no_args_is_help=True,
                         help="E-governance maturity assessment: a fill-in template, then scores and an action plan.")
app.add_typer(assess_app, name="assess")

LangOpt = typer.Option("en", "--lang", help="Language of the report and sentences: en or fr.")
_OUT_HELP = ("Output folder (created if needed). A previous egovkit report there is replaced whole (asked first, "
             "or --force); a folder holding other files is refused unless --force.")
OutOpt = typer.Option(Path("out"), "--out", "-o", help=_OUT_HELP)
QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress bars.")
ForceOpt = typer.Option(False, "--force", "-f",
                        help="Replace the egovkit report already in the output folder without asking; write beside "
                             "other files there (they are kept, files with the report's names are replaced).")


def terminal_text(text: object) -> str:
    """``text`` with control characters shown as ``\\xNN`` (a name from a user file cannot drive the terminal).

    Examples
    --------
    >>> terminal_text("Kopo\\x1b[2J town\\nnext")
    'Kopo\\\\x1b[2J town\\nnext'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _echo(text: object = "", **kwargs) -> None:
    typer.echo(terminal_text(text), **kwargs)


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {terminal_text(message)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _check_lang(lang: str) -> str:
    if lang not in ("en", "fr"):
        _fail(f"--lang must be 'en' or 'fr', not {lang!r}")
    return lang


def _interactive() -> bool:
    """A person at a terminal can answer a question (stdin and stderr are terminals)."""
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _output_folder(out: Path, force: bool, *, option: str = "--out", replace_silently: str = "") -> bool:
    """Check the output folder before any work; say what will be replaced; return ``force`` to pass on.

    A previous egovkit report is replaced after saying so: with ``--force``, after a yes in a
    terminal, or without asking when its manifest says it is a ``replace_silently`` report
    (``egovkit demo`` replaces its own earlier demo). Anything else refused is a one-line error.
    """
    names = {"option": option, "force_option": "--force"}
    state = output_folder.inspect_folder(out, option=option)
    if state.kind == "report":
        own = bool(replace_silently) and (state.manifest or {}).get("report") == replace_silently
        if not (force or own):
            if not _interactive():
                _fail(output_folder.refusal(state, **names))
            what = "an egovkit report" if state.complete else "an incomplete egovkit report"
            if not typer.confirm(f"{out} holds {what} (written {state.written or 'at an unknown time'}). "
                                 "Replace it?", default=False, err=True):
                _fail(f"nothing written: {out} is as it was (choose another folder with {option})", code=1)
        _echo(f"replacing {state.describe()}", err=True)
        force = True
    elif state.kind in ("mixed", "other"):
        if not force:
            _fail(output_folder.refusal(state, **names))
        _echo(f"writing into {out} beside {len(state.user_files)} file(s) egovkit did not write (kept)"
                   + (f"; replacing {state.describe()}" if state.kind == "mixed" else ""), err=True)
    output_folder.check_folder(out, force=force, **names)  # can it be written?
    return force


def _check_file_target(path: Path, option: str) -> None:
    """A file to write: not a folder, not under a file, its folder writable."""
    if path.is_dir():
        _fail(f"{path} is a folder: {option} takes a file name (e.g. {path / 'report.csv'})")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                _fail(f"cannot write {path}: {parent} is a file, not a folder; choose another path with {option}")
            if not os.access(parent, os.W_OK | os.X_OK):
                _fail(f"cannot write {path}: the folder {parent} is not writable; choose another path with {option}")
            break


@app.command()
def demo(out: Path = typer.Option(Path("out/demo"), "--out", "-o",
                                  help=_OUT_HELP + " An earlier demo report there is replaced without asking."),
         lang: str = LangOpt,
         seed: int = typer.Option(42, help="Seed of the synthetic territory (same seed, same territory)."),
         force: bool = ForceOpt,
         quiet: bool = QuietOpt) -> None:
    """Run the whole diagnosis on the embedded SYNTHETIC example territory (works offline)."""
    from .cases import diagnose_example

    settings.progress = not quiet
    lang = _check_lang(lang)
    force = _output_folder(out, force, replace_silently="demo")
    result = diagnose_example(out, lang=lang, seed=seed, force=force)
    _echo(result.summary())


# -- reading options shared by run, validate and inspect ---------------------------------------

_TABLE_HELP = ("Census-style table (CSV or Excel), one row per district, or a raw ACS S2801 download "
               "(data.census.gov CSV: GEO_ID, NAME, S2801_C01_001E...; its _metadata.csv beside it is used).")
AreaOpt = typer.Option(None, "--area", metavar="COLUMN", help="Column of the table with the district names.")
CodeOpt = typer.Option(None, "--code", metavar="COLUMN", help="Column of the table with the district codes.")
ParentOpt = typer.Option(None, "--parent", metavar="COLUMN",
                         help="Column with the name of the enclosing area (region, state...).")
LevelOpt = typer.Option(None, "--level", metavar="COLUMN",
                        help="Column telling the level of each row (e.g. AdminArea).")
DistrictLevelOpt = typer.Option(None, "--district-level", metavar="VALUE",
                                help="Value of the level column that marks district rows (e.g. County).")
DenominatorOpt = typer.Option(None, "--denominator", metavar="COLUMN",
                              help="Denominator column (households or persons in scope); repeat as "
                                   "INDICATOR=COLUMN to give one per indicator.")
UniverseOpt = typer.Option(None, "--universe", metavar="households|persons",
                           help="What the denominator counts: households or persons.")
ValueTypeOpt = typer.Option(None, "--value-type", metavar="count|percent|share",
                            help="How every indicator column is given: count, percent (0-100) or share (0-1).")
ColumnsOpt = typer.Option(None, "--columns", metavar="HEADER=INDICATOR",
                          help="\"HEADER=INDICATOR\": read this column as this catalogue indicator (e.g. "
                               "\"Internet access=internet\"), or HEADER=ignore; repeat the option.")
LayoutOpt = typer.Option(None, "--layout", metavar="wide|long",
                         help="wide (one row per district) or long (district, indicator, value).")
SheetOpt = typer.Option(None, "--sheet", metavar="NAME", help="Excel sheet: its name or number (0 = first).")
EncodingOpt = typer.Option(None, "--encoding", metavar="ENCODING",
                           help="Text encoding of a CSV (e.g. utf-8, cp1252, latin-1).")
SepOpt = typer.Option(None, "--sep", metavar="CHAR", help="Column separator of a CSV (e.g. ';', tab).")
DecimalOpt = typer.Option(None, "--decimal", metavar=". or ,", help="Decimal mark of a CSV: '.' or ','.")
PeriodOpt = typer.Option(None, "--period", metavar="PERIOD",
                         help="In a table stacking several years or periods: the one to read (default: the latest).")
BoundaryKeyOpt = typer.Option(None, "--boundary-key", metavar="COLUMN",
                              help="Column of the boundaries to join on (name or code).")
OverrideOpt = typer.Option(None, "--override", metavar="TABLE=BOUNDARY",
                           help="\"NAME IN TABLE=Name in boundaries\" for a district whose names differ; repeat.")
LayerOpt = typer.Option(None, "--layer", metavar="LAYER",
                        help="Layer of the boundaries file (name or number) when it has several.")
CrsOpt = typer.Option(None, "--crs", metavar="CRS",
                      help="CRS of the boundaries when the file declares none (e.g. EPSG:4326).")

_CHOICES = {"--value-type": ("count", "percent", "share"), "--universe": ("households", "persons"),
            "--layout": ("wide", "long")}


def _pairs(values: Optional[list[str]], option: str, example: str) -> dict[str, str]:
    """``["A=b", ...]`` as ``{"A": "b"}``; a one-line error naming ``option`` otherwise."""
    out: dict[str, str] = {}
    for v in values or []:
        left, eq, right = v.rpartition("=")
        if not eq or not left.strip() or not right.strip():
            _fail(f"{option} {v!r}: write it as {example}")
        out[left.strip()] = right.strip()
    return out


def _read_options(*, area: Optional[str] = None, code: Optional[str] = None, parent: Optional[str] = None,
                  level: Optional[str] = None, district_level: Optional[str] = None,
                  denominator: Optional[list[str]] = None, universe: Optional[str] = None,
                  value_type: Optional[str] = None, columns: Optional[list[str]] = None,
                  layout: Optional[str] = None, sheet: Optional[str] = None, encoding: Optional[str] = None,
                  sep: Optional[str] = None, decimal: Optional[str] = None, period: Optional[str] = None) -> dict:
    """The keyword arguments of ``read_table`` from the command-line options (checked here).

    Examples
    --------
    >>> _read_options(columns=["Internet access=internet"], value_type="share", sep="tab")
    {'value_type': 'share', 'columns': {'Internet access': 'internet'}, 'sep': '\\t'}
    """
    for option, value in (("--value-type", value_type), ("--universe", universe), ("--layout", layout)):
        if value is not None and value not in _CHOICES[option]:
            _fail(f"{option} must be one of {', '.join(_CHOICES[option])}, not {value!r}")
    den: object = None
    if denominator:
        per = [d for d in denominator if "=" in d]
        if per and len(per) < len(denominator):
            _fail("--denominator: give either one COLUMN, or INDICATOR=COLUMN for each indicator, not both")
        if len(denominator) > 1 and not per:
            _fail(f"--denominator given {len(denominator)} times: give one COLUMN, or INDICATOR=COLUMN each time")
        den = _pairs(denominator, "--denominator", "INDICATOR=COLUMN, e.g. internet=Households") if per \
            else denominator[0]
    if sep is not None:
        sep = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}.get(sep.lower(), sep)
        if len(sep) != 1:
            _fail(f"--sep must be one character (or tab), not {sep!r}")
    if decimal is not None and decimal not in (".", ","):
        _fail(f"--decimal must be '.' or ',', not {decimal!r}")
    sheet_arg: object = None
    if sheet is not None:
        sheet_arg = int(sheet) if sheet.strip().isdigit() else sheet
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            _fail(f"--encoding {encoding!r} is not a known encoding (e.g. utf-8, cp1252, latin-1)")
    cols = _pairs(columns, "--columns", "\"HEADER=INDICATOR\", e.g. \"Internet access=internet\"") or None
    given = dict(area=area, code=code, parent=parent, level=level, district_level=district_level, denominator=den,
                 universe=universe, value_type=value_type, columns=cols, layout=layout, sheet=sheet_arg,
                 encoding=encoding, sep=sep, decimal=decimal, period=period)
    return {k: v for k, v in given.items() if v is not None}


def _boundary_options(layer: Optional[str], crs: Optional[str]) -> dict:
    out: dict = {}
    if layer is not None:
        out["layer"] = int(layer) if layer.strip().isdigit() else layer
    if crs is not None:
        out["crs"] = crs
    return out


def _cli_options(**given: object) -> dict:
    """The command-line options given, by option name (for the command ``inspect`` suggests)."""
    out: dict = {}
    for k, v in given.items():
        if v is None or v == [] or v == ():
            continue
        out["--" + k.replace("_", "-")] = list(v) if isinstance(v, (list, tuple)) else v
    return out


def _inputs(**paths: Optional[Path]) -> None:
    """Remember which input each file is (its messages are then translated for that input)."""
    _INPUTS.clear()
    for role, p in paths.items():
        if p is not None:
            _INPUTS[str(p)] = role
            _INPUTS.setdefault(Path(p).name, role)


@app.command()
def run(table: Optional[Path] = typer.Argument(None, metavar="TABLE",
                                               help=_TABLE_HELP + " Leave it out for a coverage-only run "
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
        area: Optional[str] = AreaOpt, code: Optional[str] = CodeOpt, parent: Optional[str] = ParentOpt,
        level: Optional[str] = LevelOpt, district_level: Optional[str] = DistrictLevelOpt,
        denominator: Optional[list[str]] = DenominatorOpt, universe: Optional[str] = UniverseOpt,
        value_type: Optional[str] = ValueTypeOpt, columns: Optional[list[str]] = ColumnsOpt,
        layout: Optional[str] = LayoutOpt, sheet: Optional[str] = SheetOpt, encoding: Optional[str] = EncodingOpt,
        sep: Optional[str] = SepOpt, decimal: Optional[str] = DecimalOpt, period: Optional[str] = PeriodOpt,
        boundary_key: Optional[str] = BoundaryKeyOpt, override: Optional[list[str]] = OverrideOpt,
        layer: Optional[str] = LayerOpt, crs: Optional[str] = CrsOpt,
        name: str = typer.Option("Territory", help="Name of the territory in the report."),
        radius: list[float] = typer.Option([100.0, 250.0, 500.0], help="Wi-Fi radii in metres (repeat the option)."),
        new_sites: int = typer.Option(10, "--new-sites", help="How many new Wi-Fi sites to propose (0: none)."),
        lang: str = LangOpt,
        force: bool = ForceOpt,
        quiet: bool = QuietOpt) -> None:
    """Run the diagnosis on your own files and write the report, tables and figures to OUT.

    egovkit run TABLE BOUNDARIES [--hotspots H --population P]; coverage only (no census table):
    egovkit run --boundaries B --hotspots H --population P. 'egovkit inspect TABLE BOUNDARIES'
    shows first what will be read.
    """
    from .run_files import diagnose_files

    settings.progress = not quiet
    lang = _check_lang(lang)
    table, b = _table_and_boundaries(table, boundaries_arg, boundaries, coverage_only=hotspots is not None
                                     and population is not None)
    if table is None and (hotspots is None or population is None):
        _fail("without a census table, give --hotspots and --population for a coverage-only run "
              "(or give the table: egovkit run TABLE BOUNDARIES)")
    opts = _read_options(area=area, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period)
    if table is None and opts:
        _fail(f"{', '.join('--' + k.replace('_', '-') for k in opts)} read a census table, and none was given "
              "(coverage-only run): leave them out, or give the table first: egovkit run TABLE BOUNDARIES")
    overrides = _pairs(override, "--override", "\"NAME IN TABLE=Name in boundaries\"") or None
    if new_sites < 0:
        _fail(f"--new-sites must be 0 or more, not {new_sites}")
    if any(r <= 0 for r in radius):
        _fail(f"--radius must be positive metres, not {[r for r in radius if r <= 0][0]:g}")
    _inputs(table=table, boundaries=b, hotspots=hotspots, population=population, assessment=assessment)
    force = _output_folder(out, force)
    assess = _assessment(assessment, assessment_date, assessor)
    try:
        result = diagnose_files(table, b, out, hotspots=hotspots, population=population, boundary_key=boundary_key,
                                read_options=opts, boundary_options=_boundary_options(layer, crs),
                                hotspot_options={"crs": hotspots_crs} if hotspots_crs else None,
                                population_column=population_column, overrides=overrides, assessment=assess,
                                territory_name=name, radii_m=tuple(radius), lang=lang, force=force,
                                fix_text=_report_text, n_new_sites=new_sites)
    except EgovkitError as exc:
        hint = _population_as_table_hint(table, exc, b, hotspots)
        if hint:
            _fail(_cli_message(str(exc)) + hint)
        raise
    _echo(_cli_message(result.summary()))


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
    return f". If {table.name} is the population by district, run coverage only: {cmd} --out DIR"


_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".kml", ".gml")


def _table_and_boundaries(table: Optional[Path], positional: Optional[Path], option: Optional[Path], *,
                          coverage_only: bool) -> tuple[Optional[Path], Path]:
    """TABLE and BOUNDARIES from ``run TABLE BOUNDARIES``, ``run TABLE --boundaries B`` or
    ``run --boundaries B`` / ``run B`` (coverage only, a boundaries file alone)."""
    if option is not None:
        if positional is not None:
            _fail("the boundaries are given twice (argument and --boundaries): keep one")
        return table, option
    if positional is not None:
        return table, positional
    if table is not None and coverage_only and table.suffix.lower() in _VECTOR_SUFFIXES:
        return None, table  # egovkit run B --hotspots H --population P
    if table is None:
        _fail("missing the district boundaries: egovkit run TABLE BOUNDARIES, or for coverage only "
              "egovkit run --boundaries B --hotspots H --population P")
    _fail(f"missing the district boundaries after {table}: egovkit run TABLE BOUNDARIES (or --boundaries B)")
    raise AssertionError  # unreachable: _fail exits


def _assessment(path: Optional[Path], date: Optional[str], assessor: Optional[str]) -> object:
    """The assessment of ``--assessment`` (None without it); read before any long computation."""
    if path is None:
        if date is not None or assessor is not None:
            _fail("--assessment-date and --assessor choose within --assessment FILE: give the file too")
        return None
    from .run_files import load_assessment

    return load_assessment(path, assessment_date=date, assessor=assessor)


@app.command()
def report(case: str = typer.Argument(...,
                                      help="kenya (2019 census by county) or nyc (public Wi-Fi by neighbourhood)."),
           out: Optional[Path] = typer.Option(None, "--out", "-o",
                                              help="Output folder (default out/<case>). "
                                                   + _OUT_HELP.split(". ", 1)[1]),  # noqa: B008 (typer default, built once at import)
           level: str = typer.Option("nta", help="nyc only: nta (195 neighbourhoods) or tract (2,166 tracts)."),
           assessment: Optional[Path] = typer.Option(None, help="A filled-in e-governance questionnaire (egovkit "
                                                                "assess template), scored and included in the report."),
           assessment_date: Optional[str] = typer.Option(None, help="Which assessment of --assessment, when several."),
           assessor: Optional[str] = typer.Option(None, "--assessor",
                                                  help="Which assessor of --assessment, when several."),
           lang: str = LangOpt,
           force: bool = ForceOpt,
           quiet: bool = QuietOpt) -> None:
    """Build the diagnosis report of a real public data set (downloaded and cached on first use)."""
    from .cases import diagnose_kenya, diagnose_nyc

    settings.progress = not quiet
    lang = _check_lang(lang)
    if case not in ("kenya", "nyc"):
        _fail(f"unknown case {case!r}: use kenya or nyc")
    if case == "nyc" and level not in ("nta", "tract"):
        _fail(f"--level must be nta or tract, not {level!r}")
    out = out or Path("out") / case
    _inputs(assessment=assessment)
    force = _output_folder(out, force)
    assess = _assessment(assessment, assessment_date, assessor)
    if case == "kenya":
        result = diagnose_kenya(out, lang=lang, force=force, assessment=assess)
    else:
        result = diagnose_nyc(out, lang=lang, level=level, force=force, assessment=assess)
    _echo(_cli_message(result.summary()))


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
def validate(table: Path = typer.Argument(..., metavar="TABLE", help=_TABLE_HELP),
             boundaries: Optional[Path] = typer.Argument(None, metavar="BOUNDARIES",
                                                         help="Boundaries to check the join against."),
             area: Optional[str] = AreaOpt, code: Optional[str] = CodeOpt, parent: Optional[str] = ParentOpt,
             level: Optional[str] = LevelOpt, district_level: Optional[str] = DistrictLevelOpt,
             denominator: Optional[list[str]] = DenominatorOpt, universe: Optional[str] = UniverseOpt,
             value_type: Optional[str] = ValueTypeOpt, columns: Optional[list[str]] = ColumnsOpt,
             layout: Optional[str] = LayoutOpt, sheet: Optional[str] = SheetOpt,
             encoding: Optional[str] = EncodingOpt, sep: Optional[str] = SepOpt, decimal: Optional[str] = DecimalOpt,
             period: Optional[str] = PeriodOpt,
             boundary_key: Optional[str] = BoundaryKeyOpt, override: Optional[list[str]] = OverrideOpt,
             layer: Optional[str] = LayerOpt, crs: Optional[str] = CrsOpt,
             save: Optional[Path] = typer.Option(None, help="Also save the report to this FILE (.csv, .xlsx, .json "
                                                            "or text); an existing file is replaced.")) -> None:
    """Print the validation report of a table (and of its join to boundaries); exit 1 on errors."""
    import tempfile

    from .run_files import validate_files

    if save:
        _check_file_target(save, "--save")
    opts = _read_options(area=area, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period)
    overrides = _pairs(override, "--override", "\"NAME IN TABLE=Name in boundaries\"") or None
    _inputs(table=table, boundaries=boundaries)
    report = validate_files(table, boundaries, boundary_key=boundary_key, read_options=opts,
                            boundary_options=_boundary_options(layer, crs), overrides=overrides)
    for issue in report.issues:  # the saved report names the options too
        issue.message = _report_text(issue.message, issue.source)
        issue.fix = _report_text(issue.fix, issue.source) if issue.fix else issue.fix
    _echo(_cli_message(str(report)))
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
        _echo(f"report saved to {save}")
    raise typer.Exit(1 if report.has_errors else 0)


@app.command("inspect")
def inspect_cmd(table: Path = typer.Argument(..., metavar="TABLE", help=_TABLE_HELP),
                boundaries: Optional[Path] = typer.Argument(None, metavar="BOUNDARIES",
                                                            help="Boundaries to check the join against."),
                area: Optional[str] = AreaOpt, code: Optional[str] = CodeOpt, parent: Optional[str] = ParentOpt,
                level: Optional[str] = LevelOpt, district_level: Optional[str] = DistrictLevelOpt,
                denominator: Optional[list[str]] = DenominatorOpt, universe: Optional[str] = UniverseOpt,
                value_type: Optional[str] = ValueTypeOpt, columns: Optional[list[str]] = ColumnsOpt,
                layout: Optional[str] = LayoutOpt, sheet: Optional[str] = SheetOpt,
                encoding: Optional[str] = EncodingOpt, sep: Optional[str] = SepOpt,
                decimal: Optional[str] = DecimalOpt, period: Optional[str] = PeriodOpt,
                boundary_key: Optional[str] = BoundaryKeyOpt,
                override: Optional[list[str]] = OverrideOpt, layer: Optional[str] = LayerOpt,
                crs: Optional[str] = CrsOpt) -> None:
    """Dry run: what was recognised in TABLE (columns, indicators, confidence, rows kept apart or dropped)
    and its join to BOUNDARIES, with the egovkit run options to correct it. Nothing is written."""
    from .cli_inspect import inspect_files

    opts = _read_options(area=area, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period)
    overrides = _pairs(override, "--override", "\"NAME IN TABLE=Name in boundaries\"") or None
    _inputs(table=table, boundaries=boundaries)
    given = _cli_options(area=area, code=code, parent=parent, level=level, district_level=district_level,
                         denominator=denominator, universe=universe, value_type=value_type, columns=columns,
                         layout=layout, sheet=sheet, encoding=encoding, sep=sep, decimal=decimal, period=period,
                         boundary_key=boundary_key, override=override, layer=layer, crs=crs)
    try:
        result = inspect_files(table, boundaries, read_options=opts, boundary_key=boundary_key,
                               boundary_options=_boundary_options(layer, crs), overrides=overrides, cli_options=given)
    except EgovkitError as exc:  # a table that cannot be read: what its headers say, then the error
        from .cli_inspect import header_recognitions, header_text

        about_table = table.name in str(exc) and (boundaries is None or boundaries.name not in str(exc))
        recs = header_recognitions(table) if about_table and table.is_file() else []
        if recs:
            _echo(_cli_message(header_text(table, recs)))
        raise
    _echo(_cli_message(result.text()))


@assess_app.command("template")
def assess_template(path: Path = typer.Argument(..., help="Template to write: .xlsx (with drop-down lists) or .csv."),
                    territory: str = typer.Option("", help="Name of the local authority assessed."),
                    date: str = typer.Option("", help="Date of the assessment (YYYY-MM-DD)."),
                    assessor: str = typer.Option("", "--assessor", help="Who fills it in."),
                    lang: str = LangOpt,
                    force: bool = typer.Option(False, "--force", "-f",
                                               help="Replace PATH if it exists (it may hold answers).")) -> None:
    """Write the questionnaire as a spreadsheet to fill in (one row per question, allowed answers listed)."""
    from .diagnosis import write_template
    from .diagnosis.template import COLUMN_LABELS_FR
    from .present.i18n import translations

    lang = _check_lang(lang)
    _check_file_target(path, "PATH")
    if path.exists() and not force:
        _fail(f"{path} already exists (it may hold answers): choose another file name, or add --force to replace it")
    out = write_template(path, territory=territory, date=date, assessed_by=assessor, lang=lang)
    tr = translations(lang)
    _echo(tr["cli_assess_written"].format(path=out))
    blank = [c for c, v in (("territory", territory), ("assessment_date", date)) if not v]
    if blank:
        labels = COLUMN_LABELS_FR if lang == "fr" else {}
        cols = tr["cli_assess_and"].join(tr["cli_assess_column"].format(column=labels.get(c, c)) for c in blank)
        _echo(tr["cli_assess_fill_in"].format(columns=cols))


@assess_app.command("score")
def assess_score(path: Path = typer.Argument(..., help="A filled-in template (.xlsx or .csv)."),
                 date: Optional[str] = typer.Option(None, help="Which assessment, when the file holds several."),
                 assessor: Optional[str] = typer.Option(None, "--assessor", help="Which assessor, when several."),
                 actions: int = typer.Option(10, help="How many actions of the plan to print."),
                 save: Optional[Path] = typer.Option(None, help="Also save the scores and the plan into this FOLDER "
                                                                "(same rules as --out of egovkit run)."),
                 lang: str = LangOpt,
                 force: bool = ForceOpt) -> None:
    """Score a filled-in assessment (0-1 per dimension and LOSI criterion, bands) and draw up the action plan."""
    import pandas as pd

    from .diagnosis import action_plan, read_template, score_assessment
    from .present.diagnosis_plots import report_text
    from .present.i18n import format_number, format_percent, translations

    lang = _check_lang(lang)
    tr = translations(lang)
    if save:
        force = _output_folder(save, force, option="--save")
    result = score_assessment(read_template(path, date=date, assessed_by=assessor))
    if not result.share_answered > 0:
        _fail(f"{path}: no question is answered yet; fill in the answer column (the allowed answers are "
              "listed on each row, and in a drop-down list in the .xlsx template)")
    plan = action_plan(result, lang=lang)
    q = result.assessment.questionnaire
    t = report_text(lang)
    label = f"label_{lang}"
    dims = result.dimensions

    def band(b: str, provisional: bool) -> str:
        if not b:
            return tr["cli_assess_no_answer"]
        return q.label("band", b, lang).lower() + (f", {t['provisional']}" if provisional else "")

    answered = format_percent(result.share_answered, lang, 0)
    _echo(tr["cli_assess_head"].format(
        territory=result.assessment.territory or path.name, date=result.assessment.date,
        score=format_number(result.overall, lang, 2), band=band(result.overall_band, result.provisional),
        answered=answered))
    if result.provisional:
        _echo("  " + t["provisional_note"].format(answered=answered,
                                                       min=format_percent(result.min_share_answered, lang, 0)))
    for _, r in dims.iterrows():
        score = "  -  " if pd.isna(r["score"]) else format_number(r["score"], lang, 2)
        _echo(f"  {r[label] if label in dims else r['dimension']:<45} {score}  {band(r['band'], r['provisional'])}")
    if len(plan):
        _echo(tr["cli_assess_first_actions"])
        for _, r in plan.head(actions).iterrows():
            _echo(f"  {int(r['rank']):>2}. [{r['area_label']}] {r['action']}")
    if save:
        from .export import write_csv

        with output_folder.staged_folder(save, force=force, what="assess score", option="--save",
                                         force_option="--force") as tmp:
            write_csv(dims, tmp / "dimension_scores.csv")
            write_csv(result.losi, tmp / "losi_scores.csv")
            write_csv(result.questions, tmp / "question_scores.csv")
            write_csv(plan, tmp / "action_plan.csv")
        _echo(tr["cli_assess_saved"].format(path=save))


@datasets_app.command("list")
def datasets_list() -> None:
    """List the real public data sets egovkit can download (origin, licence, cached or not)."""
    from .datasets import list_datasets

    df = list_datasets()
    cols = [c for c in ("name", "publisher", "licence", "cached") if c in df.columns]
    _echo(df[cols].to_string(index=False))


@datasets_app.command("download")
def datasets_download(name: list[str] = typer.Argument(..., help="Data set name(s) from 'egovkit datasets list', or "
                                                                 "'all'.")) -> None:
    """Download (or take from the mirror) data sets into the cache, checking their sha256."""
    from .datasets import fetch, list_datasets

    known = list(list_datasets()["name"])
    names = known if name == ["all"] else name
    unknown = [n for n in names if n not in known]
    if unknown:
        _fail(f"unknown data set(s) {unknown}: 'egovkit datasets list' shows the names")
    failed = 0
    for n in names:
        try:
            path = fetch(n)
        except EgovkitError as exc:
            typer.secho(terminal_text(f"{n}: {exc}"), fg=typer.colors.YELLOW, err=True)
            failed += 1
            continue
        _echo(f"{n}: {path}")
    if failed:
        raise typer.Exit(1)


#: The input each file given on the command line is (path or name -> table, boundaries,
#: hotspots, population, assessment): a message about that file is translated for that input.
_INPUTS: dict[str, str] = {}

#: Python keyword arguments of library messages, as the command line spells them.
_CLI_NAMES = {
    "area": "--area", "code": "--code", "parent": "--parent", "level": "--level",
    "district_level": "--district-level", "denominator": "--denominator", "universe": "--universe",
    "value_type": "--value-type", "columns": "--columns", "layout": "--layout", "sheet": "--sheet",
    "encoding": "--encoding", "sep": "--sep", "decimal": "--decimal", "period": "--period",
    "boundary_on": "--boundary-key", "right_on": "--boundary-key", "boundary_key": "--boundary-key",
    "id_column": "--boundary-key", "district": "--boundary-key", "table_on": "--area or --code",
    "left_on": "--area or --code", "overrides": "--override", "out_dir": "--out", "force": "--force",
    "hotspots": "--hotspots", "population": "--population", "districts": "--boundaries", "layer": "--layer",
    "crs": "--crs", "radii_m": "--radius", "territory_name": "--name", "assessment": "--assessment",
    "assessment_date": "--assessment-date", "assessor": "--assessor", "assessed_by": "--assessor",
}
#: The same keyword names another option in the reader of one input.
_INPUT_NAMES = {"hotspots": {"crs": "--hotspots-crs"}, "population": {"population": "--population-column"}}
#: Whole phrases first (calls and dictionaries of the Python API).
_PHRASES: list[tuple[str, str]] = [
    (r"\s*\(and by='code' or by='name'\)", ""),
    (r"--population \(population=\)", "--population"),
    (r"\bor keep one level\b", "or keep the districts' level only (--level COLUMN --district-level VALUE)"),
    (r"or pass lat=, lon= \(or x=, y=, crs=\)", "(or x and y with --hotspots-crs)"),
    (r",? or call \w+\([^()]*\)", ""),
    (r"read_template\(path, date=\.\.\., assessed_by=\.\.\.\) or use read_assessments",
     "assessment_date= and/or assessor="),
    (r"\bread_(?:table|boundaries)\((?:path|\.\.\.|\w+), ([^()]*)\)", r"\1"),
]
_KEYWORD = re.compile(r"(?<![\w-])([a-z][a-z_]*)=('[^']*'|\"[^\"]*\"|<[^>]*>|\.\.\.|[\w.:+-]+)?")
_PAIRS = re.compile(r"\b(columns|overrides)=\{([^{}]*)\}")


def _option_pairs(m: re.Match) -> str:
    """``columns={'A': 'b'}`` as ``--columns "A=b"`` (one option per pair)."""
    import ast

    option = "--columns" if m.group(1) == "columns" else "--override"
    try:
        pairs = ast.literal_eval("{" + m.group(2) + "}")
    except (ValueError, SyntaxError):
        pairs = dict(re.findall(r"'([^']*)'\s*:\s*'([^']*)'", m.group(2)))
    return " ".join(f'{option} "{k}={v}"' for k, v in pairs.items()) or option


def _report_text(text: str, source: Optional[str]) -> str:
    """:func:`_cli_message` for a message of the report about ``source`` (the input it names)."""
    if not source:
        return _cli_message(text)
    return _cli_message(f"{source}\x00{text}").split("\x00", 1)[-1]


def _input_of(text: str) -> str:
    """Which input ``text`` is about: the first input file it names (the table when none)."""
    hits = [(text.find(p), role) for p, role in _INPUTS.items() if p and p in text]
    return min(hits)[1] if hits else "table"


def _cli_message(text: str, command: str = "") -> str:
    """A library message with its Python keyword arguments written as command-line options.

    Examples
    --------
    >>> _cli_message("Fix: pass value_type='share' to override, or district_level= one of ['County']")
    "Fix: pass --value-type share to override, or --district-level one of ['County']"
    >>> _cli_message("e.g. read_table(path, columns={'Internet access': 'internet'})")
    'e.g. --columns "Internet access=internet"'
    >>> _cli_message("pass sep=';' and decimal=','")
    'pass --sep ";" and --decimal ","'
    """
    if command == "assess":
        text = text.replace("read_template(path, date=..., assessed_by=...) or use read_assessments",
                            "--date and/or --assessor")
    for pattern, repl in _PHRASES:
        text = re.sub(pattern, repl, text)
    text = _PAIRS.sub(_option_pairs, text)
    names = {**_CLI_NAMES, **_INPUT_NAMES.get(_input_of(text), {})}

    def option(m: re.Match) -> str:
        name, value = m.group(1), m.group(2)
        if name not in names:
            return m.group(0)
        if value is None or value in ("True", "..."):
            return names[name]
        value = value.strip("'\"") if value[:1] in "'\"" else value
        plain = re.fullmatch(r"[\w.:/+-]+", value)  # else quoted: --sep ";" can be pasted into a shell
        return f"{names[name]} " + (value if plain else f'"{value}"')

    # not inside double quotes (a header written in a --columns "HEADER=INDICATOR" pair)
    parts = re.split(r"(\"[^\"]*\")", text)
    return "".join(p if i % 2 else _KEYWORD.sub(option, p) for i, p in enumerate(parts))


#: What a problem with a path given on the command line means, and what to do.
_OS_ERRORS: dict[type, str] = {
    FileNotFoundError: "file not found: {path}. Check the path",
    IsADirectoryError: "{path} is a folder where a file is expected: give the path of the file itself",
    NotADirectoryError: "{path}: a part of this path is a file, not a folder. Check the path",
    PermissionError: "{path}: permission denied. Check its permissions, or choose another path",
}


def _os_message(exc: OSError) -> str:
    """One line for an OSError about a user's path (the file named, never a traceback)."""
    kind = next(t for t in _OS_ERRORS if isinstance(exc, t))
    path = exc.filename if exc.filename is not None else str(exc)
    return _OS_ERRORS[kind].format(path=path)


def _internal_error(exc: BaseException) -> str:
    """Save the traceback of an unexpected error to a file; the one line that points to it."""
    import datetime as dt
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        fd, name = tempfile.mkstemp(prefix=f"egovkit-error-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"egovkit {_version()}\ncommand: {output_folder.command}\n\n{text}")
        where = f"the traceback is saved in {name}"
    except OSError:
        sys.stderr.write(text)
        where = "the traceback is above"
    first = (str(exc).splitlines() or [""])[0][:200]
    return (f"internal error ({type(exc).__name__}: {first}). This is a bug of egovkit, not a mistake of yours: "
            f"please report it; {where}")


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: user mistakes end with a one-line error and exit code 2.

    egovkit's warnings are not repeated on the terminal: the validation report (printed
    summary, ``validation_report.txt``) lists every one with its row, column and fix.

    Exit codes: 0 done, 1 validation errors (``validate``) or a question answered no, 2 a user
    mistake (one line naming the file and the fix), 3 an internal error (a bug of egovkit: one
    line, the traceback saved to a file; ``EGOVKIT_DEBUG=1`` shows it instead).
    """
    import shlex
    import warnings

    from .errors import EgovkitWarning

    warnings.simplefilter("ignore", EgovkitWarning)
    # a damaged cache file that was rebuilt is in no validation report: that note is shown
    warnings.filterwarnings("always", message="egovkit cache:", category=EgovkitWarning)
    args = list(sys.argv[1:] if argv is None else argv)
    _INPUTS.clear()  # inputs of an earlier command run in this process
    output_folder.command = "egovkit " + shlex.join(args)

    def fail(message: str, code: int) -> None:
        typer.secho(f"error: {terminal_text(message)}", fg=typer.colors.RED, err=True)
        sys.exit(code)

    try:
        app(args=args, prog_name="egovkit")
    except EgovkitError as exc:
        fail(_cli_message(str(exc), args[0] if args else ""), 2)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        fail(_os_message(exc), 2)
    except Exception as exc:  # a bug: one line for the user, the traceback kept for the report
        if os.environ.get("EGOVKIT_DEBUG"):
            raise
        fail(_internal_error(exc), 3)
