"""The reference-metadata model's canonical JSON keeps every part of a set."""

from sdmxnode.formats.metadata import (
    MetadataReport,
    MetadataSet,
    ReportedAttribute,
    TargetValue,
    from_json,
    to_json,
)
from sdmxnode.refs import ArtefactRef


def test_json_round_trip_keeps_nested_attributes_texts_and_targets() -> None:
    metadata_set = MetadataSet(
        agency_id="IMDX",
        id="MDS_KEN",
        version="1.0.0",
        structure=ArtefactRef("Metadataflow", "IMDX", "MDF_MIG_STOCK", "1.0.0"),
        names=(("en", "Kenya"), ("fr", "Kenya")),
        provider="urn:sdmx:org.sdmx.infomodel.base.MetadataProvider=IMDX:METADATA_PROVIDERS(1.0).UNDESA",
        action="Replace",
        reports=(
            MetadataReport(
                id="R1",
                target_id="T",
                targets=(
                    TargetValue(
                        "",
                        "object",
                        "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).404",
                    ),
                    TargetValue("PERIOD", "period", "2019"),
                ),
                attributes=(
                    ReportedAttribute(
                        "CONTACT",
                        attributes=(
                            ReportedAttribute("NAME", texts=(("en", "Population Division"),)),
                            ReportedAttribute("NOTE", xhtml=(("en", "<div><p>é</p></div>"),)),
                        ),
                    ),
                    ReportedAttribute("CRITERION", value="B", line=12),
                ),
            ),
        ),
    )

    back = from_json(to_json(metadata_set))

    assert back == metadata_set
    assert back.reports[0].attributes[0].attributes[1].xhtml == (("en", "<div><p>é</p></div>"),)
    assert back.urn.endswith("MetadataSet=IMDX:MDS_KEN(1.0.0)")
