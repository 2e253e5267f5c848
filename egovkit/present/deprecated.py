"""Old names of the charts and maps kept one release as deprecated aliases of the one name.

The charts are called ``<what>_chart`` (:mod:`egovkit.present.charts`), the interactive maps
``<what>_map`` and the printed ones ``static_<what>_map``; an old name still works and warns
(``DeprecationWarning``) naming the new one.

Examples
--------
>>> import warnings
>>> def sum_chart(a, b=0):
...     return a + b
>>> add_plot = deprecated_alias(sum_chart, "add_plot")
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     add_plot(1, b=2), str(w[0].message)
(3, 'add_plot() is deprecated: use sum_chart() (same result)')
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from ..shared.messages import render

__all__ = ["deprecated_alias"]


def deprecated_alias(func: Callable[..., Any], old: str) -> Callable[..., Any]:
    """``func`` under its old name ``old``: same arguments and result, warns ``DeprecationWarning``."""
    @functools.wraps(func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(render("charts.deprecated_name", {"old": old, "new": func.__name__}), DeprecationWarning,
                      stacklevel=2)
        return func(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{func.__name__}` (kept one release)."
    return alias
