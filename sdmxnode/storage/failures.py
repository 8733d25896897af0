"""Database failures as the node's errors: busy, unreachable or failed, said in words.

The database's own message (the SQL statement, its parameters) goes to the server log
under the error's incident id, never into an answer or the audit log.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DataError, DBAPIError, OperationalError, SQLAlchemyError

from sdmxnode.errors import InternalError, SdmxNodeError, StorageError, StoreBusy, StoreUnavailable

log = logging.getLogger(__name__)

#: PostgreSQL SQLSTATEs of a writer that lost a race for a lock: it may simply try again.
_BUSY_STATES = {"55P03", "40001", "40P01"}  # lock_not_available, serialization, deadlock
#: SQLSTATE classes and codes of a database that is not there (connection, shutdown).
_UNAVAILABLE_PREFIXES = ("08", "57P")


def store_failure(exc: SQLAlchemyError, what: str) -> StorageError:
    """The node's error for `exc`, met while trying to `what` (e.g. "store the artefacts")."""
    error = _classify(exc, what)
    log.error("incident %s: could not %s: %s", error.incident, what, exc)
    return error


def _classify(exc: SQLAlchemyError, what: str) -> StorageError:
    original = exc.orig if isinstance(exc, DBAPIError) else None
    state = str(getattr(original, "sqlstate", "") or "")
    message = str(original or exc).lower()
    if state == "23505":  # two writers created the same row at once (e.g. one new series)
        return StoreBusy(
            f"another write created the same data at the same moment, so the node could not "
            f"{what}: nothing was written, send the request again"
        )
    if state in _BUSY_STATES or "database is locked" in message or "is locked" in message:
        return StoreBusy(
            f"the store is busy with other writes and could not {what} in time: nothing "
            "was written, send the request again later"
        )
    if state.startswith(_UNAVAILABLE_PREFIXES) or (
        isinstance(exc, OperationalError) and not state and _connection_lost(message)
    ):
        return StoreUnavailable(f"the database cannot be reached, so the node could not {what}")
    if isinstance(exc, DataError):
        return StorageError(f"the database refused a value, so the node could not {what}")
    if state == "53100" or "disk is full" in message:
        return StorageError(f"the database's disk is full, so the node could not {what}")
    return StorageError(f"the database failed, so the node could not {what}")


def _connection_lost(message: str) -> bool:
    words = ("connection", "connect", "server closed", "terminating", "shut down")
    return any(word in message for word in words)


def failure_of(exc: BaseException) -> SdmxNodeError:
    """The node's error for an exception nothing else handled, its details logged under the
    error's incident id: a database failure as `store_failure` says, anything else a defect."""
    if isinstance(exc, SdmxNodeError):
        return exc
    if isinstance(exc, SQLAlchemyError):
        return store_failure(exc, "answer the request")
    error = InternalError("the node failed while answering the request")
    log.error("incident %s: unexpected error", error.incident, exc_info=exc)
    return error
