"""The one artefact reference type (`ArtefactRef`) and the artefact record built around it."""

from __future__ import annotations

from dataclasses import dataclass, field

#: What data can be structured by, by the lower-case name SDMX data messages, SDMX-CSV and
#: the SDMX-REST data and schema paths give it -> its type (SDMX 2.1 section 3A, 4.3).
STRUCTURE_TYPES: dict[str, str] = {
    "dataflow": "Dataflow",
    "datastructure": "DataStructure",
    "provisionagreement": "ProvisionAgreement",
}


@dataclass(frozen=True, order=True)
class ArtefactRef:
    """A maintainable artefact: its type, agency, id and version.

    `type` is the node's canonical type (`sdmxnode.rest.resources`: the SDMX-ML 2.1 element
    names plus the SDMX 3.0-only ones), e.g. `Dataflow`, `DataStructure`, `Codelist`.
    `version` is as written ('1.0', '1.0.0'); '' when a data message names no version
    (then the latest one is meant).
    """

    type: str
    agency_id: str
    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.type}={self.identity}"

    @property
    def identity(self) -> str:
        """`AGENCY:ID(VERSION)`, as SDMX-CSV, SDMX-JSON and URNs write a reference."""
        return f"{self.agency_id}:{self.id}({self.version})"

    @property
    def kind(self) -> str:
        """The type in lower case, as data messages and SDMX-REST paths name what data are
        for: `dataflow`, `datastructure`, `provisionagreement`."""
        return self.type.lower()

    @classmethod
    def of_kind(cls, kind: str, agency_id: str, id: str, version: str) -> ArtefactRef:
        """The dataflow, DSD or provision agreement a lower-case `kind` names (see `kind`);
        ValueError for any other kind."""
        type_ = STRUCTURE_TYPES.get(kind)
        if type_ is None:
            raise ValueError(f"data cannot be structured by a {kind}")
        return cls(type_, agency_id, id, version)


@dataclass(frozen=True)
class ArtefactRecord:
    """An artefact to be stored: its identity, the SDMX-ML element and what it references."""

    ref: ArtefactRef
    is_final: bool
    name: str
    sdmx_ml: str
    xml: bytes
    references: frozenset[ArtefactRef] = field(default_factory=frozenset)
