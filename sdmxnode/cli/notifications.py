"""The `sdmxnode notifications` command: the outbox, the delivery log and a delivery pass."""

from __future__ import annotations

import sys

import click

from sdmxnode.config import load_settings
from sdmxnode.services.node import Node
from sdmxnode.services.subscriptions.delivery import deliver_due, delivery_log, list_notifications
from sdmxnode.services.subscriptions.submission import subscriptions_of


@click.command()
@click.option("--deliver", is_flag=True, help="Make one delivery pass now.")
@click.option("--state", default=None, help="Only notifications pending, delivered or failed.")
@click.option("--log", "show_log", is_flag=True, help="Show the delivery log (attempts).")
@click.option("--limit", default=50, show_default=True, help="At most this many lines.")
def notifications(deliver: bool, state: str | None, show_log: bool, limit: int) -> None:
    """List the subscriptions and the latest notifications (state, attempts, last error);
    with --deliver, deliver what is due first (as the deliverer of `serve` does every
    SDMXNODE_NOTIFY_INTERVAL seconds). Exit status 1 when a delivery failed."""
    node = Node.from_settings(load_settings())
    node.store.create_schema()
    failed = False
    if deliver:
        report = deliver_due(node)
        click.echo(
            f"delivered {report.delivered}, to retry {report.retried}, failed {report.failed}"
        )
        for error in report.errors:
            click.echo(f"  {error}", err=True)
        failed = bool(report.errors)
    if show_log:
        for attempt in delivery_log(node, limit):
            outcome = attempt.error or f"answered {attempt.status}"
            click.echo(
                f"{attempt.at.isoformat(timespec='seconds')}Z notification "
                f"{attempt.notification_pk} -> {attempt.url or '-'}: {outcome}"
            )
        sys.exit(1 if failed else 0)
    for subscription in subscriptions_of(node).find():
        click.echo(
            f"subscription {subscription.id} ({subscription.owner}): "
            f"{', '.join(subscription.callbacks)}; events: "
            f"{', '.join(s.kind for s in subscription.selectors)}; valid "
            f"{subscription.valid_from} to {subscription.valid_to}"
        )
    for n in list_notifications(node, state, limit):
        subject = n.registration_id or n.object_urn
        line = (
            f"{n.pk} {n.state} {n.kind} {n.action} {subject} -> {n.subscription_id} "
            f"(attempts {n.attempts})"
        )
        click.echo(line + (f": {n.last_error}" if n.last_error else ""))
    sys.exit(1 if failed else 0)
