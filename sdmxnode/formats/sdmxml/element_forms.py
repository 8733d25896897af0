"""Artefacts written from their stored SDMX-ML element: the element in another SDMX-ML
version, and the views of `detail` and item queries.

sdmx1 2.28 models no process and cannot read a reporting taxonomy (its SDMX-ML 2.1 reader
stops at `str:ReportingTaxonomies`), nor SDMX 3.0's maps and hierarchy associations, so the
node writes these from the element it stored (`services.structures.queries.ELEMENT_ONLY`).
Reporting taxonomies and processes exist in SDMX 2.1 and 3.0 with the same content; only the
vocabulary differs, and `element_in` rewrites it:

- namespaces (`str`, `com`) of the version;
- references: SDMX-ML 2.1 writes a `<Ref>` (or `<URN>`) child where 3.0 writes the URN as
  the element's text (`ProvisioningMetadata`, `StructuralMetadata`, `ObjectReference`); 2.1
  gets the `<URN>` form, which its `ReferenceType` allows alone; a transition's `TargetStep`
  is a `<Ref id="..."/>` to a local step in 2.1 and the step's id as text in 3.0;
- what one version lacks: 3.0 has no `isFinal` (a 3.0 version without an extension is
  final, and is written `isFinal="true"` in 2.1), 2.1 has no `common:Link` and no
  `AnnotationValue` (left out going to 2.1).

`element_view` gives the stubs of `detail` (marked as external references, without items or
steps; a complete stub keeps the description and annotations) and the reporting categories
an item query asks for.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from sdmxnode.formats.reports.registry_interface import PACKAGE_21
from sdmxnode.formats.sdmxml import NS21, NS30, safe_parser
from sdmxnode.formats.sdmxml.elements import is_stable_version
from sdmxnode.formats.sdmxml.version31 import element_as_ml30, element_as_ml31
from sdmxnode.refs import parse_urn

#: Elements holding a reference to another artefact (2.1: a Ref/URN child; 3.0: URN text).
REFERENCE_ELEMENTS = frozenset({"ProvisioningMetadata", "StructuralMetadata", "ObjectReference"})
#: Elements holding a reference to a step of the same process.
LOCAL_REFERENCE_ELEMENTS = frozenset({"TargetStep"})
#: What a stub leaves out besides the description and annotations: the items of a scheme
#: and the steps of a process. What the schema requires (a map's source and target, an
#: association's links) stays, so that the stub is valid.
STUB_DROPS = frozenset({"ReportingCategory", "ProcessStep"})
#: The item element of each element-only item scheme.
ITEM_ELEMENTS = {"ReportingTaxonomy": "ReportingCategory"}

#: SDMX 2.1 classes (as a `Ref` spells them) named otherwise in SDMX 3.0 URNs.
_CLASSES_30 = {
    "ContentConstraint": ("registry", "DataConstraint"),
    "HierarchicalCodelist": ("codelist", "Hierarchy"),
}
#: And back: SDMX 3.0 classes of maintainable artefacts that SDMX 2.1 names otherwise.
_CLASSES_21 = {cls30: (package, cls21) for cls21, (package, cls30) in _CLASSES_30.items()}


def element_in(version: str, stored: str, xml: bytes) -> bytes:
    """The stored element (SDMX-ML `stored`: 2.1, 3.0 or 3.1) in SDMX-ML `version`."""
    if version == stored:
        return xml
    if version == "2.1":
        return _as_21(element_as_ml30(xml) if stored == "3.1" else xml)
    ml30 = _as_30(xml) if stored == "2.1" else element_as_ml30(xml)
    return ml30 if version == "3.0" else element_as_ml31(ml30)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _renamed(root: etree._Element, source: dict[str, str], target: dict[str, str]) -> None:
    for prefix in ("str", "com"):
        for node in list(root.iter(f"{{{source[prefix]}}}*")):
            node.tag = f"{{{target[prefix]}}}{_local(node)}"


def _as_30(xml: bytes) -> bytes:
    root = etree.fromstring(xml, safe_parser())
    references = [
        n for n in root.iter() if isinstance(n.tag, str) and _local(n) in REFERENCE_ELEMENTS
    ]
    for node in references:
        urn = _urn_of(node)
        for child in list(node):
            node.remove(child)
        node.text = urn
    steps = [
        n for n in root.iter() if isinstance(n.tag, str) and _local(n) in LOCAL_REFERENCE_ELEMENTS
    ]
    for node in steps:
        ref = next((c for c in node if isinstance(c.tag, str)), None)
        step = ref.get("id", "") if ref is not None else (node.text or "").strip()
        for child in list(node):
            node.remove(child)
        node.text = step
    _renamed(root, NS21, NS30)
    root.attrib.pop("isFinal", None)
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="utf-8")


def _urn_of(node: etree._Element) -> str:
    """The SDMX 3.0 URN a 2.1 reference element holds (its `URN`, or one made of its `Ref`)."""
    for child in node:
        if isinstance(child.tag, str) and _local(child) == "URN":
            return _urn_in("3.0", (child.text or "").strip())
    ref = next((c for c in node if isinstance(c.tag, str) and _local(c) == "Ref"), None)
    if ref is None:
        return (node.text or "").strip()
    cls = ref.get("class") or "Dataflow"
    package, cls = _CLASSES_30.get(cls, (ref.get("package") or PACKAGE_21.get(cls, "base"), cls))
    parent = ref.get("maintainableParentID")
    if parent:
        version = ref.get("maintainableParentVersion") or "1.0"
        identity = f"{ref.get('agencyID', '')}:{parent}({version}).{ref.get('id', '')}"
    else:
        identity = f"{ref.get('agencyID', '')}:{ref.get('id', '')}({ref.get('version') or '1.0'})"
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{cls}={identity}"


def _as_21(xml: bytes) -> bytes:
    root = etree.fromstring(xml, safe_parser())
    com = NS30["com"]
    for node in list(root.iter(f"{{{com}}}Link", f"{{{com}}}AnnotationValue")):
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    for node in [n for n in root.iter() if isinstance(n.tag, str)]:
        if _local(node) in REFERENCE_ELEMENTS:
            urn, node.text = _urn_in("2.1", (node.text or "").strip()), None
            _add_ref(node, urn)
            etree.SubElement(node, "URN").text = urn
        elif _local(node) in LOCAL_REFERENCE_ELEMENTS:
            step, node.text = (node.text or "").strip(), None
            etree.SubElement(node, "Ref", id=step)
    _renamed(root, NS30, NS21)
    if is_stable_version(root.get("version", "1.0")) and "isFinal" not in root.attrib:
        root.set("isFinal", "true")
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="utf-8")


def _urn_in(version: str, urn: str) -> str:
    """`urn` with the class SDMX `version` names the artefact by: a 3.0 `Hierarchy` is a 2.1
    `HierarchicalCodelist` (of one hierarchy, `formats.sdmxml.structure30.usages`), a 3.0
    `DataConstraint` a 2.1 `ContentConstraint`. Items keep their class."""
    found = parse_urn(urn)
    if found is None or found.item:
        return urn
    renamed = (_CLASSES_21 if version == "2.1" else _CLASSES_30).get(found.cls)
    if renamed is None:
        return urn
    head = f"{found.package}.{found.cls}="
    return urn.replace(head, f"{renamed[0]}.{renamed[1]}=", 1)


def _add_ref(node: etree._Element, urn: str) -> None:
    """A 2.1 `Ref` for a maintainable artefact whose class SDMX 2.1 has (clients that read
    only `Ref`s then find it); the `URN` follows it, as 2.1's `ReferenceType` allows."""
    found = parse_urn(urn)
    if found is None or found.item or found.cls not in PACKAGE_21:
        return
    etree.SubElement(
        node,
        "Ref",
        agencyID=found.agency_id,
        id=found.id,
        version=found.version,
        package=found.package,
        **{"class": found.cls},
    )


def element_view(
    type_: str, xml: bytes, view: str, items: Collection[str] | None = None
) -> bytes | None:
    """The element as `detail` shows it (`full`, `stub`, `completestub`), or only the
    `items` of an item scheme with their ancestors (None when it holds none of them)."""
    if view == "full" and items is None:
        return xml
    root = etree.fromstring(xml, safe_parser())
    if items is not None:
        return _with_items(root, ITEM_ELEMENTS.get(type_), items)
    dropped = STUB_DROPS | ({"Description", "Annotations"} if view == "stub" else set())
    for child in list(root):
        if not isinstance(child.tag, str) or _local(child) in dropped:
            root.remove(child)
    root.set("isExternalReference", "true")
    return etree.tostring(root, encoding="utf-8")


def _with_items(root: etree._Element, item: str | None, wanted: Collection[str]) -> bytes | None:
    """The scheme with the wanted items (ids, or nested ids 'A.B') and, since items nest in
    the element, their ancestors; the other items are taken out."""
    if item is None:
        return None
    keep: set[etree._Element] = set()
    for node in root.iter(f"{{*}}{item}"):
        chain = [node, *(a for a in node.iterancestors() if _local(a) == item)]
        path = ".".join(n.get("id", "") for n in reversed(chain))
        if node.get("id") in wanted or path in wanted:
            keep.update(chain)
    if not keep:
        return None
    for node in [n for n in root.iter(f"{{*}}{item}") if n not in keep]:
        parent = node.getparent()
        if parent is not None and parent in keep | {root}:
            parent.remove(node)
    root.set("isPartial", "true")
    return etree.tostring(root, encoding="utf-8")
