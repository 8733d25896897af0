"""The metadata query grammar: resources, segments, providers, versions and parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sdmxnode.errors import BadRequest
from sdmxnode.rest.metadata import ProviderRef, parse_metadata_query


def test_metadataset_segments_default_to_any() -> None:
    query = parse_metadata_query(2, "metadataset", (), {})

    assert (query.providers, query.ids, query.agencies, query.types) == (None, None, None, None)
    assert query.versions.is_all
    assert query.detail == "full"


def test_metadataset_lists_and_keywords() -> None:
    query = parse_metadata_query(2, "metadataset", ("IMDX.UNDESA,ECB", "A,B", "+"), {})

    assert query.providers == (ProviderRef("UNDESA", "IMDX"), ProviderRef("ECB"))
    assert query.ids == ("A", "B")
    assert query.versions.select([("1.0.0", True), ("2.0.0-draft", False)]) == ["1.0.0"]


def test_metadataflow_provider_refs_of_15() -> None:
    query = parse_metadata_query(1, "metadataflow", ("*", "MDF", "~", "IMDX,UNDESA+OECD"), {})

    assert query.agencies is None and query.ids == ("MDF",)
    assert query.providers == (ProviderRef("UNDESA", "IMDX"), ProviderRef("OECD"))
    v2 = parse_metadata_query(2, "metadataflow", ("IMDX", "MDF", "1.0.0", "UNDESA,OECD"), {})
    assert v2.providers == (ProviderRef("UNDESA"), ProviderRef("OECD"))


def test_structure_types_are_canonical() -> None:
    query = parse_metadata_query(2, "structure", ("dataflow", "IMDX", "DF", "1.0"), {})

    assert query.types == frozenset({"Dataflow"})
    # The targeted structures' version defaults to their latest, the others to all.
    latest = parse_metadata_query(2, "structure", ("dataflow", "IMDX", "DF"), {}).versions
    assert latest.select([("1.0.0", True), ("1.1.0", True)]) == ["1.1.0"]
    flows = parse_metadata_query(2, "metadataflow", ("IMDX", "MDF"), {}).versions
    assert flows.select([("1.0.0", True), ("1.1.0", True)]) == ["1.0.0", "1.1.0"]
    assert parse_metadata_query(2, "structure", ("*",), {}).types is None


@pytest.mark.parametrize(
    ("resource", "segments", "args", "where"),
    [
        ("nothing", (), {}, "resource"),
        ("structure", ("notatype",), {}, "type"),
        ("metadataset", ("*", "*", "latest"), {}, "version"),
        ("metadataset", ("*", "a b"), {}, "id"),
        ("metadataset", (), {"detail": "referencestubs"}, "detail"),
        ("metadataset", (), {"references": "all"}, "references"),
    ],
)
def test_bad_queries_name_what_is_wrong(
    resource: str, segments: tuple[str, ...], args: dict[str, str], where: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_metadata_query(2, resource, segments, args)
    assert caught.value.where == where


def test_as_of_is_a_date_time_and_not_a_15_parameter() -> None:
    query = parse_metadata_query(2, "metadataset", (), {"asOf": "2020-01-01T00:00:00Z"})
    assert query.as_of == datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(BadRequest):
        parse_metadata_query(2, "metadataset", (), {"asOf": "2020-01-01"})
    with pytest.raises(BadRequest):
        parse_metadata_query(1, "metadataset", (), {"asOf": "2020-01-01T00:00:00"})
    assert parse_metadata_query(1, "metadataset", (), {"detail": "allStubs"}).detail == "allstubs"
