"""The DSD-specific XML schema of structure-specific data (SDMX 2.1 and 3.0, section 3B).

For one structure and one dimension at the observation level it derives, by restriction of
the official abstract types in `SDMXDataStructureSpecific.xsd`, a `DataSetType`, a
`SeriesType` (unless `AllDimensions`), an `ObsType` and a `GroupType` per group, with code
lists as enumerated simple types and text formats as XML Schema types. With TIME_PERIOD at
the observation level the 2.1 types derive from the time-series ones, so that the schema
validates both StructureSpecificData and StructureSpecificTimeSeriesData messages.

Components are placed as the data writers place them (`attribute_levels`); attributes are
optional (a query may leave them out), dimensions required. What the base types declare
optional and the DSD does not use is prohibited, as SDMXDataStructureSpecificBase.xsd asks
of derived types: `REPORTING_YEAR_START_DAY` (2.1; when the DSD declares it at a level it is
typed xs:gMonthDay as the base fixes it, and required if mandatory), `TIME_PERIOD` without a
time dimension, the observation `type` without explicit measures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lxml import etree

from sdmxnode.errors import SemanticError
from sdmxnode.formats.rows import Component, StructureInfo
from sdmxnode.formats.sdmxml import NAMESPACES
from sdmxnode.formats.sdmxml.data.writers.layout import (
    ALL_DIMENSIONS,
    TIME_PERIOD,
    attribute_levels,
    check_dimension_at_observation,
    resolved_structure,
    structure_namespace,
)
from sdmxnode.formats.sdmxml.data.writers.stream import SS_NS
from sdmxnode.formats.sdmxml.schema.types import XS, SimpleTypes
from sdmxnode.refs import ArtefactRef

_OPTIONAL = "optional"
_REQUIRED = "required"
_PROHIBITED = "prohibited"
_TIME_TYPE = "common:ObservationalTimePeriodType"
#: Declared optional by every 2.1 base type: a derived type requires or prohibits it.
REPORTING_YEAR_START_DAY = "REPORTING_YEAR_START_DAY"


def write_dsd_schema(
    info: StructureInfo,
    *,
    version: str = "2.1",
    dimension_at_observation: str = TIME_PERIOD,
    explicit_measure: bool = False,
    structure_ref: ArtefactRef | None = None,
    schema_location: str | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    constrained: bool = False,
) -> bytes:
    """The structure-specific schema of `info` for `dimension_at_observation`, as UTF-8 XML.

    `structure_ref` names what the schema is for (its namespace): by default the dataflow of
    `info`, else its DSD. `schema_location` is the folder or URL of the official schemas
    (default: relative, the schema is to be stored next to them). `groups` maps group ids
    to their dimensions (StructureInfo does not carry groups). `constrained` restricts codes
    to those the dataflow's content constraints allow. `explicit_measure` derives one
    observation type per code of the (coded) dimension at the observation level.
    """
    if version not in ("2.1", "3.0", "3.1"):
        raise SemanticError(f"no structure-specific schema for SDMX-ML {version}")
    check_dimension_at_observation(info, dimension_at_observation)
    at_obs = dimension_at_observation
    flat = at_obs == ALL_DIMENSIONS
    time_series = version == "2.1" and at_obs == TIME_PERIOD
    kind_class, ref = resolved_structure(structure_ref, info)
    namespace = structure_namespace(kind_class, ref, at_obs)
    common_ns = NAMESPACES[version]["com"]
    location = f"{schema_location.rstrip('/')}/" if schema_location else ""

    schema = etree.Element(
        f"{{{XS}}}schema",
        nsmap={None: namespace, "xs": XS, "common": common_ns, "dsd": SS_NS[version]},
        targetNamespace=namespace,
        elementFormDefault="qualified",
        attributeFormDefault="unqualified",
    )
    etree.SubElement(
        schema, f"{{{XS}}}import", namespace=common_ns, schemaLocation=f"{location}SDMXCommon.xsd"
    )
    etree.SubElement(
        schema,
        f"{{{XS}}}import",
        namespace=SS_NS[version],
        schemaLocation=f"{location}SDMXDataStructureSpecific.xsd",
    )
    builder = _Builder(info, version, at_obs, SimpleTypes(version), constrained)
    builder.data_set(schema, flat=flat, time_series=time_series, with_groups=bool(groups))
    if groups:
        builder.groups(schema, groups)
    if not flat:
        builder.series(schema, time_series=time_series)
    builder.observation(schema, flat=flat, time_series=time_series, explicit=explicit_measure)
    builder.types.write(schema)
    return etree.tostring(schema, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class _Builder:
    def __init__(
        self, info: StructureInfo, version: str, at_obs: str, types: SimpleTypes, constrained: bool
    ) -> None:
        self.info = info
        self.version = version
        self.at_obs = at_obs
        self.types = types
        self.constrained = constrained
        levels = attribute_levels(info, at_obs)
        self.attributes = {
            level: [a for a in info.attributes if levels[a.id] == level]
            for level in ("dataset", "series", "observation")
        }

    # -- helpers ---------------------------------------------------------------------
    def _type(self, component: Component) -> str:
        if component.role == "time":
            return _TIME_TYPE
        allowed = self.info.allowed.get(component.id) if self.constrained else None
        return self.types.for_component(component, allowed=allowed)

    def _restriction(
        self, schema: etree._Element, name: str, base: str, *, abstract: bool = False
    ) -> etree._Element:
        complex_type = etree.SubElement(schema, f"{{{XS}}}complexType", name=name)
        if abstract:
            complex_type.set("abstract", "true")
        content = etree.SubElement(complex_type, f"{{{XS}}}complexContent")
        return etree.SubElement(content, f"{{{XS}}}restriction", base=base)

    def _annotations(self, parent: etree._Element) -> None:
        etree.SubElement(parent, f"{{{XS}}}element", ref="common:Annotations", minOccurs="0")

    def _attribute(
        self, parent: etree._Element, name: str, type_: str | None, use: str, **extra: str
    ) -> None:
        attribute = etree.SubElement(parent, f"{{{XS}}}attribute", name=name)
        if type_:
            attribute.set("type", type_)
        attribute.set("use", use)
        for key, value in extra.items():
            attribute.set(key, value)

    def _components(
        self, parent: etree._Element, components: Sequence[Component], use: str
    ) -> None:
        for component in components:
            if component.id == REPORTING_YEAR_START_DAY and self.version == "2.1":
                mandatory = _REQUIRED if component.mandatory else use
                self._attribute(parent, component.id, "xs:gMonthDay", mandatory)
                continue
            self._attribute(parent, component.id, self._type(component), use)

    def _base_attributes(
        self, parent: etree._Element, components: Sequence[Component], *, time: bool = False
    ) -> None:
        """Prohibit what the base type leaves optional and `components` do not declare:
        REPORTING_YEAR_START_DAY (2.1), and with `time` TIME_PERIOD when the DSD has no
        time dimension."""
        if time and self.info.time_dimension is None:
            self._attribute(parent, TIME_PERIOD, _TIME_TYPE, _PROHIBITED)
        declared = {component.id for component in components}
        if self.version == "2.1" and REPORTING_YEAR_START_DAY not in declared:
            self._attribute(parent, REPORTING_YEAR_START_DAY, "xs:gMonthDay", _PROHIBITED)

    def _dimensions(self) -> list[Component]:
        time = [self.info.time_dimension] if self.info.time_dimension else []
        return list(self.info.dimensions) + time

    # -- types -----------------------------------------------------------------------
    def data_set(
        self, schema: etree._Element, *, flat: bool, time_series: bool, with_groups: bool
    ) -> None:
        base = "dsd:TimeSeriesDataSetType" if time_series else "dsd:DataSetType"
        restriction = self._restriction(schema, "DataSetType", base)
        sequence = etree.SubElement(restriction, f"{{{XS}}}sequence")
        self._annotations(sequence)
        etree.SubElement(
            sequence,
            f"{{{XS}}}element",
            name="DataProvider",
            type="common:DataProviderReferenceType",
            form="unqualified",
            minOccurs="0",
        )
        if self.version != "2.1":  # SDMX-ML 3.0 and 3.1
            choice = etree.SubElement(sequence, f"{{{XS}}}choice", minOccurs="0")
            choice.set("maxOccurs", "unbounded")
            holder, occurs = choice, "1"
        else:
            holder, occurs = sequence, "unbounded"
        if with_groups:
            group = etree.SubElement(
                holder, f"{{{XS}}}element", name="Group", type="GroupType", form="unqualified"
            )
            if self.version == "2.1":
                group.set("minOccurs", "0")
                group.set("maxOccurs", "unbounded")
        if self.version == "2.1":
            holder = etree.SubElement(sequence, f"{{{XS}}}choice", minOccurs="0")
        element = "Obs" if flat else "Series"
        etree.SubElement(
            holder,
            f"{{{XS}}}element",
            name=element,
            type=f"{element}Type",
            form="unqualified",
            maxOccurs=occurs,
        )
        self._components(restriction, self.attributes["dataset"], _OPTIONAL)
        self._base_attributes(restriction, self.attributes["dataset"])

    def groups(self, schema: etree._Element, groups: Mapping[str, Sequence[str]]) -> None:
        restriction = self._restriction(schema, "GroupType", "dsd:GroupType", abstract=True)
        sequence = etree.SubElement(restriction, f"{{{XS}}}sequence")
        self._annotations(sequence)
        self._attribute(restriction, "type", "common:IDType", _OPTIONAL)
        group_attributes = [a for a in self.info.attributes if a.attachment == "group"]
        self._base_attributes(restriction, group_attributes)
        etree.SubElement(restriction, f"{{{XS}}}anyAttribute", namespace="##local")
        for group_id, dimension_ids in groups.items():
            restriction = self._restriction(schema, group_id, "GroupType")
            sequence = etree.SubElement(restriction, f"{{{XS}}}sequence")
            self._annotations(sequence)
            self._attribute(restriction, "type", "common:IDType", _OPTIONAL, fixed=group_id)
            members = [d for d in self._dimensions() if d.id in set(dimension_ids)]
            self._components(restriction, members, _REQUIRED)
            self._components(restriction, group_attributes, _OPTIONAL)

    def series(self, schema: etree._Element, *, time_series: bool) -> None:
        base = "dsd:TimeSeriesType" if time_series else "dsd:SeriesType"
        restriction = self._restriction(schema, "SeriesType", base)
        sequence = etree.SubElement(restriction, f"{{{XS}}}sequence")
        self._annotations(sequence)
        etree.SubElement(
            sequence,
            f"{{{XS}}}element",
            name="Obs",
            type="ObsType",
            form="unqualified",
            minOccurs="0",
            maxOccurs="unbounded",
        )
        for dimension in self._dimensions():
            if dimension.id == self.at_obs:
                if dimension.role == "time" and not time_series:
                    self._attribute(restriction, dimension.id, _TIME_TYPE, _PROHIBITED)
                continue
            self._attribute(restriction, dimension.id, self._type(dimension), _REQUIRED)
        self._components(restriction, self.attributes["series"], _OPTIONAL)
        self._base_attributes(restriction, self.attributes["series"], time=not time_series)

    def observation(
        self, schema: etree._Element, *, flat: bool, time_series: bool, explicit: bool
    ) -> None:
        base = "dsd:TimeSeriesObsType" if time_series else "dsd:ObsType"
        measure_dimension = None
        if explicit:
            measure_dimension = self.info.component(self.at_obs)
            if flat or measure_dimension is None or measure_dimension.codes is None:
                raise SemanticError(
                    "explicit measures need a coded dimension at the observation level",
                    where="dimensionAtObservation",
                )
        restriction = self._restriction(schema, "ObsType", base, abstract=explicit)
        sequence = etree.SubElement(restriction, f"{{{XS}}}sequence")
        self._annotations(sequence)
        if not explicit:  # TimeSeriesObsType prohibits it already; said again as the TCK asks
            self._attribute(restriction, "type", "common:IDType", _PROHIBITED)
        time = self.info.time_dimension
        for dimension in self._dimensions():
            if flat or dimension.id == self.at_obs:
                self._attribute(restriction, dimension.id, self._type(dimension), _REQUIRED)
            elif dimension is time:
                self._attribute(restriction, dimension.id, _TIME_TYPE, _PROHIBITED)
        self._components(restriction, self.info.measures, _OPTIONAL)
        self._components(restriction, self.attributes["observation"], _OPTIONAL)
        self._base_attributes(restriction, self.attributes["observation"], time=not time_series)
        if measure_dimension is not None:
            self._explicit_measures(schema, measure_dimension)

    def _explicit_measures(self, schema: etree._Element, dimension: Component) -> None:
        """One observation type per measure code (SDMX 2.1 section 3B, explicit measures):
        `xsi:type` names it and `type` carries the code."""
        for code in sorted(dimension.codes or ()):
            name = "Obs." + re.sub(r"[^A-Za-z0-9_.-]", "_", code)
            restriction = self._restriction(schema, name, "ObsType")
            sequence = etree.SubElement(restriction, f"{{{XS}}}sequence")
            self._annotations(sequence)
            self._attribute(restriction, "type", "common:IDType", _OPTIONAL, fixed=code)
            self._attribute(restriction, dimension.id, self._type(dimension), _REQUIRED, fixed=code)
