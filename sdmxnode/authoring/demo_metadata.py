"""Demo reference metadata: what UN DESA's International Migrant Stock 2019 says each
country's estimate rests on, as one metadata set per country for IMDX:MDF_MIG_STOCK.

Table 1's "Type of data" column (read by `demo.read_ims_table`) holds DESA's letters:
B = foreign-born population, C = foreign citizens, R = refugees added (UNHCR or UNRWA
figures added to the estimate), I = imputed (no data; DESA estimated the figure). Each
country with such letters gets a set that targets DF_MIG_STOCK_IMS and its IMDX:CL_AREA code
(the targeting of `msd`): definition criterion (BIRTH and/or CITIZEN; `_U` when DESA had
no data), refugees included or not, imputed or not, the DESA code itself, the source
citation and the DESA documentation reference. Regions and groupings (DESA codes 900 and
above) carry no letters and get no set.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sdmxnode.authoring.demo import (
    CITATION,
    DATAFLOW,
    REVISION,
    YEARS,
    ImsRow,
    area_id_for_desa,
    read_ims_table,
)
from sdmxnode.authoring.msd import AGENCY, VERSION, area_code_urn, dataflow_urn
from sdmxnode.authoring.xml import PREPARED
from sdmxnode.errors import Invalid
from sdmxnode.formats.metadata import MetadataReport, MetadataSet, ReportedAttribute, TargetValue
from sdmxnode.refs import ArtefactRef

logger = logging.getLogger(__name__)

METADATAFLOW = ArtefactRef("Metadataflow", AGENCY, "MDF_MIG_STOCK", VERSION)
#: The letters of the "Type of data" column and the definition criterion each one states.
CRITERIA = {"B": "BIRTH", "C": "CITIZEN"}
KNOWN_LETTERS = frozenset("BCIR")
DOCUMENTATION = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2019)."
    " International Migrant Stock 2019: Documentation (POP/DB/MIG/Stock/Rev.2019),"
    " https://www.un.org/en/development/desa/population/migration/data/estimates2/docs/"
    "MigrationStockDocumentation_2019.pdf"
)
FIRST_COUNTRY_CODE_ABOVE = 900  # DESA codes from 900 up are aggregates


def set_id(area_id: str) -> str:
    """The id of a country's metadata set, e.g. MS_MIG_STOCK_IMS_KEN."""
    return f"MS_{DATAFLOW[1].removeprefix('DF_')}_{area_id}"


def _letters(data_type: str) -> frozenset[str]:
    letters = frozenset(data_type)
    if not letters or letters - KNOWN_LETTERS:
        raise Invalid(f"unknown 'Type of data' {data_type!r}")
    return letters


def _attributes(data_type: str) -> tuple[ReportedAttribute, ...]:
    letters = _letters(data_type)
    criteria = [CRITERIA[letter] for letter in "BC" if letter in letters] or ["_U"]
    definition = [ReportedAttribute("MIG_DEF_CRITERION", value=c) for c in criteria]
    if "R" in letters:
        definition.append(ReportedAttribute("POP_INCLUDED", value="REF"))
    definition.append(ReportedAttribute("DATA_TYPE_IMS", value=data_type))
    definition.append(ReportedAttribute("IMPUTED", value="Y" if "I" in letters else "N"))
    process = [ReportedAttribute("SOURCE_CITATION", texts=(("en", CITATION),))]
    if "I" in letters:
        process.insert(0, ReportedAttribute("SOURCE_TYPE", value="MODEL"))
    return (
        ReportedAttribute("MIG_DEFINITION", attributes=tuple(definition)),
        ReportedAttribute("STAT_PROCESS", attributes=tuple(process)),
        ReportedAttribute("DOC_METHOD", texts=(("en", DOCUMENTATION),)),
    )


def metadata_set_for(row: ImsRow) -> MetadataSet | None:
    """The metadata set of one country row of Table 1; None for a region or grouping."""
    if row.desa_code >= FIRST_COUNTRY_CODE_ABOVE or not row.data_type:
        return None
    area_id = area_id_for_desa(row.desa_code)
    if area_id is None:
        return None
    targets = (
        TargetValue("", "object", dataflow_urn(DATAFLOW[1], DATAFLOW[2])),
        TargetValue("", "object", area_code_urn(area_id)),
    )
    name = f"Basis of the UN DESA migrant stock estimate ({REVISION}): {row.name}"
    return MetadataSet(
        agency_id=AGENCY,
        id=set_id(area_id),
        version=VERSION,
        structure=METADATAFLOW,
        reports=(MetadataReport("", "", targets, _attributes(row.data_type)),),
        names=(("en", name),),
        reporting_begin=YEARS[0],
        reporting_end=YEARS[-1],
    )


def demo_metadata_sets(source: Path) -> list[MetadataSet]:
    """One metadata set per country row of Table 1 (the DESA CSV at `source`), in order."""
    rows = read_ims_table(source)
    sets = [found for row in rows if (found := metadata_set_for(row)) is not None]
    logger.info("%d metadata sets for %s", len(sets), METADATAFLOW.id)
    return sets


def write_demo_metadata(source: Path, target: Path) -> Path:
    """Write the sets as SDMX-ML 3.0 generic metadata to `target` (the same bytes every run:
    the header's ID and Prepared time are fixed)."""
    from sdmxnode.formats.header import MessageHeader
    from sdmxnode.formats.sdmxml.metadata.writer30 import write_metadata_message

    header = MessageHeader(
        id="IMDX_MDF_MIG_STOCK_IMS2019",
        sender=AGENCY,
        prepared=datetime.fromisoformat(PREPARED),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(write_metadata_message(demo_metadata_sets(source), header))
    return target
