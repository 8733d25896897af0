"""Merging partial item schemes into stored ones (SDMX-REST 2.x `maintenance.md`)."""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.sdmxml import NS21, NS30
from sdmxnode.formats.sdmxml.item_merge import (
    changed_items,
    is_partial,
    item_ids,
    merge_item_scheme,
    only_held_items,
)

STR, COM = NS21["str"], NS21["com"]
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def scheme(body: str, *, tag: str = "Codelist", ns: dict[str, str] = NS21, **attrib: str) -> bytes:
    """An item scheme element of SDMX-ML 2.1 (or `ns`) with `body` inside it."""
    attributes = {"id": "CL_DECIMALS", "agencyID": "SDMX", "version": "1.0", **attrib}
    written = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    return (
        f'<str:{tag} xmlns:str="{ns["str"]}" xmlns:com="{ns["com"]}" {written}>{body}</str:{tag}>'
    ).encode()


def code(id_: str, name: str, lang: str = "en") -> str:
    return f'<str:Code id="{id_}"><com:Name xml:lang="{lang}">{name}</com:Name></str:Code>'


def names(xml: bytes, tag: str = "Code") -> dict[str, str]:
    """Item id -> its first name, in the order of the scheme."""
    root = etree.fromstring(xml)
    return {
        item.get("id"): item.find(f"{{{root.nsmap['com']}}}Name").text
        for item in root
        if isinstance(item.tag, str) and etree.QName(item).localname == tag
    }


#: The stored code list of `maintenance.md`, ANNEX V.
DECIMALS = scheme(
    '<com:Name xml:lang="en">Code list for Decimals (DECIMALS)</com:Name>'
    '<com:Description xml:lang="en">Decimal digits.</com:Description>'
    + code("0", "Zero")
    + code("1", "One")
    + code("2", "Two")
)


def test_the_example_of_the_maintenance_document() -> None:
    partial = scheme(
        '<com:Name xml:lang="en">Code list for Decimals (DECIMALS)</com:Name>'
        '<com:Description xml:lang="en">Decimal digits.</com:Description>'
        + code("0", "No decimal")
        + code("1", "One"),
        isPartial="true",
    )
    merged = merge_item_scheme(DECIMALS, partial, keep_partial=False)
    assert names(merged) == {"0": "No decimal", "1": "One", "2": "Two"}
    assert not is_partial(merged) and is_partial(partial)
    assert etree.fromstring(merged).get("isPartial") is None


def test_new_items_follow_the_item_they_were_sent_after_else_go_last() -> None:
    partial = scheme(
        code("9", "Nine") + code("0", "Zero") + code("0.5", "Half") + code("3", "Three"),
        isPartial="true",
    )
    merged = merge_item_scheme(DECIMALS, partial, keep_partial=True)
    assert item_ids(merged) == ["0", "0.5", "3", "1", "2", "9"]
    assert is_partial(merged)


def test_names_merge_by_language_annotations_and_attributes_are_replaced() -> None:
    stored = scheme(
        "<com:Annotations><com:Annotation><com:AnnotationTitle>old</com:AnnotationTitle>"
        "</com:Annotation></com:Annotations>"
        '<com:Name xml:lang="en">Decimals</com:Name><com:Name xml:lang="fr">Décimales</com:Name>'
        + code("0", "Zero"),
        urn="urn:sdmx:org.sdmx.infomodel.codelist.Codelist=SDMX:CL_DECIMALS(1.0)",
        validTo="2030-01-01T00:00:00",
        isExternalReference="false",
    )
    partial = scheme(
        "<com:Annotations><com:Annotation><com:AnnotationTitle>new</com:AnnotationTitle>"
        "</com:Annotation></com:Annotations>"
        '<com:Name xml:lang="de">Dezimalstellen</com:Name>'
        '<com:Name xml:lang="fr">Nombre de décimales</com:Name>',
        isPartial="true",
        isExternalReference="true",
        structureURL="https://example.org/codelist",
    )
    root = etree.fromstring(merge_item_scheme(stored, partial, keep_partial=False))
    by_lang = {n.get(LANG): n.text for n in root.findall(f"{{{COM}}}Name")}
    assert by_lang == {"en": "Decimals", "fr": "Nombre de décimales", "de": "Dezimalstellen"}
    assert [t.text for t in root.iter(f"{{{COM}}}AnnotationTitle")] == ["new"]
    assert root.get("validTo") is None  # the scheme's attributes are those sent
    assert root.get("urn", "").endswith("CL_DECIMALS(1.0)")  # ... but the URN follows the id
    assert root.get("isExternalReference") == "false" and root.get("structureURL") is None
    assert [etree.QName(c).localname for c in root] == [
        "Annotations",
        "Name",
        "Name",
        "Name",
        "Code",
    ]


def test_a_partial_scheme_without_annotations_keeps_the_stored_ones() -> None:
    stored = scheme(
        "<com:Annotations><com:Annotation><com:AnnotationTitle>kept</com:AnnotationTitle>"
        "</com:Annotation></com:Annotations>" + code("0", "Zero")
    )
    merged = merge_item_scheme(
        stored, scheme(code("1", "One"), isPartial="true"), keep_partial=False
    )
    assert [t.text for t in etree.fromstring(merged).iter(f"{{{COM}}}AnnotationTitle")] == ["kept"]
    assert item_ids(merged) == ["0", "1"]


def test_nested_schemes_replace_whole_root_items() -> None:
    """`maintenance.md` ANNEX III: a root category sent replaces its whole tree."""

    def category(id_: str, *children: str) -> str:
        inner = "".join(children)
        name = f'<com:Name xml:lang="en">{id_}</com:Name>'
        return f'<str:Category id="{id_}">{name}{inner}</str:Category>'

    stored = scheme(
        '<com:Name xml:lang="en">Subjects</com:Name>'
        + category("DEMO")
        + category("ECO", category("MACRO"), category("SECTORAL", category("ENERGY")))
        + category("ENV"),
        tag="CategoryScheme",
    )
    partial = scheme(
        '<com:Name xml:lang="en">Subjects</com:Name>' + category("ECO", category("MACRO")),
        tag="CategoryScheme",
        isPartial="true",
    )
    merged = etree.fromstring(merge_item_scheme(stored, partial, keep_partial=False))
    assert [c.get("id") for c in merged.findall(f"{{{STR}}}Category")] == ["DEMO", "ECO", "ENV"]
    assert [c.get("id") for c in merged.iter(f"{{{STR}}}Category")] == [
        "DEMO",
        "ECO",
        "MACRO",
        "ENV",
    ]


def test_sdmx_ml_30_schemes_merge_alike() -> None:
    stored = scheme(
        f'<com:Name xml:lang="en">Decimals</com:Name>{code("0", "Zero")}',
        ns=NS30,
        version="1.0.0",
    )
    partial = scheme(code("1", "One"), ns=NS30, version="1.0.0", isPartial="true")
    merged = merge_item_scheme(stored, partial, keep_partial=False)
    assert names(merged) == {"0": "Zero", "1": "One"}


def test_changed_and_held_items() -> None:
    partial = scheme(code("0", "Zero") + code("1", "Uno") + code("7", "Seven"), isPartial="true")
    assert changed_items(DECIMALS, partial) == ["1", "2"]  # 1 renamed, 2 absent
    assert item_ids(only_held_items(partial, DECIMALS)) == ["0", "1"]
    with_urn = DECIMALS.replace(b'<str:Code id="0">', b'<str:Code id="0" urn="urn:x">')
    assert changed_items(with_urn, DECIMALS) == []
