"""IMDX:RT_MIGRATION(1.0.0), the migration reporting template, as an SDMX reporting taxonomy.

It says which dataflows a country's institutions are asked to report to the node, grouped
as the topics of international migration statistics, each with the metadataflow in which
they document the definitions behind those figures (the comparability metadata of
`authoring.msd`). A reporting category holds either dataflows or metadataflows (SDMX 2.1
and 3.0: "all provisioning metadata objects referenced from a category will be of the same
type"), so each topic's metadataflow sits in a sub-category `<TOPIC>_DEF`.

Only dataflows a country reports from its own sources are in the template. Those compiled
by an international body are left out, with the reason in `NOT_REPORTED` (the tests check
that every dataflow of the DSDs is either reported or listed there).
"""

from __future__ import annotations

from dataclasses import dataclass

TAXONOMY_ID = "RT_MIGRATION"
TAXONOMY_VERSION = "1.0.0"
TAXONOMY_NAME = "Migration reporting template"
TAXONOMY_DESCRIPTION = (
    "The dataflows a country reports to the node, by topic of international migration "
    "statistics, and the metadataflow in which it documents the definitions it used."
)


@dataclass(frozen=True)
class TopicDef:
    """One topic of the template: its dataflows and the metadataflow of their definitions."""

    id: str
    name: str
    dataflows: tuple[str, ...]
    metadataflow: str | None = None


TOPICS: tuple[TopicDef, ...] = (
    TopicDef("STOCKS", "Migrant stocks", ("DF_MIG_STOCK_NAT",), "MDF_MIG_STOCK"),
    TopicDef(
        "FLOWS",
        "Migration flows and family reunification",
        ("DF_MIG_FLOWS", "DF_MIG_PERMITS", "DF_MIG_PERM_CAT", "DF_MIG_ACQ_CIT"),
        "MDF_MIG_FLOW",
    ),
    TopicDef(
        "PROTECTION",
        "Asylum, refugees and displacement",
        ("DF_PROT_POP", "DF_ASY_APPL", "DF_ASY_DEC"),
        "MDF_MIG_PROT",
    ),
    TopicDef("REMITTANCES", "Remittances", ("DF_REMIT_BOP",)),
    TopicDef(
        "LABOUR",
        "Labour and skilled migration",
        (
            "DF_LAB_MIG_STOCK",
            "DF_LAB_MIG_FLOW",
            "DF_SKILLED_MIG",
            "DF_MIG_STOCK_SKILL",
            "DF_RECRUIT_COST",
        ),
        "MDF_MIG_LAB",
    ),
    TopicDef(
        "TEMPORARY",
        "Temporary movements and GATS Mode 4",
        ("DF_TEMP_MIG", "DF_MODE4"),
        "MDF_MIG_TEMP",
    ),
    TopicDef("TRAFFICKING", "Trafficking in persons", ("DF_TIP",)),
    TopicDef("POLICIES", "Migration policies", ("DF_MIGR_POL_1072", "DF_WPP_MIG")),
)

#: Dataflows of the node that no country reports, and who compiles them.
NOT_REPORTED: dict[str, str] = {
    "DF_MIG_STOCK_IMS": "estimated by UN DESA's Population Division from national sources",
    "DF_MIG_STOCK_IMS2017": "estimated by UN DESA's Population Division (2017 revision)",
    "DF_REFUGEE_SHARE": "computed by UNHCR from its refugee statistics (SDG 10.7.4)",
    "DF_MIG_DEATHS": "recorded by IOM's Missing Migrants Project (SDG 10.7.3)",
    "DF_REMIT_BILAT": "modelled by the World Bank from balance-of-payments totals",
    "DF_REMIT_COST": "surveyed by the World Bank's Remittance Prices Worldwide (SDG 10.c.1)",
}


def definitions_category(topic: TopicDef) -> str:
    """The id of the sub-category holding a topic's metadataflow."""
    return f"{topic.id}_DEF"
