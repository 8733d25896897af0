"""Safe streaming parse of an SDMX-ML message: root and DOCTYPE check, then filtered end events."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from sdmxnode.errors import Invalid

#: Parser options that keep XML attacks out: no entity expansion, no DTD, no network, and
#: libxml2's default limits (nesting depth 256, text node size) left on (huge_tree=False).
SAFE_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}
#: How far into the message the root element must have started.
MAX_PROLOG_BYTES = 1 << 20
_CHUNK = 1 << 16

Event = tuple[str | None, etree._Element]


class _Prefixed:
    """A read-only stream that returns `prefix` before the rest of `stream`."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size < 0:
                size = len(self._prefix)
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        return self._stream.read(size)


def syntax_error(exc: etree.XMLSyntaxError, source: str) -> Invalid:
    """An Invalid naming the line of a well-formedness error."""
    line = exc.position[0] if exc.position else exc.lineno
    message = exc.msg or str(exc)
    if "Excessive depth" in message:
        message = f"elements are nested too deeply ({message})"
    elif "amplification" in message or "entity" in message.lower():
        message = f"entity expansion refused ({message})"
    return Invalid(
        f"{source} is not well-formed XML: {message}",
        where=f"line {line}" if line else None,
    )


def read_root(stream: BinaryIO, source: str) -> tuple[bytes, etree.QName]:
    """Parse the prolog and root start tag; refuse a DOCTYPE or a message with no root.

    Returns the bytes read so far (to be parsed again) and the root element's name.
    """
    parser = etree.XMLPullParser(events=("start",), **SAFE_OPTIONS)
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_PROLOG_BYTES:
        chunk = stream.read(_CHUNK)
        chunks.append(chunk)
        size += len(chunk)
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            raise syntax_error(exc, source) from exc
        for _, root in parser.read_events():
            docinfo = root.getroottree().docinfo
            if docinfo.doctype or docinfo.internalDTD is not None:
                raise Invalid(
                    f"{source} has a DOCTYPE declaration, which SDMX-ML never needs "
                    "(refused: entities and DTDs are a means of attack)",
                    where="line 1",
                )
            return b"".join(chunks), etree.QName(root)
        if not chunk:
            raise Invalid(f"{source} has no root element")
    raise Invalid(f"{source}: no root element in the first {MAX_PROLOG_BYTES:,} bytes")


class ElementStream:
    """End events of the elements named `tags`, with one element of look-ahead put back.

    Readers iterate `resume()`; a reader that meets an element belonging to what comes
    next (another data set) calls `push_back` and stops, and the next reader resumes there.
    """

    def __init__(self, stream: BinaryIO, prefix: bytes, tags: Iterable[str], source: str):
        self.source = source
        self._events: Iterator[Event] = iter(
            etree.iterparse(
                _Prefixed(prefix, stream),
                events=("end",),
                tag=list(tags),
                remove_comments=True,
                **SAFE_OPTIONS,
            )
        )
        self._pending: etree._Element | None = None

    def push_back(self, element: etree._Element) -> None:
        """Put an element back: `resume` yields it first."""
        self._pending = element

    def resume(self) -> Iterator[Event]:
        """The events from the element put back (if any) on; XMLSyntaxError may escape."""
        pending, self._pending = self._pending, None
        if pending is None:
            return self._events
        return itertools.chain(((None, pending),), self._events)

    def next_element(self) -> etree._Element | None:
        """The next element, or None at the end of the message (syntax errors wrapped)."""
        try:
            for _, element in self.resume():
                return element
        except etree.XMLSyntaxError as exc:
            raise syntax_error(exc, self.source) from exc
        return None


def forget_previous(element: etree._Element) -> None:
    """Clear `element` and drop its already-read preceding siblings (bounded memory)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
