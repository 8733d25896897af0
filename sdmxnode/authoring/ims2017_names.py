"""The names of the UN DESA International Migrant Stock 2017 origin-by-destination table
(`../shared/data/ims2017/`) onto IMDX area codes, as the SDMX representation maps
IMDX:RM_IMS2017_AREA and IMDX:RM_IMS2017_ORIGIN (1.0.0) in `dsd/IMDX-RM_IMS2017-1.0.0.xml`.

The table names its areas in English, some in old or short forms ("TFYR Macedonia",
"Swaziland", "USA", "Rep. Dem. of the Congo"). Every name is written out here once, by hand
(checked against the DESA codes of the 2019 table, whose names are mostly the same), never
guessed at conversion time; `authoring.ims2017` reads the published maps back to convert the
table, and refuses a name they do not hold.

- "Micronesia" names both the region (M49 57, the first row of each year's pair, above its
  members) and the Federated States (FSM, the second row and the origin column): the
  converter calls the first "Micronesia (region)", the map's source value for 57.
- The development and income groupings of the table have no code in CL_AREA (M49 does not
  define them; the 2019 demo data leaves them out the same way), and its Sub-Saharan Africa
  is not M49's (it includes Sudan): `GROUPINGS_LEFT_OUT`.
- The origin columns "Total", "Other North" and "Other South" are no areas: they map onto
  CL_AREA_ORIGIN's `FB` (all foreign-born) and the two residual origins DESA defines, born
  in an unidentified country of the more developed ("North") or less developed ("South")
  regions.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from sdmxnode.authoring import xml, xml30
from sdmxnode.authoring.area_maps import AreaMapDef, add_area_map, unique_rules
from sdmxnode.authoring.artefacts import CodelistDef
from sdmxnode.errors import Invalid

RM_FILE = "IMDX-RM_IMS2017-1.0.0.xml"
AREA_MAP = "RM_IMS2017_AREA"
ORIGIN_MAP = "RM_IMS2017_ORIGIN"

#: The name the converter gives the first of two same-named rows of a year (the region).
REGION_TWINS: dict[str, str] = {"Micronesia": "Micronesia (region)"}

#: Groupings of the table that CL_AREA has no code for (left out of the conversion). The
#: table's "Sub-Saharan Africa" includes Sudan (its 2017 total is Eastern, Middle, Southern
#: and Western Africa plus Sudan), which M49's Sub-Saharan Africa (202) does not: coding it
#: 202 would give 202 a figure of another composition.
GROUPINGS_LEFT_OUT: tuple[str, ...] = (
    "Sub-Saharan Africa",
    "More developed regions",
    "Less developed regions",
    "Less developed regions excluding least developed countries",
    "High-income countries",
    "Middle-income countries",
    "Upper-middle-income countries",
    "Lower-middle-income countries",
    "Low-income countries",
)

#: The origin columns that are no areas -> IMDX:CL_AREA_ORIGIN codes.
ORIGIN_NAMES: dict[str, str] = {
    "Total": "FB",
    "Other North": "OTH_NORTH",
    "Other South": "OTH_SOUTH",
}

#: Every area name of the table (rows and origin columns) -> IMDX:CL_AREA code.
AREA_NAMES: dict[str, str] = {
    "WORLD": "1",
    "Least developed countries": "199",
    "AFRICA": "2",
    "Eastern Africa": "14",
    "Burundi": "BDI",
    "Comoros": "COM",
    "Djibouti": "DJI",
    "Eritrea": "ERI",
    "Ethiopia": "ETH",
    "Kenya": "KEN",
    "Madagascar": "MDG",
    "Malawi": "MWI",
    "Mauritius": "MUS",
    "Mayotte": "MYT",
    "Mozambique": "MOZ",
    "Reunion": "REU",
    "Rwanda": "RWA",
    "Seychelles": "SYC",
    "Somalia": "SOM",
    "South Sudan": "SSD",
    "Uganda": "UGA",
    "Tanzania": "TZA",
    "Zambia": "ZMB",
    "Zimbabwe": "ZWE",
    "Middle Africa": "17",
    "Angola": "AGO",
    "Cameroon": "CMR",
    "Central African Republic": "CAF",
    "Chad": "TCD",
    "Congo": "COG",
    "Rep. Dem. of the Congo": "COD",
    "Equatorial Guinea": "GNQ",
    "Gabon": "GAB",
    "Sao Tome and Principe": "STP",
    "Northern Africa": "15",
    "Algeria": "DZA",
    "Egypt": "EGY",
    "Libya": "LBY",
    "Morocco": "MAR",
    "Sudan": "SDN",
    "Tunisia": "TUN",
    "Western Sahara": "ESH",
    "Southern Africa": "18",
    "Botswana": "BWA",
    "Lesotho": "LSO",
    "Namibia": "NAM",
    "South Africa": "ZAF",
    "Swaziland": "SWZ",
    "Western Africa": "11",
    "Benin": "BEN",
    "Burkina Faso": "BFA",
    "Cabo Verde": "CPV",
    "Cote d'Ivoire": "CIV",
    "Gambia": "GMB",
    "Ghana": "GHA",
    "Guinea": "GIN",
    "Guinea-Bissau": "GNB",
    "Liberia": "LBR",
    "Mali": "MLI",
    "Mauritania": "MRT",
    "Niger": "NER",
    "Nigeria": "NGA",
    "Saint Helena": "SHN",
    "Senegal": "SEN",
    "Sierra Leone": "SLE",
    "Togo": "TGO",
    "ASIA": "142",
    "Central Asia": "143",
    "Kazakhstan": "KAZ",
    "Kyrgyzstan": "KGZ",
    "Tajikistan": "TJK",
    "Turkmenistan": "TKM",
    "Uzbekistan": "UZB",
    "Eastern Asia": "30",
    "China": "CHN",
    "China Hong Kong SAR": "HKG",
    "China Macao SAR": "MAC",
    "North Korea": "PRK",
    "Japan": "JPN",
    "Mongolia": "MNG",
    "South Korea": "KOR",
    "Southern Asia": "34",
    "Afghanistan": "AFG",
    "Bangladesh": "BGD",
    "Bhutan": "BTN",
    "India": "IND",
    "Iran": "IRN",
    "Maldives": "MDV",
    "Nepal": "NPL",
    "Pakistan": "PAK",
    "Sri Lanka": "LKA",
    "South-Eastern Asia": "35",
    "Brunei Darussalam": "BRN",
    "Cambodia": "KHM",
    "Indonesia": "IDN",
    "Laos": "LAO",
    "Malaysia": "MYS",
    "Myanmar": "MMR",
    "Philippines": "PHL",
    "Singapore": "SGP",
    "Thailand": "THA",
    "Timor-Leste": "TLS",
    "Viet Nam": "VNM",
    "Western Asia": "145",
    "Armenia": "ARM",
    "Azerbaijan": "AZE",
    "Bahrain": "BHR",
    "Cyprus": "CYP",
    "Georgia": "GEO",
    "Iraq": "IRQ",
    "Israel": "ISR",
    "Jordan": "JOR",
    "Kuwait": "KWT",
    "Lebanon": "LBN",
    "Oman": "OMN",
    "Qatar": "QAT",
    "Saudi Arabia": "SAU",
    "State of Palestine": "PSE",
    "Syrian Arab Republic": "SYR",
    "Turkey": "TUR",
    "United Arab Emirates": "ARE",
    "Yemen": "YEM",
    "EUROPE": "150",
    "Eastern Europe": "151",
    "Belarus": "BLR",
    "Bulgaria": "BGR",
    "Czechia": "CZE",
    "Hungary": "HUN",
    "Poland": "POL",
    "Republic of Moldova": "MDA",
    "Romania": "ROU",
    "Russian Federation": "RUS",
    "Slovakia": "SVK",
    "Ukraine": "UKR",
    "Northern Europe": "154",
    "Channel Islands": "830",
    "Denmark": "DNK",
    "Estonia": "EST",
    "Faeroe Islands": "FRO",
    "Finland": "FIN",
    "Iceland": "ISL",
    "Ireland": "IRL",
    "Isle of Man": "IMN",
    "Latvia": "LVA",
    "Lithuania": "LTU",
    "Norway": "NOR",
    "Sweden": "SWE",
    "United Kingdom": "GBR",
    "Southern Europe": "39",
    "Albania": "ALB",
    "Andorra": "AND",
    "Bosnia and Herzegovina": "BIH",
    "Croatia": "HRV",
    "Gibraltar": "GIB",
    "Greece": "GRC",
    "Holy See": "VAT",
    "Italy": "ITA",
    "Malta": "MLT",
    "Montenegro": "MNE",
    "Portugal": "PRT",
    "San Marino": "SMR",
    "Serbia": "SRB",
    "Slovenia": "SVN",
    "Spain": "ESP",
    "TFYR Macedonia": "MKD",
    "Western Europe": "155",
    "Austria": "AUT",
    "Belgium": "BEL",
    "France": "FRA",
    "Germany": "DEU",
    "Liechtenstein": "LIE",
    "Luxembourg": "LUX",
    "Monaco": "MCO",
    "Netherlands": "NLD",
    "Switzerland": "CHE",
    "LATIN AMERICA AND THE CARIBBEAN": "419",
    "Caribbean": "29",
    "Anguilla": "AIA",
    "Antigua and Barbuda": "ATG",
    "Aruba": "ABW",
    "Bahamas": "BHS",
    "Barbados": "BRB",
    "British Virgin Islands": "VGB",
    "Caribbean Netherlands": "BES",
    "Cayman Islands": "CYM",
    "Cuba": "CUB",
    "Curacao": "CUW",
    "Dominica": "DMA",
    "Dominican Republic": "DOM",
    "Grenada": "GRD",
    "Guadeloupe": "GLP",
    "Haiti": "HTI",
    "Jamaica": "JAM",
    "Martinique": "MTQ",
    "Montserrat": "MSR",
    "Puerto Rico": "PRI",
    "Saint Kitts and Nevis": "KNA",
    "Saint Lucia": "LCA",
    "Saint Vincent and the Grenadines": "VCT",
    "Sint Maarten": "SXM",
    "Trinidad and Tobago": "TTO",
    "Turks and Caicos Islands": "TCA",
    "United States Virgin Islands": "VIR",
    "Central America": "13",
    "Belize": "BLZ",
    "Costa Rica": "CRI",
    "El Salvador": "SLV",
    "Guatemala": "GTM",
    "Honduras": "HND",
    "Mexico": "MEX",
    "Nicaragua": "NIC",
    "Panama": "PAN",
    "South America": "5",
    "Argentina": "ARG",
    "Bolivia": "BOL",
    "Brazil": "BRA",
    "Chile": "CHL",
    "Colombia": "COL",
    "Ecuador": "ECU",
    "Falkland Islands": "FLK",
    "French Guiana": "GUF",
    "Guyana": "GUY",
    "Paraguay": "PRY",
    "Peru": "PER",
    "Suriname": "SUR",
    "Uruguay": "URY",
    "Venezuela": "VEN",
    "NORTHERN AMERICA": "21",
    "Bermuda": "BMU",
    "Canada": "CAN",
    "Greenland": "GRL",
    "Saint Pierre and Miquelon": "SPM",
    "USA": "USA",
    "OCEANIA": "9",
    "Australia/New Zealand": "53",
    "Australia": "AUS",
    "New Zealand": "NZL",
    "Melanesia": "54",
    "Fiji": "FJI",
    "New Caledonia": "NCL",
    "Papua New Guinea": "PNG",
    "Solomon Islands": "SLB",
    "Vanuatu": "VUT",
    "Micronesia (region)": "57",
    "Micronesia": "FSM",
    "Guam": "GUM",
    "Kiribati": "KIR",
    "Marshall Islands": "MHL",
    "Nauru": "NRU",
    "Northern Mariana Islands": "MNP",
    "Palau": "PLW",
    "Polynesia": "61",
    "American Samoa": "ASM",
    "Cook Islands": "COK",
    "French Polynesia": "PYF",
    "Niue": "NIU",
    "Samoa": "WSM",
    "Tokelau": "TKL",
    "Tonga": "TON",
    "Tuvalu": "TUV",
    "Wallis and Futuna Islands": "WLF",
}


def build_ims2017_maps(area: CodelistDef, origin: CodelistDef) -> tuple[AreaMapDef, AreaMapDef]:
    """The map of area names onto CL_AREA and of the other origin columns onto
    CL_AREA_ORIGIN; both refuse a name with two codes or a code with two names."""
    area_codes = {code.id for code in area.codes}
    origin_codes = {code.id for code in origin.codes}
    unknown = sorted({c for c in AREA_NAMES.values() if c not in area_codes})
    unknown += sorted({c for c in ORIGIN_NAMES.values() if c not in origin_codes})
    if unknown:
        raise Invalid(f"codes not in the area code lists: {unknown}")
    return (
        AreaMapDef(
            AREA_MAP,
            "UN DESA International Migrant Stock 2017 area names onto CL_AREA",
            "Each country, area or region as the origin-by-destination table of International"
            " Migrant Stock 2017 names it (English, some old or short forms) onto its CL_AREA"
            " code. 'Micronesia (region)' is the region row of the table's two 'Micronesia'"
            " rows.",
            unique_rules(list(AREA_NAMES.items()), AREA_MAP),
        ),
        AreaMapDef(
            ORIGIN_MAP,
            "UN DESA International Migrant Stock 2017 summary origins onto CL_AREA_ORIGIN",
            "The origin columns of the table that are no areas: the total of all origins"
            " (foreign-born) and the residual origins Other North and Other South.",
            unique_rules(list(ORIGIN_NAMES.items()), ORIGIN_MAP),
        ),
    )


def write_ims2017_maps(area: CodelistDef, origin: CodelistDef, target: Path) -> Path:
    """Write both maps as one SDMX-ML 3.0 structure message, `target`/RM_FILE."""
    root, structures = xml30.structure_message("IMDX-RM_IMS2017")
    area_map, origin_map = build_ims2017_maps(area, origin)
    add_area_map(structures, area, area_map)
    add_area_map(structures, origin, origin_map)
    return xml.write_message(root, target / RM_FILE)


def read_ims2017_maps(path: Path) -> dict[str, etree._Element]:
    """The RepresentationMap elements of the published file, by id."""
    tree = etree.parse(str(path))
    return {
        element.get("id", ""): element for element in tree.iter(f"{{{xml30.STR}}}RepresentationMap")
    }
