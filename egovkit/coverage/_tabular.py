"""Delimited text and coordinate columns for the hotspot and population readers (the old import path).

The code lives in :mod:`.text_file` (bytes to text, :func:`check_file`), :mod:`.delimited`
(:func:`read_records`: text to cells, never shifting a column), :mod:`.coordinate_names`
(:func:`coordinate_columns`: coordinate columns by name) and :mod:`.number_cells`
(:func:`parse_numbers`: numbers written with a decimal comma, a thousands separator, a hemisphere
letter or in degrees-minutes-seconds); this module re-exports their public names.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
>>> _ = p.write_text('name;lat;lon\\n"Gare\\ncentrale";48,85;2,35;\\n')
>>> from egovkit.validate import ValidationReport
>>> rep = ValidationReport()
>>> df, lines = read_records(p, rep, what="hotspot list")
>>> lines.tolist(), df["lat"].tolist()
([2], ['48,85'])
>>> parse_numbers(df["lat"], "lat", lines, rep)[0].tolist()
[48.85]
"""

from __future__ import annotations

from .coordinate_names import coordinate_columns, split_pairs
from .delimited import MAX_LISTED, read_records
from .number_cells import parse_numbers
from .text_file import check_file

__all__ = ["read_records", "coordinate_columns", "parse_numbers", "MAX_LISTED", "check_file", "split_pairs"]
