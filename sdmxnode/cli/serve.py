"""`sdmxnode serve`, `sdmxnode init` and `sdmxnode settings`: running and setting up a node."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import click

from sdmxnode.config import SETTINGS, load_settings, mask_passwords, read_setting_values
from sdmxnode.errors import SdmxNodeError
from sdmxnode.services.metadata.loading import count_metadata_sets
from sdmxnode.services.node import Node
from sdmxnode.services.setup import initialise_node


def open_node() -> Node:
    """The node the settings (environment) describe."""
    return Node.from_settings(load_settings())


@click.command()
def init() -> None:
    """Create the schema and load the structures of dsd/ and codelists/, the demo data and
    the demo reference metadata (idempotent)."""
    node = open_node()
    try:
        result = initialise_node(node)
    except SdmxNodeError as exc:
        raise click.ClickException(exc.text) from exc
    click.echo(
        f"structures: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged; {node.store.count_artefacts()} artefacts in the store"
    )
    click.echo(f"data: {node.data.count_all_observations()} observations in the store")
    click.echo(f"metadata: {count_metadata_sets(node)} metadata sets in the store")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the node with gunicorn; an empty database is initialised first."""
    settings = load_settings()
    check_thread_settings(settings.threads, settings.max_uploads)
    node = Node.from_settings(settings)
    node.store.create_schema()
    if node.store.count_artefacts() == 0:
        click.echo("empty database: loading the node's structures first")
        result = initialise_node(node)
        click.echo(f"structures: {result.created} created")
    node.store.dispose()  # workers open their own connections after the fork
    _run_gunicorn(host, port, workers)


def _run_gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from sdmxnode.app import create_app

    settings = load_settings()
    max_url = settings.max_url_length
    request_timeout = settings.request_timeout
    threads = settings.threads

    class NodeApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # more threads than upload slots (SDMXNODE_MAX_UPLOADS): reads always find one
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "sdmxnode.web.gunicorn_worker.NodeWorker")
            # the worker's heartbeat must outlive the longest request the node allows
            self.cfg.set("timeout", max(120, request_timeout + 60))
            self.cfg.set("limit_request_line", gunicorn_request_line_limit(max_url))
            self.cfg.set("accesslog", "-")
            self.cfg.set("child_exit", _worker_exited)
            self.cfg.set("control_socket", control_socket_path(host, port))
            self.cfg.set("post_worker_init", _start_deliverer)

        def load(self) -> Any:
            return create_app()

    NodeApplication().run()


def _start_deliverer(worker: Any) -> None:
    """Each worker delivers notifications in a background thread (SDMXNODE_NOTIFY_INTERVAL;
    0: none): claims are atomic, so workers and other `serve` processes share the outbox
    without sending a notification twice at once."""
    from sdmxnode.services.subscriptions.delivery import Deliverer

    node = worker.wsgi.extensions["sdmxnode"]
    if node.settings.notify_interval > 0:
        Deliverer(node, node.settings.notify_interval).start()


def check_thread_settings(threads: int, max_uploads: int) -> None:
    """Refuse (ClickException) thread settings that would let uploads take every thread."""
    if max_uploads < 1 or threads <= max_uploads:
        raise click.ClickException(
            f"SDMXNODE_THREADS ({threads}) must be more than SDMXNODE_MAX_UPLOADS "
            f"({max_uploads}), which must be at least 1: requests without a body need "
            "threads that uploads cannot take"
        )


def control_socket_path(host: str, port: int) -> str:
    """The gunicorn control socket of the instance serving host:port: one per instance
    (gunicorn's default, one per user, would be shared by every node the user runs)."""
    name = f"sdmxnode-{host.replace(':', '_').replace('/', '_')}-{port}.ctl"
    return os.path.join(tempfile.gettempdir(), name)


def _worker_exited(_server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook (in the master): the write attempts a worker left
    'started' (killed mid-load, crashed) are marked interrupted in the audit log at once."""
    from sdmxnode.services.access import mark_interrupted_writes

    node = open_node()
    try:
        mark_interrupted_writes(node, [worker.pid])
    except SdmxNodeError as exc:  # the database is down: the next start marks them
        click.echo(f"could not mark the writes of worker {worker.pid} interrupted: {exc.text}")
    finally:
        node.store.dispose()


def gunicorn_request_line_limit(max_url_length: int) -> int:
    """gunicorn's limit_request_line for SDMXNODE_MAX_URL_LENGTH: just above it, so that the
    node answers an over-long URL itself (SDMX 414); 0 (unlimited) when gunicorn's own
    ceiling of 8190 bytes is too low for the setting (or the setting is 0)."""
    limit = max_url_length + 64  # the method, the spaces and " HTTP/1.1"
    return 0 if max_url_length <= 0 or limit > 8190 else limit


@click.command("settings")
def show_settings() -> None:
    """List every setting: environment variable, current value (passwords in URLs masked)
    and what it is for."""
    values = read_setting_values()
    for setting in SETTINGS:
        shown = mask_passwords(str(values[setting.name]))
        click.echo(f"{setting.env}={shown}\n    {setting.help}")
