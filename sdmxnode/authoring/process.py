"""IMDX:PROC_MIG_EXCHANGE(1.0.0): how the node compiles and exchanges migration statistics,
as an SDMX `Process`.

Each step names the artefacts it reads and writes (`Input`, `Output`: URNs of what the node
holds), says what is done (`Computation`, informational as SDMX intends) and where the
process goes next (`Transition`, with the condition). The steps are what the node does to a
reported data message, in order: reported under the reporting template, validated, converted
from national structures, stored, disseminated; and, beside them, the documentation of
definitions as reference metadata. Authored in SDMX-ML 3.0 because the conversion step reads
representation maps, which SDMX 2.1 does not have (the node's SDMX-ML 2.1 answers keep their
URNs as the 2.1 `URN` references).
"""

from __future__ import annotations

from dataclasses import dataclass

from sdmxnode.authoring.area_maps import URN as MAP_URN
from sdmxnode.authoring.hierarchies import HCL_VERSION
from sdmxnode.authoring.msd import METADATAFLOWS, MSD_ID
from sdmxnode.authoring.msd import VERSION as MSD_VERSION
from sdmxnode.authoring.taxonomy import TAXONOMY_ID, TAXONOMY_VERSION, TOPICS

PROCESS_ID = "PROC_MIG_EXCHANGE"
PROCESS_VERSION = "1.0.0"
PROCESS_NAME = "Compiling and exchanging international migration statistics"
PROCESS_DESCRIPTION = (
    "What the node does with the data and reference metadata that national institutions "
    "report under the migration reporting template, from receipt to dissemination."
)

_URN = "urn:sdmx:org.sdmx.infomodel.{}=IMDX:{}({})"


def _dataflow(dataflow_id: str) -> str:
    return _URN.format("datastructure.Dataflow", dataflow_id, "1.0.0")


@dataclass(frozen=True)
class TransitionDef:
    """Where the process goes from a step, and when."""

    id: str
    target: str
    condition: str


@dataclass(frozen=True)
class StepDef:
    """One process step: what it reads and writes (URNs), what it does, where it leads."""

    id: str
    name: str
    computation: str
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    transitions: tuple[TransitionDef, ...] = ()


REPORTED_DATAFLOWS: tuple[str, ...] = tuple(
    _dataflow(flow) for topic in TOPICS for flow in topic.dataflows
)

STEPS: tuple[StepDef, ...] = (
    StepDef(
        "REPORT",
        "Reporting",
        "A data provider sends a data message for a dataflow of the reporting template under "
        "its provision agreement (POST /rest/v2/data), or registers where the node can pull it.",
        inputs=(_URN.format("categoryscheme.ReportingTaxonomy", TAXONOMY_ID, TAXONOMY_VERSION),),
        transitions=(TransitionDef("RECEIVED", "VALIDATE", "A data message was received."),),
    ),
    StepDef(
        "VALIDATE",
        "Validation",
        "The message is checked against the official SDMX schemas, the code lists and allowed "
        "constraints of its dataflow, and its aggregates against the M49 and SDG hierarchies "
        "of the area code list.",
        inputs=(
            _URN.format("codelist.Hierarchy", "HCL_AREA_M49", HCL_VERSION),
            _URN.format("codelist.Hierarchy", "HCL_AREA_SDG", HCL_VERSION),
        ),
        transitions=(
            TransitionDef("VALID", "CONVERT", "The message has no error."),
            TransitionDef(
                "REFUSED",
                "REPORT",
                "The message has errors: nothing is stored, and the provider corrects and "
                "sends it again.",
            ),
        ),
    ),
    StepDef(
        "CONVERT",
        "Conversion of national structures",
        "Codes of national structures are converted into the common code lists by the "
        "node's representation maps (ISO 3166 alpha-2 and M49 area codes into CL_AREA).",
        inputs=(
            MAP_URN.format("RM_ISO_ALPHA2_AREA"),
            MAP_URN.format("RM_M49_AREA"),
        ),
        transitions=(TransitionDef("CONVERTED", "STORE", "Every code has its common code."),),
    ),
    StepDef(
        "STORE",
        "Storage",
        "The data set is stored in one transaction, with the history of every observation, "
        "and the actual constraint of its dataflow is brought up to date.",
        outputs=REPORTED_DATAFLOWS,
        transitions=(TransitionDef("STORED", "DISSEMINATE", "The data set was stored."),),
    ),
    StepDef(
        "DISSEMINATE",
        "Dissemination",
        "The data are served through the SDMX REST API in every standard format, and the "
        "subscribers whose subscriptions select the dataflow are notified.",
        inputs=REPORTED_DATAFLOWS,
    ),
    StepDef(
        "DOCUMENT",
        "Documentation of definitions",
        "Each reporting country documents the definitions behind its figures (population "
        "covered, criteria, sources) as reference metadata of the comparability metadataflows.",
        inputs=(_URN.format("metadatastructure.MetadataStructure", MSD_ID, MSD_VERSION),),
        outputs=tuple(
            _URN.format("metadatastructure.Metadataflow", flow.id, MSD_VERSION)
            for flow in METADATAFLOWS
        ),
    ),
)
