"""The concepts of IMDX:CS_MIGRATION(1.0.0): reused SDMX and IAEG-SDGs ids plus new ones.

Reused concepts keep the id of the SDMX cross-domain concept or of the IAEG-SDGs concept and
name their origin in an ORIGIN annotation, so that every reference in `dsd/` resolves inside
the repository while the ids still match the published concepts.
"""

from __future__ import annotations

from sdmxnode.authoring.artefacts import ConceptDef

SDMX_CDC = "SDMX:CROSS_DOMAIN_CONCEPTS(2.0)"
SDG = "IAEG-SDGs:SDG_CONCEPTS(1.0)"
#: The ESS Single Integrated Metadata Structure 2.0 (Eurostat; ESMS ids where ESMS has them).
SIMS = "ESS SIMS 2.0"

CONCEPTS: tuple[ConceptDef, ...] = (
    ConceptDef("FREQ", "Frequency", origin=SDMX_CDC),
    ConceptDef("REF_AREA", "Reference area", origin=SDMX_CDC),
    ConceptDef("COUNTERPART_AREA", "Counterpart area", origin=SDMX_CDC),
    ConceptDef("TIME_PERIOD", "Time period", origin=SDMX_CDC),
    ConceptDef("OBS_VALUE", "Observation value", origin=SDMX_CDC),
    ConceptDef("OBS_STATUS", "Observation status", origin=SDMX_CDC),
    ConceptDef("CONF_STATUS", "Confidentiality status", origin=SDMX_CDC),
    ConceptDef("UNIT_MEASURE", "Unit of measure", origin=SDMX_CDC),
    ConceptDef("UNIT_MULT", "Unit multiplier", origin=SDMX_CDC),
    ConceptDef("DECIMALS", "Decimals", origin=SDMX_CDC),
    ConceptDef("TITLE", "Title", origin=SDMX_CDC),
    ConceptDef("COMMENT_OBS", "Observation comment", origin=SDMX_CDC),
    ConceptDef("COMMENT_TS", "Time series comment", origin=SDMX_CDC),
    ConceptDef("COMPILING_ORG", "Compiling agency", origin=SDMX_CDC),
    ConceptDef("SEX", "Sex", origin=SDMX_CDC),
    ConceptDef("AGE", "Age", origin=SDMX_CDC),
    ConceptDef("EDUCATION_LEV", "Level of education", origin=SDMX_CDC),
    ConceptDef("OCCUPATION", "Occupation", origin=SDMX_CDC),
    ConceptDef("ACTIVITY", "Economic activity", origin=SDMX_CDC),
    ConceptDef("NATURE", "Nature of data points", origin=SDG),
    ConceptDef("SOURCE_DETAIL", "Source details", origin=SDG),
    ConceptDef("TIME_DETAIL", "Time detail", origin=SDG),
    ConceptDef("LOWER_BOUND", "Lower bound", origin=SDG),
    ConceptDef("UPPER_BOUND", "Upper bound", origin=SDG),
    ConceptDef("DATA_LAST_UPDATE", "Date of last update", origin=SDG),
    ConceptDef("MEASURE", "Statistical measure", "The measure within a statistical domain."),
    ConceptDef(
        "CITIZENSHIP",
        "Country of citizenship",
        "The citizenship of the persons counted: FOR (any foreign citizenship) counts foreign"
        " citizens, _T counts everyone whatever their citizenship.",
    ),
    ConceptDef(
        "COUNTRY_BIRTH",
        "Country of birth",
        "The country of birth of the persons counted: FB (born in any other country) counts the"
        " foreign-born, _T counts everyone whatever their country of birth.",
    ),
    ConceptDef(
        "PREV_NEXT_RES",
        "Country of previous or next residence",
        "Previous residence for immigration, next residence for emigration.",
    ),
    ConceptDef("COUNTRY_ORIGIN", "Country of origin", "Country of origin of protected persons."),
    ConceptDef("FLOW_TYPE", "Type of migration flow"),
    ConceptDef("DURATION", "Duration of stay or permit validity"),
    ConceptDef("REASON", "Reason for migration or admission category"),
    ConceptDef("POP_GROUP", "Population group (protection)"),
    ConceptDef("MIGRANT_STATUS", "Migrant status of a worker"),
    ConceptDef("MOBILITY_CAT", "Category of temporary movement"),
    ConceptDef("REMIT_ITEM", "Remittance item or cost measure"),
    ConceptDef("ACCOUNTING_ENTRY", "Accounting entry"),
    ConceptDef("TRANSFER_AMT", "Amount sent"),
    ConceptDef("EXPLOITATION", "Form of exploitation"),
    ConceptDef("POLICY_VAR", "Policy variable"),
    ConceptDef("POLICY_DOMAIN", "Policy domain"),
    ConceptDef("POLICY_RESPONSE", "Policy response"),
    ConceptDef("AGE_DEF", "Age definition", "Age in completed years or age reached."),
    ConceptDef(
        "MIG_DEF_CRITERION",
        "Migrant definition criterion",
        "The national criterion (minimum duration, permit, birth or citizenship) used to count"
        " a person as an international migrant.",
    ),
    ConceptDef(
        "RESIDENCE_CRITERION",
        "Usual-residence criterion",
        "The rule that makes a person a usual resident of the country, and so counted there"
        " (12 months, most of the last 12 months, legal residence, de facto presence).",
    ),
    ConceptDef(
        "SOURCE_TYPE",
        "Type of data source",
        "Where the figure comes from: census, register, permits, survey, border statistics,"
        " or a model estimate where no national data exist.",
    ),
    ConceptDef(
        "DATA_TYPE_IMS",
        "Type of data (UN DESA International Migrant Stock)",
        "Whom UN DESA's estimate counts as a migrant: the foreign-born (B) or foreign citizens"
        " (C), with refugees added (R), or imputed where no data exist (I).",
    ),
    ConceptDef(
        "REF_PERIOD_DETAIL",
        "Reference point within the period",
        "The date within the period a stock refers to (mid-year, 1 January, census date), or"
        " the whole period for flows.",
    ),
    ConceptDef(
        "REVISION",
        "Revision or edition of the source",
        "The edition of the source (for example IMS2019); editions are never mixed in a series.",
    ),
    ConceptDef("GATS_MODE4", "Counted as GATS Mode 4 supply of services"),
    # Reference metadata (IMDX:MSD_MIG_COMPARABILITY): SIMS 2.0 concepts, then new ones.
    ConceptDef("CONTACT", "Contact", origin=SIMS),
    ConceptDef("CONTACT_ORGANISATION", "Contact organisation", origin=SIMS),
    ConceptDef("CONTACT_NAME", "Contact name", origin=SIMS),
    ConceptDef("CONTACT_EMAIL", "Contact email address", origin=SIMS),
    ConceptDef("STAT_PRES", "Statistical presentation", origin=SIMS),
    ConceptDef("DATA_DESCR", "Data description", origin=SIMS),
    ConceptDef("STAT_CONC_DEF", "Statistical concepts and definitions", origin=SIMS),
    ConceptDef("STAT_POP", "Statistical population", origin=SIMS),
    ConceptDef("REF_PERIOD", "Reference period", origin=SIMS),
    ConceptDef("STAT_PROCESS", "Statistical processing", origin=SIMS),
    ConceptDef("COLL_METHOD", "Data collection", origin=SIMS),
    ConceptDef("ACCURACY", "Accuracy and reliability", origin=SIMS),
    ConceptDef("ACCURACY_OVERALL", "Overall accuracy", origin=SIMS),
    ConceptDef("COMPARABILITY", "Comparability", origin=SIMS),
    ConceptDef("COMPAR_GEO", "Comparability - geographical", origin=SIMS),
    ConceptDef("COMPAR_TIME", "Comparability - over time", origin=SIMS),
    ConceptDef("DATA_REV", "Data revision", origin=SIMS),
    ConceptDef("REV_POLICY", "Data revision - policy", origin=SIMS),
    ConceptDef("REV_PRACTICE", "Data revision - practice", origin=SIMS),
    ConceptDef("DOC_METHOD", "Documentation on methodology", origin=SIMS),
    ConceptDef("COMMENT_DSET", "Metadata comment", origin=SIMS),
    ConceptDef(
        "MIG_DEFINITION",
        "Definition of an international migrant",
        "Groups the criteria that decide who is counted as an international migrant.",
    ),
    ConceptDef(
        "DURATION_THRESHOLD",
        "Minimum duration of stay (months)",
        "The minimum (intended) duration of stay, in months, for a person to be counted.",
    ),
    ConceptDef("POP_INCLUDED", "Population groups included in the count"),
    ConceptDef("POP_EXCLUDED", "Population groups excluded from the count"),
    ConceptDef("IMPUTED", "Estimate imputed (no national data)"),
    ConceptDef("BREAKS", "Breaks in series", "A change of definition, source or method and when."),
    ConceptDef("SOURCE_CITATION", "Source citation"),
)
