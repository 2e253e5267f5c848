"""Old argument and function names kept one release as deprecated aliases of the one name per concept.

egovkit says a district's code ``key=`` and its label ``name=`` (columns of a table or of the
boundaries), a radius ``radius_m=`` / ``radii_m=`` (metres) and a rate column ``share_<indicator>``.
A function renamed to that vocabulary keeps its old keyword for one release with :func:`renamed`:
the old keyword still works and warns (``DeprecationWarning``) naming the new one.

Examples
--------
>>> import warnings
>>> @renamed(radius="radius_m")
... def reach(radius_m: float = 100.0) -> float:
...     return radius_m
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     reach(radius=50), str(w[0].message)
(50, 'reach(radius=) is deprecated: use radius_m= (same meaning)')
>>> reach(radius_m=20)
20

A function renamed keeps its old name for one release with :func:`deprecated_alias`:

>>> reach_m = deprecated_alias(reach, "reach_m")
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     reach_m(7), str(w[0].message)
(7, 'reach_m() is deprecated: use reach() (same result)')
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from .messages import render

__all__ = ["renamed", "deprecated_alias"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed(**old_to_new: str) -> Callable[[F], F]:
    """Decorate a function whose keywords ``old`` are now called ``new`` (``@renamed(area="key")``).

    Giving both the old and the new keyword raises ``TypeError``. The old names are listed in the
    wrapper's ``__renamed__`` (a test checks that each still works and warns).
    """
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    said = {"function": func.__name__, "old": old, "new": new}
                    if new in kwargs:
                        raise TypeError(render("shared.renamed_both", said))
                    warnings.warn(render("shared.renamed", said), DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__renamed__ = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def deprecated_alias(func: Callable[..., Any], old: str) -> Callable[..., Any]:
    """``func`` under its old name ``old``: same arguments and result, warns ``DeprecationWarning``
    naming the new one."""
    @functools.wraps(func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(render("shared.renamed_function", {"old": old, "new": func.__name__}), DeprecationWarning,
                      stacklevel=2)
        return func(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{func.__name__}` (kept one release)."
    return alias
