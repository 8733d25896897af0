"""`sdmxnode load` and `sdmxnode validate`: storing and checking data and structure messages."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from sdmxnode.errors import SdmxNodeError


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--dataflow",
    default=None,
    help="AGENCY,ID[,VERSION] of the dataflow, when a message names only its DSD.",
)
@click.option(
    "--format", "kind", default=None, help="sdmx-ml, sdmx-csv or sdmx-json (default: detected)."
)
@click.option(
    "--metadata-structure",
    default=None,
    help="Type=AGENCY:ID(VERSION) (or a URN) of the metadataflow or metadata structure to "
    "check reference metadata against, instead of the one the message names.",
)
@click.option(
    "--provider",
    default=None,
    help="AGENCY:ID of the data provider reporting the data (it needs a provision agreement"
    " for the dataflow). Default: the provider of the dataflow's only agreement, if any.",
)
@click.option(
    "--map",
    "structure_map",
    default=None,
    help="AGENCY:ID(VERSION) of a StructureMap the node holds: the data, in the map's source "
    "structure, are converted to its target dataflow first.",
)
def load(
    files: tuple[str, ...],
    dataflow: str | None,
    kind: str | None,
    metadata_structure: str | None,
    provider: str | None,
    structure_map: str | None,
) -> None:
    """Validate and store data, structure or reference-metadata messages; each file is one
    transaction.

    With --map, data messages in an institution's own structure are converted through that
    structure map to the common dataflow it targets, then validated and stored as usual.
    Structure messages (SDMX-ML) follow the rules of structure maintenance, and metadata
    messages (SDMX-ML 2.1/3.0 generic metadata, SDMX-JSON 2.0) are stored by their actions,
    as submitted over HTTP by an admin.
    """
    from sdmxnode.cli.access import record_cli_write
    from sdmxnode.cli.serve import open_node
    from sdmxnode.errors import LoadRejected
    from sdmxnode.services.access import parse_provider
    from sdmxnode.services.data.loading import LoadOptions, load_data

    node = open_node()
    node.store.create_schema()
    target = _dataflow_option(dataflow)
    metadata_target = _metadata_structure_option(metadata_structure)
    map_ref = _map_option(structure_map)
    try:
        reporter = parse_provider(provider) if provider is not None else None
    except SdmxNodeError as exc:
        raise click.BadParameter(exc.text, param_hint="--provider") from exc
    failed = False
    for name in files:
        path = Path(name)
        if _is_metadata(path):
            failed = not _load_metadata(node, path, metadata_target) or failed
            continue
        message = _structure_message(path)
        if message is not None:
            if target is not None:
                raise click.BadParameter(
                    f"{path.name} is a structure message: --dataflow applies to data",
                    param_hint="--dataflow",
                )
            failed = not _load_structures(node, path, message) or failed
            continue
        try:
            with _progress(path) as progress:
                result = load_data(
                    node,
                    path,
                    LoadOptions(
                        source=path.name,
                        principal="cli",
                        kind=kind,
                        dataflow=target,
                        progress=progress,
                        provider=reporter,
                        structure_map=map_ref,
                    ),
                )
        except LoadRejected as exc:
            failed = True
            record_cli_write(node, "data.load", path.name, ok=False, counts={}, detail=exc.text)
            click.echo(exc.report.to_text(), err=True)
            click.echo(f"{path.name}: not loaded ({exc.report.errors} errors)", err=True)
            continue
        except SdmxNodeError as exc:
            failed = True
            record_cli_write(node, "data.load", path.name, ok=False, counts={}, detail=exc.text)
            click.echo(f"{path.name}: not loaded: {exc.text}", err=True)
            continue
        record_cli_write(
            node,
            "data.load",
            path.name,
            ok=True,
            counts={
                "observations_written": result.observations_written,
                "observations_deleted": result.observations_deleted,
            },
        )
        for warning in result.report.findings:
            click.echo(f"{path.name}: {warning.severity}: {warning.message}", err=True)
        for dataflow_name, counts in result.counts.items():
            converted = result.conversions.get(dataflow_name)
            click.echo(
                f"{path.name}: {dataflow_name}: {counts.series_written} series, "
                f"{counts.observations_written} observations written, "
                f"{counts.observations_deleted} deleted"
                + (f" (converted through {converted})" if converted else "")
            )
    if failed:
        sys.exit(1)


def _structure_message(path: Path):
    """The opened message when `path` holds a structure message, else None (data, or what
    the data loader reports on)."""
    from sdmxnode.formats.input import open_message
    from sdmxnode.services.structures.messages import structure_message_kind

    try:
        message = open_message(path)
    except SdmxNodeError:
        return None
    return message if structure_message_kind(message) else None


def _load_structures(node, path: Path, message) -> bool:
    """Load one structure message; print each artefact's outcome; True when it was stored."""
    from sdmxnode.cli.access import record_cli_write
    from sdmxnode.services.structures.messages import load_structure_message

    try:
        loaded = load_structure_message(node, message, source=path.name)
    except SdmxNodeError as exc:
        record_cli_write(node, "structure.load", path.name, ok=False, counts={}, detail=exc.text)
        click.echo(f"{path.name}: not loaded: {exc.text}", err=True)
        return False
    refused = [r for r in loaded.result.results if not r.succeeded]
    record_cli_write(
        node,
        "structure.load",
        path.name,
        ok=loaded.stored,
        counts=loaded.result.counts,
        detail="; ".join(r.message for r in refused),
    )
    for result in loaded.result.results:
        ref = f"{result.ref.type} {result.ref.identity}"
        if not result.succeeded:
            click.echo(f"{path.name}: {ref}: refused: {result.message}", err=True)
        elif loaded.stored:
            click.echo(f"{path.name}: {ref}: {result.result}")
    if not loaded.stored:
        click.echo(f"{path.name}: not loaded ({len(refused)} artefacts refused)", err=True)
    return loaded.stored


def _is_metadata(path: Path) -> bool:
    from sdmxnode.formats.input import open_message
    from sdmxnode.services.metadata.checking import is_metadata_message

    try:
        return is_metadata_message(open_message(path))
    except SdmxNodeError:
        return False


def _load_metadata(node, path: Path, structure) -> bool:
    """Load one reference-metadata message; print each set's outcome; True when stored."""
    from sdmxnode.cli.access import record_cli_write
    from sdmxnode.errors import LoadRejected
    from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata

    try:
        result = load_metadata(
            node, path, MetadataLoadOptions(source=path.name, principal="cli", structure=structure)
        )
    except LoadRejected as exc:
        record_cli_write(node, "metadata.load", path.name, ok=False, counts={}, detail=exc.text)
        click.echo(exc.report.to_text(), err=True)
        click.echo(f"{path.name}: not loaded ({exc.report.errors} errors)", err=True)
        return False
    except SdmxNodeError as exc:
        record_cli_write(node, "metadata.load", path.name, ok=False, counts={}, detail=exc.text)
        click.echo(f"{path.name}: not loaded: {exc.text}", err=True)
        return False
    record_cli_write(
        node, "metadata.load", path.name, ok=True, counts={"sets": len(result.outcomes)}
    )
    for finding in result.report.findings:
        click.echo(f"{path.name}: {finding.severity}: {finding.message}", err=True)
    for identity, outcome in result.outcomes.items():
        click.echo(f"{path.name}: metadata set {identity}: {outcome}")
    return True


def _metadata_structure_option(text: str | None):
    if text is None:
        return None
    import re

    from sdmxnode.formats.sdmxml.metadata.reader import urn_ref
    from sdmxnode.refs import ArtefactRef

    ref = urn_ref(text.strip())
    match = re.fullmatch(r"(\w+)=([^:]+):([^(]+)\(([^)]*)\)", text.strip())
    if ref is None and match is not None:
        ref = ArtefactRef(*match.groups())
    if ref is None or ref.type not in ("Metadataflow", "MetadataStructure"):
        raise click.BadParameter(
            "use Metadataflow=AGENCY:ID(VERSION), MetadataStructure=AGENCY:ID(VERSION) or a URN",
            param_hint="--metadata-structure",
        )
    return ref


def _dataflow_option(text: str | None):
    if text is None:
        return None
    from sdmxnode.refs import ArtefactRef

    parts = text.split(",")
    if len(parts) not in (2, 3):
        raise click.BadParameter("use AGENCY,ID or AGENCY,ID,VERSION", param_hint="--dataflow")
    return ArtefactRef("Dataflow", parts[0], parts[1], parts[2] if len(parts) == 3 else "")


@contextmanager
def _progress(path: Path) -> Iterator[Callable[[int], None] | None]:
    """A progress bar over observations for files over a few MB (on a terminal)."""
    if path.stat().st_size < 5_000_000 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(
        length=0,
        label=f"{path.name}: observations",
        file=sys.stderr,
        show_pos=True,
        show_percent=False,
    ) as bar:
        yield bar.update


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--structure",
    "structures",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="SDMX-ML structure message(s) to validate against (with the project's own).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How the report is printed.",
)
@click.option(
    "--metadata-structure",
    default=None,
    help="Type=AGENCY:ID(VERSION) (or a URN) of the metadataflow or metadata structure to "
    "check reference metadata against, instead of the one the message names.",
)
@click.option(
    "--map",
    "structure_map",
    default=None,
    help="AGENCY:ID(VERSION) of a StructureMap (in --structure files or the project's own): "
    "the data, in the map's source structure, are converted to its target dataflow and the "
    "result is checked.",
)
def validate(
    files: tuple[str, ...],
    structures: tuple[str, ...],
    output: str,
    metadata_structure: str | None,
    structure_map: str | None,
) -> None:
    """Check messages (schema, then every structure rule) without storing anything.

    Data are checked against the structures given with --structure together with the
    project's own dsd/ and codelists/. Exit status 0 only when every file is valid.
    Reference-metadata messages are checked against the metadataflows and metadata
    structures among those structures. SDMX error messages are not submissions
    (NOT_A_SUBMISSION).
    """
    import json

    from sdmxnode.config import load_settings
    from sdmxnode.services.message_validation import validate_message
    from sdmxnode.services.structures.files import default_cache_dir, structures_resolver

    settings = load_settings()
    metadata_target = _metadata_structure_option(metadata_structure)
    map_ref = _map_option(structure_map)
    all_valid = True
    with structures_resolver(
        [Path(p) for p in structures],
        settings.structure_dirs,
        default_cache_dir(settings.validate_cache),
    ) as resolve:
        reports = {}
        for name in files:
            path = Path(name)
            report = validate_message(
                resolve,
                path,
                source=path.name,
                settings=settings,
                maintenance=lambda: resolve.scratch_node(settings),
                metadata_structure=metadata_target,
                structure_map=map_ref,
            )
            all_valid = all_valid and report.is_valid
            reports[path.name] = report
    if output == "json":
        click.echo(json.dumps({n: r.to_json() for n, r in reports.items()}, indent=1))
    else:
        for file_name, report in reports.items():
            click.echo(f"== {file_name}")
            click.echo(report.to_text(), nl=False)
    sys.exit(0 if all_valid else 1)


def _map_option(text: str | None):
    """The StructureMap reference of --map, or None; a bad one is a usage error."""
    if text is None:
        return None
    from sdmxnode.services.mapping import parse_map_ref

    try:
        return parse_map_ref(text)
    except SdmxNodeError as exc:
        raise click.BadParameter(exc.text, param_hint="--map") from exc
