"""IMDX:CL_AREA and IMDX:CL_AREA_ORIGIN, built from pycountry (ISO 3166-1) and the UN M49 table.

Countries and areas take their ISO 3166-1 alpha-3 code as id, names in the six UN languages
where pycountry's translations have them, and annotations with the ISO alpha-2 code and the
M49 numeric code (without leading zeros, as IAEG-SDGs writes CL_AREA ids). Regions take their
M49 numeric id. The region table and country membership below follow the UNSD "Standard
country or area codes for statistical use (M49)" overview; the tests cross-check membership
against the grouping of the DESA International Migrant Stock table.
"""

from __future__ import annotations

import gettext
from functools import cache

from sdmxnode.authoring.artefacts import AnnotationDef, CodeEntry, CodelistDef
from sdmxnode.errors import Invalid

#: M49 regions: (numeric id, parent id or None, English name, level).
M49_REGIONS: tuple[tuple[str, str | None, str, str], ...] = (
    ("1", None, "World", "global"),
    ("2", "1", "Africa", "region"),
    ("15", "2", "Northern Africa", "sub-region"),
    ("202", "2", "Sub-Saharan Africa", "sub-region"),
    ("14", "202", "Eastern Africa", "intermediate region"),
    ("17", "202", "Middle Africa", "intermediate region"),
    ("18", "202", "Southern Africa", "intermediate region"),
    ("11", "202", "Western Africa", "intermediate region"),
    ("19", "1", "Americas", "region"),
    ("419", "19", "Latin America and the Caribbean", "sub-region"),
    ("29", "419", "Caribbean", "intermediate region"),
    ("13", "419", "Central America", "intermediate region"),
    ("5", "419", "South America", "intermediate region"),
    ("21", "19", "Northern America", "sub-region"),
    ("142", "1", "Asia", "region"),
    ("143", "142", "Central Asia", "sub-region"),
    ("30", "142", "Eastern Asia", "sub-region"),
    ("35", "142", "South-eastern Asia", "sub-region"),
    ("34", "142", "Southern Asia", "sub-region"),
    ("145", "142", "Western Asia", "sub-region"),
    ("150", "1", "Europe", "region"),
    ("151", "150", "Eastern Europe", "sub-region"),
    ("154", "150", "Northern Europe", "sub-region"),
    ("830", "154", "Channel Islands", "intermediate region"),
    ("39", "150", "Southern Europe", "sub-region"),
    ("155", "150", "Western Europe", "sub-region"),
    ("9", "1", "Oceania", "region"),
    ("53", "9", "Australia and New Zealand", "sub-region"),
    ("54", "9", "Melanesia", "sub-region"),
    ("57", "9", "Micronesia", "sub-region"),
    ("61", "9", "Polynesia", "sub-region"),
)

#: SDG regional groupings and other M49 groupings: (id, English name, member region ids).
#: They cut across the geographic tree, so they have no parent; members are an annotation.
M49_GROUPINGS: tuple[tuple[str, str, str], ...] = (
    ("62", "Central and Southern Asia", "143 34"),
    ("747", "Northern Africa and Western Asia", "15 145"),
    ("753", "Eastern and South-Eastern Asia", "30 35"),
    ("543", "Oceania (excluding Australia and New Zealand)", "54 57 61"),
    ("513", "Europe and Northern America", "150 21"),
    ("199", "Least Developed Countries (LDCs)", ""),
)

#: The lowest M49 region of every ISO 3166-1 country or area (alpha-3 codes).
M49_MEMBERS: dict[str, str] = {
    "1": "ATA",
    "5": "ARG BOL BRA BVT CHL COL ECU FLK GUF GUY PER PRY SGS SUR URY VEN",
    "11": "BEN BFA CIV CPV GHA GIN GMB GNB LBR MLI MRT NER NGA SEN SHN SLE TGO",
    "13": "BLZ CRI GTM HND MEX NIC PAN SLV",
    "14": "ATF BDI COM DJI ERI ETH IOT KEN MDG MOZ MUS MWI MYT REU RWA SOM SSD SYC TZA UGA ZMB ZWE",
    "15": "DZA EGY ESH LBY MAR SDN TUN",
    "17": "AGO CAF CMR COD COG GAB GNQ STP TCD",
    "18": "BWA LSO NAM SWZ ZAF",
    "21": "BMU CAN GRL SPM USA",
    "29": (
        "ABW AIA ATG BES BHS BLM BRB CUB CUW CYM DMA DOM GLP GRD HTI JAM KNA LCA MAF MSR MTQ"
        " PRI SXM TCA TTO VCT VGB VIR"
    ),
    "30": "CHN HKG JPN KOR MAC MNG PRK",
    "34": "AFG BGD BTN IND IRN LKA MDV NPL PAK",
    "35": "BRN IDN KHM LAO MMR MYS PHL SGP THA TLS VNM",
    "39": "ALB AND BIH ESP GIB GRC HRV ITA MKD MLT MNE PRT SMR SRB SVN VAT",
    "53": "AUS CCK CXR HMD NFK NZL",
    "54": "FJI NCL PNG SLB VUT",
    "57": "FSM GUM KIR MHL MNP NRU PLW UMI",
    "61": "ASM COK NIU PCN PYF TKL TON TUV WLF WSM",
    "143": "KAZ KGZ TJK TKM UZB",
    "145": "ARE ARM AZE BHR CYP GEO IRQ ISR JOR KWT LBN OMN PSE QAT SAU SYR TUR YEM",
    "151": "BGR BLR CZE HUN MDA POL ROU RUS SVK UKR",
    "154": "ALA DNK EST FIN FRO GBR IMN IRL ISL LTU LVA NOR SJM SWE",
    "155": "AUT BEL CHE DEU FRA LIE LUX MCO NLD",
    "830": "GGY JEY",
}

#: ISO 3166-1 entries that M49 does not list as a separate country or area.
NOT_IN_M49 = {
    "TWN": "M49 lists no separate entry; UN statistics include it in China (156).",
}

#: The six UN languages: SDMX language tag -> pycountry (gettext) locale.
UN_LANGUAGES = {"ar": "ar", "es": "es", "fr": "fr", "ru": "ru", "zh": "zh_CN"}

#: Codes CL_AREA_ORIGIN adds to CL_AREA for citizenship, birth and previous residence.
ORIGIN_SPECIAL_CODES: tuple[tuple[str, str], ...] = (
    ("_T", "Total"),
    ("NAT", "Nationals (citizens of the reporting country)"),
    ("FOR", "Foreign citizens (any foreign citizenship)"),
    ("NB", "Native-born (born in the reporting country)"),
    ("FB", "Foreign-born (born in any other country)"),
    ("OTH_NORTH", "Other North (born in an unidentified country of the more developed regions)"),
    ("OTH_SOUTH", "Other South (born in an unidentified country of the less developed regions)"),
    ("STLS", "Stateless"),
    ("_U", "Unknown"),
    ("_Z", "Not applicable"),
)

#: The foreign-born are the people born in any country of the world (the reporting country's
#: own figure is absent) plus those whose country DESA could not identify: the aggregate
#: check adds up the origins of a destination to its FB total through this annotation.
ORIGIN_MEMBERS: dict[str, tuple[AnnotationDef, ...]] = {
    "FB": (AnnotationDef(type="MEMBERS", text="1 OTH_NORTH OTH_SOUTH"),),
}

AREA_SOURCE = (
    "ISO 3166-1 via pycountry (names in the UN languages from its translations);"
    " UN M49 regions, SDG groupings and membership per the UNSD M49 overview."
)


class _Missing(gettext.NullTranslations):
    """A gettext fallback that marks untranslated messages."""

    def gettext(self, message: str) -> str:
        return "\0"


def _pycountry():  # type: ignore[no-untyped-def]
    try:
        import pycountry
    except ImportError as exc:  # the optional `authoring` extra
        raise Invalid("pycountry is needed to build CL_AREA (pip install .[authoring])") from exc
    return pycountry


@cache
def _translations() -> dict[str, gettext.NullTranslations]:
    pycountry = _pycountry()
    result: dict[str, gettext.NullTranslations] = {}
    for tag, locale in UN_LANGUAGES.items():
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        translation.add_fallback(_Missing())
        result[tag] = translation
    return result


def country_names(name: str) -> dict[str, str]:
    """The English ISO name and its translations into the other UN languages, where present."""
    names = {"en": name}
    for tag, translation in _translations().items():
        translated = translation.gettext(name)
        if translated != "\0":
            names[tag] = translated
    return names


def country_parents() -> dict[str, str | None]:
    """Alpha-3 code -> lowest M49 region id (None for entries M49 does not list)."""
    parents: dict[str, str | None] = {code: None for code in NOT_IN_M49}
    for region, members in M49_MEMBERS.items():
        for alpha_3 in members.split():
            if alpha_3 in parents:
                raise Invalid(f"{alpha_3} is listed in two M49 regions")
            parents[alpha_3] = region
    return parents


def build_area_codelist() -> CodelistDef:
    """IMDX:CL_AREA(1.0.0): M49 regions and groupings, then every ISO 3166-1 country or area."""
    pycountry = _pycountry()
    codes: list[CodeEntry] = []
    for region_id, parent, name, level in M49_REGIONS:
        level_note = (AnnotationDef(type="M49_LEVEL", text=level),)
        codes.append(CodeEntry(region_id, {"en": name}, parent, level_note))
    for grouping_id, name, members in M49_GROUPINGS:
        annotations: list[AnnotationDef] = [AnnotationDef(type="M49_LEVEL", text="grouping")]
        if members:
            annotations.append(AnnotationDef(type="MEMBERS", text=members))
        codes.append(CodeEntry(grouping_id, {"en": name}, None, tuple(annotations)))
    parents = country_parents()
    countries = sorted(pycountry.countries, key=lambda country: country.alpha_3)
    unknown = {country.alpha_3 for country in countries} - set(parents)
    if unknown:
        raise Invalid(f"no M49 region for ISO 3166-1 codes {sorted(unknown)}")
    for country in countries:
        annotations = [AnnotationDef(type="ISO_ALPHA2", text=country.alpha_2)]
        if country.alpha_3 in NOT_IN_M49:
            annotations.append(AnnotationDef(type="M49_NOTE", text=NOT_IN_M49[country.alpha_3]))
        else:
            annotations.append(AnnotationDef(type="M49", text=str(int(country.numeric))))
        names = country_names(country.name)
        parent = parents[country.alpha_3]
        codes.append(CodeEntry(country.alpha_3, names, parent, tuple(annotations)))
    return CodelistDef(
        agency_id="IMDX",
        id="CL_AREA",
        version="1.0.0",
        names={"en": "Country or area and region"},
        description=(
            "ISO 3166-1 alpha-3 countries and areas with M49 numeric annotations, and UN M49"
            " regions and SDG groupings with their numeric ids."
        ),
        source=AREA_SOURCE,
        codes=tuple(codes),
    )


def build_area_origin_codelist(area: CodelistDef | None = None) -> CodelistDef:
    """IMDX:CL_AREA_ORIGIN(1.0.0): CL_AREA plus totals, NAT/FOR, NB/FB, stateless, unknown."""
    area = area or build_area_codelist()
    special = tuple(
        CodeEntry(code_id, {"en": name}, None, ORIGIN_MEMBERS.get(code_id, ()))
        for code_id, name in ORIGIN_SPECIAL_CODES
    )
    return CodelistDef(
        agency_id="IMDX",
        id="CL_AREA_ORIGIN",
        version="1.0.0",
        names={"en": "Country or area of citizenship, birth, origin or previous residence"},
        description=(
            "IMDX:CL_AREA(1.0.0) plus the summary codes of ESTAT (NAT, FOR, STLS) and OECD"
            " (NB, FB) for origin-type dimensions."
        ),
        source="Built from IMDX:CL_AREA(1.0.0); summary codes after ESTAT citizen and OECD"
        " BIRTH_PLACE.",
        codes=special + area.codes,
    )


def area_id_for_m49(numeric: int) -> str:
    """The CL_AREA id of an M49 numeric code: a region keeps its number, a country its alpha-3."""
    region_ids = {region[0] for region in M49_REGIONS} | {group[0] for group in M49_GROUPINGS}
    if str(numeric) in region_ids:
        return str(numeric)
    country = _pycountry().countries.get(numeric=f"{numeric:03d}")
    if country is None:
        raise Invalid(f"M49 code {numeric} is neither an M49 region nor an ISO 3166-1 country")
    return str(country.alpha_3)
