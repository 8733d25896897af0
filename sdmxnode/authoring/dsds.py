"""The eight IMDX migration DSDs, their dataflows and the allowed content of each dataflow."""

from __future__ import annotations

from sdmxnode.authoring import codelists as cl
from sdmxnode.authoring import official
from sdmxnode.authoring.artefacts import (
    AttributeDef,
    CodelistDef,
    DataflowDef,
    DimensionDef,
    DsdDef,
)

#: References to the two generated area lists (their codes are built by `areas`).
AREA = CodelistDef("IMDX", "CL_AREA", "1.0.0", {"en": "Country or area and region"}, ())
AREA_ORIGIN = CodelistDef("IMDX", "CL_AREA_ORIGIN", "1.0.0", {"en": "Country or area"}, ())


def _dims(*pairs: tuple[str, CodelistDef]) -> tuple[DimensionDef, ...]:
    return tuple(DimensionDef(dim_id, codelist) for dim_id, codelist in pairs)


def _obs(id: str, codelist: CodelistDef | None = None, mandatory: bool = False) -> AttributeDef:
    return AttributeDef(id, "observation", mandatory, codelist)


def _series(id: str, codelist: CodelistDef | None = None, mandatory: bool = False) -> AttributeDef:
    return AttributeDef(id, "series", mandatory, codelist)


def common_attributes(
    *,
    unit_measure: bool = True,
    definition_mandatory: bool = False,
    ref_period_mandatory: bool = False,
) -> tuple[AttributeDef, ...]:
    """The attribute set shared by every DSD (design section 2.4), with per-DSD obligations."""
    attributes = [
        _obs("OBS_STATUS", official.OBS_STATUS, mandatory=True),
        _obs("CONF_STATUS", official.CONF_STATUS),
        _obs("NATURE", official.NATURE),
        _obs("COMMENT_OBS"),
        _obs("SOURCE_DETAIL"),
        _obs("TIME_DETAIL"),
        AttributeDef("LOWER_BOUND", "observation", False, text_type="Double"),
        AttributeDef("UPPER_BOUND", "observation", False, text_type="Double"),
    ]
    if unit_measure:
        attributes.append(_series("UNIT_MEASURE", cl.UNIT_MEASURE, mandatory=True))
    attributes += [
        _series("UNIT_MULT", official.UNIT_MULT, mandatory=True),
        _series("DECIMALS", official.DECIMALS),
        _series("MIG_DEF_CRITERION", cl.MIG_DEF_CRITERION, mandatory=definition_mandatory),
        _series("RESIDENCE_CRITERION", cl.RESIDENCE_CRITERION),
        _series("SOURCE_TYPE", cl.SOURCE_TYPE),
        _series("REF_PERIOD_DETAIL", cl.REF_PERIOD_DETAIL, mandatory=ref_period_mandatory),
        _series("AGE_DEF", cl.AGE_DEF),
        _series("TITLE"),
        _series("COMMENT_TS"),
        _series("COMPILING_ORG"),
        _series("DATA_LAST_UPDATE"),
        # Series-level, not dataset-level: one edition per series, and sdmx1 2.28 cannot read
        # dataset-level attributes whose concept has no core representation.
        _series("REVISION", mandatory=True),
    ]
    return tuple(attributes)


FREQ = ("FREQ", official.FREQ)
REF_AREA = ("REF_AREA", AREA)
SEX = ("SEX", official.SEX)
AGE = ("AGE", official.AGE)

STOCK = DsdDef(
    id="DSD_MIG_STOCK",
    name="International migrant stock",
    description="Persons living in a country other than their country of birth or citizenship.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("MEASURE", cl.STOCK_MEASURE),
        ("COUNTRY_BIRTH", AREA_ORIGIN),
        ("CITIZENSHIP", AREA_ORIGIN),
        SEX,
        AGE,
        ("EDUCATION_LEV", cl.EDUCATION_LEV),
    ),
    attributes=common_attributes(ref_period_mandatory=True)
    + (_series("DATA_TYPE_IMS", cl.DATA_TYPE_IMS),),
    dataflows=(
        DataflowDef(
            "DF_MIG_STOCK_IMS",
            "International migrant stock (UN DESA style)",
            "Mid-year stock by destination, origin, sex and age, as in UN DESA International"
            " Migrant Stock.",
            "STOCKS",
            {
                "FREQ": ("A",),
                "MEASURE": ("STOCK", "PCT_POP", "PCT_FEM", "MEDIAN_AGE"),
                "CITIZENSHIP": ("_T",),
                "EDUCATION_LEV": ("_T",),
            },
        ),
        DataflowDef(
            "DF_MIG_STOCK_IMS2017",
            "International migrant stock by origin and destination (UN DESA, 2017 revision)",
            "Mid-year stock by country of destination and country of birth (origin), both"
            " sexes, from the origin-by-destination table of UN DESA International Migrant"
            " Stock: The 2017 Revision. One dataflow per edition: revisions change history,"
            " and REVISION is an attribute of the series.",
            "STOCKS",
            {
                "FREQ": ("A",),
                "MEASURE": ("STOCK",),
                "CITIZENSHIP": ("_T",),
                "SEX": ("_T",),
                "AGE": ("_T",),
                "EDUCATION_LEV": ("_T",),
            },
        ),
        DataflowDef(
            "DF_MIG_STOCK_NAT",
            "Foreign-born and foreign-citizen population (national sources)",
            "National stocks by country of birth and citizenship.",
            "STOCKS",
            {"MEASURE": ("STOCK", "PCT_POP")},
        ),
        DataflowDef(
            "DF_MIG_STOCK_SKILL",
            "Migrant stock by level of education",
            "Stocks of migrants by education, for skilled-migration analysis (DIOC-like).",
            "SKILLED",
            {"MEASURE": ("STOCK",)},
        ),
    ),
)

FLOW = DsdDef(
    id="DSD_MIG_FLOW",
    name="International migration flows",
    description="Immigration, emigration, first permits and acquisitions of citizenship.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("FLOW_TYPE", cl.FLOW_TYPE),
        ("DURATION", cl.DURATION),
        ("REASON", cl.REASON),
        ("CITIZENSHIP", AREA_ORIGIN),
        ("COUNTRY_BIRTH", AREA_ORIGIN),
        ("PREV_NEXT_RES", AREA_ORIGIN),
        SEX,
        AGE,
    ),
    attributes=common_attributes(definition_mandatory=True),
    dataflows=(
        DataflowDef(
            "DF_MIG_FLOWS",
            "Immigration, emigration and net migration",
            "Flows of migrants by citizenship, birth and previous or next residence.",
            "FLOWS",
            {"FLOW_TYPE": ("IMM", "EMI", "NET")},
        ),
        DataflowDef(
            "DF_MIG_PERMITS",
            "First residence permits by reason and duration",
            "First permits, including family reunification and formation, ESTAT-style.",
            "FLOWS",
            {"FLOW_TYPE": ("PERMIT_FIRST",)},
            ("FAMILY",),
        ),
        DataflowDef(
            "DF_MIG_PERM_CAT",
            "Permanent-type inflows by category of entry",
            "Standardised permanent-type inflows by category (work, family, humanitarian, free"
            " movement), OECD-style.",
            "FLOWS",
            {"FLOW_TYPE": ("IMM",), "DURATION": ("M_GE12", "PERM")},
            ("FAMILY",),
        ),
        DataflowDef(
            "DF_MIG_ACQ_CIT",
            "Acquisitions of citizenship",
            "Acquisitions of citizenship by former citizenship.",
            "FLOWS",
            {"FLOW_TYPE": ("ACQ_CIT",)},
        ),
    ),
)

PROT = DsdDef(
    id="DSD_MIG_PROT",
    name="Asylum, refugees and other forcibly displaced persons",
    description="Protection populations, asylum applications and decisions.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("MEASURE", cl.PROT_MEASURE),
        ("POP_GROUP", cl.POP_GROUP),
        ("COUNTRY_ORIGIN", AREA_ORIGIN),
        SEX,
        AGE,
    ),
    attributes=common_attributes(),
    dataflows=(
        DataflowDef(
            "DF_PROT_POP",
            "Populations under protection",
            "End-year populations of refugees, asylum-seekers, IDPs and stateless (UNHCR-style).",
            "PROTECTION",
            {"MEASURE": ("POP",)},
        ),
        DataflowDef(
            "DF_ASY_APPL",
            "Asylum applications",
            "Asylum applications, including first-time applications.",
            "PROTECTION",
            {"MEASURE": ("APPL", "APPL_FIRST"), "POP_GROUP": ("ASY", "UAM", "_T")},
        ),
        DataflowDef(
            "DF_ASY_DEC",
            "Decisions on asylum applications",
            "Decisions by outcome.",
            "PROTECTION",
            {
                "MEASURE": (
                    "DEC",
                    "DEC_POS",
                    "DEC_GENCONV",
                    "DEC_SUBS",
                    "DEC_HUMSTAT",
                    "DEC_REJ",
                )
            },
        ),
        DataflowDef(
            "DF_REFUGEE_SHARE",
            "Refugees per 100,000 population by country of origin (SDG 10.7.4)",
            "Proportion of the population who are refugees, by country of origin.",
            "PROTECTION",
            {"MEASURE": ("SHARE_POP",), "POP_GROUP": ("REF",)},
            ("SDG",),
        ),
        DataflowDef(
            "DF_MIG_DEATHS",
            "Deaths and disappearances of migrants (SDG 10.7.3)",
            "Migrants recorded as dead or missing in the process of migration, by country or "
            "region where the death or disappearance was recorded (REF_AREA) and, where known, "
            "country of origin; minimum counts, as the IOM Missing Migrants Project records them.",
            "PROTECTION",
            {"MEASURE": ("DEATHS_MISSING",), "POP_GROUP": ("_T",)},
            ("SDG",),
        ),
    ),
)

REMIT = DsdDef(
    id="DSD_MIG_REMIT",
    name="Remittances and their cost",
    description="Personal remittances (BPM6) and the cost of sending them.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("COUNTERPART_AREA", AREA),
        ("REMIT_ITEM", cl.REMIT_ITEM),
        ("ACCOUNTING_ENTRY", cl.ACCOUNTING_ENTRY),
        ("UNIT_MEASURE", cl.UNIT_MEASURE),
        ("TRANSFER_AMT", cl.TRANSFER_AMT),
    ),
    attributes=common_attributes(unit_measure=False),
    dataflows=(
        DataflowDef(
            "DF_REMIT_BOP",
            "Personal remittances (balance of payments)",
            "Personal remittances received and paid, in USD and as a percentage of GDP"
            " (SDG 17.3.2).",
            "REMITTANCES",
            {"REMIT_ITEM": ("PREM", "PT", "COE"), "TRANSFER_AMT": ("_Z",)},
            ("SDG",),
        ),
        DataflowDef(
            "DF_REMIT_BILAT",
            "Bilateral remittance estimates",
            "Remittances by sending and receiving country (model estimates carry NATURE=M).",
            "REMITTANCES",
            {"REMIT_ITEM": ("PREM",), "TRANSFER_AMT": ("_Z",)},
        ),
        DataflowDef(
            "DF_REMIT_COST",
            "Cost of sending remittances (SDG 10.c.1)",
            "Total cost as a percentage of the amount sent; REF_AREA is the sending country.",
            "REMITTANCES",
            {
                "REMIT_ITEM": ("COST_AVG", "COST_CORR"),
                "ACCOUNTING_ENTRY": ("_Z",),
                "UNIT_MEASURE": ("PT_AMT",),
            },
            ("SDG",),
        ),
    ),
)

LAB = DsdDef(
    id="DSD_MIG_LAB",
    name="Labour migration and skilled migrants",
    description="Labour-market situation of migrants, labour flows and recruitment costs.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("MEASURE", cl.LAB_MEASURE),
        ("MIGRANT_STATUS", cl.MIGRANT_STATUS),
        ("COUNTERPART_AREA", AREA_ORIGIN),
        SEX,
        AGE,
        ("EDUCATION_LEV", cl.EDUCATION_LEV),
        ("OCCUPATION", official.OCCUPATION),
        ("ACTIVITY", official.ACTIVITY),
    ),
    attributes=common_attributes(),
    dataflows=(
        DataflowDef(
            "DF_LAB_MIG_STOCK",
            "Labour force status of migrants",
            "Working-age population, labour force, employment and unemployment by migrant status.",
            "LABOUR",
            {"MEASURE": ("WAP", "LF", "EMP", "UNE", "EIP", "LFPR", "EMP_RATE", "UNE_RATE")},
        ),
        DataflowDef(
            "DF_LAB_MIG_FLOW",
            "Labour migration flows",
            "Inflows of foreign workers and outflows of nationals for work.",
            "LABOUR",
            {"MEASURE": ("INFLOW_WRK", "INFLOW_SEAS", "OUTFLOW_NAT_WRK", "NAT_ABROAD_WRK")},
        ),
        DataflowDef(
            "DF_SKILLED_MIG",
            "Skilled migrants by education and occupation",
            "Employment of migrants by education and occupation (brain drain and gain).",
            "SKILLED",
            {"MEASURE": ("EMP",)},
            ("LABOUR",),
        ),
        DataflowDef(
            "DF_RECRUIT_COST",
            "Recruitment cost borne by employees (SDG 10.7.1)",
            "Recruitment cost as a proportion of monthly income in the country of destination.",
            "LABOUR",
            {"MEASURE": ("RCOST",)},
            ("SDG",),
        ),
    ),
)

TEMP = DsdDef(
    id="DSD_MIG_TEMP",
    name="Temporary movements and movement of natural persons (GATS Mode 4)",
    description="Entries, permits and presence of temporary movers by category.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("MEASURE", cl.TEMP_MEASURE),
        ("MOBILITY_CAT", cl.MOBILITY_CAT),
        ("DURATION", cl.DURATION),
        ("CITIZENSHIP", AREA_ORIGIN),
        ("COUNTERPART_AREA", AREA_ORIGIN),
        SEX,
        ("ACTIVITY", official.ACTIVITY),
    ),
    attributes=common_attributes() + (_series("GATS_MODE4", cl.YES_NO),),
    dataflows=(
        DataflowDef(
            "DF_TEMP_MIG",
            "Temporary migration and mobility",
            "Temporary movers by category: workers, students, trainees, working holiday.",
            "TEMPORARY",
        ),
        DataflowDef(
            "DF_MODE4",
            "Movement of natural persons (GATS Mode 4)",
            "Temporary movements counted as Mode 4 supply of services.",
            "TEMPORARY",
            {"MOBILITY_CAT": ("_T", "ICT", "BUS_VIS", "CSS", "IND_SS")},
        ),
    ),
)

TIP = DsdDef(
    id="DSD_MIG_TIP",
    name="Trafficking in persons",
    description="Detected victims and offenders by form of exploitation, citizenship, sex, age.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("MEASURE", cl.TIP_MEASURE),
        ("EXPLOITATION", cl.EXPLOITATION),
        ("CITIZENSHIP", AREA_ORIGIN),
        SEX,
        AGE,
    ),
    attributes=common_attributes(),
    dataflows=(
        DataflowDef(
            "DF_TIP",
            "Trafficking in persons (SDG 16.2.2)",
            "Detected victims of trafficking per 100,000 population and their breakdowns.",
            "TRAFFICKING",
            {"AGE": ("_T", "Y0T17", "Y_GE18")},
            ("SDG",),
        ),
    ),
)

POL = DsdDef(
    id="DSD_MIG_POL",
    name="Government migration policies",
    description="Government views and policies on migration; coded answers in POLICY_RESPONSE.",
    dimensions=_dims(
        FREQ,
        REF_AREA,
        ("POLICY_VAR", cl.POLICY_VAR),
        ("POLICY_DOMAIN", cl.POLICY_DOMAIN),
    ),
    attributes=common_attributes() + (_obs("POLICY_RESPONSE", cl.POLICY_RESPONSE),),
    dataflows=(
        DataflowDef(
            "DF_WPP_MIG",
            "World Population Policies: international migration",
            "Government views and policies on immigration, emigration and integration.",
            "POLICIES",
            {"FREQ": ("A",), "POLICY_DOMAIN": ("_Z",)},
        ),
        DataflowDef(
            "DF_MIGR_POL_1072",
            "Well-managed migration policies (SDG 10.7.2)",
            "Countries with well-managed migration policies, overall and by policy domain.",
            "POLICIES",
            {"POLICY_VAR": ("MIGR_POL_WM", "N_CTRY", "PCT_CTRY")},
            ("SDG",),
        ),
    ),
)

DSDS: tuple[DsdDef, ...] = (STOCK, FLOW, PROT, REMIT, LAB, TEMP, TIP, POL)

#: The category scheme IMDX:CAT_MIGRATION: (id, English name).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("STOCKS", "Migrant stocks"),
    ("FLOWS", "Migration flows, permits and citizenship"),
    ("FAMILY", "Family reunification and formation"),
    ("PROTECTION", "Asylum, refugees and displacement"),
    ("REMITTANCES", "Remittances"),
    ("LABOUR", "Labour migration"),
    ("SKILLED", "Skilled migration"),
    ("TEMPORARY", "Temporary movements and GATS Mode 4"),
    ("TRAFFICKING", "Trafficking in persons"),
    ("POLICIES", "Migration policies"),
    ("SDG", "SDG migration indicators"),
)
