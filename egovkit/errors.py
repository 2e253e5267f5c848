"""Exception and warning types for user-facing problems.

Every message names what is wrong (file, row, column or district) and how to fix it.
"""

from __future__ import annotations


class EgovkitError(Exception):
    """Base class of every egovkit error a user can fix."""


class InputError(EgovkitError, ValueError):
    """An input file or table cannot be used as it is.

    Parameters
    ----------
    message
        What is wrong.
    file, row, column, area
        Where it is (any may be None). ``row`` is the 1-based line of the file
        (header = line 1) when known.
    fix
        How to fix it.

    Examples
    --------
    >>> str(InputError("value is negative", file="t.csv", row=4, column="internet", fix="correct it"))
    't.csv, row 4, column internet: value is negative. Fix: correct it'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        area: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.area = area
        self.fix = fix
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.area:
            where.append(f"district {self.area!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class ValidationError(EgovkitError):
    """A table failed validation; ``.report`` holds every problem found."""

    def __init__(self, report: "object", message: str | None = None) -> None:
        self.report = report
        super().__init__(message or str(report))


class JoinError(EgovkitError):
    """A table could not be joined to its boundaries."""


class DownloadError(EgovkitError):
    """A data set could not be fetched, or its hash did not match."""


class EgovkitWarning(UserWarning):
    """Something was repaired, inferred or kept apart; see the validation report."""
