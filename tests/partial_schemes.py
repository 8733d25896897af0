"""Small SDMX-ML structure messages with (partial) ESTAT code lists, as Eurostat sends them."""

from __future__ import annotations

from sdmxnode.formats.sdmxml import NS21


def codelist(
    codes: dict[str, str],
    *,
    id_: str = "GEO",
    version: str = "13.1",
    final: bool = True,
    partial: bool = True,
    name: str = "Geopolitical entity (reporting)",
    ns: dict[str, str] = NS21,
) -> str:
    """An ESTAT code list as Eurostat sends GEO in its dataset structures (GOV_10Q_GGNFA:
    final, partial, an external reference to the whole list)."""
    attributes = f'id="{id_}" agencyID="ESTAT" version="{version}"'
    if ns is NS21:
        attributes += f' isFinal="{"true" if final else "false"}"'
    if partial:
        attributes += ' isPartial="true" isExternalReference="true"'
        attributes += f' structureURL="https://example.org/codelist/ESTAT/{id_}/{version}"'
    items = "".join(
        f'<str:Code id="{c}"><com:Name xml:lang="en">{n}</com:Name></str:Code>'
        for c, n in codes.items()
    )
    return (
        f'<str:Codelist {attributes}><com:Name xml:lang="en">{name}</com:Name>{items}'
        "</str:Codelist>"
    )


def message(*codelists: str, ns: dict[str, str] = NS21) -> bytes:
    """An SDMX-ML 2.1 (or 3.0) structure message holding the given code lists."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><mes:Structure xmlns:mes="{ns["mes"]}" '
        f'xmlns:str="{ns["str"]}" xmlns:com="{ns["com"]}"><mes:Header><mes:ID>P</mes:ID>'
        "<mes:Test>false</mes:Test><mes:Prepared>2023-01-26T10:41:25Z</mes:Prepared>"
        '<mes:Sender id="ESTAT"/></mes:Header><mes:Structures><str:Codelists>'
        + "".join(codelists)
        + "</str:Codelists></mes:Structures></mes:Structure>"
    ).encode()
