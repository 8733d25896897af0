"""IMDX:DATA_CONSUMERS(1.0): the organisations known to take migration statistics from the
node, as an SDMX data consumer scheme.

They are the international bodies that compile global migration statistics from national
reports, each for what its own database publishes; a harvester or subscriber of the node
names itself by its consumer's URN (a subscription's `Organisation`, see the README's
subscriptions). The scheme lists each body once, with what it takes; a node operator adds
the consumers of their own exchange by submitting a new version of the scheme.
"""

from __future__ import annotations

CONSUMER_AGENCY = "IMDX"

#: (id, English name, what it takes from the node) of each data consumer.
CONSUMERS: tuple[tuple[str, str, str], ...] = (
    (
        "UN_DESA_POP",
        "United Nations, Department of Economic and Social Affairs, Population Division",
        "Migrant stocks and flows for International Migrant Stock and World Population "
        "Prospects; migration policies for World Population Policies.",
    ),
    (
        "UNSD",
        "United Nations Statistics Division",
        "The SDG migration indicators (10.7.1 to 10.7.4, 10.c.1, 16.2.2, 17.3.2) for the "
        "Global SDG Indicators Database.",
    ),
    (
        "UNHCR",
        "Office of the United Nations High Commissioner for Refugees",
        "Asylum applications and decisions and populations under protection for the Refugee "
        "Data Finder.",
    ),
    (
        "IOM_GMDAC",
        "International Organization for Migration, Global Migration Data Analysis Centre",
        "Every topic, for the Migration Data Portal.",
    ),
    (
        "ILO",
        "International Labour Organization, Department of Statistics",
        "Labour migration and recruitment costs for ILOSTAT's international labour migration "
        "statistics.",
    ),
    (
        "OECD_ELS",
        "OECD, Directorate for Employment, Labour and Social Affairs",
        "Flows, permits, acquisitions of citizenship and migrants by education for the "
        "International Migration Database and DIOC.",
    ),
    (
        "ESTAT",
        "Eurostat",
        "Flows, residence permits, asylum and acquisitions of citizenship of European "
        "countries (migration and asylum domain).",
    ),
    (
        "WB_KNOMAD",
        "World Bank, Global Knowledge Partnership on Migration and Development (KNOMAD)",
        "Remittances and recruitment costs.",
    ),
    (
        "UNODC",
        "United Nations Office on Drugs and Crime",
        "Detected victims of trafficking for the Global Report on Trafficking in Persons.",
    ),
)
