"""egovkit.concepts: column headers recognised by what they say, in several languages."""

from __future__ import annotations

import pytest

from egovkit.concepts import CONFIDENT, Recognition, languages, recognise, tokenize
from egovkit.concepts.catalogue import concepts, index
from egovkit.read.roles import indicator_names


# ---------------------------------------------------------------------------------------- indicators
@pytest.mark.parametrize("header, indicator, universe, kind", [
    # English: sentences, abbreviations, units
    ("Households with access to the Internet (%)", "internet", "households", "percent"),
    ("pct_hh_internet", "internet", "households", "percent"),
    ("share_bb", "broadband", "households", "share"),
    ("frac_computer", "computer", "households", "share"),
    ("% homes online", "internet", "households", "percent"),
    ("Number of households with a computer", "computer", "households", "count"),
    ("No. of households with internet", "internet", "households", "count"),
    ("HouseholdsWithBroadband", "broadband", "households", None),
    ("Individuals using the Internet (%)", "internet_use", "persons", "percent"),
    ("Internet users", "internet_use", "persons", None),
    ("Persons owning a mobile phone", "mobile_phone", "persons", None),
    ("Households with a cell phone", "mobile_phone_hh", "households", None),
    ("Smartphone", "smartphone_hh", "households", None),
    ("Households: tablet computer", "tablet", "households", None),
    ("Desktop or laptop computer", "desktop_laptop", "households", None),
    ("DeskTop/Computer/Laptop/Tablet", "computer", "households", None),
    ("Fixed or mobile telephone", "telephone", "households", None),
    ("Broadband internet subscription", "broadband", "households", None),
    ("hh_tv_share", "tv", "households", "share"),
    ("Radio", "radio", "households", None),
    # French
    ("Ménages disposant d'une connexion Internet", "internet", "households", None),
    ("Part des ménages équipés d'un ordinateur", "computer", "households", "rate"),
    ("Taux d'équipement en smartphone", "smartphone_hh", "households", "rate"),
    ("Ménages avec téléphone portable (%)", "mobile_phone_hh", "households", "percent"),
    ("Nombre de foyers ayant accès à internet haut débit", "broadband", "households", "count"),
    ("Individus utilisant internet", "internet_use", "persons", None),
    ("Ordinateur portable", "desktop_laptop", "households", None),
    ("Téléviseur", "tv", "households", None),
    # Spanish
    ("Hogares con computadora", "computer", "households", None),
    ("Viviendas particulares habitadas que disponen de internet", "internet", "households", None),
    ("Porcentaje de hogares con teléfono celular", "mobile_phone_hh", "households", "percent"),
    ("Hogares con acceso a banda ancha fija", "broadband", "households", None),
    ("Población de 6 años y más que usa internet (%)", "internet_use", "persons", "percent"),
    ("VPH_TELEF_CELULAR_HOGARES", "mobile_phone_hh", "households", None),
    ("Número de viviendas con televisor", "tv", "households", "count"),
    ("Hogares con tableta", "tablet", "households", None),
    # Portuguese
    ("Domicílios com acesso à Internet", "internet", "households", None),
    ("Domicílios com microcomputador", "computer", "households", None),
    ("Percentual de domicílios com telefone celular", "mobile_phone_hh", "households", "percent"),
    ("Agregados domésticos com ligação à Internet em banda larga", "broadband", "households", None),
    ("Pessoas que utilizaram a Internet", "internet_use", "persons", None),
    ("Proporção de famílias com televisão", "tv", "households", "rate"),
    # German and Italian
    ("Haushalte mit Internetzugang", "internet", "households", None),
    ("Anteil Haushalte mit Breitband", "broadband", "households", "share"),
    ("famiglie che dispongono di accesso a Internet da casa", "internet", "households", None),
    ("Famiglie con personal computer (%)", "computer", "households", "percent"),
])
def test_indicators_in_several_languages(header: str, indicator: str, universe: str, kind: str | None) -> None:
    r = recognise(header)
    assert (r.role, r.indicator, r.universe, r.value_kind) == ("indicator", indicator, universe, kind), r.reason
    assert r.confident and r.confidence <= 1
    assert indicator in indicator_names()


def test_reason_names_the_words_and_the_language() -> None:
    r = recognise("Ménages disposant d'une connexion Internet (%)")
    assert r.language == "fr"
    assert "'menages' = universe households (French)" in r.reason
    assert "connexion internet" in r.reason and "percent" in r.reason
    assert recognise("Domicílios com acesso à Internet").language == "pt"
    assert recognise("Hogares con computadora").language == "es"


def test_unknown_words_lower_the_confidence() -> None:
    sure, unsure = recognise("Internet"), recognise("Internet zorblax quux frob")
    assert unsure.indicator == "internet" and unsure.confidence < sure.confidence
    assert "not understood: 'zorblax'" in unsure.reason
    assert not unsure.confident


# ---------------------------------------------------------------------------------------- ambiguity
@pytest.mark.parametrize("header, candidates", [
    ("Phone", {"telephone", "mobile_phone"}),
    ("Téléphone", {"telephone", "mobile_phone"}),
    ("Portable", {"mobile_phone", "desktop_laptop"}),
    ("Internet via mobile phone", {"internet", "mobile_phone"}),
])
def test_ambiguous_headers_are_asked_not_guessed(header: str, candidates: set[str]) -> None:
    r = recognise(header)
    assert r.role == "indicator" and r.indicator is None and r.ambiguous and not r.confident
    assert set(r.alternatives) == candidates and r.confidence < CONFIDENT
    assert r.fix().startswith(f"columns={{{header!r}: ")


@pytest.mark.parametrize("header, indicator", [
    ("Households without internet", "internet"), ("Hogares sin internet", "internet"),
    ("Domicílios sem acesso à Internet", "internet"), ("Haushalte ohne Internet", "internet"),
    ("Ménages n'ayant pas internet", "internet"), ("Households that don't have internet", "internet"),
])
def test_negations_are_complements_not_indicators(header: str, indicator: str) -> None:
    r = recognise(header)
    assert r.negated and r.role == "other" and r.indicator is None and r.alternatives == (indicator,), r.reason
    assert "complement" in r.reason


@pytest.mark.parametrize("header", ["Ménages sans ordinateur", "Hogares sin computadora",
                                    "Households without a computer"])
def test_negated_computer_names_its_complement_without_guessing(header: str) -> None:
    r = recognise(header)
    assert (r.role, r.indicator, r.negated, r.alternatives) == ("other", None, True, ("no_computer", "computer")), r


# ---------------------------------------------------------------------------------------- negatives
@pytest.mark.parametrize("header", [
    "income", "Median household income", "ethnicity", "area_km2", "Superficie (km²)", "year", "Année",
    "population density", "Densidad de población", "Internet MOE", "Internet (margin of error)",
    "Broadband speed (Mbps)", "Price of internet", "Bicycle", "Refrigerador", "Voiture", "Car",
    "Not stated", "Internet: not stated", "Age group", "Sexo", "", "  ", "zorblax", "T15_2_Y", "Renda média",
])
def test_not_indicators(header: str) -> None:
    r = recognise(header)
    assert r.indicator is None and r.role not in ("indicator", "denominator"), (header, r)


# ---------------------------------------------------------------------------------------- other roles
@pytest.mark.parametrize("header, role", [
    ("Nom de la commune", "area"), ("Nome do bairro", "area"), ("District name", "area"), ("Municipio", "area"),
    ("Nom du quartier", "area"), ("County", "area"), ("Ward", "area"), ("Région", "area"),
    ("Sub-county", "area"), ("LGA name", "area"), ("Nombre del municipio", "area"), ("Bairro", "area"),
    ("Département", "area"), ("Libellé commune", "area"), ("Territorio", "area"), ("Gemeindename", "area"),
    ("Code commune", "code"), ("GEOID", "code"), ("FIPS", "code"), ("Código do município", "code"),
    ("CVE_MUN", "code"), ("district_id", "code"), ("Code INSEE", "code"), ("CED_CODE_2016", "code"),
    ("Households", "denominator"), ("Nombre de ménages", "denominator"), ("Total households", "denominator"),
    ("Población total", "denominator"), ("Total de domicílios", "denominator"), ("Population", "denominator"),
    ("Persons aged 3 years and above", "denominator"), ("Haushalte", "denominator"),
    ("Level", "level"), ("Niveau géographique", "area"), ("Parent", "parent"),
    ("Data type", "variable"), ("Tipo dato", "variable"), ("Value", "value"), ("OBS_VALUE", "value"),
    ("Valeur", "value"),
])
def test_other_roles(header: str, role: str) -> None:
    r = recognise(header)
    assert r.role == role, r
    assert r.indicator is None


@pytest.mark.parametrize("header, universe", [
    ("Households", "households"), ("Nombre de ménages", "households"), ("Hogares", "households"),
    ("Domicílios particulares permanentes", "households"), ("Population", "persons"), ("Personas", "persons"),
    ("Pessoas residentes", "persons"), ("Einwohner", "persons"),
])
def test_denominator_universe(header: str, universe: str) -> None:
    r = recognise(header)
    assert (r.role, r.universe) == ("denominator", universe), r


@pytest.mark.parametrize("header, axis", [
    ("wgs84_x", "x"), ("wgs84_y", "y"), ("lon", "x"), ("Latitude", "y"), ("LONGITUD", "x"),
    ("coord_x", "x"), ("X_WGS84", "x"), ("lat_dd", "y"), ("Longitude (WGS 84)", "x"),
])
def test_coordinates(header: str, axis: str) -> None:
    r = recognise(header)
    assert (r.role, r.axis) == ("coordinate", axis), r


# ---------------------------------------------------------------------------------------- the catalogues
def test_tokenizer() -> None:
    assert tokenize("Ménages disposant d'une connexion Internet (%)")[-1] == "%"
    assert tokenize("MobilePhoneHH") == ["mobile", "phone", "hh"]
    assert tokenize("area_km2") == ["area", "km", "2"]
    assert tokenize("Straße") == ["strasse"]


def test_catalogues_cover_the_languages_and_map_to_catalogue_indicators() -> None:
    assert set(languages()) >= {"en", "fr", "es", "pt", "de", "it"}
    names = set(indicator_names())
    for concept, spec in concepts()["devices"].items():
        assert set((spec.get("indicators") or {}).values()) <= names, concept
    assert set(concepts()["complements"].values()) <= names
    by_first, stem_first = index()
    for lang in ("en", "fr", "es", "pt"):  # every language names every device with an indicator
        said = {e.concept for es in by_first.values() for e in es if e.language == lang and e.category == "device"}
        said |= {e.concept for e in stem_first if e.language == lang and e.category == "device"}
        assert said >= {c for c, s in concepts()["devices"].items() if s.get("indicators")}, lang


def test_recognition_is_a_plain_dataclass() -> None:
    r = recognise("Internet")
    assert isinstance(r, Recognition)
    assert {"column", "role", "indicator", "universe", "value_kind", "confidence", "reason",
            "alternatives"} <= set(r.__dataclass_fields__)
    assert "internet" in str(r)


# ---------------------------------------------------------------------------------------- in the reader
def _read_quiet(df):
    import warnings

    from egovkit.read import read_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(df)


@pytest.mark.parametrize("frame, expected", [
    ({"Nom du quartier": ["A", "B"], "Ménages": [1000, 3000],
      "Ménages disposant d'une connexion Internet": [800, 1500], "Taux d'équipement en ordinateur (%)": [50.0, 20.0],
      "Revenu médian": [21000, 18000], "wgs84_x": [2.1, 2.2], "wgs84_y": [48.1, 48.2]},
     {"internet": [800, 1500], "computer": [500, 600]}),
    ({"Nombre del municipio": ["A", "B"], "Total de hogares": [1000, 3000], "Hogares con computadora": [300, 600],
      "Porcentaje de hogares con internet": [40.0, 50.0], "Superficie (km2)": [12.5, 40.1]},
     {"computer": [300, 600], "internet": [400, 1500]}),
    ({"Nome do bairro": ["A", "B"], "Domicílios particulares": [1000, 3000],
      "Domicílios com acesso à Internet": [700, 2400], "Domicílios com telefone celular": [900, 2900]},
     {"internet": [700, 2400], "mobile_phone_hh": [900, 2900]}),
    ({"District name": ["A", "B"], "Number of households": [1000, 3000], "pct_hh_internet": [80.0, 60.0],
      "share_bb": [0.5, 0.25], "Median household income": [40000, 30000], "Ethnicity": ["x", "y"]},
     {"internet": [800, 1800], "broadband": [500, 750]}),
])
def test_tables_in_four_languages_read_with_no_argument(frame: dict, expected: dict) -> None:
    import pandas as pd

    t = _read_quiet(pd.DataFrame(frame))
    got = t.data.set_index(["indicator", "area_name"])["numerator"]
    for ind, values in expected.items():
        assert got.loc[ind].tolist() == pytest.approx(values), ind
    assert not t.report.by_code("unknown_column")  # income, surface, coordinates: notes, not warnings
    recs = {r.column: r for r in t.report.recognitions}
    assert set(recs) == set(frame)
    assert all(r.reason and 0 <= r.confidence <= 1 for r in recs.values())
    assert recs[next(iter(frame))].role == "area"


def test_an_ambiguous_header_is_asked_with_the_fix() -> None:
    import pandas as pd

    from egovkit.errors import InputError

    df = pd.DataFrame({"Quartier": ["A", "B"], "Ménages": [100, 200], "Phone": [50, 60]})
    with pytest.raises(InputError, match=r"'Phone' may be 'telephone' or 'mobile_phone'") as exc:
        _read_quiet(df)
    assert "columns={'Phone': 'telephone'}" in str(exc.value)
    df["Internet"] = [10, 20]
    t = _read_quiet(df)
    (w,) = t.report.by_code("ambiguous_column")
    assert w.severity == "warning" and w.column == "Phone" and "columns={'Phone': 'telephone'}" in w.fix
    assert set(t.data["indicator"]) == {"internet"}


@pytest.mark.parametrize("header", [
    "Mobile-cellular subscriptions per 100 inhabitants", "Fixed Internet broadband subscriptions per 100 inhabitants",
    "Proportion of population covered by a mobile network", "Abonnements internet pour 100 habitants",
    "Población cubierta por la red móvil (%)",
])
def test_subscriptions_and_network_coverage_are_not_household_access(header: str) -> None:
    r = recognise(header)
    assert r.role == "other" and r.indicator is None, r


@pytest.mark.parametrize("header, universe", [
    ("Moradores em domicílios particulares permanentes", "persons"), ("Population des ménages", "persons"),
    ("Households with persons aged 65+", "households"),
])
def test_the_first_universe_word_is_the_one_counted(header: str, universe: str) -> None:
    assert recognise(header).universe == universe


@pytest.mark.parametrize("header", ["Internet (fixed wireless/wired)", "Internet (mobile)", "Internet fixe"])
def test_a_qualifier_word_does_not_make_a_second_device(header: str) -> None:
    assert recognise(header).indicator == "internet"


@pytest.mark.parametrize("header", ["by district", "Par commune", "por municipio"])
def test_the_tail_of_a_title_is_not_a_column_name(header: str) -> None:
    """Bug (property test): 'Households, by district' as a title line was taken for the header row."""
    from egovkit.read.roles import column_role, is_not_ict

    r = recognise(header)
    assert r.role == "other" and not r.confident
    assert column_role(header) is None and not is_not_ict(header)


def test_a_general_device_right_before_a_narrower_one_is_asked() -> None:
    """Bug: 'Households_with_Telephone_Mobile_Phone' (India census 'Telephone/Mobile Phone', the '/' lost)
    was read as mobile phones (through the French phrase 'téléphone mobile'), and its 'Landline_only'
    breakdown as telephones: a silent wrong figure."""
    r = recognise("Households_with_Telephone_Mobile_Phone")
    assert r.ambiguous and set(r.alternatives) == {"telephone", "mobile_phone_hh"}
    assert recognise("Households_with_Telephone_Mobile_Phone_Landline_only").breakdown == "only"
    assert recognise("Broadband internet").indicator == "broadband"  # the narrower word first: no doubt
    assert recognise("Internet haut débit").indicator == "broadband"  # French puts it after the noun
