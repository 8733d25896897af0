"""Schema queries: the structure-specific XSD of a dataflow, DSD or provision agreement, or
the structures that define the data's validity in that context (as a structure message)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sdmxnode.errors import NotImplementedSdmx
from sdmxnode.formats.rows import StructureInfo
from sdmxnode.formats.sdmxjson.data.schema import write_data_json_schema
from sdmxnode.formats.sdmxml.schema.document import write_dsd_schema
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.schema import SchemaQuery
from sdmxnode.services.node import Node
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.partial import allowed_codes, partial_items
from sdmxnode.services.structures.queries import Selection, follow_references
from sdmxnode.storage.records import StoredArtefact

#: The contexts this node writes schemas for (no reference metadata).
SCHEMA_CONTEXTS = ("datastructure", "dataflow", "provisionagreement")
#: What a schema query's structure answer holds besides its constraints (2.x `schema.md`:
#: data structures, codelists, concept schemes, agency schemes; the node adds the dataflow
#: of a provision agreement, so the agreement's and the constraints' references resolve).
SCHEMA_STRUCTURE_TYPES = frozenset(
    {"DataStructure", "Dataflow", "Codelist", "ValueList", "ConceptScheme", "AgencyScheme"}
)


def check_schema_context(query: SchemaQuery) -> None:
    """NotImplementedSdmx for a context this node writes no schema for."""
    if query.context not in SCHEMA_CONTEXTS:
        raise NotImplementedSdmx(
            f"schema queries for {query.context} (reference metadata) are not supported",
            where="context",
        )


@dataclass(frozen=True)
class SchemaAnswer:
    """The artefact a schema query names, bound to an SDMX-ML version and a location for
    the official schemas the XSD imports."""

    query: SchemaQuery
    artefact: StoredArtefact
    ref: ArtefactRef
    info: StructureInfo
    dimension_at_observation: str
    sdmx_ml: str  # '2.1' | '3.0'
    schema_location: str

    @property
    def last_modified(self) -> datetime:
        """When the artefact last changed."""
        return self.artefact.updated

    def etag(self, format_name: str) -> str:
        """An entity tag of the schema in the format named `format_name`."""
        return hashlib.sha256(
            f"{self.artefact.pk}|{self.artefact.digest}|{format_name}|"
            f"{self.dimension_at_observation}|{self.query.explicit_measure}|"
            f"{self.schema_location}".encode()
        ).hexdigest()[:32]

    def write(self) -> bytes:
        """The XSD (1.5 `4_5_schema_queries.md`: the schema applies the constraints of its
        context: the DSD's own; the dataflow's and its DSD's; for an agreement, its
        dataflow's and DSD's)."""
        return write_dsd_schema(
            self.info,
            version=self.sdmx_ml,
            dimension_at_observation=self.dimension_at_observation,
            explicit_measure=self.query.explicit_measure,
            structure_ref=self.ref,
            schema_location=self.schema_location,
            constrained=True,
        )

    def write_json(self, schema_id: str | None = None) -> bytes:
        """The JSON Schema of SDMX-JSON 2.0 data (2.x `schema.md`), constrained as the XSD."""
        return write_data_json_schema(
            self.info,
            title=f"Data valid for {self.ref.type} {self.ref.identity}",
            schema_id=schema_id,
            constrained=True,
        )


def get_schema_answer(
    node: Node, query: SchemaQuery, sdmx_ml: str, schema_location: str
) -> SchemaAnswer:
    """The one artefact `query` names (raises NotFound), with its structure and the
    dimension at the observation level (the time dimension, else AllDimensions, unless
    the query names one)."""
    builder = StructureInfoBuilder(node.store, node.cache)
    version = "" if query.versions.is_all else (query.versions.exact_versions or ("",))[0]
    artefact = builder.find_artefact(
        ArtefactRef.of_kind(query.context, query.agency, query.id, version or "")
    )
    ref = artefact.ref
    info = builder(ref)
    at_obs = query.dimension_at_observation or (
        info.time_dimension.id if info.time_dimension else "AllDimensions"
    )
    return SchemaAnswer(query, artefact, ref, info, at_obs, sdmx_ml, schema_location)


def select_schema_structures(
    node: Node, answer: SchemaAnswer
) -> tuple[Selection, dict[ArtefactRef, set[str]]]:
    """The structure answer of a schema query, and the items each item scheme keeps.

    1.5 `4_5_schema_queries.md` and 2.x `schema.md`: the context artefact with its DSD,
    concept schemes holding only the concepts the DSD uses, code lists holding only the
    codes allowed in the context (the union over the components that share one), and the
    content constraints attached in that context (the Allowed ones cut the code lists).
    """
    store = node.store
    context = answer.artefact
    descendants = [
        a
        for a in follow_references(store, [context], ["descendants"])
        if a.ref.type in SCHEMA_STRUCTURE_TYPES
    ]
    constrained = [context] + [
        a for a in descendants if a.ref.type in ("Dataflow", "DataStructure")
    ]
    constraints = [
        a
        for a in follow_references(store, constrained, ["parents"])
        if a.ref.type == "ContentConstraint"
    ]
    selection = Selection((context,), tuple(descendants + constraints), None, "referencepartial")
    used = partial_items(store, node.cache, selection)
    used.update(_allowed_codes(answer.info, descendants))
    return selection, used


def _allowed_codes(
    info: StructureInfo, artefacts: list[StoredArtefact]
) -> dict[ArtefactRef, set[str]]:
    """Per code list of the answer, the codes allowed for every component using it; code
    lists one component may use freely are left whole."""
    codelists = {
        f"{a.ref.agency_id}:{a.ref.id}({a.ref.version})": a.ref
        for a in artefacts
        if a.ref.type in ("Codelist", "ValueList")
    }
    return allowed_codes([info], codelists.get)
