"""The node's SQLAlchemy Core tables: one MetaData for structures (and, later, data)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
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
