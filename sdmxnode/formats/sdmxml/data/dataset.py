"""The SDMX-ML data set being read: its row layout, inherited values, groups and components,
and the loop that turns its elements into rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from sdmxnode.errors import Invalid, UnknownComponent
from sdmxnode.formats.rows import StructureInfo
from sdmxnode.formats.sdmxml.data.parse import ElementStream, forget_previous, syntax_error

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
#: SDMX-ML 3.0 `Comp` elements hold complex (multi-valued or multilingual) component values.
COMP = "Comp"
VALUE = "Value"
#: Several values of one multi-valued component are joined with this separator (the
#: SDMX-CSV 3.0 default sub-delimiter), since row values are single strings.
MULTI_VALUE_SEPARATOR = ";"
PREFERRED_LANGUAGE = "en"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Dimension at observation meaning "no series: every observation carries its full key".
ALL_DIMENSIONS = "AllDimensions"

Row = list  # a row under construction: one slot per column, None when absent


@dataclass
class GroupTable:
    """Group attribute values for one set of group key dimensions, by key value tuple."""

    key_indexes: tuple[int, ...]
    values: dict[tuple[str | None, ...], list[tuple[int, str]]] = field(default_factory=dict)


@dataclass
class DataSetContext:
    """What the row builders of one data set share; built once when the data set starts."""

    source: str
    structure: StructureInfo
    element: etree._Element  # the DataSet element (identity marks the data set's rows)
    dimension_at_observation: str
    explicit_measures: bool = False
    complex_values: bool = False  # SDMX-ML 3.0: `Comp` children may carry values
    index: dict[str, int] = field(init=False)
    width: int = field(init=False)
    dimension_indexes: frozenset[int] = field(init=False)
    attribute_indexes: frozenset[int] = field(init=False)
    obs_dimension_index: int | None = field(init=False)
    base: Row = field(init=False)  # data-set level values, copied into every row
    series_groups: list[GroupTable] = field(default_factory=list)
    obs_groups: list[GroupTable] = field(default_factory=list)

    def __post_init__(self) -> None:
        columns = self.structure.columns
        self.index = {column: i for i, column in enumerate(columns)}
        self.width = len(columns)
        dimensions = [d.id for d in self.structure.dimensions]
        if self.structure.time_dimension is not None:
            dimensions.append(self.structure.time_dimension.id)
        self.dimension_indexes = frozenset(self.index[d] for d in dimensions)
        self.attribute_indexes = frozenset(self.index[a.id] for a in self.structure.attributes)
        if self.dimension_at_observation == ALL_DIMENSIONS:
            self.obs_dimension_index = None
        elif self.dimension_at_observation in dimensions:
            self.obs_dimension_index = self.index[self.dimension_at_observation]
        else:
            raise Invalid(
                f"{self.source}: dimensionAtObservation {self.dimension_at_observation!r} "
                f"is not a dimension of {self.structure.dsd}",
                where=line_of(self.element),
            )
        self.base = [None] * self.width

    @property
    def flat(self) -> bool:
        """Whether every dimension is at the observation level (AllDimensions)."""
        return self.obs_dimension_index is None

    def column(self, component_id: str, element: etree._Element) -> int:
        """The row index of `component_id`; a component the DSD lacks is refused."""
        position = self.index.get(component_id)
        if position is None:
            raise UnknownComponent(
                f"{self.source}: {_name(element)} gives component {component_id!r}, "
                f"which {self.structure.dsd} does not define",
                component=component_id,
                where=line_of(element),
                series_key=self._series_key(element),
                given=self._given_components(element),
                structure=(self.structure.dataflow or self.structure.dsd, self.structure.dsd),
            )
        return position

    def _given_components(self, element: etree._Element) -> tuple[str, ...]:
        """The component ids the series `element` is (or is in) gives: its attributes
        (structure-specific) or the ids of its key and attribute values (generic), and
        those of `element` itself."""
        series = element
        while series is not None and etree.QName(series).localname != "Series":
            series = series.getparent()
        given = dict.fromkeys(k for k in element.attrib if k[0] != "{")
        if series is not None:
            given.update(dict.fromkeys(k for k in series.attrib if k[0] != "{"))
            for child in series:
                if etree.QName(child).localname in ("SeriesKey", "Attributes"):
                    given.update(dict.fromkeys(v.get("id", "") for v in child))
        if etree.QName(element).localname == "Value":
            given[element.get("id", "")] = None
        given.pop("", None)
        return tuple(given)

    def _series_key(self, element: etree._Element) -> str | None:
        """The key of the series `element` is (or is in), as far as its element says it:
        the dimension attributes of a structure-specific Series, or the SeriesKey values
        of a generic one; None outside a series."""
        series = element
        while series is not None and etree.QName(series).localname != "Series":
            series = series.getparent()
        if series is None:
            return None
        values = dict(series.attrib)
        for child in series:
            if etree.QName(child).localname == "SeriesKey":
                values.update({v.get("id", ""): v.get("value", "") for v in child})
        key = [values.get(d.id, "") for d in self.structure.dimensions]
        return ".".join(key) if any(key) else None

    def primary_measure_index(self, element: etree._Element) -> int:
        """The row index of the measure an observation value without id belongs to."""
        if not self.structure.measures:
            raise Invalid(
                f"{self.source}: {self.structure.dsd} has no measure for ObsValue",
                where=line_of(element),
            )
        return self.index[self.structure.measures[0].id]

    def set_explicit_measure(self, row: Row, xsi_type: str) -> None:
        """SDMX-ML 2.1 explicit measures (section 3.3.3 of the SDMX-ML guidelines): the
        observation's xsi:type names the code of the measure dimension at observation."""
        if not self.explicit_measures:
            return
        position = self.obs_dimension_index
        if position is not None and row[position] is None:
            row[position] = xsi_type.rpartition(":")[2]

    def add_comp_values(self, row: Row, parent: etree._Element) -> bool:
        """Read the SDMX-ML 3.0 `Comp` children of `parent` into `row`; True if any."""
        found = False
        for child in parent:
            if child.tag != COMP:
                continue
            position = self.column(child.get("id") or "", child)
            values = [_value_text(value) for value in child if value.tag == VALUE]
            row[position] = MULTI_VALUE_SEPARATOR.join(values)
            found = True
        return found

    def add_group(self, key: dict[int, str], values: list[tuple[int, str]]) -> None:
        """Remember a group's attribute values, to apply to the rows whose key matches."""
        key_indexes = tuple(sorted(key))
        if self.flat or self.obs_dimension_index in key:
            tables = self.obs_groups
        else:
            tables = self.series_groups
        table = next((t for t in tables if t.key_indexes == key_indexes), None)
        if table is None:
            table = GroupTable(key_indexes)
            tables.append(table)
        table.values.setdefault(tuple(key[i] for i in key_indexes), []).extend(values)

    @staticmethod
    def apply_groups(row: Row, tables: list[GroupTable]) -> bool:
        """Fill, from matching groups, the attributes `row` does not already have."""
        applied = False
        for table in tables:
            matched = table.values.get(tuple(row[i] for i in table.key_indexes))
            if matched:
                for position, value in matched:
                    if row[position] is None:
                        row[position] = value
                        applied = True
        return applied


@dataclass(frozen=True)
class DataSetSyntax:
    """How one kind of SDMX-ML data set (generic, structure-specific) spells its
    observations and series, and reads values from them and from its groups."""

    obs_tag: str
    series_tag: str
    #: Gives, once per data set, what fills an observation's row (a copy of its series'
    #: row) from the Obs element: a closure keeps the per-observation work small.
    obs_reader: Callable[[DataSetContext], Callable[[Row, etree._Element], None]]
    #: The row every observation of a series starts from, and whether the series has
    #: attributes of its own.
    read_series: Callable[[DataSetContext, etree._Element], tuple[Row, bool]]
    #: Records a group's attribute values in the context.
    read_group: Callable[[DataSetContext, etree._Element], None]


# C901 allowed: the loop over every element of an SDMX-ML data set, kept in one function
# (a function call per row costs more than the branches it would hide).
def read_dataset_rows(  # noqa: C901
    context: DataSetContext, elements: ElementStream, syntax: DataSetSyntax
) -> Iterator[tuple]:
    """Yield the rows of one data set; stop (putting it back) at another data set's element.

    The hot path per observation: one end event, a copy of the series' row, the syntax's
    observation reader, a tuple, and clearing the element.
    """
    dataset = context.element
    obs_groups = context.obs_groups
    obs_tag, series_tag = syntax.obs_tag, syntax.series_tag
    read_obs, read_series = syntax.obs_reader(context), syntax.read_series
    series: etree._Element | None = None
    base: Row = context.base
    try:
        for _, element in elements.resume():
            tag = element.tag
            if tag == obs_tag:
                parent = element.getparent()
                if parent is not series:
                    if parent is dataset:
                        base = context.base
                    elif parent.tag == series_tag and parent.getparent() is dataset:
                        base, _ = read_series(context, parent)
                    else:
                        elements.push_back(element)
                        return
                    series = parent
                row = base.copy()
                read_obs(row, element)
                if obs_groups:
                    context.apply_groups(row, obs_groups)
                row.append(element.sourceline)
                yield tuple(row)
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
            elif element is dataset:
                forget_previous(element)
                return
            elif element.getparent() is not dataset:
                elements.push_back(element)
                return
            elif tag == series_tag:
                if element is not series:
                    empty, own = read_series(context, element)
                    if own:  # a series without observations that carries attributes
                        empty.append(element.sourceline)
                        yield tuple(empty)
                series = None
                forget_previous(element)
            else:
                syntax.read_group(context, element)
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, context.source) from exc


def _value_text(value: etree._Element) -> str:
    """One value of a complex component: its text, or its preferred-language text."""
    texts = [child for child in value if isinstance(child.tag, str)]
    if not texts:
        return value.text or ""
    for text in texts:
        if text.get(_XML_LANG, PREFERRED_LANGUAGE) == PREFERRED_LANGUAGE:
            return text.text or ""
    return texts[0].text or ""


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else "element"


def line_of(element: etree._Element) -> str | None:
    """'line N' for an element parsed with line numbers, else None."""
    return f"line {element.sourceline}" if element.sourceline else None
