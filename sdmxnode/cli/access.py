"""`sdmxnode token ...` and `sdmxnode audit`: credentials and the record of writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from sdmxnode.config import load_settings
from sdmxnode.errors import SdmxNodeError
from sdmxnode.services.access import (
    ROLES,
    issue_token,
    parse_dataflow,
    parse_expiry,
    record_write,
)
from sdmxnode.services.node import Node


def _node() -> Node:
    node = Node.from_settings(load_settings())
    node.store.create_schema()
    return node


@click.group()
def token() -> None:
    """Create, list and revoke the bearer tokens that writes need."""


@token.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the token may do.")
@click.option(
    "--agency",
    "agencies",
    multiple=True,
    help="Agency whose structures (maintainer) or dataflows (provider) the token may change.",
)
@click.option(
    "--dataflow",
    "dataflows",
    multiple=True,
    help="AGENCY,ID,VERSION of a dataflow (or metadataflow) a provider token may write "
    "(repeatable).",
)
@click.option(
    "--provider",
    default=None,
    help="AGENCY:ID of the data provider a provider token acts for: it writes only what "
    "that provider's provision agreements allow.",
)
@click.option("--label", default="", help="Who or what the token is for (shown in listings).")
@click.option(
    "--expires",
    default=None,
    help="When the token stops working: a duration (30m, 12h, 90d, 2w) or an ISO 8601 date "
    "or time (UTC). Default: never.",
)
def create(
    role: str,
    agencies: tuple[str, ...],
    dataflows: tuple[str, ...],
    provider: str | None,
    label: str,
    expires: str | None,
) -> None:
    """Create a token; its secret is printed once, alone on the last line."""
    try:
        record, secret = issue_token(
            _node(),
            role=role,
            agencies=agencies,
            dataflows=[parse_dataflow(text) for text in dataflows],
            label=label,
            expires=parse_expiry(expires) if expires is not None else None,
            provider=provider,
        )
    except SdmxNodeError as exc:
        raise click.UsageError(exc.text) from exc
    until = f", expires {record.expires:%Y-%m-%d %H:%M} UTC" if record.expires else ""
    click.echo(f"token {record.token_id} created: role {record.role}{until}{_rights(record)}")
    click.echo("the secret below is shown only now; send it as 'Authorization: Bearer <secret>'")
    click.echo(secret)


def _rights(record: object) -> str:
    agencies = getattr(record, "agencies", ())
    dataflows = getattr(record, "dataflows", ())
    parts = []
    provider = getattr(record, "provider", None)
    if provider:
        parts.append(f"data provider {provider}")
    if agencies:
        parts.append("agencies " + ", ".join(agencies))
    if dataflows:
        parts.append("dataflows " + ", ".join(f"{a}:{i}({v})" for a, i, v in dataflows))
    return (", " + "; ".join(parts)) if parts else ""


@token.command("revoke")
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke a token by its id (as shown by `token list`); it stops working at once."""
    if not _node().access.revoke_token(token_id):
        raise click.ClickException(f"no live token with id {token_id}")
    click.echo(f"token {token_id} revoked")


@token.command("list")
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_tokens(output: str) -> None:
    """List the tokens (never their secrets): id, role, state (live, expired, revoked),
    created, expiry, last use, rights. Times in UTC."""
    records = _node().access.list_tokens()
    if output == "json":
        click.echo(json.dumps([record.to_json() for record in records], indent=1))
        return
    now = datetime.now(UTC)
    for record in records:
        if record.revoked:
            state = f"revoked {record.revoked:%Y-%m-%d %H:%M}"
        elif record.expired(now):
            state = f"expired {record.expires:%Y-%m-%d %H:%M}"
        else:
            state = f"live until {record.expires:%Y-%m-%d %H:%M}" if record.expires else "live"
        used = f"{record.last_used:%Y-%m-%d %H:%M}" if record.last_used else "never"
        click.echo(
            f"{record.token_id}  {record.role:<10} {state:<27}  "
            f"created {record.created:%Y-%m-%d %H:%M}  last used {used}{_rights(record)}"
            + (f"  [{record.label}]" if record.label else "")
        )


@click.command()
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
@click.option("--since", default=None, help="Only entries at or after this ISO 8601 time (UTC).")
@click.option("--token", "token_id", default=None, help="Only the entries of this token id.")
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def audit(limit: int, since: str | None, token_id: str | None, output: str) -> None:
    """Show the audit log of writes, latest first: when, who, what, outcome, counts."""
    try:
        start = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 time: {since}", param_hint="--since") from exc
    entries = _node().access.list_audit(limit=limit, since=start, token_id=token_id)
    if output == "json":
        click.echo(json.dumps([entry.to_json() for entry in entries], indent=1))
        return
    for entry in entries:
        counts = " ".join(f"{k}={v}" for k, v in entry.counts.items())
        click.echo(
            f"{entry.at:%Y-%m-%dT%H:%M:%SZ} {entry.token_id or '-':<13} {entry.role or '-':<10} "
            f"{entry.action:<18} {entry.outcome:<8} {entry.status} {entry.target}"
            + (f" {counts}" if counts else "")
            + (f" -- {entry.detail}" if entry.detail else "")
        )


def record_cli_write(
    node: Node, action: str, target: str, *, ok: bool, counts: dict[str, int], detail: str = ""
) -> None:
    """Audit a write made on the command line (no token: the operating-system user)."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    try:
        record_write(
            node,
            token_id="",
            role="cli",
            action=action,
            target=target,
            outcome="ok" if ok else "rejected",
            status=200 if ok else 400,
            counts=counts,
            detail=detail,
            client=f"cli:{user}",
        )
    except SdmxNodeError as exc:  # e.g. a database locked longer than its busy timeout
        click.echo(f"warning: the audit entry for {target} was not written: {exc.text}", err=True)
