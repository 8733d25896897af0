"""The HTML pages for people in the node's OpenAPI description (tag 'Pages')."""

from __future__ import annotations

from collections.abc import Iterator

from sdmxnode.services.openapi.components import Schema
from sdmxnode.services.openapi.reads import DEMO_FLOW, DEMO_KEY

_AGENCY, _ID, _ = DEMO_FLOW
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of the labels (else chosen by Accept-Language)",
    "schema": {"type": "string"},
}
_HTML = {"text/html": {"schema": {"type": "string"}}}
_PATH = [
    {
        "name": name,
        "in": "path",
        "required": True,
        "description": text,
        "schema": {"type": "string"},
    }
    for name, text in (("agency", "Maintenance agency id"), ("id", "Artefact id"))
]
_VERSION = {
    "name": "version",
    "in": "query",
    "required": False,
    "description": "Version of the artefact (else the latest)",
    "schema": {"type": "string"},
}
#: Statuses some pages give besides 200 and 404.
_BAD_VERSION = {
    "400": {"description": "`version` is not a version (an HTML page)", "content": _HTML},
}
_MORE_RESPONSES = {
    "page_structure_map": _BAD_VERSION,
    "page_representation_map": _BAD_VERSION,
    "page_origins": {
        "400": {"description": "`country` or `partner` is no country with data (an HTML page)",
                "content": _HTML},
        "403": {"description": "The dataflow has no data by country of birth (an HTML page)",
                "content": _HTML},
    },
    "page_mirror": {
        "400": {"description": "`country` is not a code of REF_AREA (an HTML page)",
                "content": _HTML},
        "403": {"description": "The dataflow has no bilateral flows (an HTML page)",
                "content": _HTML},
    },
}  # fmt: skip
_PAGES: tuple[tuple[str, str, str, str, list[Schema], str], ...] = (
    ("/", "page_home", "Home", "Dataflows by topic; `q` searches dataflows, code lists and codes.",
     [{"name": "q", "in": "query", "required": False, "description": "Search text",
       "schema": {"type": "string"}}], "/"),
    ("/dataflow/{agency}/{id}", "page_dataflow", "Dataflow page",
     "A dataflow's DSD, availability, downloads and REST URL.", _PATH,
     f"/dataflow/{_AGENCY}/{_ID}"),
    ("/explore/{agency}/{id}", "page_explore", "Data explorer",
     "Filters, a table and a chart of the selection `key` (SDMX key syntax).",
     [*_PATH, {"name": "key", "in": "query", "required": False, "description": "SDMX key",
               "schema": {"type": "string"}}], f"/explore/{_AGENCY}/{_ID}?key={DEMO_KEY}"),
    ("/codelist/{agency}/{id}", "page_codelist", "Code list page",
     "Codes with names in every language, hierarchy and search (`q`).", _PATH,
     f"/codelist/{_AGENCY}/CL_AREA"),
    ("/structuremap/{agency}/{id}", "page_structure_map", "Structure map page",
     "A structure map: source and target, component maps with the components' names, "
     "fixed values and date patterns.", [*_PATH, _VERSION],
     "/structuremap/TEST/SM_NSO_IMMIGRATION"),
    ("/representationmap/{agency}/{id}", "page_representation_map", "Representation map page",
     "A representation map's rules with the codes' names, how each source value is compared, "
     "and validity; `q` keeps the rules whose values or names contain it.",
     [*_PATH, _VERSION, {"name": "q", "in": "query", "required": False,
                         "description": "Search text", "schema": {"type": "string"}}],
     "/representationmap/TEST/RM_GENDER_SEX"),
    ("/compare/{agency}/{id}", "page_compare", "Comparability page",
     "The definition each reporting country uses, side by side.", _PATH,
     f"/compare/{_AGENCY}/{_ID}"),
    ("/mirror/{agency}/{id}", "page_mirror", "Mirror-statistics page",
     "For a bilateral flow dataflow, one country's corridors: the destination's and the "
     "origin's report of each flow, difference, ratio and each side's definition, as a table "
     "and a chart; without `country`, the countries to choose from.",
     [*_PATH, {"name": "country", "in": "query", "required": False,
               "description": "The country (a code of REF_AREA) whose corridors are shown",
               "schema": {"type": "string"}},
      {"name": "chart", "in": "query", "required": False,
       "description": "What the chart shows first: both reports, or their difference",
       "schema": {"type": "string", "enum": ["reports", "difference"]}}],
     f"/mirror/{_AGENCY}/DF_MIG_FLOWS?country=DEU"),
    ("/origins/{agency}/{id}", "page_origins", "Origins and destinations page",
     "For a dataflow with data by country of birth, where one country's emigrants live and "
     "where its immigrants were born, as tables and charts, and one corridor from both ends "
     "(`partner`); without `country`, the countries to choose from.",
     [*_PATH, {"name": "country", "in": "query", "required": False,
               "description": "The country (a code of REF_AREA) whose origins and "
               "destinations are shown", "schema": {"type": "string"}},
      {"name": "partner", "in": "query", "required": False,
       "description": "Another country: the corridor between both, from both ends",
       "schema": {"type": "string"}}],
     f"/origins/{_AGENCY}/DF_MIG_STOCK_IMS2017?country=KEN&partner=UGA"),
    ("/metadata/{agency}/{id}/{version}", "page_metadata_set", "Metadata set page",
     "A reference-metadata set's report, readable: attribute names, code names, texts in the "
     "page language, XHTML sanitised, and what the set documents.",
     [*_PATH, {"name": "version", "in": "path", "required": True,
               "description": "Version of the metadata set", "schema": {"type": "string"}}],
     f"/metadata/{_AGENCY}/MS_MIG_STOCK_IMS_KEN/1.0.0"),
    ("/providers", "page_providers", "Providers page",
     "Every provision agreement: its data provider, dataflow, the series and observations "
     "the provider holds there, its last update and its registered sources.", [],
     "/providers"),
    ("/registrations", "page_registrations", "Registrations page",
     "Each registered data source: provider, provision agreement, source, and the time, "
     "outcome and counts of its last pull.", [], "/registrations"),
    ("/validate", "page_validate", "Validation page",
     "A form that uploads a file to POST /validate and shows the report.", [], "/validate"),
)  # fmt: skip


def iter_page_paths() -> Iterator[tuple[str, str, Schema]]:
    """(path, 'get', operation) for each HTML page."""
    for path, operation_id, summary, description, parameters, example in _PAGES:
        yield path, "get", {
            "tags": ["Pages"],
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "parameters": [*parameters, _LANG],
            "x-example": example,
            "responses": {
                "200": {"description": "The page", "content": _HTML},
                "404": {"description": "No such artefact (an HTML page)", "content": _HTML},
                **_MORE_RESPONSES.get(operation_id, {}),
            },
        }  # fmt: skip
