"""Every write view runs inside `write_attempt`: it authenticates, authorises and audits."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from flask import request
from werkzeug.exceptions import HTTPException

from sdmxnode.errors import Forbidden, SdmxNodeError, Unauthorized
from sdmxnode.services.access import (
    Principal,
    acting_for,
    authenticate,
    failure_of,
    record_write,
    start_write_record,
)
from sdmxnode.services.node import Node
from sdmxnode.web import current_node
from sdmxnode.web.errors import api_major

log = logging.getLogger(__name__)


class WriteAttempt:
    """One write request: the principal once authorised, and the counts the view sets."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.principal: Principal | None = None
        self.counts: dict[str, int] = {}
        self.detail = ""
        #: The HTTP status of a successful answer, when not 200 (e.g. 201, 207).
        self.status = 200
        #: Closed when the attempt ends: the acting token's scope, once authenticated.
        self.scope = ExitStack()
        #: (action, target) of an audited write: recorded as started once authenticated.
        self.audited: tuple[str, str] | None = None
        #: The audit row recorded as started (None: not yet, or the database refused it).
        self.started: int | None = None
        #: No token of the node was presented (none, or a secret matching none): a refusal
        #: is then counted per source and minute, not stored as an entry.
        self.anonymous = True

    def authenticate(self, *, need: str = "this change needs credentials") -> Principal:
        """The principal of the request's bearer token; Unauthorized (401) without one,
        saying `need` (what the request is and what it needs)."""
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if not header:
            raise Unauthorized(f"{need}: send 'Authorization: Bearer <token>'")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("only bearer tokens are accepted ('Authorization: Bearer <token>')")
        try:
            principal = authenticate(self.node, secret.strip())
        except Unauthorized:  # a known token, expired: not an anonymous attempt
            self.anonymous = False
            raise
        if principal is None:
            raise Unauthorized("the bearer token is unknown or revoked")
        self.principal = principal
        self.anonymous = False
        self.scope.enter_context(acting_for(principal.token_id))
        if self.audited is not None and self.started is None:
            action, target = self.audited
            self.started = start_write_record(
                self.node,
                token_id=principal.token_id,
                role=principal.role,
                action=action,
                target=target,
                client=request.remote_addr or "",
            )
        return principal

    def authorise_data(self, agency_id: str, flow_id: str, version: str) -> Principal:
        """The principal, if it may write data of this dataflow (401 without a token, else 403)."""
        principal = self.authenticate()
        if not principal.may_write_data(agency_id, flow_id, version):
            raise Forbidden(
                f"token {principal.token_id} ({principal.role}) may not write data of the "
                f"dataflow {agency_id}:{flow_id}({version})"
            )
        return principal

    def authorise_metadata(self, agency_id: str, flow_id: str, version: str) -> Principal:
        """The principal, if it may write metadata sets of this metadataflow (401, else 403)."""
        principal = self.authenticate()
        if not principal.may_write_metadata(agency_id, flow_id, version):
            raise Forbidden(
                f"token {principal.token_id} ({principal.role}) may not write metadata of the "
                f"metadataflow {agency_id}:{flow_id}({version})"
            )
        return principal

    def authorise_structure(self, agency_id: str) -> Principal:
        """The principal, if it may maintain structures of this agency (401, else 403)."""
        principal = self.authenticate()
        if not principal.may_maintain(agency_id):
            raise Forbidden(
                f"token {principal.token_id} ({principal.role}) may not change structures "
                f"maintained by {agency_id}"
            )
        return principal

    def authorise_admin(self, purpose: str = "this change") -> Principal:
        """The principal, if it holds an admin token (401 without a token, else 403);
        `purpose` names the request in the answer to an anonymous one."""
        principal = self.authenticate(need=f"{purpose} needs an admin token")
        if not principal.is_admin:
            raise Forbidden(f"token {principal.token_id} ({principal.role}) is not an admin token")
        return principal


def _outcome(status: int) -> str:
    if status in (401, 403):
        return "refused"
    if status >= 500:
        return "failed"
    if status >= 400:
        return "rejected"
    return "ok"


@contextmanager
def write_attempt(action: str, target: str) -> Iterator[WriteAttempt]:
    """Run a write; on the way out record who tried what and how it ended, even on errors."""
    node = current_node()
    attempt = WriteAttempt(node)
    attempt.audited = (action, target)
    status: int | None = None
    try:
        with attempt.scope:
            yield attempt
    except SdmxNodeError as exc:
        status = exc.http_status(api_major())
        attempt.detail = exc.text
        raise
    except HTTPException as exc:  # a limit of the request (413, 408), answered as SDMX
        status = exc.code or 500
        attempt.detail = exc.description or exc.name
        raise
    except Exception as exc:
        error = failure_of(exc)  # said in words; the details are logged under its incident
        status = error.http_status(api_major())
        attempt.detail = error.text
        raise error from exc
    finally:
        principal = attempt.principal
        status = attempt.status if status is None else status
        try:
            record_write(
                node,
                token_id=principal.token_id if principal else "",
                role=principal.role if principal else "",
                action=action,
                target=target,
                outcome=_outcome(status),
                status=status,
                counts=dict(attempt.counts),
                detail=attempt.detail,
                client=request.remote_addr or "",
                started=attempt.started,
                anonymous=attempt.anonymous,
            )
        except SdmxNodeError:
            log.exception("the audit entry of %s %s could not be written", action, target)
