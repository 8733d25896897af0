"""The row stream every data reader yields and every data writer consumes.

Data never becomes one model object per observation: a reader turns a message into one
`DatasetRows` per data set, whose `rows` are plain tuples aligned with `columns` (component
ids in the order of `StructureInfo.columns`), each ending with its location in the source.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from types import CodeType

from sdmxnode.refs import ArtefactRef

#: SDMX actions (SDMX-ML `action`, SDMX-CSV `ACTION`): 2.1 Information/Append/Replace/Delete,
#: 3.0 adds Merge (SDMX-CSV `I`, `A`, `R`, `D`, `M`).
ACTIONS = ("Information", "Append", "Merge", "Replace", "Delete")
ACTION_CODES = {"I": "Information", "A": "Append", "M": "Merge", "R": "Replace", "D": "Delete"}
#: The declared length limits of data (the validation engine reports VALUE_TOO_LONG; the
#: store's columns hold anything within them, on SQLite and PostgreSQL alike): one key
#: dimension value, and a series key (its values joined by '.'). Measure and attribute
#: values have no limit of their own: the request size limit bounds them.
MAX_KEY_VALUE_LENGTH = 255
MAX_SERIES_KEY_LENGTH = 2000


@dataclass(frozen=True)
class Component:
    """One component of a DSD as validation and the data paths need it."""

    id: str
    role: str  # 'dimension' | 'time' | 'measure' | 'attribute'
    codes: frozenset[str] | None = None  # ids of the enumerating code list; None: not coded
    codelist: str | None = None  # 'AGENCY:ID(VERSION)' of that code list
    text_type: str | None = None  # SDMX text/value type of a non-coded representation
    mandatory: bool = False  # attributes: usage/assignment status Mandatory
    attachment: str = "observation"  # attributes: 'dataset' | 'group' | 'series' | 'observation'
    related_dimensions: tuple[str, ...] = ()  # attributes attached to (some) dimensions
    #: Dimensions whose code list is hierarchical: (aggregate code, its member codes) for
    #: each code with children (`Parent` of other codes) or a MEMBERS annotation.
    hierarchy: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class StructureInfo:
    """A DSD (and, through a dataflow, its constraints) as plain data, built once per load."""

    dsd: str  # 'AGENCY:ID(VERSION)'
    dataflow: str | None  # 'AGENCY:ID(VERSION)' when the data is for a dataflow
    dimensions: tuple[Component, ...]  # key dimensions in DSD order, time excluded
    time_dimension: Component | None
    measures: tuple[Component, ...]  # OBS_VALUE for SDMX 2.1 DSDs
    attributes: tuple[Component, ...]
    #: Allowed values per component from the content constraints attached to the dataflow
    #: or DSD (cube regions with include=true); absent component: no constraint.
    allowed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: The stored artefacts it was built from, as (pk, digest): the dataflow and the DSD. A
    #: load stores its data only if they are unchanged when it commits.
    sources: tuple[tuple[int, str], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The row layout: dimensions, time dimension, measures, attributes."""
        time = (self.time_dimension.id,) if self.time_dimension else ()
        return (
            tuple(c.id for c in self.dimensions)
            + time
            + tuple(c.id for c in self.measures)
            + tuple(c.id for c in self.attributes)
        )

    def component(self, component_id: str) -> Component | None:
        """The component with this id (dimension, time dimension, measure or attribute), or None."""
        for component in self.dimensions + self.measures + self.attributes:
            if component.id == component_id:
                return component
        if self.time_dimension and self.time_dimension.id == component_id:
            return self.time_dimension
        return None


def structure_info_json(info: StructureInfo) -> str:
    """`info` as JSON text (code sets sorted, so that one info gives one text), which
    `structure_info_from_json` reads back equal."""
    return json.dumps(
        {
            "dsd": info.dsd,
            "dataflow": info.dataflow,
            "dimensions": [_component_json(c) for c in info.dimensions],
            "time_dimension": (
                _component_json(info.time_dimension) if info.time_dimension else None
            ),
            "measures": [_component_json(c) for c in info.measures],
            "attributes": [_component_json(c) for c in info.attributes],
            "allowed": {key: sorted(codes) for key, codes in sorted(info.allowed.items())},
            "sources": [list(source) for source in info.sources],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def structure_info_from_json(text: str) -> StructureInfo:
    """The StructureInfo `structure_info_json` wrote as `text`."""
    data = json.loads(text)
    time = data["time_dimension"]
    return StructureInfo(
        dsd=data["dsd"],
        dataflow=data["dataflow"],
        dimensions=tuple(_component_from_json(c) for c in data["dimensions"]),
        time_dimension=_component_from_json(time) if time is not None else None,
        measures=tuple(_component_from_json(c) for c in data["measures"]),
        attributes=tuple(_component_from_json(c) for c in data["attributes"]),
        allowed={key: frozenset(codes) for key, codes in data["allowed"].items()},
        sources=tuple((int(pk), str(digest)) for pk, digest in data["sources"]),
    )


def _component_json(component: Component) -> dict:
    return {
        "id": component.id,
        "role": component.role,
        "codes": sorted(component.codes) if component.codes is not None else None,
        "codelist": component.codelist,
        "text_type": component.text_type,
        "mandatory": component.mandatory,
        "attachment": component.attachment,
        "related_dimensions": list(component.related_dimensions),
        "hierarchy": [[code, list(members)] for code, members in component.hierarchy],
    }


def _component_from_json(data: dict) -> Component:
    codes = data["codes"]
    return Component(
        id=data["id"],
        role=data["role"],
        codes=frozenset(codes) if codes is not None else None,
        codelist=data["codelist"],
        text_type=data["text_type"],
        mandatory=data["mandatory"],
        attachment=data["attachment"],
        related_dimensions=tuple(data["related_dimensions"]),
        hierarchy=tuple((code, tuple(members)) for code, members in data["hierarchy"]),
    )


@dataclass
class DatasetRows:
    """One data set of a message: its structure, action and a stream of row tuples.

    Each row is a tuple of `len(columns) + 1` items: the value of each column in
    `columns` order (None when the message gives none) and, last, the row's location in
    the source (an int: line number for XML and JSON, row number for CSV; 0 if unknown).
    Attributes attached at series, group or data-set level are repeated on every row of
    their observations; `dataset_attributes` also holds the data-set level ones.
    A row with a None time period and None measures carries only attributes for its key
    (SDMX-CSV 2.0 partial-key rows, or a series without observations).
    """

    structure_ref: ArtefactRef
    structure: StructureInfo
    action: str
    columns: tuple[str, ...]
    rows: Iterator[tuple]
    dataset_attributes: dict[str, str] = field(default_factory=dict)
    #: Per-row actions (SDMX-CSV ACTION column): index of the action column in each row,
    #: whose values are ACTION_CODES keys, or None when the data set has one action.
    action_column: int | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    source: str = "message"
    #: Header columns (SDMX-CSV, row 1) that are neither a component of `structure` nor a
    #: column of the format: their values are not read, validation reports them as errors.
    #: (Custom columns that the format allows, as SDMX-CSV 2.0 does, are not listed.)
    unknown_columns: tuple[str, ...] = ()
    #: The component ids the message's header gives (SDMX-CSV), to tell a message meant
    #: for another structure; empty where the format gives them only as it goes.
    given: tuple[str, ...] = ()
    #: Set when the structure is the one the message embeds (SDMX-JSON), the node holding
    #: none it names: why, for the EMBEDDED_STRUCTURE warning.
    structure_note: str | None = None
    #: The SDMX version whose definitions of the actions apply: "2.1" for SDMX-ML 2.1,
    #: SDMX-JSON 1.0 and SDMX-CSV 1.0 messages, "3.0" for SDMX-ML 3.x, SDMX-JSON 2.x and
    #: SDMX-CSV 2.x (a 2.1 Replace replaces observations, a 3.0 one whole series).
    sdmx_version: str = "3.0"
    #: How the rows were converted into this structure (the StructureMap and the source
    #: structure), for the load record; None: they came in it.
    conversion: str | None = None


#: How readers find the StructureInfo for what a message references (raises NotFound).
StructureResolver = Callable[[ArtefactRef], StructureInfo]


@dataclass(frozen=True)
class Labels:
    """Names for `labels=both|name` outputs: components' and codes' names in one language."""

    components: Mapping[str, str] = field(default_factory=dict)  # component id -> name
    codes: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict
    )  # component -> code -> name
    structure_name: str = ""  # the dataflow's (or DSD's) name
    #: The language the names were chosen in (`formats.languages.main_language`).
    language: str = "en"


@dataclass(frozen=True)
class DataSetProvider:
    """The data provider of a data set (a DataProvider of AGENCY:DATA_PROVIDERS(1.0)) and
    the provision agreement it reports through, for writers to name in each data set."""

    agency_id: str
    id: str
    agreement: ArtefactRef | None = None

    @property
    def urn(self) -> str:
        """The URN of the DataProvider."""
        return (
            "urn:sdmx:org.sdmx.infomodel.base.DataProvider="
            f"{self.agency_id}:DATA_PROVIDERS(1.0).{self.id}"
        )

    @property
    def agreement_urn(self) -> str | None:
        """The URN of the provision agreement, if there is one."""
        if self.agreement is None:
            return None
        return f"urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement={self.agreement.identity}"


@dataclass(frozen=True)
class StoredRecords:
    """A data set's stored records in batches, for writers that build whole columns at once
    (Parquet, Arrow) instead of reading the row stream: each record is (series key, series
    attribute string, period, value, observation attribute string, ...), the series key
    holding `dimensions`' values joined by '.', the attribute strings their values joined
    by `separator` ('' or None: none), as `DataResult.rows` would expand them."""

    dimensions: tuple[str, ...]
    time_dimension: str | None
    measures: tuple[str, ...]
    series_attributes: tuple[str, ...]
    observation_attributes: tuple[str, ...]
    separator: str
    #: The records, `size` a batch (the last may be shorter), read as they are consumed.
    batches: Callable[[int], Iterator[Sequence[tuple]]]


@dataclass
class DataResult:
    """What a data query answers, for a writer: the same row layout readers produce.

    `rows` are tuples aligned with `columns` (a subset of `structure.columns` in that
    order: no attribute columns for `detail=dataonly` / `attributes=none`), plus a last
    location item (0), sorted so that rows of one series (all dimensions but
    `dimension_at_observation`) are contiguous and ordered by that dimension (time:
    chronological). With `series_only` rows carry no observations: time and measures are
    None and there is one row per series (`detail=serieskeysonly` or `nodata`).
    """

    structure_ref: ArtefactRef  # the dataflow (or DSD) the data are for
    structure: StructureInfo
    columns: tuple[str, ...]
    rows: Iterator[tuple]
    dimension_at_observation: str = "TIME_PERIOD"  # a dimension id, or 'AllDimensions'
    dataset_attributes: dict[str, str] = field(default_factory=dict)
    action: str = "Information"  # 'Delete' for deletions reported by updatedAfter
    series_only: bool = False
    labels: Labels | None = None
    valid_from: str | None = None
    #: Further data sets of the same message, written after this one (an `updatedAfter`
    #: answer: the changed observations with action Replace, then the deleted ones with
    #: action Delete). Writers whose format cannot hold several data sets refuse them.
    following: list[DataResult] = field(default_factory=list)
    #: The data provider of this data set (a dataflow's answer holds one data set per
    #: provider); None: data attributed to no provider.
    provider: DataSetProvider | None = None
    #: The rows of this data set once more (writers that need a second pass); None: the
    #: writer keeps what it needs.
    rows_again: Callable[[], Iterator[tuple]] | None = None
    #: The same data set as stored records in batches (`StoredRecords`), for writers that
    #: build columns; None where `rows` is all there is (a filter the store cannot apply,
    #: `asOf`, series-only answers, a page of a data set). A writer that reads them first
    #: calls `release` (when set), which gives back what `rows` holds open.
    records: StoredRecords | None = None
    release: Callable[[], None] | None = None


@dataclass(frozen=True)
class RecordLayout:
    """How the records a data query reads from the store become the columns of its rows.

    A record is `(series key, series attributes, period, value, observation attributes,
    ...)`: the key's dimension values joined by '.', the attribute values joined by
    `separator` (an empty or None string: all empty), several measures' values joined by
    `separator` too. `cells` gives, per column, where its value comes from:
    `("key", i)` the i-th key value, `("time", 0)` the period, `("value", 0)` the one
    measure's value, `("measure", i)` the i-th of several measures, `("series", i)` and
    `("observation", i)` the i-th series or observation attribute, `("none", 0)` nothing.
    An empty value is no value (None in a row, an empty cell in a table).
    """

    cells: tuple[tuple[str, int], ...]
    dimensions: int
    series_width: int
    observation_width: int
    separator: str
    #: Records of series only, `(series key, series attributes)`: no period, value or
    #: observation attributes (series-only answers).
    series_only: bool = False


class StoredRows:
    """The rows of a data answer made from records read from the store batch by batch.

    Iterated, it gives the row tuples `expand` makes of the records (once: the records
    are read as they are consumed). A writer that can build its output from the records
    themselves reads `batches` instead, with `layout` to place each value: a wrapper
    (a filter, a slice, another data set's rows) is not a StoredRows, so it is written
    from its rows.
    """

    def __init__(
        self,
        batches: Iterator[Sequence[tuple]],
        layout: RecordLayout,
        expand: Callable[[Iterable[tuple]], Iterator[tuple]],
    ) -> None:
        self.batches = batches
        self.layout = layout
        self.expand = expand
        self._rows: Iterator[tuple] | None = None

    def __iter__(self) -> Iterator[tuple]:
        if self._rows is None:
            self._rows = self.expand(chain.from_iterable(self.batches))
        return self._rows

    def __next__(self) -> tuple:
        return next(iter(self))


@functools.lru_cache(maxsize=256)
def compiled(source: str, name: str) -> CodeType:
    """The code object of generated Python `source` (a row builder, a CSV line), compiled
    once: compiling took about 0.7 ms, as much as the rest of a one-series answer's rows."""
    return compile(source, name, "exec")
