"""Where each component of a data set goes in an SDMX-ML data message, shared by the writers
and the DSD-specific schema generator: series key, observation key, and the attachment level
of every attribute for a given dimension at the observation level.

Attribute levels follow SDMX 2.1 section 3B (structure specific schemas, "SeriesType",
"ObsType"): an attribute related to dimensions goes to the series when none of them is the
dimension at the observation level, otherwise to the observation. Group-attached attributes
are written at series level when TIME_PERIOD is at the observation level (the row stream
repeats them on every row and Group elements would have to precede every series) and at
observation level otherwise (the group may contain the observation dimension). With
`AllDimensions` every attribute that is not a data set one goes to the observation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdmxnode.errors import SemanticError
from sdmxnode.formats.rows import DataResult, StructureInfo
from sdmxnode.refs import STRUCTURE_TYPES, ArtefactRef

ALL_DIMENSIONS = "AllDimensions"
TIME_PERIOD = "TIME_PERIOD"

#: 'AGENCY:ID(VERSION)' as StructureInfo writes references.
_REF = re.compile(r"^(?P<agency>[^:]+):(?P<id>[^(]+)\((?P<version>[^)]*)\)$")


def split_ref(text: str) -> tuple[str, str, str]:
    """(agency, id, version) from 'AGENCY:ID(VERSION)'."""
    match = _REF.match(text)
    if match is None:
        raise SemanticError(f"not a structure reference of the form AGENCY:ID(VERSION): {text!r}")
    return match["agency"], match["id"], match["version"]


def attribute_levels(info: StructureInfo, dimension_at_observation: str) -> dict[str, str]:
    """Each attribute's level in a message: 'dataset', 'series' or 'observation'."""
    levels: dict[str, str] = {}
    for attribute in info.attributes:
        if attribute.attachment == "dataset":
            level = "dataset"
        elif dimension_at_observation == ALL_DIMENSIONS or attribute.attachment == "observation":
            level = "observation"
        elif attribute.attachment == "group":
            level = "series" if dimension_at_observation == TIME_PERIOD else "observation"
        elif dimension_at_observation in attribute.related_dimensions:
            level = "observation"
        else:
            level = "series"
        levels[attribute.id] = level
    return levels


def check_dimension_at_observation(info: StructureInfo, dimension_at_observation: str) -> None:
    """Refuse a dimension at the observation level that the DSD does not have (SDMX 150)."""
    if dimension_at_observation == ALL_DIMENSIONS:
        return
    known = [d.id for d in info.dimensions]
    if info.time_dimension is not None:
        known.append(info.time_dimension.id)
    if dimension_at_observation not in known:
        raise SemanticError(
            f"dimensionAtObservation={dimension_at_observation!r} is not a dimension of "
            f"{info.dsd} (dimensions: {', '.join(known)})",
            where="dimensionAtObservation",
        )


@dataclass(frozen=True)
class MessageLayout:
    """Column indices of a DataResult's rows per place in the message.

    Each place is a tuple of (component id, column index) in DSD order; components absent
    from the result's columns (e.g. attributes under detail=dataonly) are left out.
    """

    dimension_at_observation: str
    series_key: tuple[tuple[str, int], ...]  # empty for AllDimensions
    observation_key: tuple[tuple[str, int], ...]  # the observation dimension(s)
    measures: tuple[tuple[str, int], ...]
    series_attributes: tuple[tuple[str, int], ...]
    observation_attributes: tuple[tuple[str, int], ...]
    dataset_attributes: tuple[tuple[str, int], ...]  # columns that repeat data set values

    @property
    def flat(self) -> bool:
        """Whether every dimension is at the observation level (AllDimensions)."""
        return self.dimension_at_observation == ALL_DIMENSIONS


def plan_layout(result: DataResult) -> MessageLayout:
    """The MessageLayout of `result` for its `dimension_at_observation`."""
    info = result.structure
    at_obs = result.dimension_at_observation
    check_dimension_at_observation(info, at_obs)
    index = {column: i for i, column in enumerate(result.columns)}

    def placed(ids: list[str]) -> tuple[tuple[str, int], ...]:
        return tuple((i, index[i]) for i in ids if i in index)

    dimensions = [d.id for d in info.dimensions]
    if info.time_dimension is not None:
        dimensions.append(info.time_dimension.id)
    missing = [d for d in dimensions if d not in index]
    if missing:
        raise SemanticError(f"the data rows lack the dimension columns {', '.join(missing)}")
    if at_obs == ALL_DIMENSIONS:
        series_ids: list[str] = []
        obs_ids = dimensions
    else:
        series_ids = [d for d in dimensions if d != at_obs]
        obs_ids = [at_obs]
    levels = attribute_levels(info, at_obs)
    by_level: dict[str, list[str]] = {"dataset": [], "series": [], "observation": []}
    for attribute in info.attributes:
        by_level[levels[attribute.id]].append(attribute.id)
    return MessageLayout(
        dimension_at_observation=at_obs,
        series_key=placed(series_ids),
        observation_key=placed(obs_ids),
        measures=placed([m.id for m in info.measures]),
        series_attributes=placed(by_level["series"]),
        observation_attributes=placed(by_level["observation"]),
        dataset_attributes=placed(by_level["dataset"]),
    )


def structure_id(agency: str, id_: str, version: str) -> str:
    """An xs:ID naming the structure in the header and the data set (`structureRef`)."""
    text = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{agency}_{id_}_{version}").replace(".", "_")
    return text if re.match(r"[A-Za-z_]", text) else f"_{text}"


def structure_namespace(kind_class: str, ref: str, dimension_at_observation: str) -> str:
    """The namespace of the DSD-specific schema, as SDMX 2.1 section 3B writes it, e.g.
    `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=AG:ID(1.0):ObsLevelDim:TIME_PERIOD`."""
    return (
        f"urn:sdmx:org.sdmx.infomodel.datastructure.{kind_class}={ref}"
        f":ObsLevelDim:{dimension_at_observation}"
    )


def resolved_structure(ref: ArtefactRef | None, info: StructureInfo) -> tuple[str, str]:
    """(URN class, 'AG:ID(V)') of what the data are for, with the version as resolved.

    Without `ref`: the dataflow of `info` if it has one, else its DSD.
    """
    if ref is None:
        if info.dataflow:
            return "Dataflow", info.dataflow
        return "DataStructure", info.dsd
    if ref.type not in STRUCTURE_TYPES.values():
        raise SemanticError(f"data cannot be structured by a {ref.kind}")
    if ref.type == "Dataflow" and info.dataflow:
        return ref.type, info.dataflow
    if ref.type == "DataStructure":
        return ref.type, info.dsd
    return ref.type, f"{ref.agency_id}:{ref.id}({ref.version or '1.0'})"
