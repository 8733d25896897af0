"""Partial item schemes (`isPartial="true"`) merged into a stored item scheme element.

Follows SDMX-REST 2.x `maintenance.md`, "Partially update Item Schemes" and "ANNEX III -
Nested Items": each item of the partial scheme fully replaces the stored item of that id,
in its place, or is added after the item that precedes it in the partial scheme (at the
end when none does); nested schemes (categories) are merged at the root level only, a
root item replacing its whole tree. Names and descriptions are replaced for the languages
submitted and added for new ones; annotations and the scheme's other attributes are those
submitted. Node choices: a partial scheme without annotations leaves the stored ones as
they are; `isExternalReference`, `structureURL` and `serviceURL` describe the copy sent,
not the scheme, so the stored values stay; an item or scheme sent without its `urn`
keeps the stored one (a URN follows from the identity).
"""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.sdmxml import safe_parser

#: Header children of an item scheme, in the order of the SDMX-ML 2.1 and 3.0 schemas.
_HEADER = ("Annotations", "Link", "Name", "Description", "CodelistExtension")
#: Header children merged language by language (xml:lang).
_BY_LANGUAGE = frozenset({"Name", "Description"})
#: Attributes that describe the copy of the scheme a message carries, not the scheme.
_OF_THE_COPY = frozenset({"isPartial", "isExternalReference", "structureURL", "serviceURL"})
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def is_partial(xml: bytes | etree._Element) -> bool:
    """Whether an artefact element says `isPartial="true"` (an excerpt of its scheme)."""
    element = etree.fromstring(xml, safe_parser()) if isinstance(xml, bytes) else xml
    return element.get("isPartial", "false").strip().lower() in ("true", "1")


def item_ids(xml: bytes) -> list[str]:
    """The ids of the root-level items of an item scheme element, in order."""
    return [_id(child) for child in _items(etree.fromstring(xml, safe_parser()))]


def merge_item_scheme(stored: bytes, partial: bytes, *, keep_partial: bool) -> bytes:
    """The stored item scheme element with the partial one merged in (see the module).

    `keep_partial`: the result is still an excerpt (the stored scheme was partial too) and
    keeps `isPartial="true"`; otherwise the attribute is dropped.
    """
    result = etree.fromstring(stored, safe_parser())
    update = etree.fromstring(partial, safe_parser())
    _merge_attributes(result, update, keep_partial)
    stored_items = _items(result)
    others = [  # children of no known kind, kept between the header and the items
        c
        for c in result
        if _local(c) not in ("", *_HEADER) and not any(c is i for i in stored_items)
    ]
    header = _merged_header(result, update)
    items = _merged_items(stored_items, _items(update))
    for child in list(result):
        result.remove(child)
    for child in [*header, *others, *items]:
        child.tail = None
        result.append(child)
    etree.indent(result)
    return etree.tostring(result, encoding="utf-8")


def only_held_items(partial: bytes, stored: bytes) -> bytes:
    """The partial scheme without the items `stored` does not hold yet."""
    held = set(item_ids(stored))
    element = etree.fromstring(partial, safe_parser())
    for item in _items(element):
        if _id(item) not in held:
            element.remove(item)
    return etree.tostring(element, encoding="utf-8")


def changed_items(stored: bytes, scheme: bytes) -> list[str]:
    """The ids of the items of `stored` that `scheme` lacks or holds with other content
    (compared as canonical XML; a `urn` present on one side only is no difference)."""
    theirs = {_id(i): i for i in _items(etree.fromstring(scheme, safe_parser()))}
    changed = []
    for item in _items(etree.fromstring(stored, safe_parser())):
        other = theirs.get(_id(item))
        if other is None or _canonical_item(item) != _canonical_item(other):
            changed.append(_id(item))
    return changed


def _canonical_item(item: etree._Element) -> str:
    copy = etree.fromstring(etree.tostring(item))
    copy.attrib.pop("urn", None)
    return etree.canonicalize(copy, strip_text=True, rewrite_prefixes=True)


def _merge_attributes(result: etree._Element, update: etree._Element, keep_partial: bool) -> None:
    kept = {k: v for k, v in result.attrib.items() if k in _OF_THE_COPY or k == "urn"}
    for name in list(result.attrib):
        del result.attrib[name]
    for name, value in update.attrib.items():
        if name not in _OF_THE_COPY:
            result.set(name, value)
    for name, value in kept.items():
        if name != "urn" or "urn" not in update.attrib:
            result.set(name, value)
    result.attrib.pop("isPartial", None)
    if keep_partial:
        result.set("isPartial", "true")


def _merged_header(result: etree._Element, update: etree._Element) -> list[etree._Element]:
    merged: list[etree._Element] = []
    for name in _HEADER:
        before = [c for c in result if _local(c) == name]
        after = [c for c in update if _local(c) == name]
        if name in _BY_LANGUAGE:
            by_lang = {c.get(_LANG, "en"): c for c in before}  # xml:lang defaults to en
            for element in after:
                by_lang[element.get(_LANG, "en")] = element
            merged.extend(by_lang.values())
        else:
            merged.extend(after or before)
    return merged


def _merged_items(
    stored: list[etree._Element], submitted: list[etree._Element]
) -> list[etree._Element]:
    """Stored items with the submitted ones replacing them in place; a new item follows the
    item submitted before it (None: the first one submitted, which then goes last)."""
    by_id = {_id(item): item for item in stored}
    following: dict[str | None, list[etree._Element]] = {}
    previous: str | None = None
    for item in submitted:
        item_id = _id(item)
        old = by_id.get(item_id)
        if old is not None:
            if "urn" not in item.attrib and "urn" in old.attrib:
                item.set("urn", old.get("urn", ""))
            by_id[item_id] = item
        else:
            following.setdefault(previous, []).append(item)
        previous = item_id
    merged: list[etree._Element] = []
    for key in [*(_id(item) for item in stored), None]:
        if key is not None:
            merged.append(by_id[key])
        pending = list(reversed(following.get(key, [])))
        while pending:  # a chain of new items, each after the one before it
            item = pending.pop()
            merged.append(item)
            pending.extend(reversed(following.get(_id(item), [])))
    return merged


def _items(scheme: etree._Element) -> list[etree._Element]:
    """The root-level items: the element children with an id (headers have none)."""
    return [c for c in scheme if _local(c) not in ("", *_HEADER) and c.get("id") is not None]


def _id(item: etree._Element) -> str:
    return item.get("id", "")


def _local(element: etree._Element) -> str:
    """The local name of an element child; '' for comments and processing instructions."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""
