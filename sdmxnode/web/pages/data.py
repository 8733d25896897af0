"""Pages over data: the explorer (filters, table, chart), the comparability page, the
mirror-statistics page and the origin-and-destination page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from sdmxnode.errors import SemanticError
from sdmxnode.services.checks.providers import list_shared_figures
from sdmxnode.services.pages.bilateral import get_bilateral_view, is_bilateral
from sdmxnode.services.pages.compare.comparability import (
    SHOW_CHOICES,
    compare_definitions,
    parse_compare_options,
    select_rows,
)
from sdmxnode.services.pages.compare.recommendations import metadata_definitions
from sdmxnode.services.pages.dataflow import data_url, get_dataflow_view, list_download_links
from sdmxnode.services.pages.explorer.display import DEFAULT_SORT, SORTS
from sdmxnode.services.pages.explorer.exploration import explore
from sdmxnode.services.pages.explorer.hierarchy import region_choice
from sdmxnode.services.pages.explorer.selection import (
    PERIOD_PARAMETERS,
    default_key,
    key_from_choices,
    period_choices,
)
from sdmxnode.services.pages.explorer.snippets import list_snippets
from sdmxnode.services.pages.mirror import bilateral_target, get_mirror_view
from sdmxnode.web import current_node
from sdmxnode.web.i18n import translate
from sdmxnode.web.pages.common import choose_language, register_html_errors, render_page

blueprint = Blueprint("pages_data", __name__)
register_html_errors(blueprint)

#: The prefix of the explorer form's per-dimension fields (`dim.REF_AREA=1`).
FIELD_PREFIX = "dim."
#: The prefix of its "members of a region" fields (`members.REF_AREA=14`: Eastern Africa's
#: members), which replace that dimension's codes.
MEMBERS_PREFIX = "members."


@blueprint.route("/explore/<agency>/<id_>")
def explorer(agency: str, id_: str) -> Response:
    """The explorer for the selection `?key=` (SDMX key syntax); the filter form's fields
    (one per dimension) are turned into that key by a redirect, a "members of a region"
    field replacing its dimension's codes by that region's members."""
    language, _ = choose_language()
    node = current_node()
    version = request.args.get("version")
    view = get_dataflow_view(node, agency, id_, version, language)
    dimensions = [d.id for d in view.structure.dimensions]
    if any(name.startswith((FIELD_PREFIX, MEMBERS_PREFIX)) for name in request.args):
        choices = {
            name[len(FIELD_PREFIX) :]: "+".join(v for v in request.args.getlist(name) if v)
            for name in request.args
            if name.startswith(FIELD_PREFIX)
        }
        for name, region in request.args.items():
            if name.startswith(MEMBERS_PREFIX) and region.strip():
                dimension = name[len(MEMBERS_PREFIX) :]
                choices[dimension] = region_choice(view, dimension, region.strip())
        kept = ("lang", "version", "sort", *PERIOD_PARAMETERS)
        values: dict[str, str] = {k: v for k, v in request.args.items() if k in kept and v}
        values.update(agency=agency, id_=id_, key=key_from_choices(dimensions, choices))
        target = url_for(".explorer", **values)  # type: ignore[arg-type]
        return redirect(target, code=303)  # type: ignore[return-value]
    key = request.args.get("key")
    if key is None:
        key = default_key(view)
    periods = period_choices(request.args)
    sort = request.args.get("sort", DEFAULT_SORT)
    exploration = explore(
        node, view, key.strip().replace(" ", "+"), periods, sort, translate=translate
    )
    rest_key = exploration.key or "all"
    rest_url = data_url(request.url_root, view.flow_ref, rest_key, periods=periods)
    csv_url = data_url(request.url_root, view.flow_ref, rest_key, "csvdata-1.0", periods)
    return render_page(
        "explore.html",
        view=view,
        exploration=exploration,
        field_prefix=FIELD_PREFIX,
        members_prefix=MEMBERS_PREFIX,
        periods=periods,
        rest_url=rest_url,
        snippets=list_snippets(rest_url, csv_url),
        sorts=SORTS,
        downloads=list_download_links(request.url_root, view.flow_ref, rest_key, periods),
        origins=is_bilateral(view),
    )


@blueprint.route("/compare/<agency>/<id_>")
def compare(agency: str, id_: str) -> Response:
    """Which definition each reporting country uses, side by side: from the data's
    attributes, and from each country's reference metadata set."""
    language, _ = choose_language()
    node = current_node()
    view = get_dataflow_view(node, agency, id_, request.args.get("version"), language)
    comparison = compare_definitions(node, view, language)
    options = parse_compare_options(request.args, comparison)
    return render_page(
        "compare.html",
        view=view,
        comparison=comparison,
        options=options,
        rows=select_rows(comparison, options),
        show_choices=SHOW_CHOICES,
        from_metadata=metadata_definitions(node, view, language),
        bilateral=bilateral_target(node, view) is not None,
        origins=is_bilateral(view),
        shared=list_shared_figures(node, view.artefact),
    )


@blueprint.route("/mirror/<agency>/<id_>")
def mirror(agency: str, id_: str) -> Response:
    """One country's corridors of a bilateral flow dataflow (`?country=`): both reports of
    each flow, as a table and a chart; without a country, the countries to choose from."""
    language, _ = choose_language()
    node = current_node()
    view = get_dataflow_view(node, agency, id_, request.args.get("version"), language)
    target = bilateral_target(node, view)
    if target is None:
        raise SemanticError(
            f"{view.name} ({agency}:{id_}) has no bilateral flows: mirror statistics need a "
            "dataflow with data by reporting country, flow type (immigration or emigration) "
            "and country of previous or next residence",
            where="dataflow",
        )
    country = request.args.get("country", "").strip() or None
    mirror_view = get_mirror_view(node, view, target, country)
    selection: dict[str, Any] = {"country": country} if country else {}
    return render_page(
        "mirror.html",
        view=view,
        mirror=mirror_view,
        bilateral=True,
        chart=request.args.get("chart", "reports"),
        json_url=url_for("checks.mirror", agency=agency, id_=id_, **selection),
        csv_url=url_for("checks.mirror", agency=agency, id_=id_, format="csv", **selection),
    )


@blueprint.route("/origins/<agency>/<id_>")
def origins(agency: str, id_: str) -> Response:
    """A country's emigrants by destination and immigrants by origin (`?country=`), and one
    corridor from both ends (`&partner=`), from a bilateral stock dataflow; without a
    country, the countries to choose from."""
    language, _ = choose_language()
    node = current_node()
    view = get_dataflow_view(node, agency, id_, request.args.get("version"), language)
    if not is_bilateral(view):
        raise SemanticError(
            f"{view.name} ({agency}:{id_}) has no data by origin: this page needs a dataflow "
            "with data by destination (REF_AREA) and country of birth (COUNTRY_BIRTH)",
            where="dataflow",
        )
    country = request.args.get("country", "").strip() or None
    partner = request.args.get("partner", "").strip() or None
    page = get_bilateral_view(node, view, country, partner)
    return render_page(
        "origins.html",
        view=view,
        origins=True,
        bilateral=bilateral_target(node, view) is not None,
        page=page,
        keys=page.keys,
        rest_urls={
            name: data_url(request.url_root, view.flow_ref, key) for name, key in page.keys.items()
        },
    )
