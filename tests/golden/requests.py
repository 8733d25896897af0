"""The fixed requests of the golden test: structures, data in every format, availability,
schemas, checks, pages and the OpenAPI description, with the Accept header each sends."""

from __future__ import annotations

from typing import NamedTuple

FLOW_V1 = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
FLOW_V2 = "dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
KEY = "A.1+KEN.STOCK.FB._T.F+M._T._T"


class GoldenRequest(NamedTuple):
    """One request: its answer's file name, the path with query, and the Accept header."""

    name: str
    path: str
    accept: str | None = None


def _media(kind: str, version: str) -> str:
    return f"application/vnd.sdmx.{kind};version={version}"


REQUESTS: tuple[GoldenRequest, ...] = (
    # structures, SDMX-REST 1.5
    GoldenRequest("structure-v1-dataflows", "/rest/dataflow"),
    GoldenRequest(
        "structure-v1-dsd-references-parents",
        "/rest/datastructure/IMDX/DSD_MIG_STOCK/1.0.0?references=parentsandsiblings",
    ),
    GoldenRequest(
        "structure-v1-codelist-json10",
        "/rest/codelist/IMDX/CL_AREA/1.0.0",
        _media("structure+json", "1.0.0"),
    ),
    GoldenRequest(
        "structure-v1-conceptscheme-allstubs",
        "/rest/conceptscheme/IMDX/CS_MIGRATION?detail=allstubs",
    ),
    GoldenRequest(
        "structure-v1-dataflow-referencepartial",
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=descendants&detail=referencepartial",
    ),
    GoldenRequest("structure-v1-categoryscheme", "/rest/categoryscheme/IMDX"),
    GoldenRequest("structure-v1-not-found", "/rest/codelist/IMDX/CL_NOT_THERE"),
    GoldenRequest("structure-v1-bad-detail", "/rest/codelist/IMDX/CL_AREA?detail=nonsense"),
    # structures, SDMX-REST 2.x
    GoldenRequest(
        "structure-v2-codelist-json20",
        "/rest/v2/structure/codelist/IMDX/CL_AREA/1.0.0",
        _media("structure+json", "2.0.0"),
    ),
    GoldenRequest(
        "structure-v2-dsd-ml30",
        "/rest/v2/structure/datastructure/IMDX/DSD_MIG_FLOW/~?references=children",
        _media("structure+xml", "3.0.0"),
    ),
    GoldenRequest(
        "structure-v2-dataflows-ml21",
        "/rest/v2/structure/dataflow/IMDX/*/+",
        _media("structure+xml", "2.1"),
    ),
    GoldenRequest(
        "structure-v2-constraint-json20",
        "/rest/v2/structure/dataconstraint/IMDX/*/~",
        _media("structure+json", "2.0.0"),
    ),
    GoldenRequest("structure-v2-bad-version", "/rest/v2/structure/codelist/IMDX/CL_AREA/latest"),
    # data, SDMX-REST 1.5
    GoldenRequest("data-v1-generic", f"/rest/data/{FLOW_V1}/{KEY}?startPeriod=2010"),
    GoldenRequest(
        "data-v1-generic-timeseries",
        f"/rest/data/{FLOW_V1}/{KEY}?lastNObservations=2",
        _media("generictimeseriesdata+xml", "2.1"),
    ),
    GoldenRequest(
        "data-v1-structurespecific",
        f"/rest/data/{FLOW_V1}/{KEY}?endPeriod=2000",
        _media("structurespecificdata+xml", "2.1"),
    ),
    GoldenRequest(
        "data-v1-structurespecific-timeseries",
        f"/rest/data/{FLOW_V1}/{KEY}?firstNObservations=1",
        _media("structurespecifictimeseriesdata+xml", "2.1"),
    ),
    GoldenRequest("data-v1-csv10", f"/rest/data/{FLOW_V1}/A.1.STOCK.FB._T._T._T._T?format=csvdata"),
    GoldenRequest(
        "data-v1-json10",
        f"/rest/data/{FLOW_V1}/{KEY}?startPeriod=2015",
        _media("data+json", "1.0.0"),
    ),
    GoldenRequest(
        "data-v1-serieskeysonly",
        f"/rest/data/{FLOW_V1}/A..STOCK.FB._T._T._T._T?detail=serieskeysonly&format=csvdata",
    ),
    GoldenRequest(
        "data-v1-no-results", f"/rest/data/{FLOW_V1}/A.1.STOCK.FB._T._T._T._T?startPeriod=2050"
    ),
    GoldenRequest("data-v1-bad-key", f"/rest/data/{FLOW_V1}/A.1.STOCK"),
    # data, SDMX-REST 2.x
    GoldenRequest(
        "data-v2-json20-default",
        "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/*/A.FRA,A.KEN?c[TIME_PERIOD]=ge:2010",
    ),
    GoldenRequest(
        "data-v2-ml30",
        f"/rest/v2/data/{FLOW_V2}/{KEY}?c[TIME_PERIOD]=ge:2005+le:2015",
        _media("data+xml", "3.0.0"),
    ),
    GoldenRequest(
        "data-v2-csv20",
        f"/rest/v2/data/{FLOW_V2}/A.*.STOCK.FB._T._T._T._T?c[REF_AREA]=KEN,FRA&attributes=none",
        _media("data+csv", "2.0.0"),
    ),
    GoldenRequest(
        "data-v2-csv20-labels",
        f"/rest/v2/data/{FLOW_V2}/A.KEN.STOCK.FB._T._T._T._T?c[TIME_PERIOD]=ge:2015",
        "application/vnd.sdmx.data+csv;version=2.0.0;labels=both",
    ),
    GoldenRequest(
        "data-v2-json20-measures-none",
        f"/rest/v2/data/{FLOW_V2}/{KEY}?measures=none&attributes=dsd",
        _media("data+json", "2.0.0"),
    ),
    # availability
    GoldenRequest(
        "availability-v1",
        f"/rest/availableconstraint/{FLOW_V1}/A.KEN.STOCK.FB._T.._T._T?mode=available",
    ),
    GoldenRequest(
        "availability-v2-json",
        f"/rest/v2/availability/{FLOW_V2}/A.*.STOCK.FB._T._T._T._T",
        _media("structure+json", "2.0.0"),
    ),
    # schemas
    GoldenRequest("schema-v1-dataflow", "/rest/schema/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"),
    GoldenRequest(
        "schema-v2-datastructure",
        "/rest/v2/schema/datastructure/IMDX/DSD_MIG_FLOW/1.0.0",
    ),
    # checks
    GoldenRequest("checks-aggregates", "/checks/aggregates/IMDX/DF_MIG_STOCK_IMS?startPeriod=2019"),
    GoldenRequest("checks-mirror-csv", "/checks/mirror/IMDX/DF_MIG_FLOWS?country=DEU", "text/csv"),
    # pages
    GoldenRequest("page-home", "/"),
    GoldenRequest("page-dataflow", "/dataflow/IMDX/DF_MIG_STOCK_IMS"),
    GoldenRequest("page-codelist", "/codelist/IMDX/CL_AREA?q=Kenya"),
    GoldenRequest("page-explore", "/explore/IMDX/DF_MIG_STOCK_IMS?key=A.1+2.STOCK.FB._T._T._T._T"),
    GoldenRequest("page-compare", "/compare/IMDX/DF_MIG_STOCK_IMS?lang=fr"),
    GoldenRequest("page-mirror", "/mirror/IMDX/DF_MIG_FLOWS?country=DEU"),
    GoldenRequest("page-validate", "/validate"),
    GoldenRequest("page-not-found", "/dataflow/IMDX/NO_SUCH_FLOW"),
    # the node's own description
    GoldenRequest("openapi-json", "/openapi.json"),
    GoldenRequest("api-page", "/api"),
)
