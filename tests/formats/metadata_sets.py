"""Metadata sets for the writer and query tests: a 3.0-style set with nested attributes,
texts and XHTML, and a 2.1-style set with two reports and targets of every kind."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine

from sdmxnode.formats.metadata import (
    MetadataReport,
    MetadataSet,
    ReportedAttribute,
    TargetValue,
    to_json,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.storage.metadata.sets import MetadataSetRow, MetadataStore

FLOW = ArtefactRef("Metadataflow", "IMDX", "MDF_MIG", "1.0.0")
MSD = ArtefactRef("MetadataStructure", "IMDX", "MSD_MIG", "1.0.0")
PROVIDER = "urn:sdmx:org.sdmx.infomodel.base.MetadataProvider=IMDX:METADATA_PROVIDERS(1.0).UNDESA"
KEN = "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).KEN"
FRA = "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).FRA"
XHTML_NOTE = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Census &amp; survey</p></div>'
DATAFLOW = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK(1.0.0)"


def sdmx30_set(id_: str = "MDS_KEN", target: str = KEN, version: str = "1.0.0") -> MetadataSet:
    """A set as SDMX 3.0 reports it: one report, URN targets, nested attributes."""
    return MetadataSet(
        agency_id="IMDX",
        id=id_,
        version=version,
        structure=FLOW,
        names=(("en", "Kenya sources"), ("fr", "Sources Kenya")),
        provider=PROVIDER,
        action="Replace",
        reporting_begin="2019-01-01",
        reporting_end="2019-12-31",
        reports=(
            MetadataReport(
                id="",
                target_id="",
                targets=(TargetValue("", "object", target),),
                attributes=(
                    ReportedAttribute(
                        "CONTACT",
                        attributes=(
                            ReportedAttribute("NAME", texts=(("en", "Population Division"),)),
                            ReportedAttribute(
                                "NOTE",
                                xhtml=(
                                    (
                                        "en",
                                        XHTML_NOTE,
                                    ),
                                ),
                            ),
                        ),
                    ),
                    ReportedAttribute("CRITERION", value="B"),
                    ReportedAttribute(
                        "SOURCE", texts=(("en", "Census 2019"), ("fr", "Recensement 2019"))
                    ),
                ),
            ),
        ),
    )


def sdmx21_set() -> MetadataSet:
    """A set as SDMX 2.1 reports it: against a metadata structure, two reports, targets by
    object URN, data key and period."""
    return MetadataSet(
        agency_id="IMDX",
        id="MDS_QUALITY",
        version="1.0",
        structure=MSD,
        names=(("en", "Quality"),),
        reports=(
            MetadataReport(
                id="R_FLOW",
                target_id="FLOW_TARGET",
                targets=(
                    TargetValue("DATAFLOW", "object", DATAFLOW),
                    TargetValue("PERIOD", "period", "2020"),
                ),
                attributes=(ReportedAttribute("QUALITY", texts=(("en", "Good"),)),),
            ),
            MetadataReport(
                id="R_FRA",
                target_id="AREA_TARGET",
                targets=(
                    TargetValue("AREA", "object", FRA),
                    TargetValue("KEY", "datakey", "REF_AREA=FRA"),
                ),
                attributes=(ReportedAttribute("CRITERION", value="A"),),
            ),
        ),
    )


def put_sets(engine: Engine, *sets: MetadataSet, action: str = "Replace") -> None:
    """Store `sets` as a load would (the canonical JSON, its digest, the URN targets)."""
    with MetadataStore(engine).transaction(principal="test") as transaction:
        for metadata_set in sets:
            body = to_json(metadata_set)
            transaction.put(
                MetadataSetRow(
                    agency_id=metadata_set.agency_id,
                    id=metadata_set.id,
                    version=metadata_set.version,
                    structure=metadata_set.structure,
                    provider=metadata_set.provider,
                    name=metadata_set.names[0][1] if metadata_set.names else "",
                    body=body,
                    digest=hashlib.sha256(body.encode()).hexdigest(),
                    targets=tuple(
                        (report.id, target.value)
                        for report in metadata_set.reports
                        for target in report.targets
                        if target.kind in ("object", "constraint")
                    ),
                ),
                action,
            )
