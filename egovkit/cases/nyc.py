"""New York City public Wi-Fi by neighbourhood (or tract): what ``egovkit report nyc`` runs.

Examples
--------
>>> from egovkit.cases import diagnose_nyc             # doctest: +SKIP
>>> d = diagnose_nyc("out/nyc", level="tract")         # doctest: +SKIP
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

from ..errors import InputError
from ..output_folder import check_folder
from ..pipeline import Diagnosis, coverage_table, diagnose
from ..run_files import load_assessment
from ..shared.messages import render

#: NYC districts with fewer residents (parks and cemeteries, airports, Rikers Island) are not
#: listed as lagging neighbourhoods nor as the lowest/highest (their figures stay in every table).
NYC_MIN_RESIDENTS = 2_000
#: NTA codes ending in 98 or 99 are NYC Planning's non-residential areas (park-cemetery-etc,
#: airports, Rikers Island): set apart from the lagging list whatever their population.
NYC_NOT_RESIDENTIAL = r"[A-Z]{2}9[89]"


def diagnose_nyc(out_dir: str | Path | None = "out/nyc", *, lang: str = "en", level: str = "nta",
                 radii_m: Sequence[float] = (100.0, 250.0, 500.0), cell_m: float = 50.0,
                 force: bool = False, assessment: Any = None) -> Diagnosis:
    """New York City public Wi-Fi: population within reach by NTA (or tract), gaps, new sites.

    Population: ACS 2013-17 tract totals spread uniformly over each tract on a ``cell_m`` grid;
    sites: NYC Open Data hotspots (export c. 2019). The "indicators" of this case are the shares
    of persons within each radius of a site (``wifi_100m``, ``wifi_250m``, ``wifi_500m``).
    ``force``, ``assessment``: as in :func:`egovkit.cases.diagnose_kenya`.
    """
    from ..coverage import coverage, population_from_districts, population_from_xy, read_hotspots
    from ..datasets import nyc_hotspots_raw, nyc_nta, nyc_population, nyc_tracts

    if level not in ("nta", "tract"):
        raise InputError(code="pipeline.nyc_level", params={"level": level})
    if out_dir is not None:
        check_folder(out_dir, force=force)
    assessment = load_assessment(assessment) if isinstance(assessment, (str, Path)) else assessment
    tracts = nyc_tracts()
    acs = nyc_population("tract")[["geoid", "pop_total_est"]]
    tracts = tracts.merge(acs, on="geoid", how="inner")
    districts, key, name = (nyc_nta(), "nta_id", "nta_name") if level == "nta" else (tracts, "geoid", "geoid")
    sites, hrep = read_hotspots(nyc_hotspots_raw(), districts=districts, key=key)
    by_tract = population_from_districts(tracts, "pop_total_est", key="geoid", cell_m=cell_m)
    pop = population_from_xy(by_tract.x, by_tract.y, by_tract.weight, crs=by_tract.crs,
                             districts=districts, key=key)
    cov = coverage(pop, sites, radii_m, quantiles=None)
    table, districts = coverage_table(cov, districts, key, name, level=level,
                                      source=render("pipeline.nyc_source", lang=lang), report_source="NYC",
                                      table_source=render("pipeline.nyc_table_source", lang=lang),
                                      extra=[*hrep.issues, *pop.report.issues])
    return diagnose(table, districts, territory_name="New York City", key="area_code",
                    main_indicator=f"wifi_{int(sorted(radii_m)[len(radii_m) // 2])}m", hotspots=sites,
                    population=pop, radii_m=radii_m, n_new_sites=20,
                    district_word="neighbourhood" if level == "nta" else "tract",
                    territory_word="municipal" if lang == "fr" else "city-wide",
                    report_options={"static_maps_for": [f"wifi_{int(sorted(radii_m)[len(radii_m) // 2])}m"]},
                    min_denominator=NYC_MIN_RESIDENTS, assessment=assessment, lang=lang, out_dir=out_dir,
                    force=force, _what=f"nyc {level}",
                    set_apart=[c for c in districts["area_code"] if re.fullmatch(NYC_NOT_RESIDENTIAL, c)])
