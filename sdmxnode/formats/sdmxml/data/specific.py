"""Rows of SDMX-ML structure-specific data messages (2.1, 2.1 time series, 3.0, 3.1), read
with expat.

Components are XML attributes of `DataSet`, `Group`, `Series` and `Obs` named by their id
(SDMX-ML 2.1 section 3.3, SDMX-ML 3.0 section 3.3); SDMX 3.0 complex values are `Comp`
children with one `Value` per value.

Why expat and not lxml, which reads the generic variant: in these messages everything a row
needs is in the attributes of one start tag, so no element tree is needed. expat's start
handler builds the row from the attribute dict and the line number, with no element objects
to make, clear and unlink: the reading of a 1,000,000-observation message takes 2.1 to 2.6 s
of CPU instead of 2.5 to 3.3 s (benchmarks/README.md, "Stop 41"). Only the header and SDMX
3.0 `Comp` children (small, and rare in bulk data) are built as lxml elements, from expat's
events, so that they are read by the same code as before; and an element in error is
rebuilt as an lxml element to be described the same way.

Safety is that of the lxml reader: the root was checked by `read_root` (a DOCTYPE refused
before expat sees anything), expat is told never to read external entities, an internal
entity declaration is refused should one get past, and elements nested deeper than libxml2's
limit (256) are refused. expat decodes UTF-8, UTF-16 and (through Python's codecs) the
single-byte encodings; a message in another multi-byte encoding, which libxml2 would have
read, is refused with a 4xx error that says so.

Rows are produced as expat parses each chunk (64 KiB) and kept per data set until the
consumer takes them, so that the rows of one data set never mix with the next one's. An
error raised by a handler ends the parse; it reaches the consumer after the rows read before
it: from the rows of the data set being read, or from the iteration over data sets when it
belongs to what comes after one (a data set whose structure the node does not hold).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, BinaryIO, NoReturn
from xml.parsers import expat

from lxml import etree

from sdmxnode.errors import Invalid, SdmxNodeError
from sdmxnode.formats.rows import DatasetRows, StructureInfo, StructureResolver
from sdmxnode.formats.sdmxml import MAX_ATTRIBUTES, NS21
from sdmxnode.formats.sdmxml.data.dataset import COMP, XSI_TYPE, DataSetContext, Row
from sdmxnode.formats.sdmxml.data.header import (
    HeaderStructure,
    data_set_context,
    data_set_rows,
    read_header,
)
from sdmxnode.refs import ArtefactRef

OBS = "Obs"
SERIES = "Series"
GROUP = "Group"
#: libxml2's default nesting limit, which the lxml readers keep (huge_tree off).
MAX_DEPTH = 256
_CHUNK = 1 << 16
#: expat names namespaced elements and attributes "URI}local" (namespace_separator "}").
_SEPARATOR = "}"
_XSI_TYPE = XSI_TYPE[1:]  # as expat names it

#: XML attributes of a structure-specific DataSet that are not components (BaseDataSetType).
DATASET_XML_ATTRIBUTES = frozenset(
    {
        "setID",
        "action",
        "reportingBeginDate",
        "reportingEndDate",
        "validFromDate",
        "validToDate",
        "publicationYear",
        "publicationPeriod",
        "dataScope",
        "structureRef",
    }
)


def clark(name: str) -> str:
    """lxml's `{URI}local` for expat's `URI}local` (a name without namespace unchanged)."""
    return "{" + name if _SEPARATOR in name else name


def _clark_attributes(attributes: dict[str, str]) -> dict[str, str]:
    return {clark(key): value for key, value in attributes.items()}


def _element(name: str, attributes: dict[str, str], line: int) -> etree._Element:
    """An lxml element standing for one that expat read (to read or describe it as before)."""
    _check_attribute_count(name, attributes, line)
    element = etree.Element(clark(name), _clark_attributes(attributes))
    element.sourceline = line
    return element


StartHandler = Callable[[str, dict[str, str]], None]


@dataclass
class _DataSet:
    """A data set met in the message: its rows wait here until the consumer takes them."""

    context: DataSetContext
    header: HeaderStructure
    rows: list[tuple] = field(default_factory=list)
    ended: bool = False  # its end tag was read: no more rows will come
    error: SdmxNodeError | None = None  # raised after its rows


@dataclass
class _OpenDataSet:
    """A DataSet start tag read, its data set not opened yet: SDMX 3.0 `Comp` children may
    still give data set values (they come before groups, series and observations)."""

    element: etree._Element
    depth: int
    comps: list[etree._Element] = field(default_factory=list)


def read_specific_data(
    stream: BinaryIO,
    prefix: bytes,
    message_ns: str,
    resolve: StructureResolver,
    source: str,
) -> Iterator[DatasetRows]:
    """The data sets of a structure-specific message whose root `read_root` has read
    (`prefix`: the bytes it read), streamed as rows (see the module doc)."""
    return _SpecificReader(stream, prefix, message_ns, resolve, source).datasets()


def _check_attribute_count(name: str, attributes: dict[str, str], line: int) -> None:
    """Refuse to make an lxml element of more than MAX_ATTRIBUTES attributes: lxml takes time
    quadratic in their number (each is checked against those already set)."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise Invalid(
            f"a {name.rpartition(_SEPARATOR)[2]} element has more than {MAX_ATTRIBUTES} attributes",
            where=f"line {line}",
        )


class _SpecificReader:
    """The parse of one message: expat's handlers, the data sets met, the error met."""

    def __init__(
        self,
        stream: BinaryIO,
        prefix: bytes,
        message_ns: str,
        resolve: StructureResolver,
        source: str,
    ) -> None:
        self.stream = stream
        self.prefix = prefix
        self.resolve = resolve
        self.source = source
        self.complex_values = message_ns != NS21["mes"]
        self.sdmx_version = "2.1" if message_ns == NS21["mes"] else "3.0"
        self.header_name = f"{message_ns}{_SEPARATOR}Header"
        self.dataset_name = f"{message_ns}{_SEPARATOR}DataSet"
        self.structures: dict[str, HeaderStructure] = {}
        self.header_action: str | None = None
        self.resolved: dict[ArtefactRef, StructureInfo] = {}
        self.waiting: deque[_DataSet] = deque()  # met, not handed to the consumer yet
        self.current: _DataSet | None = None  # the data set whose rows are being read
        self.opening: _OpenDataSet | None = None
        self.error: SdmxNodeError | None = None  # raised where data sets are iterated
        self.done = False
        self.stopped_by: SdmxNodeError | None = None  # raised by a handler, recorded by _stop
        self.stack: list[str] = []
        parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = self._entity_declared
        parser.StartDoctypeDeclHandler = self._doctype
        self.parser = parser
        self._outside()

    # --- the iteration the consumer sees --------------------------------------------------

    def datasets(self) -> Iterator[DatasetRows]:
        while True:
            while not self.waiting and self.error is None and self._feed():
                pass
            if self.waiting:
                dataset = self.waiting.popleft()
                rows = self._rows(dataset)
                yield data_set_rows(
                    dataset.context,
                    dataset.header,
                    self.header_action,
                    rows,
                    self.source,
                    self.sdmx_version,
                )
                for _ in rows:  # skip what the consumer left, to reach the next data set
                    pass
            elif self.error is not None:
                error, self.error = self.error, None
                raise error
            else:
                return

    def _rows(self, dataset: _DataSet) -> Iterator[tuple]:
        """The data set's rows: those of each parsed chunk in turn, chained (no Python step
        per row)."""
        return chain.from_iterable(self._chunks(dataset))

    def _chunks(self, dataset: _DataSet) -> Iterator[list[tuple]]:
        rows = dataset.rows  # the handlers append to it: handed on as a copy, then cleared
        while True:
            if rows:
                yield rows.copy()
                rows.clear()
            if dataset.ended or not self._feed():
                break
        if rows:
            yield rows.copy()
            rows.clear()
        if dataset.error is not None:
            error, dataset.error = dataset.error, None
            raise error

    def _feed(self) -> bool:
        """Parse the next chunk; False once the message has been read (or an error met)."""
        if self.done:
            return False
        chunk = b""
        try:
            if self.prefix:
                chunk, self.prefix = self.prefix, b""
            else:  # the stream may refuse (past the size limit, a compression bomb)
                chunk = self.stream.read(_CHUNK)
            self.parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            self._fail(_syntax_error(exc, self.source))
        except (ValueError, LookupError) as exc:  # an encoding expat cannot decode
            self._fail(
                Invalid(
                    f"{self.source} is in an encoding this reader does not decode ({exc}): "
                    "structure-specific data are read in UTF-8, UTF-16 or a single-byte "
                    "encoding",
                    where="line 1",
                )
            )
        except SdmxNodeError as exc:
            if exc is not self.stopped_by:  # else already recorded where it belongs
                self._fail(exc)
        if not chunk:
            self.done = True
        return True

    def _fail(self, error: SdmxNodeError) -> None:
        """Record the error that ends the parse where the consumer will meet it."""
        self.done = True
        if self.current is not None and not self.current.ended:
            self.current.error = error
        else:
            self.error = error

    def _stop(self, error: SdmxNodeError, *, after_data_set: bool = False) -> NoReturn:
        """End the parse with `error`; `after_data_set`: the data set being read ends
        where it stopped, and the error is raised where data sets are iterated."""
        if after_data_set and self.current is not None:
            self.current.ended = True
        self._fail(error)
        self.stopped_by = error
        raise error

    # --- handlers outside data sets ---------------------------------------------------------

    def _outside(self) -> None:
        parser = self.parser
        parser.StartElementHandler = self._start_outside
        parser.EndElementHandler = self._end_outside

    def _start_outside(self, name: str, attributes: dict[str, str]) -> None:
        stack = self.stack
        stack.append(name)
        line = self.parser.CurrentLineNumber
        if len(stack) > MAX_DEPTH:
            self._too_deep(line)
        if name == self.header_name:
            self._collect(name, attributes, line, self._header_read)
        elif name == self.dataset_name:
            self.opening = _OpenDataSet(_element(name, attributes, line), len(stack))
            self._in_dataset()
        elif name in (OBS, SERIES, GROUP):
            raise Invalid(f"{self.source}: {name} outside a DataSet", where=f"line {line}")

    def _end_outside(self, name: str) -> None:
        self.stack.pop()

    def _header_read(self, header: etree._Element) -> None:
        self.structures, self.header_action = read_header(header, self.source)

    def _collect(
        self,
        name: str,
        attributes: dict[str, str],
        line: int,
        done: Callable[[etree._Element], None],
    ) -> None:
        """Build the element that starts here (its start tag read and put on the stack) as
        an lxml tree, with its text; at its end, give it to `done`, and the handlers that
        were there before take over again."""
        parser = self.parser
        stack = self.stack
        depth = len(stack)
        before = parser.StartElementHandler, parser.EndElementHandler
        builder = etree.TreeBuilder()

        def start(name: str, attributes: dict[str, str]) -> None:
            stack.append(name)
            line = parser.CurrentLineNumber
            if len(stack) > MAX_DEPTH:
                self._too_deep(line)
            _check_attribute_count(name, attributes, line)
            element = builder.start(clark(name), _clark_attributes(attributes))
            element.sourceline = line

        def end(name: str) -> None:
            builder.end(clark(name))
            if len(stack) == depth:
                parser.StartElementHandler, parser.EndElementHandler = before
                parser.CharacterDataHandler = None
                done(builder.close())
            stack.pop()

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = builder.data
        _check_attribute_count(name, attributes, line)
        element = builder.start(clark(name), _clark_attributes(attributes))
        element.sourceline = line

    def _too_deep(self, line: int) -> NoReturn:
        raise Invalid(
            f"{self.source} is not well-formed XML: elements are nested too deeply "
            f"(more than {MAX_DEPTH} levels)",
            where=f"line {line}",
        )

    def _entity_declared(self, name: str, *_: Any) -> None:
        raise Invalid(
            f"{self.source} is not well-formed XML: entity expansion refused "
            f"(the message declares the entity {name!r})",
            where=f"line {self.parser.CurrentLineNumber}",
        )

    def _doctype(self, *_: Any) -> None:
        raise Invalid(
            f"{self.source} has a DOCTYPE declaration, which SDMX-ML never needs "
            "(refused: entities and DTDs are a means of attack)",
            where=f"line {self.parser.CurrentLineNumber}",
        )

    # --- a data set --------------------------------------------------------------------------

    def _open(self) -> _DataSet:
        """The data set whose start tag was read, opened at its first group, series or
        observation (or its end): its structure resolved, its own values read. An error
        is raised where data sets are iterated."""
        opening = self.opening
        assert opening is not None
        self.opening = None
        self.current = None
        element = opening.element
        try:
            header, context = data_set_context(
                element,
                self.structures,
                self.resolved,
                self.resolve,
                self.source,
                complex_values=self.complex_values,
            )
            base = context.base
            for key, value in element.items():
                if key[0] != "{" and key not in DATASET_XML_ATTRIBUTES:
                    base[context.column(key, element)] = value
            if opening.comps:
                for comp in opening.comps:
                    element.append(comp)
                context.add_comp_values(base, element)
        except SdmxNodeError as exc:
            self._stop(exc)
        dataset = _DataSet(context, header)
        self.current = dataset
        self.waiting.append(dataset)
        return dataset

    def _in_dataset(self) -> None:
        """Handlers for the start of a data set, until it is opened."""
        opening = self.opening
        assert opening is not None
        depth = opening.depth
        parser = self.parser
        stack = self.stack
        complex_values = self.complex_values

        def start(name: str, attributes: dict[str, str]) -> None:
            line = parser.CurrentLineNumber
            if name in (OBS, SERIES, GROUP):
                self._body(self._open(), depth)(name, attributes)
                return
            stack.append(name)
            if len(stack) > MAX_DEPTH:
                self._too_deep(line)
            if name == COMP and complex_values and len(stack) == depth + 1:
                self._collect(name, attributes, line, opening.comps.append)

        def end(name: str) -> None:
            if len(stack) == depth:  # a data set without groups, series or observations
                self._open().ended = True
                self.current = None
                self._outside()
            stack.pop()

        parser.StartElementHandler = start
        parser.EndElementHandler = end

    # C901 allowed: expat's handlers for every element of a data set's body, kept in one
    # closure (a method call per observation costs more than the branches it would hide).
    def _body(self, dataset: _DataSet, depth: int) -> StartHandler:  # noqa: C901
        """Install handlers for the groups, series and observations of `dataset`, whose
        DataSet element is at `depth`; returns the start handler (the element that opened
        the data set is still to be read).

        An observation is not put on the stack of open elements unless an element starts
        inside it (`obs_open`): most have none, and their end is then one test."""
        context = dataset.context
        parser = self.parser
        stack = self.stack
        series_depth = depth + 1
        obs_depth = depth + 2
        index_get = context.index.get
        attribute_indexes = context.attribute_indexes
        base = context.base
        append = dataset.rows.append
        obs_groups = context.obs_groups
        complex_values = context.complex_values
        # The series being read: the row its observations start from, its attributes,
        # where it starts, whether it has attributes of its own and observations.
        series: Row | None = None
        series_attributes: dict[str, str] = {}
        series_line = 0
        series_own = False
        series_observed = False
        obs_open = False  # an Obs has started, not ended, and is not on the stack
        # SDMX 3.0: the observation whose `Comp` children may still come, and the group.
        pending: Row | None = None
        pending_attributes: dict[str, str] = {}
        pending_line = 0
        group: tuple[dict[int, str], list[tuple[int, str]]] | None = None

        def described(name: str, attributes: dict[str, str], line: int) -> etree._Element:
            """The element in error as lxml would have it: under its series, if any."""
            element = _element(name, attributes, line)
            if name != SERIES and series is not None:
                _element(SERIES, series_attributes, series_line).append(element)
            return element

        def other_attribute(
            row: Row, key: str, value: str, name: str, attributes: dict[str, str], line: int
        ) -> None:
            if _SEPARATOR not in key:  # not a component of the structure: refused
                row[context.column(key, described(name, attributes, line))] = value
            elif key == _XSI_TYPE and name == OBS:
                context.set_explicit_measure(row, value)

        def misplaced(name: str, line: int) -> NoReturn:
            parent = stack[-1].rpartition(_SEPARATOR)[2]
            self._stop(
                Invalid(
                    f"{self.source}: {name} is not where SDMX-ML allows it (inside {parent})",
                    where=f"line {line}",
                ),
                after_data_set=True,
            )

        def obs_comp(comp: etree._Element) -> None:
            if pending is not None:
                holder = described(OBS, pending_attributes, pending_line)
                holder.append(comp)
                context.add_comp_values(pending, holder)

        def series_comp(comp: etree._Element) -> None:
            nonlocal series_own
            if series is not None:
                holder = _element(SERIES, series_attributes, series_line)
                holder.append(comp)
                context.add_comp_values(series, holder)
                series_own = True

        def group_comp(comp: etree._Element) -> None:
            if group is not None:
                holder = _element(GROUP, {}, comp.sourceline or 0)
                holder.append(comp)
                row: Row = [None] * context.width
                context.add_comp_values(row, holder)
                group[1].extend((i, v) for i, v in enumerate(row) if v is not None)

        comp_readers = {OBS: obs_comp, SERIES: series_comp, GROUP: group_comp}

        def start(name: str, attributes: dict[str, str]) -> None:  # noqa: C901
            nonlocal series, series_attributes, series_line, series_own, series_observed
            nonlocal pending, pending_attributes, pending_line, group, obs_open
            if obs_open:  # an element inside an observation: the observation goes on the stack
                stack.append(OBS)
                obs_open = False
            if name == OBS:
                level = len(stack) + 1
                if level == obs_depth and series is not None:
                    row = series.copy()
                elif level == series_depth:
                    row = base.copy()
                else:
                    misplaced(name, parser.CurrentLineNumber)
                obs_open = series_observed = True
                for key, value in attributes.items():
                    position = index_get(key)
                    if position is None:
                        other_attribute(row, key, value, name, attributes, parser.CurrentLineNumber)
                    else:
                        row[position] = value
                if complex_values:
                    pending, pending_attributes = row, attributes
                    pending_line = parser.CurrentLineNumber
                    return
                if obs_groups:
                    context.apply_groups(row, obs_groups)
                row.append(parser.CurrentLineNumber)
                append(tuple(row))
                return
            line = parser.CurrentLineNumber
            if name == SERIES:
                if len(stack) + 1 != series_depth:
                    misplaced(name, line)
                stack.append(name)
                series = None
                series_attributes, series_line = attributes, line
                row = base.copy()
                own = False
                for key, value in attributes.items():
                    position = index_get(key)
                    if position is None:
                        other_attribute(row, key, value, name, attributes, line)
                    else:
                        row[position] = value
                        own = own or position in attribute_indexes
                if context.series_groups and context.apply_groups(row, context.series_groups):
                    own = True
                series, series_own, series_observed = row, own, False
            elif name == GROUP:
                if len(stack) + 1 != series_depth:
                    misplaced(name, line)
                stack.append(name)
                key_values: dict[int, str] = {}
                values: list[tuple[int, str]] = []
                element = None
                for key, value in attributes.items():
                    if _SEPARATOR in key:
                        continue  # xsi:type names the group
                    position = index_get(key)
                    if position is None:
                        element = element or _element(name, attributes, line)
                        position = context.column(key, element)
                    if position in context.dimension_indexes:
                        key_values[position] = value
                    else:
                        values.append((position, value))
                group = (key_values, values)
            else:
                target = stack[-1]
                stack.append(name)
                if len(stack) > MAX_DEPTH:
                    self._too_deep(line)
                if name == COMP and complex_values and target in comp_readers:
                    if target == SERIES or len(stack) <= obs_depth + 1:
                        self._collect(name, attributes, line, comp_readers[target])

        def end(name: str) -> None:
            nonlocal series, pending, group, obs_open
            if obs_open:  # the end of an observation with nothing inside
                obs_open = False
                if pending is not None:
                    finish_pending()
                return
            level = len(stack)
            if name == OBS:
                if pending is not None:
                    finish_pending()
            elif level == series_depth:
                if name == SERIES and series is not None:
                    if series_own and not series_observed:  # attributes, no observations
                        row = series.copy()
                        row.append(series_line)
                        append(tuple(row))
                    series = None
                elif name == GROUP and group is not None:
                    context.add_group(*group)
                    group = None
            elif level == depth:
                dataset.ended = True
                self.current = None
                self._outside()
            stack.pop()

        def finish_pending() -> None:
            nonlocal pending
            row = pending
            assert row is not None
            pending = None
            if obs_groups:
                context.apply_groups(row, obs_groups)
            row.append(pending_line)
            append(tuple(row))

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        return start


def _syntax_error(exc: expat.ExpatError, source: str) -> Invalid:
    """An Invalid naming the line of a well-formedness error expat found."""
    message = expat.ErrorString(exc.code) if exc.code else str(exc)
    if "entity" in message.lower():
        message = f"entity expansion refused ({message})"
    return Invalid(f"{source} is not well-formed XML: {message}", where=f"line {exc.lineno}")
