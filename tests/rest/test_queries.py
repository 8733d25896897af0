"""The shared query fields: declared once, parsed the same on either query."""

from __future__ import annotations

from dataclasses import fields

from sdmxnode.rest.availability import AvailabilityQuery, parse_availability_query_v1
from sdmxnode.rest.data import DataQuery, as_data_query, parse_data_query_v1
from sdmxnode.rest.queries import DataSelectionQuery, ResourceQuery
from sdmxnode.rest.schema import SchemaQuery

SELECTION = [f.name for f in fields(DataSelectionQuery)]


def test_the_selection_fields_lead_both_queries() -> None:
    assert [f.name for f in fields(ResourceQuery)] == ["api", "context"]
    assert [f.name for f in fields(DataQuery)][: len(SELECTION)] == SELECTION
    assert [f.name for f in fields(AvailabilityQuery)][: len(SELECTION)] == SELECTION
    assert [f.name for f in fields(SchemaQuery)][:2] == ["api", "context"]


def test_an_availability_query_selects_what_its_data_query_selects() -> None:
    args = {"startPeriod": "2000", "endPeriod": "2010"}
    availability = parse_availability_query_v1("IMDX,DF_X,1.0", "A.B", None, None, args)
    data = parse_data_query_v1("IMDX,DF_X,1.0", "A.B", None, args)
    assert as_data_query(availability) == data
    assert availability.key_filters(2) == data.key_filters(2)
