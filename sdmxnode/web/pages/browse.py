"""Pages for browsing: home (catalogue and search), a dataflow, a code list, a metadata set,
a structure map and a representation map."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sdmxnode.services.pages.bilateral import is_bilateral
from sdmxnode.services.pages.catalogue import get_artefact, get_catalogue
from sdmxnode.services.pages.codelist import get_codelist_view
from sdmxnode.services.pages.dataflow import data_url, get_dataflow_view, list_download_links
from sdmxnode.services.pages.maps import (
    get_representation_map_view,
    get_structure_map_view,
    list_maps,
    list_representation_maps_of,
    list_structure_maps_of,
)
from sdmxnode.services.pages.metadata import (
    get_metadata_view,
    list_flow_metadata,
    metadata_rest_url,
)
from sdmxnode.services.pages.mirror import bilateral_target
from sdmxnode.services.pages.providers import dataflow_providers
from sdmxnode.services.pages.search import SearchResults, search_node
from sdmxnode.web import current_node
from sdmxnode.web.pages.common import choose_language, register_html_errors, render_page

blueprint = Blueprint("pages_browse", __name__)
register_html_errors(blueprint)


@blueprint.route("/")
def home() -> Response:
    """What the node publishes, dataflows by category, and search over dataflows, codes and
    data (results that open the explorer on the codes found)."""
    language, _ = choose_language()
    node = current_node()
    query = request.args.get("q", "").strip()
    return render_page(
        "home.html",
        catalogue=get_catalogue(node, language),
        query=query,
        results=search_node(node, query, language) if query else SearchResults([], []),
        maps=list_maps(node, language),
    )


@blueprint.route("/dataflow/<agency>/<id_>")
def dataflow(agency: str, id_: str) -> Response:
    """A dataflow: its DSD, availability, downloads and the REST URL of its data."""
    language, _ = choose_language()
    node = current_node()
    view = get_dataflow_view(node, agency, id_, request.args.get("version"), language)
    key = request.args.get("key", "").strip() or "all"
    return render_page(
        "dataflow.html",
        view=view,
        key=key,
        rest_url=data_url(request.url_root, view.flow_ref, key),
        downloads=list_download_links(request.url_root, view.flow_ref, key)
        if view.availability
        else [],
        bilateral=bilateral_target(node, view) is not None,
        origins=is_bilateral(view),
        metadata=list_flow_metadata(node, view.artefact.ref, language),
        providers=dataflow_providers(node, view.artefact.ref),
        metadata_url=lambda m: metadata_rest_url(request.url_root, m.agency_id, m.id, m.version),
        maps=list_structure_maps_of(node, view.artefact, language),
    )


@blueprint.route("/codelist/<agency>/<id_>")
def codelist(agency: str, id_: str) -> Response:
    """A code list: codes with names in every language, annotations, hierarchy, members,
    aggregate checks and a filter (`?q=`)."""
    language, _ = choose_language()
    node = current_node()
    query = request.args.get("q", "").strip()
    version = request.args.get("version")
    view = get_codelist_view(node, agency, id_, version, language, query)
    artefact = get_artefact(node, "Codelist", agency, id_, version)
    maps = list_representation_maps_of(node, artefact, language)
    return render_page("codelist.html", view=view, query=query, maps=maps)


@blueprint.route("/structuremap/<agency>/<id_>")
def structure_map(agency: str, id_: str) -> Response:
    """A structure map: source and target, component maps with names, fixed values."""
    language, _ = choose_language()
    view = get_structure_map_view(
        current_node(), agency, id_, request.args.get("version"), language
    )
    return render_page("structuremap.html", view=view)


@blueprint.route("/representationmap/<agency>/<id_>")
def representation_map(agency: str, id_: str) -> Response:
    """A representation map: its rules with code names, searchable (`?q=`)."""
    language, _ = choose_language()
    query = request.args.get("q", "").strip()
    view = get_representation_map_view(
        current_node(), agency, id_, request.args.get("version"), language, query
    )
    return render_page("representationmap.html", view=view, query=query)


@blueprint.route("/metadata/<agency>/<id_>/<version>")
def metadata_set(agency: str, id_: str, version: str) -> Response:
    """A reference metadata set: its targets and reported attributes in words."""
    language, _ = choose_language()
    view = get_metadata_view(current_node(), agency, id_, version, language)
    return render_page(
        "metadata.html",
        view=view,
        rest_url=metadata_rest_url(request.url_root, agency, id_, version),
    )
