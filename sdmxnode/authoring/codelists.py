"""The IMDX domain code lists of the migration DSDs, declared as Python data."""

from __future__ import annotations

from sdmxnode.authoring.artefacts import AnnotationDef, CodeEntry, CodelistDef

VERSION = "1.0.0"
DESIGN = (
    "IMDX design (README section 'Migration structures and dataflows'; "
    "research in shared/design/migration-structures.md)"
)


def _imdx(
    id: str,
    name: str,
    rows: tuple[tuple[str, ...], ...],
    source: str,
    description: str = "",
) -> CodelistDef:
    """Rows are (id, name) or (id, name, parent) or (id, name, parent, annotation text)."""
    codes = []
    for row in rows:
        code_id, code_name = row[0], row[1]
        parent = row[2] if len(row) > 2 and row[2] else None
        annotations = (AnnotationDef(type="MAPPING", text=row[3]),) if len(row) > 3 else ()
        codes.append(CodeEntry(code_id, {"en": code_name}, parent, annotations))
    return CodelistDef(
        agency_id="IMDX",
        id=id,
        version=VERSION,
        names={"en": name},
        codes=tuple(codes),
        source=source,
        description=description,
    )


UNIT_MEASURE = _imdx(
    "CL_UNIT_MEASURE",
    "Unit of measure",
    (
        ("PS", "Persons", "", "OECD/ESTAT unit PS (persons); IAEG-SDGs uses NUMBER"),
        ("NUMBER", "Number", "", "IAEG-SDGs:CL_UNIT_MEASURE(1.0) NUMBER"),
        ("PT", "Percent", "", "IAEG-SDGs:CL_UNIT_MEASURE(1.0) PT"),
        ("PT_GDP", "Percent of GDP", "", "IAEG-SDGs series BX_TRF_PWKR (PT of GDP)"),
        ("PT_AMT", "Percent of the amount sent", "", "IAEG-SDGs series SI_RMT_COST (PT)"),
        ("PER_100000_POP", "Per 100,000 population", "", "IAEG-SDGs PER_100000_POP"),
        ("YR", "Years", "", "for median age"),
        ("USD", "US dollars", "", "IAEG-SDGs:CL_UNIT_MEASURE(1.0) USD"),
        ("CUR_LCU", "Local currency", "", "IAEG-SDGs:CL_UNIT_MEASURE(1.0) CUR_LCU"),
        ("RANK", "Rank or category code", "", "coded policy responses"),
        ("BOOL", "Boolean or binary measure", "", "IAEG-SDGs:CL_UNIT_MEASURE(1.0) BOOL"),
    ),
    "IMDX; ids taken from IAEG-SDGs:CL_UNIT_MEASURE(1.0) where it has them, plus PS, PT_GDP,"
    " PT_AMT, YR and RANK (annotation MAPPING on each code).",
)

EDUCATION_LEV = _imdx(
    "CL_EDUCATION_LEV",
    "Level of education (ISCED 2011 aggregates)",
    (
        ("_T", "All levels of education"),
        ("ISCED11_0T2", "Less than primary, primary and lower secondary education", "_T"),
        ("ISCED11_3_4", "Upper secondary and post-secondary non-tertiary education", "_T"),
        ("ISCED11_5T8", "Tertiary education", "_T"),
        ("_U", "Unknown"),
        ("_Z", "Not applicable"),
    ),
    "OECD International Migration Database EDUCATION_LEV ids (ISCED 2011 aggregates).",
)

STOCK_MEASURE = _imdx(
    "CL_STOCK_MEASURE",
    "Migrant stock measure",
    (
        ("STOCK", "International migrant stock"),
        ("PCT_POP", "International migrant stock as a percentage of the total population"),
        ("PCT_FEM", "Female migrants as a percentage of the international migrant stock"),
        ("MEDIAN_AGE", "Median age of international migrants"),
    ),
    "UN DESA International Migrant Stock table set; OECD CL_MEASURE_MIG B14/B15.",
)

FLOW_TYPE = _imdx(
    "CL_FLOW_TYPE",
    "Type of migration flow",
    (
        ("IMM", "Immigration", "", "OECD B11; ESTAT migr_imm*"),
        ("EMI", "Emigration", "", "OECD B12; ESTAT migr_emi*"),
        ("NET", "Net migration"),
        ("PERMIT_FIRST", "First residence permits", "", "ESTAT migr_resfirst"),
        ("ACQ_CIT", "Acquisition of citizenship", "", "OECD B16; ESTAT migr_acq"),
        ("_Z", "Not applicable"),
    ),
    DESIGN,
)

DURATION = _imdx(
    "CL_DURATION",
    "Duration of stay or of permit validity",
    (
        ("_T", "Total"),
        ("M_LT3", "Less than 3 months", "_T"),
        ("M3T11", "3 to less than 12 months (short-term, 1998 Recommendations)", "_T"),
        ("M3T5", "3 to 5 months", "M3T11"),
        ("M6T11", "6 to 11 months", "M3T11"),
        ("M_GE12", "12 months or more (long-term)", "_T"),
        ("PERM", "Permanent or without time limit", "M_GE12"),
        ("_U", "Unknown"),
        ("_Z", "Not applicable"),
    ),
    "1998 UN Recommendations (Rev. 1) thresholds; ESTAT permit durations.",
)

REASON = _imdx(
    "CL_REASON",
    "Reason for migration or admission category",
    (
        ("_T", "All reasons"),
        ("FAM", "Family", "_T", "ESTAT FAM; OECD FA"),
        ("FAM_REU", "Family reunification", "FAM"),
        ("FAM_FORM", "Family formation", "FAM"),
        ("FAM_ACC", "Accompanying family of workers", "FAM"),
        ("EMP", "Work", "_T", "ESTAT EMP; OECD WO"),
        ("EMP_HS", "Highly skilled work", "EMP"),
        ("EMP_SEAS", "Seasonal work", "EMP"),
        ("EMP_OTH", "Other work", "EMP"),
        ("EDUC", "Study", "_T", "ESTAT EDUC"),
        ("TRAIN", "Training", "EDUC"),
        ("HUM", "Humanitarian and international protection", "_T", "OECD HU"),
        ("HUM_REF", "Refugee status", "HUM"),
        ("HUM_SUB", "Subsidiary protection", "HUM"),
        ("HUM_TP", "Temporary protection", "HUM"),
        ("HUM_OTH", "Other humanitarian reasons", "HUM"),
        ("FREE_MOV", "Free movement", "_T", "OECD FR"),
        ("SETTLE", "Settlement, including ancestry-based", "_T"),
        ("RET", "Return of nationals", "_T"),
        ("OTH", "Other reasons", "_T", "ESTAT OTH"),
        ("_U", "Unknown"),
        ("_Z", "Not applicable"),
    ),
    "1998 UN Recommendations admission categories; ESTAT reason; OECD MIGRATION_TYPE.",
)

POP_GROUP = _imdx(
    "CL_POP_GROUP",
    "Population group (protection)",
    (
        ("_T", "All groups"),
        ("REF", "Refugees", "", "UNHCR refugees"),
        ("ASY", "Asylum-seekers", "", "UNHCR asylum_seekers"),
        ("IDP", "Internally displaced persons", "", "UNHCR idps"),
        ("RET_REF", "Returned refugees", "", "UNHCR returned_refugees"),
        ("RET_IDP", "Returned internally displaced persons", "", "UNHCR returned_idps"),
        ("STA", "Stateless persons", "", "UNHCR stateless"),
        ("OIP", "Other people in need of international protection", "", "UNHCR oip"),
        ("OOC", "Others of concern", "", "UNHCR ooc"),
        ("HST", "Host community", "", "UNHCR hst"),
        ("UAM", "Unaccompanied minors", "", "ESTAT asylum tables"),
        ("_Z", "Not applicable"),
    ),
    "UNHCR population statistics fields; ESTAT asylum statistics.",
)

PROT_MEASURE = _imdx(
    "CL_PROT_MEASURE",
    "Protection statistics measure",
    (
        ("POP", "Population at the end of the period"),
        ("APPL", "Asylum applications"),
        ("APPL_FIRST", "First-time asylum applications", "APPL", "ESTAT applicant=FRST"),
        ("DEC", "Decisions on asylum applications"),
        ("DEC_POS", "Positive decisions", "DEC", "ESTAT decision=POS"),
        ("DEC_GENCONV", "Geneva Convention status granted", "DEC_POS"),
        ("DEC_SUBS", "Subsidiary protection status granted", "DEC_POS"),
        ("DEC_HUMSTAT", "Humanitarian status granted", "DEC_POS"),
        ("DEC_REJ", "Rejections", "DEC"),
        ("RESETTLED", "Resettled refugees"),
        ("NATURALISED", "Naturalised refugees"),
        ("SHARE_POP", "Refugees per 100,000 population of the country of origin", "", "SDG 10.7.4"),
        (
            "DEATHS_MISSING",
            "Migrants recorded as dead or missing in the process of migration",
            "",
            "SDG 10.7.3 (IOM Missing Migrants Project: minimum counts)",
        ),
    ),
    "UNHCR population statistics; ESTAT migr_asy*; SDG indicators 10.7.3 and 10.7.4.",
)

REMIT_ITEM = _imdx(
    "CL_REMIT_ITEM",
    "Remittance item or cost measure",
    (
        ("PREM", "Personal remittances", "", "BPM6: PT + COE"),
        ("PT", "Personal transfers", "PREM", "BPM6 personal transfers"),
        ("COE", "Compensation of employees", "PREM", "BPM6 compensation of employees"),
        ("COST_AVG", "Average total cost of sending remittances", "", "SDG 10.c.1"),
        ("COST_CORR", "Total cost of sending remittances in a corridor", "", "SDG 10.c.1"),
    ),
    "IMF BPM6; World Bank WDI BX/BM.TRF.PWKR; SDG indicators 10.c.1 and 17.3.2.",
)

ACCOUNTING_ENTRY = _imdx(
    "CL_ACCOUNTING_ENTRY",
    "Accounting entry",
    (("C", "Credit (received)"), ("D", "Debit (paid)"), ("B", "Balance (net)"), ("_Z", "N/A")),
    "Subset of IMF CL_ACCOUNT_ENTRY (C, D, B) plus _Z.",
)

TRANSFER_AMT = _imdx(
    "CL_TRANSFER_AMT",
    "Amount sent (remittance cost series)",
    (("USD200", "200 US dollars"), ("USD500", "500 US dollars"), ("_Z", "Not applicable")),
    "World Bank Remittance Prices Worldwide amounts used for SDG 10.c.1.",
)

MIGRANT_STATUS = _imdx(
    "CL_MIGRANT_STATUS",
    "Migrant status of a worker",
    (
        ("_T", "Total"),
        ("NB", "Native-born"),
        ("FB", "Foreign-born"),
        ("NAT", "Nationals"),
        ("FOR", "Foreign citizens"),
        ("MIG_WRK", "International migrant workers (ICLS 2018)"),
        ("RET_MIG", "Return migrants"),
        ("NMIG", "Non-migrants"),
    ),
    "ILO ILOSTAT place of birth (CBR) and citizenship (CCT) breakdowns; OECD NB/FB.",
)

LAB_MEASURE = _imdx(
    "CL_LAB_MEASURE",
    "Labour migration measure",
    (
        ("WAP", "Working-age population", "", "ILO MST_XWAP"),
        ("LF", "Labour force", "", "ILO MST_TEAP"),
        ("EMP", "Employment", "", "ILO MST_TEMP"),
        ("UNE", "Unemployment", "", "ILO MST_TUNE"),
        ("EIP", "Persons outside the labour force", "", "ILO MST_TEIP"),
        ("LFPR", "Labour force participation rate", "", "ILO MST_TEAP_*_RT"),
        ("EMP_RATE", "Employment-to-population ratio"),
        ("UNE_RATE", "Unemployment rate", "", "ILO MST_TUNE_*_RT"),
        ("INFLOW_WRK", "Inflows of foreign workers", "", "OECD B21; ILO MFL_NEMP"),
        ("INFLOW_SEAS", "Inflows of seasonal foreign workers", "", "OECD B22"),
        ("OUTFLOW_NAT_WRK", "Nationals leaving to work abroad"),
        ("NAT_ABROAD_WRK", "Nationals working abroad"),
        ("RCOST", "Recruitment cost as a proportion of monthly income", "", "SDG 10.7.1"),
    ),
    "ILO ILOSTAT migration indicators (MST_*, MFL_*); OECD CL_MEASURE_MIG; SDG 10.7.1.",
)

TEMP_MEASURE = _imdx(
    "CL_TEMP_MEASURE",
    "Temporary movement measure",
    (
        ("ENTRIES", "Entries"),
        ("PERMITS_ISSUED", "Permits or visas issued"),
        ("STOCK_PRESENT", "Persons present at the end of the period"),
    ),
    DESIGN,
)

MOBILITY_CAT = _imdx(
    "CL_MOBILITY_CAT",
    "Category of temporary movement",
    (
        ("_T", "All categories"),
        ("BORDER_WRK", "Border workers", "_T", "1998 Recommendations"),
        ("SEAS_WRK", "Seasonal workers", "_T", "1998 Recommendations"),
        ("CONTRACT_WRK", "Contract workers", "_T", "1998 Recommendations"),
        ("PROJ_WRK", "Project-tied workers", "_T", "1998 Recommendations"),
        ("TEMP_WRK", "Other temporary workers", "_T", "1998 Recommendations"),
        ("ICT", "Intra-corporate transferees", "_T", "GATS Mode 4 (MSITS 2010)"),
        ("BUS_VIS", "Business visitors", "_T", "GATS Mode 4 (MSITS 2010)"),
        ("CSS", "Contractual service suppliers", "_T", "GATS Mode 4 (MSITS 2010)"),
        ("IND_SS", "Independent service suppliers", "_T", "GATS Mode 4 (MSITS 2010)"),
        ("STUDENT", "Students", "_T"),
        ("TRAINEE", "Trainees", "_T"),
        ("WHM", "Working-holiday makers", "_T"),
        ("OTH", "Other", "_T"),
    ),
    "1998 UN Recommendations; Manual on Statistics of International Trade in Services (Mode 4).",
)

EXPLOITATION = _imdx(
    "CL_EXPLOITATION",
    "Form of exploitation",
    (
        ("_T", "All forms", "", "SDG series VC_HTF_DETV"),
        ("SEX_EXP", "Sexual exploitation", "_T", "VC_HTF_DETVSX"),
        ("FORCED_LAB", "Forced labour, servitude and slavery", "_T", "VC_HTF_DETVFL"),
        ("ORGAN", "Removal of organs", "_T", "VC_HTF_DETVOG"),
        ("OTH_PURP", "Other purposes", "_T", "VC_HTF_DETVOP"),
        ("_U", "Unknown"),
    ),
    "SDG indicator 16.2.2 series; UNODC Global Report on Trafficking in Persons.",
)

TIP_MEASURE = _imdx(
    "CL_TIP_MEASURE",
    "Trafficking in persons measure",
    (
        ("VICT_DET", "Detected victims"),
        ("SUSPECTS", "Suspected offenders"),
        ("PROSECUTED", "Prosecuted offenders"),
        ("CONVICTED", "Convicted offenders"),
        ("SHARE", "Share of detected victims", "", "SDG series VC_VAW_DIST"),
    ),
    "SDG indicator 16.2.2; UNODC GLOTIP.",
)

POLICY_VAR = _imdx(
    "CL_POLICY_VAR",
    "Migration policy variable",
    (
        ("IMM_VIEW", "Government view on the level of immigration"),
        ("IMM_POL", "Policy on the level of immigration"),
        ("IMM_PERM_POL", "Policy on permanent settlement"),
        ("IMM_TEMP_POL", "Policy on temporary workers"),
        ("IMM_HS_POL", "Policy on highly skilled workers"),
        ("IMM_FAM_POL", "Policy on family reunification"),
        ("INTEG_POL", "Policy on integration of non-nationals"),
        ("NATZ_POL", "Policy on naturalization"),
        ("EMIG_VIEW", "Government view on the level of emigration"),
        ("EMIG_POL", "Policy on the level of emigration"),
        ("RETURN_POL", "Measures to encourage the return of citizens"),
        ("DIASPORA_POL", "Measures to attract investment by the diaspora"),
        ("DUAL_CIT", "Acceptance of dual citizenship"),
        ("MIGR_POL_WM", "Well-managed migration policies (country assessment)", "", "SDG 10.7.2"),
        ("N_CTRY", "Number of countries", "", "SDG series SG_CPA_MIGR"),
        ("PCT_CTRY", "Percentage of countries", "", "SDG series SG_CPA_MIGRP"),
    ),
    "UN DESA World Population Policies; SDG indicator 10.7.2.",
)

POLICY_DOMAIN = _imdx(
    "CL_POLICY_DOMAIN",
    "Policy domain (SDG 10.7.2)",
    (
        ("_T", "All domains"),
        ("PD_1", "Migrant rights", "_T"),
        ("PD_2", "Whole-of-government and evidence-based policies", "_T"),
        ("PD_3", "Cooperation and partnerships", "_T"),
        ("PD_4", "Socioeconomic well-being", "_T"),
        ("PD_5", "Mobility dimensions of crises", "_T"),
        ("PD_6", "Safe, orderly and regular migration", "_T"),
        ("_Z", "Not applicable"),
    ),
    "IAEG-SDGs COMPOSITE_BREAKDOWN PD_1 to PD_6 of the SDG 10.7.2 series.",
)

POLICY_RESPONSE = _imdx(
    "CL_POLICY_RESPONSE",
    "Policy response",
    (
        ("TOO_HIGH", "Too high"),
        ("SATISF", "Satisfactory"),
        ("TOO_LOW", "Too low"),
        ("RAISE", "Raise"),
        ("MAINTAIN", "Maintain"),
        ("LOWER", "Lower"),
        ("NO_INTERV", "No intervention"),
        ("YES", "Yes"),
        ("NO", "No"),
        ("NATZ_LESS_RESTR", "Naturalization less restrictive"),
        ("NATZ_MORE_RESTR", "Naturalization more restrictive"),
        ("NATZ_NOT_ALLOWED", "Naturalization not allowed"),
        ("FURTHER_PROGRESS", "Requires further progress", "", "SDG 10.7.2 scale"),
        ("PARTIALLY_MEETS", "Partially meets", "", "SDG 10.7.2 scale"),
        ("MEETS", "Meets", "", "SDG 10.7.2 scale"),
        ("FULLY_MEETS", "Fully meets", "", "SDG 10.7.2 scale"),
        ("_X", "No data"),
    ),
    "UN DESA World Population Policies; SDG indicator 10.7.2 response scale.",
)

MIG_DEF_CRITERION = _imdx(
    "CL_MIG_DEF_CRITERION",
    "National criterion used to count a migrant",
    (
        ("P3M", "Stay or intended stay of at least 3 months"),
        ("P6M", "Stay or intended stay of at least 6 months"),
        ("P12M", "Stay or intended stay of at least 12 months (UN recommendation)"),
        ("PERM", "Permanent settlement"),
        ("LEGAL", "Legal status: residence permit or registration"),
        ("BIRTH", "Country of birth (foreign-born)"),
        ("CITIZEN", "Country of citizenship (foreign citizens)"),
        ("OTHER", "Other criterion"),
        ("_U", "Unknown"),
    ),
    "1998 UN Recommendations (Rev. 1) and the 2021 UN EGMS Task Force 2 report.",
)

RESIDENCE_CRITERION = _imdx(
    "CL_RESIDENCE_CRITERION",
    "Usual-residence rule of the source",
    (
        ("R12M", "12 months or intended 12 months (census rule)"),
        ("R12M_MOST", "Most of the last 12 months (6 months and one day)"),
        ("LEGAL", "Legal or registered residence"),
        ("DE_FACTO", "De facto presence on the reference date"),
        ("OTHER", "Other rule"),
        ("_U", "Unknown"),
    ),
    "2021 UN EGMS Task Force 2 report; Principles and Recommendations for Censuses.",
)

SOURCE_TYPE = _imdx(
    "CL_SOURCE_TYPE",
    "Type of data source",
    (
        ("CENSUS", "Population census"),
        ("REGISTER", "Population register"),
        ("ADMIN_PERMIT", "Administrative records: permits and visas"),
        ("SURVEY", "Household or labour force survey"),
        ("BORDER", "Border statistics"),
        ("MODEL", "Model estimate or imputation"),
        ("OTHER", "Other source"),
    ),
    "UN DESA and OECD source notes.",
)

AGE_DEF = _imdx(
    "CL_AGE_DEF",
    "Age definition",
    (("COMPLET", "Age in completed years"), ("REACH", "Age reached during the year")),
    "ESTAT agedef.",
)

REF_PERIOD_DETAIL = _imdx(
    "CL_REF_PERIOD_DETAIL",
    "Reference point within the period",
    (
        ("MID_YEAR", "Mid-year (1 July)"),
        ("JAN1", "1 January"),
        ("DEC31", "31 December"),
        ("CENSUS", "Census reference date"),
        ("PERIOD", "Whole period (flows)"),
    ),
    "UN DESA (mid-year stocks); ESTAT (1 January stocks).",
)

DATA_TYPE_IMS = _imdx(
    "CL_DATA_TYPE_IMS",
    "Type of data (UN DESA International Migrant Stock)",
    (
        ("B", "Foreign-born population"),
        ("C", "Foreign citizens"),
        ("I", "Imputed (no data available)"),
        ("BR", "Foreign-born population, refugees added"),
        ("CR", "Foreign citizens, refugees added"),
        ("IR", "Imputed, refugees added"),
        ("CB", "Foreign citizens and foreign-born population"),
        ("CBR", "Foreign citizens and foreign-born population, refugees added"),
    ),
    "UN DESA International Migrant Stock 2019, Table 1, column 'Type of data (a)': the"
    " letters of a cell joined without spaces (e.g. 'C B R' -> CBR).",
)

YES_NO = _imdx(
    "CL_YES_NO",
    "Yes or no",
    (("Y", "Yes"), ("N", "No")),
    DESIGN,
)

#: Every IMDX domain code list except CL_AREA and CL_AREA_ORIGIN (built in `areas`).
DOMAIN_CODELISTS: tuple[CodelistDef, ...] = (
    UNIT_MEASURE,
    EDUCATION_LEV,
    STOCK_MEASURE,
    FLOW_TYPE,
    DURATION,
    REASON,
    POP_GROUP,
    PROT_MEASURE,
    REMIT_ITEM,
    ACCOUNTING_ENTRY,
    TRANSFER_AMT,
    MIGRANT_STATUS,
    LAB_MEASURE,
    TEMP_MEASURE,
    MOBILITY_CAT,
    EXPLOITATION,
    TIP_MEASURE,
    POLICY_VAR,
    POLICY_DOMAIN,
    POLICY_RESPONSE,
    MIG_DEF_CRITERION,
    RESIDENCE_CRITERION,
    SOURCE_TYPE,
    AGE_DEF,
    REF_PERIOD_DETAIL,
    DATA_TYPE_IMS,
    YES_NO,
)
