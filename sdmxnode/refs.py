"""The one artefact reference type (`ArtefactRef`) and the artefact record built around it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

#: What data can be structured by, by the lower-case name SDMX data messages, SDMX-CSV and
#: the SDMX-REST data and schema paths give it -> its type (SDMX 2.1 section 3A, 4.3).
STRUCTURE_TYPES: dict[str, str] = {
    "dataflow": "Dataflow",
    "datastructure": "DataStructure",
    "provisionagreement": "ProvisionAgreement",
}
#: Those types, as URNs and SDMX-ML references spell their class.
STRUCTURE_CLASSES = frozenset(STRUCTURE_TYPES.values())


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


#: An SDMX URN (SDMX 2.1 section 5, 3.0 section 6): package, class, maintainable identity
#: and, for an item or component, its id (a dotted path for nested items). Agency, id and
#: item use the characters of the standard's IDType (agencies also '.').
URN_PATTERN = re.compile(
    r"urn:sdmx:org\.sdmx\.infomodel\.(?P<package>[a-z]+)\.(?P<cls>[A-Za-z]+)="
    r"(?P<agency>[A-Za-z0-9_@$\-.]+):(?P<id>[A-Za-z0-9_@$\-]+)\((?P<version>[^()\s]*)\)"
    r"(?:\.(?P<item>[A-Za-z0-9_@$\-.*]+))?"
)


@dataclass(frozen=True)
class Urn:
    """What an SDMX URN says: `cls` is the class as the URN spells it (`Code`, `Dataflow`,
    `DataStructure`), `item` '' for a maintainable artefact."""

    package: str
    cls: str
    agency_id: str
    id: str
    version: str
    item: str = ""

    def ref(self, type_: str | None = None) -> ArtefactRef:
        """The maintainable artefact, as `type_` (default: the URN's class)."""
        return ArtefactRef(type_ or self.cls, self.agency_id, self.id, self.version)


def _urn(match: re.Match[str]) -> Urn:
    return Urn(
        match["package"],
        match["cls"],
        match["agency"],
        match["id"],
        match["version"],
        match["item"] or "",
    )


def parse_urn(text: str) -> Urn | None:
    """The URN `text` is (surrounding white space ignored); None if it is not one."""
    match = URN_PATTERN.fullmatch(text.strip())
    return _urn(match) if match is not None else None


def find_urns(text: str) -> Iterator[Urn]:
    """Every SDMX URN inside `text` (element text holding one or several)."""
    return (_urn(match) for match in URN_PATTERN.finditer(text))
