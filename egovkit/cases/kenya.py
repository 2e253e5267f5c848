"""Kenya 2019 census by county: what ``egovkit report kenya`` runs on the pinned KNBS tables.

Examples
--------
>>> from egovkit.cases import diagnose_kenya           # doctest: +SKIP
>>> d = diagnose_kenya("out/kenya", lang="fr")          # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..output_folder import check_folder
from ..pipeline import Diagnosis, diagnose
from ..run_files import load_assessment


def diagnose_kenya(out_dir: str | Path | None = "out/kenya", *, lang: str = "en", force: bool = False,
                   assessment: Any = None) -> Diagnosis:
    """Kenya 2019 census (KNBS Vol IV tables 2.36, 2.32, 2.33) by county, with its report.

    Households with a computer (HH4), internet (HH6), TV and radio; persons aged 3+ owning a
    mobile phone (HH18), using the internet (HH7) and a computer (HH5). The data are downloaded
    from their pinned origin (or the mirror) by :mod:`egovkit.datasets`. ``force``: as in
    :func:`egovkit.pipeline.diagnose`. ``assessment``: an e-governance assessment (or the path of a filled-in
    questionnaire) to include in the report.
    """
    if out_dir is not None:
        check_folder(out_dir, force=force)
    assessment = load_assessment(assessment) if isinstance(assessment, (str, Path)) else assessment
    from ..datasets import kenya_census_table, kenya_counties
    from ..read import read_table
    from ..table import combine_tables

    tables = [read_table(kenya_census_table(name), level="AdminArea", district_level="County")
              for name in ("V4_T2.36", "V4_T2.32", "V4_T2.33")]
    table = combine_tables(*tables, source="KNBS 2019 census Vol IV tables 2.36, 2.32, 2.33")
    return diagnose(table, kenya_counties(), territory_name="Kenya", key="census_county_name",
                    main_indicator="internet", district_word="county", assessment=assessment, lang=lang,
                    out_dir=out_dir, force=force, _what="kenya",
                    report_options={"static_maps_for": ["internet", "computer", "mobile_phone", "internet_use"]})
