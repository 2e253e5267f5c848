"""Lagging districts: the districts farthest below the territory's rate, and a sentence about them.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"name": ["A", "B", "C"], "n": [2, 30, 60], "d": [100, 100, 200]})
>>> lagging_summary(df, numerator="n", denominator="d", name="name", indicator_label="internet",
...                 district_word="county")
'1 of 3 counties, home to 25 % of households, is below half the national rate of internet access (23.0 %).'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Sequence, Unpack

import numpy as np
import pandas as pd

from .. import settings
from ..errors import InputError
from ..shared.formatting import format_number, format_whole_pct
from ..shared.renamed import renamed
from ..shared.texts import load_texts
from ..validate import ValidationReport
from .rate_table import Invalid, RateColumns, RateTable, as_rate_table, below, check_rate_columns

#: Sentence templates of this module, English and French.
SENTENCES = Path(__file__).resolve().with_name("sentences.yaml")


@renamed(area="name")
def lagging_districts(
    df: pd.DataFrame | RateTable,
    *,
    fraction: float = 1.0,
    top: int | None = None,
    exclude: pd.Series | Sequence[bool] | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
) -> pd.DataFrame:
    """Districts whose rate is below ``fraction`` times the territory's rate, lowest first.

    Parameters
    ----------
    df
        One row per district, or a :class:`~egovkit.distribution.rate_table.RateTable`.
    **columns
        Which columns hold the rate and the district: see :class:`~egovkit.distribution.rate_table.RateColumns`.
    invalid, report
        As in :func:`egovkit.distribution.inequality`.
    fraction
        1.0 (default): below the territory's rate; 0.5: below half of it.
    top
        Keep only the ``top`` lowest districts.
    exclude
        Districts set apart (parks, a prison island, too few residents): a boolean mask, a
        Series aligned on ``df``'s index or a sequence as long as ``df``. They count in the
        territory's rate but are never listed as lagging nor counted in ``n_districts``.

    Returns
    -------
    pandas.DataFrame
        One row per lagging district (input index kept): ``rank`` (1 = lowest rate),
        ``area``, ``share`` (0-1), ``pct`` (0-100), ``denominator`` (households or persons),
        ``share_pop`` (0-1, its share of the territory's denominator), ``share_pop_cum``,
        ``ratio_to_territory`` (rate / territory rate), ``gap_pct_points`` (pct minus the
        territory's pct, negative) and ``missing_to_territory`` (households/persons to add
        to reach the territory's rate). ``.attrs`` holds ``share_territory`` (the territory
        rate), ``n_districts`` (districts analysed, set-apart ones not included) and
        ``n_excluded`` (districts set apart).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [10, 50, 90], "d": [100, 100, 100]})
    >>> lagging_districts(df, numerator="n", denominator="d")["missing_to_territory"].tolist()
    [40.0]
    >>> lagging_districts(df, numerator="n", denominator="d", exclude=[True, False, False]).empty
    True
    """
    if not fraction > 0:
        raise InputError(code="distribution.fraction_not_positive", params={"fraction": fraction})
    rates = as_rate_table(df, caller="lagging_districts", invalid=invalid, report=report, **columns)
    t, df = rates.table, rates.source
    b = t["count"]
    mu = float((t["share"] * b).sum() / b.sum())
    apart = _exclude_mask(df, exclude).reindex(t.index, fill_value=False)
    lag = t[below(t["share"], fraction * mu) & ~apart].sort_values(["share", "area"], kind="stable")
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
    out.attrs["n_districts"] = int((~apart).sum())
    out.attrs["n_excluded"] = int(apart.sum())
    return out


def set_apart_mask(
    df: pd.DataFrame,
    *,
    key: str | None,
    set_apart: Sequence[str] = (),
    denominator: str | None = None,
    min_denominator: float = 0,
) -> pd.Series:
    """Which districts to set apart from the lagging list: by code, or too small a denominator.

    Codes are compared as text (a park and a residential district may share a name, never a
    code). The mask is meant for ``exclude=`` of :func:`lagging_districts` / :func:`lagging_summary`
    and for the lowest/highest rates of a report.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"code": ["1", "2", "3"], "d": [5000, 40, 3000]})
    >>> set_apart_mask(df, key="code", set_apart=["3"], denominator="d", min_denominator=2000).tolist()
    [False, True, True]
    """
    if key is None or key not in df.columns:
        if len(set_apart):
            raise InputError(code="distribution.no_set_apart_column",
                             params={"column": key, "columns": list(map(str, df.columns))}, column=key)
        mask = pd.Series(False, index=df.index)
    else:
        mask = df[key].astype(str).isin([str(c) for c in set_apart])
    if denominator is not None and min_denominator > 0:
        mask |= pd.to_numeric(df[denominator], errors="coerce") < min_denominator
    return mask.astype(bool)


def _exclude_mask(df: pd.DataFrame, exclude: pd.Series | Sequence[bool] | None) -> pd.Series:
    """``exclude`` as a boolean Series on ``df``'s index (all False when ``None``)."""
    if exclude is None:
        return pd.Series(False, index=df.index)
    if isinstance(exclude, pd.Series):
        unknown = exclude.index.difference(df.index)
        if len(unknown):
            raise InputError(code="distribution.exclude_unknown_labels", params={"labels": list(unknown[:5])})
        return exclude.reindex(df.index, fill_value=False).fillna(False).astype(bool)
    mask = np.asarray(exclude, dtype=bool)
    if mask.shape != (len(df),):
        raise InputError(code="distribution.exclude_length", params={"n": int(mask.size), "total": len(df)})
    return pd.Series(mask, index=df.index)


def _indicator_text(s: dict, label: str) -> str:
    if label in s["indicators"]:
        return s["indicators"][label]
    vowel = label[:1].lower() in "aeiouyhàâäéèêëîïôöùûü"
    return s["free_indicator_vowel" if vowel else "free_indicator"].format(label=label)


@renamed(area="name")
def lagging_summary(
    df: pd.DataFrame | RateTable,
    *,
    fraction: float = 0.5,
    lang: Literal["en", "fr"] | None = None,
    district_word: str = "district",
    indicator_label: str | None = None,
    universe: Literal["households", "persons"] = "households",
    territory_label: str | None = None,
    exclude: pd.Series | Sequence[bool] | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
    **columns: Unpack[RateColumns],
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
        (in French, preceded by "de"/"d'"); default ``indicator=`` (one of the ``**columns``).
    universe
        ``"households"`` or ``"persons"``: what the denominator counts.
    territory_label
        Replaces "national" (e.g. ``"regional"``).
    exclude
        Districts set apart, as in :func:`lagging_districts`: they weigh in the territory's
        rate and in the share of households, are not counted among the districts, and the
        sentence says how many were set apart.
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
    check_rate_columns(columns, "lagging_summary")
    lang = lang or settings.language
    s = load_texts(SENTENCES, lang)
    if universe not in s["population"]:
        raise InputError(code="distribution.not_an_option",
                         params={"option": "universe", "value": universe, "choices": ["households", "persons"]})
    lag = lagging_districts(df, fraction=fraction, exclude=exclude, invalid=invalid, report=report, **columns)
    n_total = lag.attrs["n_districts"]
    n_apart = lag.attrs["n_excluded"]
    mu = lag.attrs["share_territory"]
    n_below = len(lag)
    one = n_below == 1 if lang == "en" else n_below <= 1
    words = s["districts"].get(district_word.lower(), [district_word, district_word + "s"])
    if np.isclose(fraction, 1.0):
        threshold = s["threshold_full"]
    elif np.isclose(fraction, 0.5):
        threshold = s["threshold_half"]
    else:
        threshold = s["threshold_other"].format(pct=format_number(fraction * 100, lang, 0))
    label = indicator_label or columns.get("indicator")
    apart = s["set_apart"].format(n_apart=n_apart) if n_apart else ""
    return s["lagging_one" if one else "lagging_many"].format(
        n_below=n_below, n_total=n_total, districts_below=words[0] if one else words[1],
        districts_total=words[0] if n_total == 1 else words[1], set_apart=apart,
        pct_pop=format_whole_pct(float(lag["share_pop"].sum()) * 100, lang),
        population=s["population"][universe], threshold=threshold,
        territory=territory_label or s["territory"],
        indicator=_indicator_text(s, label) if label else s["unknown_indicator"],
        pct_territory=format_number(mu * 100, lang, 1))
