"""The reference-metadata structures: IMDX:MSD_MIG_COMPARABILITY and the MDF_MIG_* flows.

The metadata structure describes what a country's migration figures rest on. Its attributes
reuse the ids of the ESS Single Integrated Metadata Structure (SIMS 2.0, the successor of
Eurostat's ESMS) where one fits: CONTACT, STAT_PRES, UNIT_MEASURE, REF_PERIOD, ACCURACY,
COMPARABILITY (COMPAR_GEO, COMPAR_TIME), DATA_REV (REV_POLICY), STAT_PROCESS (SOURCE_TYPE,
COLL_METHOD) and the documentation on methodology DOC_METHOD. The migration-specific
attributes (definition criterion, duration threshold, residence criterion, population groups
included and excluded, series breaks, source citation, the DESA basis of an estimate) are
grouped under MIG_DEFINITION.

Targeting (SDMX 3.0 metadataflow `Target`s, wildcard URNs): each metadataflow targets the
dataflows of one DSD family and the codes of IMDX:CL_AREA, so a metadata set documents
"dataflow X for country Y" by naming the dataflow's URN and the country code's URN.
"""

from __future__ import annotations

from dataclasses import dataclass

from sdmxnode.authoring import codelists as cl
from sdmxnode.authoring.artefacts import CodeEntry, CodelistDef, DsdDef
from sdmxnode.authoring.dsds import AREA, FLOW, LAB, PROT, STOCK, TEMP

AGENCY = "IMDX"
VERSION = "1.0.0"
MSD_ID = "MSD_MIG_COMPARABILITY"

#: Groups whose inclusion in, or exclusion from, a count of international migrants the
#: 1998 UN Recommendations (Rev. 1, Table 1 and paragraphs 32-37) discuss, plus the
#: protection groups the UNHCR statistics count.
COVERAGE_GROUP = CodelistDef(
    agency_id=AGENCY,
    id="CL_COVERAGE_GROUP",
    version=VERSION,
    names={"en": "Population group included in or excluded from a migrant count"},
    codes=tuple(
        CodeEntry(code_id, {"en": name})
        for code_id, name in (
            ("REF", "Refugees"),
            ("ASY", "Asylum-seekers"),
            ("IRREG", "Migrants in an irregular situation"),
            ("STLS", "Stateless persons"),
            ("DIPL", "Diplomatic and consular personnel and their dependants"),
            ("MIL", "Foreign military personnel and their dependants"),
            ("STUD", "Foreign students"),
            ("SEAS", "Seasonal migrant workers"),
            ("BORDER", "Frontier (cross-border) workers"),
            ("NOMAD", "Nomads"),
            ("NAT_ABROAD", "Citizens born abroad (returning nationals)"),
            ("INST", "Persons in institutions (collective living quarters)"),
        )
    ),
    source=(
        "United Nations (1998). Recommendations on Statistics of International Migration,"
        " Revision 1 (ST/ESA/STAT/SER.M/58/Rev.1), Table 1 and paragraphs 32-37; UNHCR"
        " population statistics (refugees, asylum-seekers, stateless persons)."
    ),
)


@dataclass(frozen=True)
class MetadataAttributeDef:
    """A metadata attribute: coded (`codelist`) or of a text type; `multilingual` text.

    `max_occurs` None means unbounded; a presentational attribute only groups children.
    """

    id: str
    codelist: CodelistDef | None = None
    text_type: str = "String"
    multilingual: bool = False
    min_occurs: int = 0
    max_occurs: int | None = 1
    presentational: bool = False
    children: tuple[MetadataAttributeDef, ...] = ()


@dataclass(frozen=True)
class MetadataflowDef:
    """A metadataflow of the MSD for the dataflows of one DSD family."""

    id: str
    name: str
    dsd: DsdDef


def _group(id: str, *children: MetadataAttributeDef, min_occurs: int = 0) -> MetadataAttributeDef:
    return MetadataAttributeDef(
        id, presentational=True, min_occurs=min_occurs, children=tuple(children)
    )


def _text(id: str, *, min_occurs: int = 0, max_occurs: int | None = 1) -> MetadataAttributeDef:
    return MetadataAttributeDef(id, multilingual=True, min_occurs=min_occurs, max_occurs=max_occurs)


def _xhtml(id: str) -> MetadataAttributeDef:
    return MetadataAttributeDef(id, text_type="XHTML")


def _coded(
    id: str, codelist: CodelistDef, *, min_occurs: int = 0, max_occurs: int | None = 1
) -> MetadataAttributeDef:
    return MetadataAttributeDef(id, codelist, min_occurs=min_occurs, max_occurs=max_occurs)


MSD_ATTRIBUTES: tuple[MetadataAttributeDef, ...] = (
    _group(
        "CONTACT",
        _text("CONTACT_ORGANISATION", min_occurs=1),
        MetadataAttributeDef("CONTACT_NAME"),
        MetadataAttributeDef("CONTACT_EMAIL"),
    ),
    _group("STAT_PRES", _xhtml("DATA_DESCR"), _xhtml("STAT_CONC_DEF"), _xhtml("STAT_POP")),
    _coded("UNIT_MEASURE", cl.UNIT_MEASURE),
    _xhtml("REF_PERIOD"),
    _coded("REF_PERIOD_DETAIL", cl.REF_PERIOD_DETAIL),
    _group(
        "MIG_DEFINITION",
        _coded("MIG_DEF_CRITERION", cl.MIG_DEF_CRITERION, min_occurs=1, max_occurs=None),
        MetadataAttributeDef("DURATION_THRESHOLD", text_type="Integer"),
        _coded("RESIDENCE_CRITERION", cl.RESIDENCE_CRITERION),
        _coded("POP_INCLUDED", COVERAGE_GROUP, max_occurs=None),
        _coded("POP_EXCLUDED", COVERAGE_GROUP, max_occurs=None),
        _coded("DATA_TYPE_IMS", cl.DATA_TYPE_IMS),
        _coded("IMPUTED", cl.YES_NO),
        _text("BREAKS", max_occurs=None),
        min_occurs=1,
    ),
    _group(
        "STAT_PROCESS",
        _coded("SOURCE_TYPE", cl.SOURCE_TYPE, max_occurs=None),
        _text("SOURCE_CITATION", max_occurs=None),
        _xhtml("COLL_METHOD"),
    ),
    _group("ACCURACY", _xhtml("ACCURACY_OVERALL")),
    _group("COMPARABILITY", _xhtml("COMPAR_GEO"), _xhtml("COMPAR_TIME")),
    _group("DATA_REV", _xhtml("REV_POLICY"), _xhtml("REV_PRACTICE")),
    _text("DOC_METHOD", max_occurs=None),
    _xhtml("COMMENT_DSET"),
)

#: The DSD families whose figures depend on who counts as a migrant; remittances (balance
#: of payments items), trafficking and policy dataflows have no metadataflow.
METADATAFLOWS: tuple[MetadataflowDef, ...] = (
    MetadataflowDef(
        "MDF_MIG_STOCK", "Comparability metadata of the migrant stock dataflows", STOCK
    ),
    MetadataflowDef("MDF_MIG_FLOW", "Comparability metadata of the migration flow dataflows", FLOW),
    MetadataflowDef("MDF_MIG_PROT", "Comparability metadata of the protection dataflows", PROT),
    MetadataflowDef("MDF_MIG_LAB", "Comparability metadata of the labour migration dataflows", LAB),
    MetadataflowDef(
        "MDF_MIG_TEMP", "Comparability metadata of the temporary movement dataflows", TEMP
    ),
)


def all_attributes(
    attributes: tuple[MetadataAttributeDef, ...] = MSD_ATTRIBUTES,
) -> list[MetadataAttributeDef]:
    """Every attribute of the MSD, depth first (parents before their children)."""
    found = []
    for attribute in attributes:
        found.append(attribute)
        found.extend(all_attributes(attribute.children))
    return found


def msd_urn() -> str:
    """The URN of IMDX:MSD_MIG_COMPARABILITY(1.0.0)."""
    prefix = "urn:sdmx:org.sdmx.infomodel.metadatastructure.MetadataStructure"
    return f"{prefix}={AGENCY}:{MSD_ID}({VERSION})"


def dataflow_urn(dataflow_id: str, version: str = VERSION) -> str:
    """The URN of an IMDX dataflow."""
    return f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={AGENCY}:{dataflow_id}({version})"


def area_code_urn(code_id: str) -> str:
    """The URN of a code of IMDX:CL_AREA ('*' for the wildcard of every code)."""
    return f"{AREA.urn.replace('.Codelist=', '.Code=')}.{code_id}"


def metadataflow_targets(flow: MetadataflowDef) -> list[str]:
    """The flow's `Target`s: its family's dataflows, then every CL_AREA code (wildcard)."""
    return [dataflow_urn(d.id, flow.dsd.version) for d in flow.dsd.dataflows] + [area_code_urn("*")]
