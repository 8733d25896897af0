"""An allow-list sanitiser for the XHTML of reported metadata (SDMX `StructuredText`).

Metadata sets come from data providers; their XHTML is shown on the node's pages, so only
presentational tags survive: paragraphs, lists, links (http, https and mailto only),
emphasis, line breaks, tables, headings, `div` and `span`. Every other element is dropped:
`script`, `style` and the like with their content, anything else (`font`, `img`, `form`...)
keeping its text. Attributes other than `href` on links (and `colspan`/`rowspan`/`scope`
on table cells) are dropped, among them every `on*` handler and `style`.
No bleach or nh3 is installed in the node's environment, so this is lxml only.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree, html

ALLOWED_TAGS = frozenset(
    "p ul ol li a em strong br table caption thead tbody tfoot tr th td "
    "h1 h2 h3 h4 h5 h6 div span".split()
)
#: Elements dropped with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    "script style iframe object embed template noscript head title svg math".split()
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "td": frozenset({"colspan", "rowspan"}),
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def _local(tag: object) -> str:
    """An element's tag without its namespace (XHTML comes namespaced), '' for comments."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _safe_link(href: str) -> bool:
    cleaned = "".join(ch for ch in href if ch > " ")  # 'java\tscript:' is javascript:
    return urlsplit(cleaned).scheme.lower() in LINK_SCHEMES


def _drop(element: etree._Element, keep_text: bool) -> None:
    if keep_text:
        element.drop_tag()  # type: ignore[attr-defined]
    else:
        element.drop_tree()  # type: ignore[attr-defined]


def sanitise_xhtml(markup: str) -> str:
    """`markup` (an XHTML fragment, usually one `div`) reduced to the allowed tags and
    attributes, serialised as HTML; '' when nothing readable is left."""
    try:
        fragments = html.fragments_fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    root = html.Element("div")
    for fragment in fragments:
        if isinstance(fragment, str):
            root.text = (root.text or "") + fragment
        else:
            root.append(fragment)
    for element in list(root.iterdescendants()):
        if element.getparent() is None:
            continue  # inside a tree already dropped
        tag = _local(element.tag)
        if tag not in ALLOWED_TAGS:
            _drop(element, keep_text=bool(tag) and tag not in DROPPED_WITH_CONTENT)
            continue
        element.tag = tag
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name in list(element.attrib):
            value = element.attrib[name]
            if name not in allowed or (name == "href" and not _safe_link(value)):
                del element.attrib[name]
    body = (root.text or "") + "".join(html.tostring(child, encoding="unicode") for child in root)
    return body.strip()
