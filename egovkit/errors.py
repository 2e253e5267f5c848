"""Exception and warning types for user-facing problems.

Every message names what is wrong (file, row, column or district) and how to fix it.
"""

from __future__ import annotations


class EgovkitError(Exception):
    """Base class of every egovkit error a user can fix: a message (or a catalogue ``code`` with its
    ``params``), where it is (``file``, ``row``, ``column``, ``area``) and the ``fix``; see
    :class:`InputError`."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        area: str | None = None,
        fix: str | None = None,
        code: str | None = None,
        params: "dict | None" = None,
    ) -> None:
        self.code = code
        self.params = None if message is not None else dict(params or {})
        self._fix = fix
        if message is None:
            if code is None:
                raise TypeError(f"{type(self).__name__} needs a message or a code")
            from .shared.messages import render
            message = render(code, self.params, lang="en")
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.area = area
        self.fix = self._fix_text("en")
        super().__init__(self.text())

    def _fix_text(self, lang: str | None) -> str | None:
        if self._fix is None and self.params is not None:
            from .shared.messages import has_message, render
            code = self.params.get("fix_code", self.code)
            if has_message(code, "fix"):
                return render(code, self.params, lang=lang, part="fix")
        return self._fix

    def text(self, lang: str | None = None) -> str:
        """Where, what and the fix, in ``lang`` (default :data:`egovkit.settings.language`)."""
        from .shared.messages import has_message, render
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(render("where.row", {"row": self.row}, lang=lang))
        if self.column:
            where.append(render("where.column", {"column": self.column}, lang=lang))
        if self.area:
            where.append(render("where.district", {"area": self.area}, lang=lang))
        message = (render(self.code, self.params, lang=lang)  # type: ignore[arg-type]
                   if self.params is not None and has_message(self.code) else self.message)
        text = render("where.said", {"where": ", ".join(where), "message": message}, lang=lang) if where else message
        fix = self._fix_text(lang)
        if fix:
            text += ". " + render("where.fix", {"fix": fix}, lang=lang)
        return text



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
    code, params
        The message's code in the catalogue (:mod:`egovkit.shared.messages`) and the values filling
        its templates: the message (and the fix, when ``fix`` is not given) are then said in
        :data:`egovkit.settings.language`, and :meth:`text` says them in any language.

    Examples
    --------
    >>> str(InputError("value is negative", file="t.csv", row=4, column="internet", fix="correct it"))
    't.csv, row 4, column internet: value is negative. Fix: correct it'
    >>> e = InputError(code="negative_value", params={"value": -1}, row=4)
    >>> e.text("fr")
    'ligne 4 : la valeur -1 est négative. Correction : corrigez la valeur dans le fichier'
    """


class ValidationError(EgovkitError):
    """A table failed validation; ``.report`` holds every problem found."""

    def __init__(self, report: "object", message: str | None = None) -> None:
        self.report = report
        super().__init__(message or str(report))


class JoinError(EgovkitError):
    """A table could not be joined to its boundaries (same arguments as :class:`InputError`)."""


class DownloadError(EgovkitError):
    """A data set could not be fetched, or its hash did not match (same arguments as :class:`InputError`)."""


class EgovkitWarning(UserWarning):
    """Something was repaired, inferred or kept apart; see the validation report."""
