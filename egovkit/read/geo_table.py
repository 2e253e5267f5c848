"""Census figures published inside a boundary file: the attribute table read as the table.

Some census offices publish their figures as the attributes of the boundary layer (DANE's MGN2018
layers integrated with the CNPV 2018, one feature per department with ~90 coded census attributes;
many open-data portals' GeoJSON exports). :func:`read_attribute_table` opens a ``.geojson``,
``.gpkg``, ``.shp``, ``.fgb`` or zipped shapefile with egovkit's boundary reader
(:func:`egovkit.geo.read_boundaries`, which refuses damaged files clearly) and returns its attribute
table, geometry dropped, when the attributes hold census columns egovkit recognises (an ICT
indicator, or the codes of a publisher's codebook); otherwise None, and the caller refuses the file
as boundaries. The report says that the file also holds boundaries, to be given as BOUNDARIES too.

Examples
--------
>>> import json, tempfile, pathlib
>>> from egovkit.validate import ValidationReport
>>> sq = [[[0, 0], [1, 0], [1, 1], [0, 0]]]
>>> feats = [{"type": "Feature", "properties": {"district": n, "households": 100, "internet": 40},
...           "geometry": {"type": "Polygon", "coordinates": sq}} for n in ("A", "B")]
>>> p = pathlib.Path(tempfile.mkdtemp()) / "d.geojson"
>>> _ = p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
>>> read_attribute_table(p, ValidationReport()).columns.tolist()
['district', 'households', 'internet']
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..shared.messages import has_message, render
from ..validate import ValidationReport
from .codebooks import match_codebook
from .column_headers import recognise_indicator


def _census_columns(headers: list[str]) -> list[str]:
    """The headers egovkit recognises as census ICT columns (catalogue words or a publisher's codes)."""
    found = [h for h in headers if recognise_indicator(h).indicator]
    m = match_codebook(headers)  # the publishers' codebooks (coded headers such as DANE STP19_INT1)
    if m is not None:
        found += [h for h in m.columns if h not in found]
    return found


def _said(exc: InputError) -> tuple[str, str | None]:
    """The message and the fix of an error in :data:`egovkit.settings.language`.

    >>> _said(InputError(code="read.catalogue_missing", params={}))
    ('the ITU indicator catalogue is missing', 'reinstall egovkit')
    """
    if exc.params is None or not has_message(exc.code):
        return exc.message, exc.fix
    fix_code = exc.params.get("fix_code", exc.code)
    fix = render(fix_code, exc.params, part="fix") if has_message(fix_code, "fix") else exc.fix
    return render(exc.code, exc.params), fix


def read_attribute_table(path: Path, report: ValidationReport) -> pd.DataFrame | None:
    """The attribute table of a boundary file when it holds census columns, else None.

    Raises
    ------
    InputError
        The boundary reader cannot open the file: the message says the file holds boundaries, not a
        census table, then the boundary reader's problem (no features, damaged file) and fix.
    """
    from ..geo import BOUNDARY_SUFFIXES, read_boundaries

    if path.suffix.lower() not in BOUNDARY_SUFFIXES:  # .kml, .gml: not read by egovkit, refused as boundaries
        return None
    with warnings.catch_warnings():  # geometry repairs concern the boundaries, not the table
        warnings.simplefilter("ignore")
        try:
            gdf = read_boundaries(path, report=ValidationReport(source=path.name))
        except InputError as exc:  # given as the table: say first what the file is, then what is wrong with it
            problem, inner_fix = _said(exc)
            raise InputError(code="read.boundaries_not_a_table",
                             params={"suffix": path.suffix, "problem": problem,
                                     "inner_fix": inner_fix or render("read.export_boundaries_again")},
                             file=exc.file or path.name, row=exc.row, column=exc.column) from exc
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    headers = [str(c) for c in attrs.columns]
    census = _census_columns(headers)
    if attrs.empty or not census:
        return None
    attrs.columns = headers
    report.add("info", "boundary_attributes", params={
        "n": len(gdf), "census": ", ".join(census[:5]) + ("..." if len(census) > 5 else ""), "n_columns": len(headers)},
        action="inferred")
    return attrs.reset_index(drop=True)
