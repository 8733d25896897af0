"""Frozen descriptions of the artefacts the authoring package writes as SDMX-ML 2.1."""

from __future__ import annotations

from dataclasses import dataclass, field

Names = dict[str, str]


@dataclass(frozen=True)
class AnnotationDef:
    """One annotation: a type and a text (English unless `lang` says otherwise)."""

    type: str
    text: str = ""
    title: str = ""
    lang: str = "en"


@dataclass(frozen=True)
class CodeEntry:
    """A code of a code list, with names by language and an optional parent code."""

    id: str
    names: Names
    parent: str | None = None
    annotations: tuple[AnnotationDef, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class CodelistDef:
    """A code list, identified by agency, id and version, with where it comes from."""

    agency_id: str
    id: str
    version: str
    names: Names
    codes: tuple[CodeEntry, ...]
    source: str = ""
    description: str = ""
    annotations: tuple[AnnotationDef, ...] = ()

    @property
    def urn(self) -> str:
        """The code list's SDMX URN."""
        return f"urn:sdmx:org.sdmx.infomodel.codelist.Codelist={self.triple}"

    @property
    def triple(self) -> str:
        """AGENCY:ID(VERSION), the short reference the messages and logs use."""
        return f"{self.agency_id}:{self.id}({self.version})"

    @property
    def file_name(self) -> str:
        """The name of the code list's file in codelists/ (AGENCY-ID-VERSION.xml)."""
        return f"{self.agency_id}-{self.id}-{self.version}.xml"

    def code_ids(self) -> list[str]:
        """The ids of the code list's codes, in order."""
        return [code.id for code in self.codes]


@dataclass(frozen=True)
class ConceptDef:
    """A concept of the IMDX concept scheme, with the scheme it was taken from if any."""

    id: str
    name: str
    description: str = ""
    origin: str = ""  # e.g. "SDMX:CROSS_DOMAIN_CONCEPTS(2.0)"


@dataclass(frozen=True)
class DimensionDef:
    """A key dimension: its concept id (the component id) and its code list."""

    id: str
    codelist: CodelistDef


@dataclass(frozen=True)
class AttributeDef:
    """A data attribute: attachment is 'observation', 'series' or 'dataset'."""

    id: str
    attachment: str
    mandatory: bool
    codelist: CodelistDef | None = None
    text_type: str = "String"


@dataclass(frozen=True)
class DataflowDef:
    """A dataflow of a DSD, with the cube region of its allowed content constraint."""

    id: str
    name: str
    description: str
    category: str
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class DsdDef:
    """A data structure definition; the time dimension TIME_PERIOD always comes last."""

    id: str
    name: str
    description: str
    dimensions: tuple[DimensionDef, ...]
    attributes: tuple[AttributeDef, ...]
    dataflows: tuple[DataflowDef, ...]
    version: str = "1.0.0"
    agency_id: str = "IMDX"

    @property
    def file_name(self) -> str:
        """The name of the DSD's structure message in dsd/ (AGENCY-ID-VERSION.xml)."""
        return f"{self.agency_id}-{self.id}-{self.version}.xml"

    def dimension_ids(self) -> list[str]:
        """The ids of the DSD's dimensions in key order, then TIME_PERIOD."""
        return [dim.id for dim in self.dimensions] + ["TIME_PERIOD"]
