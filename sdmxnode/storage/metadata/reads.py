"""Reading reference-metadata sets: the queries of `/metadata/...` (SQL only here).

Sets are selected by their identity, by the structure they are reported against
(metadataflow, metadata structure or metadata provision agreement), by their provider, by
what their reports target (`metadata_set_targets`) and by when they were written
(`metadata_set_history`), and as they were at a past moment (`sets_as_of`, from the history,
which keeps every version of every set whole). Version keywords (`~`, `+`, wildcards) are
applied by the caller to the versions these queries return, as for structures
(`sdmxnode.rest.versions`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Engine, Row, Select, and_, exists, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.refs import ArtefactRef
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import metadata_set_history, metadata_set_targets, metadata_sets

_COLUMNS = (
    metadata_sets.c.pk,
    metadata_sets.c.agency_id,
    metadata_sets.c.id,
    metadata_sets.c.version,
    metadata_sets.c.structure_type,
    metadata_sets.c.structure_agency_id,
    metadata_sets.c.structure_id,
    metadata_sets.c.structure_version,
    metadata_sets.c.provider,
    metadata_sets.c.name,
    metadata_sets.c.body,
    metadata_sets.c.digest,
    metadata_sets.c.updated,
)


@dataclass(frozen=True)
class StoredMetadataSet:
    """A stored set: identity, structure, provider URN, canonical JSON (`body`), digest and
    the time it was last written (aware UTC)."""

    pk: int
    agency_id: str
    id: str
    version: str
    structure: ArtefactRef
    provider: str | None
    name: str
    body: str
    digest: str
    updated: datetime


@dataclass(frozen=True)
class ProviderFilter:
    """A metadata provider asked for: its id and, if given, the agency of its scheme.

    A set matches when its provider's URN names that provider, or (no agency given) when
    the set has no provider and its own agency is that id."""

    id: str
    agency_id: str | None = None

    def matches(self, provider: str | None, set_agency_id: str) -> bool:
        """Whether a set of `set_agency_id` with the provider URN `provider` is this
        provider's (the rule `find_sets` applies in SQL, for sets read from history)."""
        if provider is None:
            return self.agency_id is None and set_agency_id == self.id
        if not provider.endswith(f").{self.id}"):
            return False
        return self.agency_id is None or f"={self.agency_id}:" in provider


@dataclass(frozen=True)
class PastMetadataSet:
    """A set as it was at a past moment: its identity, canonical JSON (`body`) and when
    that version was written (aware UTC); `pk` numbers the history entry."""

    pk: int
    agency_id: str
    id: str
    version: str
    body: str
    written: datetime


@dataclass(frozen=True)
class TargetedSet:
    """A set found through one of its targets, with the version of the targeted artefact."""

    metadata_set: StoredMetadataSet
    target: ArtefactRef


def _stored(row: Row) -> StoredMetadataSet:
    return StoredMetadataSet(
        pk=row.pk,
        agency_id=row.agency_id,
        id=row.id,
        version=row.version,
        structure=ArtefactRef(
            row.structure_type, row.structure_agency_id, row.structure_id, row.structure_version
        ),
        provider=row.provider,
        name=row.name,
        body=row.body,
        digest=row.digest,
        updated=row.updated.replace(tzinfo=UTC),
    )


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _provider_condition(providers: Collection[ProviderFilter]) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    for provider in providers:
        named = metadata_sets.c.provider.like(f"%).{_like(provider.id)}", escape="\\")
        if provider.agency_id is not None:
            agency = f"%={_like(provider.agency_id)}:%"
            conditions.append(and_(named, metadata_sets.c.provider.like(agency, escape="\\")))
        else:
            conditions.append(named)
            conditions.append(
                and_(metadata_sets.c.provider.is_(None), metadata_sets.c.agency_id == provider.id)
            )
    return or_(*conditions)


class MetadataReads:
    """The read queries over the reference-metadata tables of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> MetadataReads:
        """The metadata tables of the database `store` uses, on its engine."""
        return cls(store.engine)

    def count_sets(self) -> int:
        """How many metadata sets the node holds."""
        try:
            with self.engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(metadata_sets)).scalar_one()
        except SQLAlchemyError as exc:
            raise store_failure(exc, "count the metadata sets") from exc

    def find_sets(
        self,
        *,
        agencies: Collection[str] | None = None,
        ids: Collection[str] | None = None,
        versions: Collection[str] | None = None,
        providers: Collection[ProviderFilter] | None = None,
        structure_types: Collection[str] | None = None,
        structure_agencies: Collection[str] | None = None,
        structure_ids: Collection[str] | None = None,
        updated_after: datetime | None = None,
    ) -> list[StoredMetadataSet]:
        """Sets matching every filter given (None: any), ordered by identity.

        `updated_after` (aware or naive UTC): sets written (put) after that time, from
        their history."""
        query = select(*_COLUMNS)
        for column, values in (
            (metadata_sets.c.agency_id, agencies),
            (metadata_sets.c.id, ids),
            (metadata_sets.c.version, versions),
            (metadata_sets.c.structure_type, structure_types),
            (metadata_sets.c.structure_agency_id, structure_agencies),
            (metadata_sets.c.structure_id, structure_ids),
        ):
            if values is not None:
                query = query.where(column.in_(sorted(values)))
        if providers is not None:
            query = query.where(_provider_condition(providers))
        if updated_after is not None:
            query = query.where(_written_after(updated_after))
        return [_stored(row) for row in self._rows(_ordered(query))]

    def find_targeting(
        self,
        types: Collection[str] | None,
        agencies: Collection[str] | None = None,
        ids: Collection[str] | None = None,
    ) -> list[TargetedSet]:
        """Sets whose reports target an artefact (or an item of it) of these types, agencies
        and ids (None: any), each with the targeted artefact; a set targeting several
        versions comes once per version."""
        targets = metadata_set_targets.c
        query = (
            select(
                *_COLUMNS,
                targets.target_type,
                targets.target_agency_id,
                targets.target_id,
                targets.target_version,
            )
            .distinct()
            .join(metadata_set_targets, targets.set_pk == metadata_sets.c.pk)
        )
        for column, values in (
            (targets.target_type, types),
            (targets.target_agency_id, agencies),
            (targets.target_id, ids),
        ):
            if values is not None:
                query = query.where(column.in_(sorted(values)))
        query = _ordered(query).order_by(targets.target_version)
        return [
            TargetedSet(
                _stored(row),
                ArtefactRef(
                    row.target_type, row.target_agency_id, row.target_id, row.target_version
                ),
            )
            for row in self._rows(query)
        ]

    def find_item_targets(
        self, flow: ArtefactRef, scheme: ArtefactRef, items: Collection[str]
    ) -> list[tuple[str, str, str, str]]:
        """(agency, id, version, item) of the sets whose reports target `flow` and also an
        item among `items` of the item scheme `scheme` (a country's Code of a code list),
        both in these versions: the sets documenting those items' data, found without
        reading the sets' bodies."""
        if not items:
            return []
        flow_target = metadata_set_targets.alias("flow_target")
        item_target = metadata_set_targets.alias("item_target")
        query = (
            select(
                metadata_sets.c.agency_id,
                metadata_sets.c.id,
                metadata_sets.c.version,
                item_target.c.target_item,
            )
            .distinct()
            .join(flow_target, flow_target.c.set_pk == metadata_sets.c.pk)
            .join(item_target, item_target.c.set_pk == metadata_sets.c.pk)
            .where(
                flow_target.c.target_type == flow.type,
                flow_target.c.target_agency_id == flow.agency_id,
                flow_target.c.target_id == flow.id,
                flow_target.c.target_version == flow.version,
                item_target.c.target_type == scheme.type,
                item_target.c.target_agency_id == scheme.agency_id,
                item_target.c.target_id == scheme.id,
                item_target.c.target_version == scheme.version,
                item_target.c.target_item.in_(sorted(items)),
            )
        )
        return [
            (row.agency_id, row.id, row.version, row.target_item)
            for row in self._rows(_ordered(query))
        ]

    def sets_as_of(self, when: datetime) -> list[PastMetadataSet]:
        """Every set as it was at `when` (aware or naive UTC): for each identity, the last
        version written by then, unless that was its deletion; ordered by identity."""
        history = metadata_set_history.c
        latest = (
            select(func.max(history.pk).label("pk"))
            .where(history.written <= _naive(when))
            .group_by(history.agency_id, history.id, history.version)
            .subquery()
        )
        query = (
            select(
                history.pk,
                history.agency_id,
                history.id,
                history.version,
                history.body,
                history.written,
            )
            .join(latest, latest.c.pk == history.pk)
            .where(history.action != "Delete")
            .order_by(history.agency_id, history.id, history.version)
        )
        return [
            PastMetadataSet(
                row.pk,
                row.agency_id,
                row.id,
                row.version,
                row.body,
                row.written.replace(tzinfo=UTC),
            )
            for row in self._rows(query)
        ]

    def last_deletion(self, *, until: datetime | None = None) -> datetime | None:
        """When a set was last deleted (aware UTC; by `until` if given), None if none ever
        was: a query's answer changes when a set it held is deleted, which no remaining row
        shows."""
        query = select(metadata_set_history.c.written).where(
            metadata_set_history.c.action == "Delete"
        )
        if until is not None:
            query = query.where(metadata_set_history.c.written <= _naive(until))
        query = query.order_by(metadata_set_history.c.written.desc()).limit(1)
        rows = self._rows(query)
        return rows[0].written.replace(tzinfo=UTC) if rows else None

    def _rows(self, query: Select) -> Sequence[Row]:
        try:
            with self.engine.connect() as conn:
                return conn.execute(query).all()
        except SQLAlchemyError as exc:
            raise store_failure(exc, "read the metadata sets") from exc


def _ordered(query: Select) -> Select:
    return query.order_by(metadata_sets.c.agency_id, metadata_sets.c.id, metadata_sets.c.version)


def _naive(when: datetime) -> datetime:
    """A moment as the history's naive UTC columns hold it."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _written_after(when: datetime) -> ColumnElement[bool]:
    naive = _naive(when)
    history = metadata_set_history.c
    return exists().where(
        history.agency_id == metadata_sets.c.agency_id,
        history.id == metadata_sets.c.id,
        history.version == metadata_sets.c.version,
        history.action != "Delete",
        history.written > naive,
    )
