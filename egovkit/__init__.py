"""egovkit: digital diagnosis of a territory.

How equipped and connected households are, district by district; how that is spread
over the territory; where public Wi-Fi leaves people out; how mature local e-governance is.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import settings  # noqa: F401
from .errors import EgovkitError, InputError, ValidationError  # noqa: F401
from .validate import Issue, ValidationReport  # noqa: F401
