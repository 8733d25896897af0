"""The node's SQLAlchemy Core tables: one MetaData for structures (and, later, data)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

#: One row per maintainable artefact, stored once as the SDMX-ML element it was received
#: as (`sdmx_ml` says which version), with the columns that queries filter on.
artefacts = Table(
    "artefacts",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("type", String(40), nullable=False),
    Column("agency_id", String(255), nullable=False),
    Column("id", String(255), nullable=False),
    Column("version", String(64), nullable=False),
    Column("is_final", Boolean, nullable=False),
    Column("name", String(1000), nullable=False, default=""),
    Column("sdmx_ml", String(8), nullable=False),
    Column("xml", LargeBinary, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("updated", DateTime, nullable=False),  # naive UTC
    UniqueConstraint("type", "agency_id", "id", "version", name="uq_artefact_identity"),
)
Index("ix_artefacts_type_id", artefacts.c.type, artefacts.c.id)
Index("ix_artefacts_agency", artefacts.c.agency_id)

#: References from one artefact to another, by the target's identity (the target may be
#: absent from the node: real structure messages often reference artefacts they do not carry).
references = Table(
    "artefact_references",
    metadata,
    Column(
        "source_pk",
        Integer,
        ForeignKey("artefacts.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("target_type", String(40), nullable=False),
    Column("target_agency_id", String(255), nullable=False),
    Column("target_id", String(255), nullable=False),
    Column("target_version", String(64), nullable=False),
    UniqueConstraint(
        "source_pk",
        "target_type",
        "target_agency_id",
        "target_id",
        "target_version",
        name="uq_reference",
    ),
)
Index("ix_references_source", references.c.source_pk)
Index(
    "ix_references_target",
    references.c.target_type,
    references.c.target_id,
    references.c.target_agency_id,
)

#: Data tables. A dataflow's key dimensions are stored one per column (`d0`...), so that a
#: key filter is an SQL predicate; attributes are stored as the values of the dataflow's
#: layout (`data_layouts`) joined by ATTRIBUTE_SEPARATOR, decoded with one str.split.
MAX_DIMENSIONS = 24
ATTRIBUTE_SEPARATOR = "\x1f"

data_layouts = Table(
    "data_layouts",
    metadata,
    Column(
        "dataflow_pk",
        Integer,
        ForeignKey("artefacts.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("dsd", String(400), nullable=False),
    Column("layout", Text, nullable=False),  # JSON: components per role and level
    Column("dataset_attributes", Text, nullable=True),  # JSON object
    Column("updated", DateTime, nullable=False),  # naive UTC; last change of the data
)

series = Table(
    "series",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column(
        "dataflow_pk",
        Integer,
        ForeignKey("artefacts.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    # Key values and series keys within the declared limits (formats.rows) always fit.
    Column("series_key", String(2000), nullable=False),
    *(Column(f"d{i}", String(255), nullable=True) for i in range(MAX_DIMENSIONS)),
    Column("attributes", Text, nullable=True),
    # The data provider reporting the series ('AGENCY:ID'; '' unattributed): the same key
    # from two providers is two series (storage/upgrades.py adds it to older databases).
    Column("provider", String(400), nullable=False, server_default=""),
    UniqueConstraint("dataflow_pk", "provider", "series_key", name="uq_series_provider_key"),
)
Index("ix_series_d0", series.c.dataflow_pk, series.c.d0)
Index("ix_series_d1", series.c.dataflow_pk, series.c.d1)
#: A series by its key whoever reports it (the unique key has the provider before it).
Index("ix_series_key", series.c.dataflow_pk, series.c.series_key)
#: Every other key position, for queries that fix a dimension further along the key (one
#: origin across all destinations fixes the fourth): partial, so that the positions a DSD
#: does not have cost nothing. The planner picks the most selective one from the
#: statistics a large load refreshes (`storage.data.statistics`).
for _position in range(2, MAX_DIMENSIONS):
    _column = series.c[f"d{_position}"]
    Index(
        f"ix_series_d{_position}",
        series.c.dataflow_pk,
        _column,
        sqlite_where=_column.is_not(None),
        postgresql_where=_column.is_not(None),
    )

observations = Table(
    "observations",
    metadata,
    Column(
        "series_pk",
        Integer,
        ForeignKey("series.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("period", String(64), primary_key=True),
    Column("period_start", String(32), nullable=False),
    Column("period_end", String(32), nullable=False),
    Column("value", Text, nullable=True),
    Column("attributes", Text, nullable=True),
    Column("load_pk", Integer, nullable=False),
    # Stored in its primary key's B-tree on SQLite: one tree to update per insert, not two.
    sqlite_with_rowid=False,
)
# No index on load_pk: every load would pay for it on each observation, while the
# updatedAfter queries that use it scan one dataflow's observations, joined by series.

loads = Table(
    "loads",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column(
        "dataflow_pk",
        Integer,
        ForeignKey("artefacts.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("action", String(20), nullable=False),
    Column("started", DateTime, nullable=False),
    Column("finished", DateTime, nullable=True),
    Column("principal", String(255), nullable=False, default=""),
    Column("source", String(1000), nullable=False, default=""),
    Column("series_written", Integer, nullable=False, default=0),
    Column("observations_written", Integer, nullable=False, default=0),
    Column("observations_deleted", Integer, nullable=False, default=0),
    # The data provider ('AGENCY:ID') the load reports for; '' unattributed (added later:
    # nullable, None in loads recorded before data providers).
    Column("provider", String(400), nullable=True),
    # How the data were converted on load (structure map and source structure), None when
    # they came in the dataflow's own structure (added later: nullable).
    Column("conversion", String(1000), nullable=True),
)
Index("ix_loads_dataflow", loads.c.dataflow_pk, loads.c.finished)

#: Earlier states of observations: each row is what an observation was before a later load
#: replaced or deleted it (`superseded_by`), for `updatedAfter` deletions and `includeHistory`.
observation_history = Table(
    "observation_history",
    metadata,
    Column("series_pk", Integer, ForeignKey("series.pk", ondelete="CASCADE"), nullable=False),
    Column("period", String(64), nullable=False),
    Column("value", Text, nullable=True),
    Column("attributes", Text, nullable=True),
    Column("load_pk", Integer, nullable=False),
    Column("superseded_by", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
)
Index("ix_history_superseded", observation_history.c.superseded_by)
Index("ix_history_series", observation_history.c.series_pk, observation_history.c.period)

#: What a load writes over or deletes, staged so that copying what it replaces to the
#: history and the write itself are one statement each per batch: observations to write,
#: and (series pk, period) keys to delete (no period: the whole series). Temporary tables
#: (of the connection on SQLite, of the transaction on PostgreSQL) outside `metadata`: the
#: writer creates them (`STAGING_DDL`) when it first needs them.
_staging = MetaData()
staged_observations = Table(
    "staged_observations",
    _staging,
    Column("series_pk", Integer, nullable=False),
    Column("period", String(64), nullable=False),
    Column("period_start", String(32), nullable=False),
    Column("period_end", String(32), nullable=False),
    Column("value", Text, nullable=True),
    Column("attributes", Text, nullable=True),
    Column("load_pk", Integer, nullable=False),
)
staged_keys = Table(
    "staged_keys",
    _staging,
    Column("series_pk", Integer, nullable=False),
    Column("period", String(64), nullable=True),
)
#: The staging tables by name.
STAGING_TABLES = _staging.tables

STAGING_DDL = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS staged_observations ("
    "series_pk INTEGER NOT NULL, period VARCHAR(64) NOT NULL, "
    "period_start VARCHAR(32) NOT NULL, period_end VARCHAR(32) NOT NULL, "
    "value TEXT, attributes TEXT, load_pk INTEGER NOT NULL)",
    "CREATE TEMPORARY TABLE IF NOT EXISTS staged_keys ("
    "series_pk INTEGER NOT NULL, period VARCHAR(64))",
)

#: Bearer tokens: only a hash of each secret is kept; `token_id` is the public handle shown
#: in the audit log and used to revoke. Rights as JSON lists (agencies; dataflow triples).
tokens = Table(
    "tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("agencies", String(4000), nullable=False, default="[]"),
    Column("dataflows", String(20000), nullable=False, default="[]"),
    Column("label", String(255), nullable=False, default=""),
    Column("created", DateTime, nullable=False),
    Column("revoked", DateTime, nullable=True),
    # Added after the table: nullable, added to existing databases by storage/upgrades.py.
    Column("expires", DateTime, nullable=True),  # naive UTC; None: never
    Column("last_used", DateTime, nullable=True),  # naive UTC, to the minute or so
    # The data provider ('AGENCY:ID') a provider token acts for; None: none (other roles,
    # and provider tokens limited to listed dataflows, as before data providers).
    Column("provider", String(400), nullable=True),
)

#: One row per write attempt over HTTP or the CLI: who, what, when, and how it ended.
audit_log = Table(
    "audit_log",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),  # naive UTC
    Column("token_id", String(32), nullable=False, default=""),
    Column("role", String(20), nullable=False, default=""),
    Column("action", String(64), nullable=False),
    Column("target", String(1000), nullable=False, default=""),
    Column("outcome", String(16), nullable=False),
    Column("status", Integer, nullable=False),
    Column("counts", String(2000), nullable=False, default="{}"),
    Column("detail", String(4000), nullable=False, default=""),
    Column("client", String(255), nullable=False, default=""),
    # host:pid of the process running the write: a row left 'started' by a process that
    # is gone is marked 'interrupted' (a killed worker, a crash).
    Column("process", String(100), nullable=True),
)
Index("ix_audit_at", audit_log.c.at)

#: Unauthenticated write attempts, counted per minute, source address and action rather
#: than kept one row each (a flood of anonymous POSTs must not flood the audit log).
audit_refusals = Table(
    "audit_refusals",
    metadata,
    Column("minute", DateTime, primary_key=True),  # naive UTC, seconds zero
    Column("client", String(255), primary_key=True),
    Column("action", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
)
#: Harvesting. What the node last received for each request it makes to a source (the
#: validators of its next conditional request, and the `updatedAfter` of a data pull).
harvest_requests = Table(
    "harvest_requests",
    metadata,
    Column("key", String(2000), primary_key=True),  # the request, without updatedAfter
    Column("url", String(2000), nullable=False),  # the URL last answered with 200
    Column("etag", String(1000), nullable=True),
    Column("last_modified", String(100), nullable=True),  # HTTP-date, as the source sent it
    Column("retrieved", DateTime, nullable=False),  # naive UTC
)

#: Where each harvested artefact (kind 'structure') and each harvested data load
#: (kind 'data', identity of its dataflow) came from.
harvest_provenance = Table(
    "harvest_provenance",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("type", String(40), nullable=False),
    Column("agency_id", String(255), nullable=False),
    Column("id", String(255), nullable=False),
    Column("version", String(64), nullable=False),
    Column("source_url", String(2000), nullable=False),
    Column("retrieved", DateTime, nullable=False),  # naive UTC
    Column("etag", String(1000), nullable=True),
    Column("last_modified", String(100), nullable=True),
    Column("source_version", String(64), nullable=False),
    Column("outcome", String(200), nullable=False),
)
Index(
    "ix_provenance_identity",
    harvest_provenance.c.type,
    harvest_provenance.c.agency_id,
    harvest_provenance.c.id,
)

#: At most one harvest at a time per database: a row held until released or expired.
harvest_locks = Table(
    "harvest_locks",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires", DateTime, nullable=False),  # naive UTC
)

#: Registrations (pull mode, issue 17): where a data provider's data for one provision
#: agreement live, and how the node's last pull of that source went.
registrations = Table(
    "registrations",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("agreement_urn", String(1000), nullable=False),
    Column("provider", String(512), nullable=False),  # 'AGENCY:ID'
    Column("source_url", String(2000), nullable=False),
    Column("queryable", Boolean, nullable=False),  # an SDMX-REST endpoint, else a file URL
    Column("rest_source", Boolean, nullable=False),
    Column("index_flags", String(100), nullable=False),  # the true index* attributes, by comma
    Column("valid_from", DateTime, nullable=True),  # naive UTC
    Column("valid_to", DateTime, nullable=True),
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
    Column("pulled", DateTime, nullable=True),
    Column("pull_outcome", String(20), nullable=True),  # 'ok', 'not modified', 'failed'
    Column("pull_written", Integer, nullable=True),
    Column("pull_deleted", Integer, nullable=True),
    Column("pull_error", Text, nullable=True),
)
Index("ix_registrations_provider", registrations.c.provider)

#: Subscriptions (push, issue 17): who is notified of which events, at which callbacks.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("owner", String(512), nullable=False),  # 'AGENCY:ID' of a provider, or 'token:ID'
    Column("organisation", String(1000), nullable=False),
    Column("subscriber_id", String(255), nullable=True),
    Column("callbacks", Text, nullable=False),  # JSON list of URLs
    Column("mail_to", Text, nullable=False),  # JSON list (kept, not mailed)
    Column("selectors", Text, nullable=False),  # JSON (formats.subscriptions.model)
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("secret", String(100), nullable=False),  # keys the HMAC of each notification
    Column("created", DateTime, nullable=False),
    Column("updated", DateTime, nullable=False),
)

#: The outbox: one row per event and subscription, written in the transaction of the change.
notifications = Table(
    "notifications",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", String(255), nullable=False),
    Column("kind", String(20), nullable=False),  # structure, registration, metadata
    Column("action", String(20), nullable=False),  # Append, Replace, Delete
    Column("object_urn", String(1000), nullable=False),
    Column("registration_id", String(255), nullable=True),
    Column("detail", Text, nullable=True),  # a registration's JSON
    Column("event_time", DateTime, nullable=False),  # naive UTC
    Column("state", String(20), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", DateTime, nullable=False),
    Column("claimed_until", DateTime, nullable=True),  # a deliverer's lease
    Column("delivered", DateTime, nullable=True),
    Column("last_error", Text, nullable=True),
)
Index("ix_notifications_due", notifications.c.state, notifications.c.next_attempt)

#: The delivery log: every attempt to deliver a notification.
notification_attempts = Table(
    "notification_attempts",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("notification_pk", Integer, nullable=False),
    Column("subscription_id", String(255), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("status", Integer, nullable=True),  # the callback's HTTP status, None: no answer
    Column("error", Text, nullable=True),
)
Index("ix_notification_attempts_notification", notification_attempts.c.notification_pk)

#: One row: a digest of the table definitions and upgrades the database was last brought up
#: to (`storage.upgrades.schema_digest`); a process of the same digest skips the checks.
schema_state = Table(
    "schema_state",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("digest", String(64), nullable=False),
)

#: One row: a number every change of the artefacts table raises, in the transaction of the
#: change. What processes derive from many artefacts at once (a dataflow's StructureInfo)
#: is kept under it, so that one small read tells whether it still holds.
structure_state = Table(
    "structure_state",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
)

#: What was derived from many artefacts (`kind` 'info': a dataflow's or DSD's StructureInfo,
#: as JSON), kept for the structure generation it was built in: a load in a new process
#: reads it instead of parsing the artefacts it came from. A row of an older generation is
#: never read, and is replaced by the next one built.
structure_derivations = Table(
    "structure_derivations",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("ref", String(800), primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("body", Text, nullable=False),
)

#: One row, rewritten by `GET /health?deep=1`: proof that the store takes a write.
node_health = Table(
    "node_health",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("checked", DateTime, nullable=False),  # naive UTC
)

#: Reference metadata: one row per metadata set (SDMX 3.0 identity), its structure
#: (metadataflow, MSD or metadata provision agreement) and its canonical JSON
#: (`sdmxnode.formats.metadata.to_json`). Deleted sets are removed here and kept in history.
metadata_sets = Table(
    "metadata_sets",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", String(255), nullable=False),
    Column("id", String(255), nullable=False),
    Column("version", String(64), nullable=False),
    Column("structure_type", String(40), nullable=False),
    Column("structure_agency_id", String(255), nullable=False),
    Column("structure_id", String(255), nullable=False),
    Column("structure_version", String(64), nullable=False),
    Column("provider", String(1000), nullable=True),  # URN of the metadata provider
    Column("name", String(1000), nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("updated", DateTime, nullable=False),  # naive UTC
    UniqueConstraint("agency_id", "id", "version", name="uq_metadata_set_identity"),
)
Index(
    "ix_metadata_sets_structure",
    metadata_sets.c.structure_type,
    metadata_sets.c.structure_id,
    metadata_sets.c.structure_agency_id,
)

#: What each metadata set's reports target, one row per identifiable object targeted by URN,
#: parsed so that `/metadata/structure/{type}/{agency}/{id}/{version}` is an indexed query.
#: `target_item` is the item id path for items (a Code, a Category), '' otherwise.
metadata_set_targets = Table(
    "metadata_set_targets",
    metadata,
    Column(
        "set_pk",
        Integer,
        ForeignKey("metadata_sets.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("report_id", String(255), nullable=False, default=""),
    Column("urn", String(1000), nullable=False),
    Column("target_type", String(40), nullable=False),
    Column("target_agency_id", String(255), nullable=False),
    Column("target_id", String(255), nullable=False),
    Column("target_version", String(64), nullable=False),
    Column("target_item", String(1000), nullable=False, default=""),
)
Index("ix_metadata_set_targets_set", metadata_set_targets.c.set_pk)
Index(
    "ix_metadata_set_targets_target",
    metadata_set_targets.c.target_type,
    metadata_set_targets.c.target_id,
    metadata_set_targets.c.target_agency_id,
)

#: Every state a metadata set has had: one row per write (the body written, or NULL for a
#: deletion), with the action and the time, for `updatedAfter` and history.
metadata_set_history = Table(
    "metadata_set_history",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", String(255), nullable=False),
    Column("id", String(255), nullable=False),
    Column("version", String(64), nullable=False),
    Column("action", String(20), nullable=False),
    Column("body", Text, nullable=True),
    Column("written", DateTime, nullable=False),  # naive UTC
    Column("written_by", String(255), nullable=True),
)
Index(
    "ix_metadata_set_history_identity",
    metadata_set_history.c.agency_id,
    metadata_set_history.c.id,
    metadata_set_history.c.version,
)
