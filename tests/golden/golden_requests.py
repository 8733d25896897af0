"""The fixed requests of the golden record: each a name, a path with its query, and headers.

The answer files are numbered by position (`answers/NN-name.txt`): after adding, removing
or reordering requests, re-record. Media types are spelled as the README's "Formats"
tables and the OpenAPI description name them.

The structure queries whose `references` bring along several artefacts of one type
through children (`references=children`, `descendants`, `all`, `parentsandsiblings`) are at
the end. Before the layout move their order in the answer, and so the ETag, followed the
iteration order of a set of references (services/structures.py `_children`), which changed
with PYTHONHASHSEED from one process to the next; they were recorded with that one fix
(the references sorted by type, agency, id and version) on the code before the move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FLOW_V1 = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
FLOW_V2 = "dataflow/IMDX/DF_MIG_STOCK_IMS"

STRUCTURE_ML21 = "application/vnd.sdmx.structure+xml;version=2.1"
STRUCTURE_ML30 = "application/vnd.sdmx.structure+xml;version=3.0.0"
STRUCTURE_JSON10 = "application/vnd.sdmx.structure+json;version=1.0.0"
STRUCTURE_JSON20 = "application/vnd.sdmx.structure+json;version=2.0.0"
GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
GENERIC_TS = "application/vnd.sdmx.generictimeseriesdata+xml;version=2.1"
SPECIFIC = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
SPECIFIC_TS = "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1"
DATA_ML30 = "application/vnd.sdmx.data+xml;version=3.0.0"
CSV10 = "application/vnd.sdmx.data+csv;version=1.0.0"
CSV20 = "application/vnd.sdmx.data+csv;version=2.0.0"
JSON10 = "application/vnd.sdmx.data+json;version=1.0.0"
JSON20 = "application/vnd.sdmx.data+json;version=2.0.0"
SCHEMA21 = "application/vnd.sdmx.schema+xml;version=2.1"
SCHEMA30 = "application/vnd.sdmx.schema+xml;version=3.0.0"


@dataclass(frozen=True)
class GoldenRequest:
    name: str
    path: str
    accept: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def all_headers(self) -> dict[str, str]:
        if self.accept is None:
            return dict(self.headers)
        return {"Accept": self.accept, **self.headers}


R = GoldenRequest

REQUESTS: tuple[GoldenRequest, ...] = (
    # --- structures, SDMX-REST 1.5
    R("v1-dataflow-all", "/rest/dataflow"),
    R(
        "v1-dsd-conceptscheme-ml21",
        "/rest/datastructure/IMDX/DSD_MIG_STOCK?references=conceptscheme",
        STRUCTURE_ML21,
    ),
    R(
        "v1-dataflow-parents-referencestubs",
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/latest?references=parents&detail=referencestubs",
    ),
    R("v1-codelist-items-ml21", "/rest/codelist/IMDX/CL_AREA/1.0.0/FRA+KEN", STRUCTURE_ML21),
    R(
        "v1-concept-item-json10",
        "/rest/conceptscheme/IMDX/CS_MIGRATION/1.0.0/SEX",
        STRUCTURE_JSON10,
    ),
    R("v1-codelist-json10-plain", "/rest/codelist/IAEG-SDGs/CL_SEX/1.0", "application/json"),
    R(
        "v1-dsd-allstubs-ml30",
        "/rest/datastructure/IMDX/all/latest?detail=allstubs",
        STRUCTURE_ML30,
    ),
    R(
        "v1-codelist-parents-ml21",
        "/rest/codelist/IMDX/CL_EXPLOITATION/1.0.0?references=parents",
        STRUCTURE_ML21,
    ),
    # --- structures, SDMX-REST 2.x
    R("v2-codelist-default-json20", "/rest/v2/structure/codelist/IMDX/CL_YES_NO/1.0.0"),
    R(
        "v2-dsd-latest-ml30",
        "/rest/v2/structure/datastructure/IMDX/DSD_MIG_STOCK/+",
        STRUCTURE_ML30,
    ),
    R(
        "v2-dataflow-dsd-completestubs-ml21",
        "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/~"
        "?references=datastructure&detail=referencecompletestubs",
        STRUCTURE_ML21,
    ),
    R(
        "v2-dataflows-allstubs-json20",
        "/rest/v2/structure/dataflow/IMDX/*/~?detail=allstubs",
        STRUCTURE_JSON20,
    ),
    R(
        "v2-codelist-items-ml30",
        "/rest/v2/structure/codelist/IMDX/CL_AREA/1.0.0/FRA,KEN",
        STRUCTURE_ML30,
    ),
    R(
        "v2-constraint-json10",
        "/rest/v2/structure/dataconstraint/IMDX/CC_DF_MIG_STOCK_IMS/1.0.0",
        STRUCTURE_JSON10,
    ),
    R(
        "v2-codelist-ancestors-json20",
        "/rest/v2/structure/codelist/IMDX/CL_EXPLOITATION/1.0.0?references=ancestors"
        "&detail=allcompletestubs",
        STRUCTURE_JSON20,
    ),
    R(
        "v2-dataflow-two-reference-types-json20",
        "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
        "?references=datastructure,conceptscheme",
        STRUCTURE_JSON20,
    ),
    # --- data, SDMX-REST 1.5
    R("v1-data-generic-startperiod", f"/rest/data/{FLOW_V1}/A.FRA......?startPeriod=2010"),
    R("v1-data-generic-ts", f"/rest/data/{FLOW_V1}/A.FRA+KEN.STOCK.FB._T._T._T._T", GENERIC_TS),
    R("v1-data-specific-lastn", f"/rest/data/{FLOW_V1}/A.FRA......?lastNObservations=2", SPECIFIC),
    R("v1-data-specific-ts", f"/rest/data/{FLOW_V1}/A.KEN.STOCK.FB._T.F._T._T", SPECIFIC_TS),
    R("v1-data-ml30", f"/rest/data/{FLOW_V1}/A.KEN......?endPeriod=2000", DATA_ML30),
    R(
        "v1-data-csv10-readme",
        f"/rest/data/{FLOW_V1}/A.1.STOCK.FB._T._T._T._T?startPeriod=2010&format=csvdata",
    ),
    R(
        "v1-data-csv20-labels-keys",
        f"/rest/data/{FLOW_V1}/A.FRA......?firstNObservations=1",
        f"{CSV20};labels=both;keys=both",
    ),
    R("v1-data-json10", f"/rest/data/{FLOW_V1}/A.FRA.STOCK.FB._T.M._T._T", JSON10),
    R(
        "v1-data-json20-serieskeysonly",
        f"/rest/data/{FLOW_V1}/A.FRA......?detail=serieskeysonly",
        JSON20,
    ),
    R(
        "v1-data-generic-flat-dataonly",
        f"/rest/data/{FLOW_V1}/A.FRA+KEN.STOCK.FB._T._T._T._T"
        "?dimensionAtObservation=AllDimensions&detail=dataonly&startPeriod=2015",
        GENERIC,
    ),
    # --- data, SDMX-REST 2.x
    R(
        "v2-data-default-json20-readme",
        f"/rest/v2/data/{FLOW_V2}/*/A.FRA.STOCK.FB._T.*._T._T,A.KEN.STOCK.FB._T.*._T._T"
        "?c[TIME_PERIOD]=ge:2010",
    ),
    R(
        "v2-data-ml30-period-range",
        f"/rest/v2/data/{FLOW_V2}/*/A.FRA.STOCK.FB._T._T?c[TIME_PERIOD]=ge:2010+le:2015",
        DATA_ML30,
    ),
    R(
        "v2-data-csv20-filter-lastn",
        f"/rest/v2/data/{FLOW_V2}/1.0.0/A.KEN?c[SEX]=ne:_T&lastNObservations=1",
        CSV20,
    ),
    R(
        "v2-data-csv10",
        f"/rest/v2/data/{FLOW_V2}/~/A.1.STOCK.FB._T._T?c[TIME_PERIOD]=ge:2015",
        CSV10,
    ),
    R(
        "v2-data-json10-attributes-none",
        f"/rest/v2/data/{FLOW_V2}/*/A.FRA?c[SEX]=F&attributes=none",
        JSON10,
    ),
    R(
        "v2-data-specific21-filter",
        f"/rest/v2/data/{FLOW_V2}/*/A.*.STOCK.FB._T._T?c[REF_AREA]=sw:KE&c[TIME_PERIOD]=ge:2019",
        SPECIFIC,
    ),
    R(
        "v2-data-generic21",
        f"/rest/v2/data/{FLOW_V2}/*/A.FRA.STOCK.FB._T.F?lastNObservations=1",
        GENERIC,
    ),
    # --- availability
    R("v1-availability-exact", "/rest/availableconstraint/IMDX,DF_MIG_STOCK_IMS/A.FRA+KEN......"),
    R(
        "v1-availability-available-sex",
        f"/rest/availableconstraint/{FLOW_V1}/A.FRA....../all/SEX?mode=available",
    ),
    R("v2-availability-ref-area", f"/rest/v2/availability/{FLOW_V2}/~/*/REF_AREA"),
    R(
        "v2-availability-ml30",
        f"/rest/v2/availability/{FLOW_V2}/1.0.0/A.KEN?c[SEX]=F&mode=available",
        STRUCTURE_ML30,
    ),
    # --- schemas
    R("v1-schema-dataflow", f"/rest/schema/{FLOW_V2}/1.0.0", SCHEMA21),
    R("v2-schema-dsd", "/rest/v2/schema/datastructure/IMDX/DSD_MIG_TIP/1.0.0", SCHEMA30),
    # --- errors
    R("err-v1-data-no-results", f"/rest/data/{FLOW_V1}/A.XYZ......"),
    R("err-v1-data-short-key", f"/rest/data/{FLOW_V1}/A.FRA"),
    R("err-v1-data-bad-period", f"/rest/data/{FLOW_V1}/A.FRA......?startPeriod=2019-13"),
    R("err-v2-data-empty", f"/rest/v2/data/{FLOW_V2}/*/A.XYZ"),
    R("err-v1-codelist-missing", "/rest/codelist/IMDX/CL_NOPE"),
    R("err-v2-data-bad-filter", f"/rest/v2/data/{FLOW_V2}/*/A.FRA?c[TIME_PERIOD]=xx:2010"),
    R("err-v1-not-acceptable", "/rest/dataflow/IMDX", "text/nonsense"),
    R("err-v2-metadata-not-implemented", "/rest/v2/metadata"),
    R("err-page-missing-dataflow", "/dataflow/IMDX/DF_NOPE"),
    # --- pages, descriptions, health
    R("page-home", "/"),
    R("page-dataflow", "/dataflow/IMDX/DF_MIG_STOCK_IMS"),
    R("page-codelist-search", "/codelist/IMDX/CL_AREA?q=ken"),
    R("page-explore", "/explore/IMDX/DF_MIG_STOCK_IMS?key=A.1+2.STOCK.FB._T._T._T._T"),
    R("page-compare", "/compare/IMDX/DF_MIG_STOCK_IMS"),
    R("page-mirror", "/mirror/IMDX/DF_MIG_FLOWS?country=DEU"),
    R("page-validate", "/validate"),
    R("openapi-json", "/openapi.json"),
    R("api-page", "/api"),
    R("health", "/health"),
    # --- references through children: several artefacts of one type, in a fixed order
    R(
        "v1-dsd-parentsandsiblings",
        "/rest/datastructure/IMDX/DSD_MIG_STOCK/1.0.0?references=parentsandsiblings",
        STRUCTURE_ML21,
    ),
    R(
        "v1-dataflow-descendants-referencepartial",
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=descendants&detail=referencepartial",
    ),
    R(
        "v2-dsd-children-ml30",
        "/rest/v2/structure/datastructure/IMDX/DSD_MIG_FLOW/~?references=children",
        STRUCTURE_ML30,
    ),
    R(
        "v1-dataflow-all-referencestubs-json",
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/latest?references=all&detail=referencestubs",
        STRUCTURE_JSON10,
    ),
)
