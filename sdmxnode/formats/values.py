"""Multi-valued and multilingual component values written as the one string a row holds.

The row contract (`data_rows`) gives each component one string. A component with several
values (SDMX 3.0 multi-valued measures and attributes: SDMX-CSV 2.0 `ATTR[]`, SDMX-JSON 2.0
arrays, SDMX-ML 3.0 complex components) or with text in several languages (SDMX-CSV 2.0
`ATTR[en;fr]`, SDMX-JSON 2.0 objects of localised strings) is written in the SDMX-CSV 2.0
sub-field encoding (SDMX-CSV 2.0 field guide, "Multi-valued components" and "Non-coded
multi-lingual components") with `;` as the sub-field separator, whatever separator the
message used:

- values are joined by `;`; a value holding `;`, `"` or a line break is quoted CSV-style;
- a multilingual text is its `lang:text` parts joined the same way (`en:Value;fr:Valeur`);
- a list of multilingual texts is the list of those strings, joined again (nested quoting).

A single value stays as it is, so a one-valued component reads the same from every format,
and `split_values` gives the values back exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

#: The sub-field separator of the row encoding.
VALUE_SEPARATOR = ";"


def join_values(values: Iterable[str]) -> str:
    """Several values of one component as one row string (see the module docstring)."""
    items = list(values)
    if len(items) == 1 and not _needs_quotes(items[0]):
        return items[0]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=VALUE_SEPARATOR, lineterminator="").writerow(items)
    return buffer.getvalue()


def join_languages(texts: Mapping[str, str]) -> str:
    """A multilingual text (language -> text) as one row string: `en:Value;fr:Valeur`."""
    return join_values(f"{language}:{text}" for language, text in texts.items())


def split_values(value: str, separator: str = VALUE_SEPARATOR) -> list[str]:
    """The values a sub-field encoded string holds (the inverse of `join_values`)."""
    if value == "":
        return [""]
    return next(csv.reader([value], delimiter=separator, quotechar='"', strict=True))


def _needs_quotes(value: str) -> bool:
    return VALUE_SEPARATOR in value or '"' in value or "\n" in value or "\r" in value
