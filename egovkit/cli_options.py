"""The reading options shared by ``egovkit run``, ``validate`` and ``inspect`` (``--area``,
``--columns "HEADER=INDICATOR"``, ``--sep``...) and their check into the keyword arguments of
``read_table`` / ``read_boundaries``; a wrong option is a one-line error in the user's language.

Examples
--------
>>> read_options(columns=["Internet access=internet"], value_type="share", sep="tab")
{'value_type': 'share', 'columns': {'Internet access': 'internet'}, 'sep': '\\t'}
"""

from __future__ import annotations

from typing import Optional

import typer

from .cli_common import fail_with

TABLE_HELP = ("Census-style table (CSV or Excel), one row per district, or a raw ACS S2801 download "
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
#: How each option of pairs is written (the catalogue code of its one-line error).
_PAIR_CODES = {"--denominator": "cli.pair_denominator", "--columns": "cli.pair_columns",
               "--override": "cli.pair_override"}


def pairs(values: Optional[list[str]], option: str) -> dict[str, str]:
    """``["A=b", ...]`` as ``{"A": "b"}``; a one-line error naming ``option`` otherwise.

    >>> pairs(["Nairobi City=Nairobi"], "--override")
    {'Nairobi City': 'Nairobi'}
    """
    out: dict[str, str] = {}
    for v in values or []:
        left, eq, right = v.rpartition("=")
        if not eq or not left.strip() or not right.strip():
            fail_with(_PAIR_CODES[option], option=option, value=v)
        out[left.strip()] = right.strip()
    return out


def read_options(*, name: Optional[str] = None, code: Optional[str] = None, parent: Optional[str] = None,
                 level: Optional[str] = None, district_level: Optional[str] = None,
                 denominator: Optional[list[str]] = None, universe: Optional[str] = None,
                 value_type: Optional[str] = None, columns: Optional[list[str]] = None,
                 layout: Optional[str] = None, sheet: Optional[str] = None, encoding: Optional[str] = None,
                 sep: Optional[str] = None, decimal: Optional[str] = None, period: Optional[str] = None) -> dict:
    """The keyword arguments of ``read_table`` from the command-line options (checked here);
    ``name`` is ``--area`` and ``code`` is ``--code`` (the table's columns of district names and
    codes, ``read_table(name=, key=)``).

    Examples
    --------
    >>> read_options(columns=["Internet access=internet"], value_type="share", sep="tab")
    {'value_type': 'share', 'columns': {'Internet access': 'internet'}, 'sep': '\\t'}
    """
    for option, value in (("--value-type", value_type), ("--universe", universe), ("--layout", layout)):
        if value is not None and value not in _CHOICES[option]:
            fail_with("cli.choice_invalid", option=option, choices=_CHOICES[option], value=value)
    den: object = None
    if denominator:
        per = [d for d in denominator if "=" in d]
        if per and len(per) < len(denominator):
            fail_with("cli.denominator_mixed")
        if len(denominator) > 1 and not per:
            fail_with("cli.denominator_repeated", n=len(denominator))
        den = pairs(denominator, "--denominator") if per else denominator[0]
    if sep is not None:
        sep = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}.get(sep.lower(), sep)
        if len(sep) != 1:
            fail_with("cli.sep_invalid", sep=repr(sep)[1:-1])
    if decimal is not None and decimal not in (".", ","):
        fail_with("cli.decimal_invalid", decimal=decimal)
    sheet_arg: object = None
    if sheet is not None:
        sheet_arg = int(sheet) if sheet.strip().isdigit() else sheet
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            fail_with("cli.encoding_unknown", encoding=encoding)
    cols = pairs(columns, "--columns") or None
    given = dict(name=name, key=code, parent=parent, level=level, district_level=district_level, denominator=den,
                 universe=universe, value_type=value_type, columns=cols, layout=layout, sheet=sheet_arg,
                 encoding=encoding, sep=sep, decimal=decimal, period=period)
    return {k: v for k, v in given.items() if v is not None}


def boundary_options(layer: Optional[str], crs: Optional[str]) -> dict:
    """The keyword arguments of ``read_boundaries`` from ``--layer`` and ``--crs``.

    >>> boundary_options("0", "EPSG:4326")
    {'layer': 0, 'crs': 'EPSG:4326'}
    """
    out: dict = {}
    if layer is not None:
        out["layer"] = int(layer) if layer.strip().isdigit() else layer
    if crs is not None:
        out["crs"] = crs
    return out


def given_options(**given: object) -> dict:
    """The command-line options given, by option name (for the command ``inspect`` suggests).

    >>> given_options(area="County", columns=["A=b"], sep=None)
    {'--area': 'County', '--columns': ['A=b']}
    """
    out: dict = {}
    for k, v in given.items():
        if v is None or v == [] or v == ():
            continue
        out["--" + k.replace("_", "-")] = list(v) if isinstance(v, (list, tuple)) else v
    return out
