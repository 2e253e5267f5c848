"""Lagging districts: the districts farthest below the territory's rate, and a sentence about them.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"name": ["A", "B", "C"], "n": [2, 30, 60], "d": [100, 100, 200]})
>>> lagging_summary(df, numerator="n", denominator="d", area="name", indicator_label="internet",
...                 district_word="county")
'1 of 3 counties, home to 25 % of households, is below half the national rate of internet access (23.0 %).'
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from .. import settings
from ..errors import InputError
from ..validate import ValidationReport
from .inequality import Invalid, _below, _rate_table


@lru_cache(maxsize=1)
def _sentences() -> dict:
    with resources.files("egovkit.distribution").joinpath("sentences.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def lagging_districts(
    df: pd.DataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    fraction: float = 1.0,
    top: int | None = None,
    area: str | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Districts whose rate is below ``fraction`` times the territory's rate, lowest first.

    Parameters
    ----------
    df
        One row per district.
    indicator, numerator, denominator, share, weight, area, invalid, report
        As in :func:`egovkit.distribution.inequality`.
    fraction
        1.0 (default): below the territory's rate; 0.5: below half of it.
    top
        Keep only the ``top`` lowest districts.

    Returns
    -------
    pandas.DataFrame
        One row per lagging district (input index kept): ``rank`` (1 = lowest rate),
        ``area``, ``share`` (0-1), ``pct`` (0-100), ``denominator`` (households or persons),
        ``share_pop`` (0-1, its share of the territory's denominator), ``share_pop_cum``,
        ``ratio_to_territory`` (rate / territory rate), ``gap_pct_points`` (pct minus the
        territory's pct, negative) and ``missing_to_territory`` (households/persons to add
        to reach the territory's rate). ``.attrs`` holds ``share_territory`` (the territory
        rate) and ``n_districts`` (districts analysed).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [10, 50, 90], "d": [100, 100, 100]})
    >>> lagging_districts(df, numerator="n", denominator="d")["missing_to_territory"].tolist()
    [40.0]
    """
    if not fraction > 0:
        raise InputError(f"fraction={fraction} must be positive", fix="use e.g. 0.5 for half the territory's rate")
    t = _rate_table(df, indicator=indicator, numerator=numerator, denominator=denominator, share=share,
                    weight=weight, area=area, invalid=invalid, report=report)
    b = t["count"]
    mu = float((t["share"] * b).sum() / b.sum())
    lag = t[_below(t["share"], fraction * mu)].sort_values(["share", "area"], kind="stable")
    if top is not None:
        lag = lag.head(int(top))
    out = pd.DataFrame({
        "rank": np.arange(1, len(lag) + 1),
        "area": lag["area"],
        "share": lag["share"],
        "pct": lag["share"] * 100,
        "denominator": lag["count"],
        "share_pop": lag["count"] / b.sum(),
    }, index=lag.index)
    out["share_pop_cum"] = out["share_pop"].cumsum()
    out["ratio_to_territory"] = out["share"] / mu
    out["gap_pct_points"] = (out["share"] - mu) * 100
    out["missing_to_territory"] = (mu - out["share"]) * out["denominator"]
    out.attrs["share_territory"] = mu
    out.attrs["n_districts"] = len(t)
    return out


def _fmt(x: float, decimals: int, sep: str) -> str:
    text = f"{x:.{decimals}f}"
    return text.replace(".", sep)


def _fmt_pct_pop(pct: float, sep: str) -> str:
    """A whole percentage, but ``< 1`` / ``> 99`` rather than ``0`` / ``100`` when it is not exact."""
    if 0 < pct < 0.5:
        return "< 1"
    if 99.5 <= pct < 100:
        return "> 99"
    return _fmt(pct, 0, sep)


def _indicator_text(s: dict, label: str) -> str:
    if label in s["indicators"]:
        return s["indicators"][label]
    vowel = label[:1].lower() in "aeiouyhàâäéèêëîïôöùûü"
    return s["free_indicator_vowel" if vowel else "free_indicator"].format(label=label)


def lagging_summary(
    df: pd.DataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    fraction: float = 0.5,
    lang: Literal["en", "fr"] | None = None,
    district_word: str = "district",
    indicator_label: str | None = None,
    universe: Literal["households", "persons"] = "households",
    territory_label: str | None = None,
    area: str | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> str:
    """One sentence on the lagging districts, in English or French.

    Parameters
    ----------
    fraction
        Threshold as a fraction of the territory's rate (0.5 = "below half the national rate").
    lang
        ``"en"`` or ``"fr"`` (default ``egovkit.settings.language``).
    district_word
        What a district is called (``"county"``, ``"commune"`` ...; translated when known,
        see ``egovkit/distribution/sentences.yaml``, else used as given with an ``s`` plural).
    indicator_label
        Indicator key (``"internet"``, ``"computer"``, ``"mobile_phone"`` ...) or free text
        (in French, preceded by "de"/"d'"); default ``indicator``.
    universe
        ``"households"`` or ``"persons"``: what the denominator counts.
    territory_label
        Replaces "national" (e.g. ``"regional"``).
    Other parameters
        As in :func:`lagging_districts`.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [2, 3, 60, 80], "d": [100, 100, 200, 100]})
    >>> print(lagging_summary(df, numerator="n", denominator="d", lang="fr", district_word="commune",
    ...                       indicator_label="internet"))  # doctest: +NORMALIZE_WHITESPACE
    2 communes sur 4, où vivent 40 % des ménages, sont en dessous de la moitié du taux national
    d'accès à internet (29,0 %).
    """
    lang = lang or settings.language
    texts = _sentences()
    if lang not in texts:
        raise InputError(f"no sentences in language {lang!r}", fix=f"use one of {sorted(texts)}")
    s = texts[lang]
    if universe not in s["population"]:
        raise InputError(f"universe={universe!r} is not an option", fix="use 'households' or 'persons'")
    lag = lagging_districts(df, indicator=indicator, numerator=numerator, denominator=denominator, share=share,
                            weight=weight, fraction=fraction, area=area, invalid=invalid, report=report)
    n_total = lag.attrs["n_districts"]
    mu = lag.attrs["share_territory"]
    n_below = len(lag)
    one = n_below == 1 if lang == "en" else n_below <= 1
    words = s["districts"].get(district_word.lower(), [district_word, district_word + "s"])
    if np.isclose(fraction, 1.0):
        threshold = s["threshold_full"]
    elif np.isclose(fraction, 0.5):
        threshold = s["threshold_half"]
    else:
        threshold = s["threshold_other"].format(pct=_fmt(fraction * 100, 0, s["decimal"]))
    label = indicator_label or indicator or "the indicator"
    return s["lagging_one" if one else "lagging_many"].format(
        n_below=n_below, n_total=n_total, districts_below=words[0] if one else words[1],
        districts_total=words[0] if n_total == 1 else words[1],
        pct_pop=_fmt_pct_pop(float(lag["share_pop"].sum()) * 100, s["decimal"]),
        population=s["population"][universe], threshold=threshold,
        territory=territory_label or s["territory"], indicator=_indicator_text(s, label),
        pct_territory=_fmt(mu * 100, 1, s["decimal"]))
