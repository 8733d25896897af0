"""Converting data of an institution's own structure into a common dataflow through SDMX maps.

`plan_conversion` reads a stored `StructureMap` and its `RepresentationMap`s; `convert_datasets`
turns the data sets a reader yields into data sets of the map's target dataflow, row by
row, before the usual validation and the all-or-nothing load (SDMX 3.0 structure mapping).
"""

from sdmxnode.services.mapping.convert import convert_datasets, convert_for_dataflow
from sdmxnode.services.mapping.plan import (
    ConversionPlan,
    find_maps_between,
    parse_map_ref,
    plan_conversion,
)

__all__ = [
    "ConversionPlan",
    "convert_datasets",
    "convert_for_dataflow",
    "find_maps_between",
    "parse_map_ref",
    "plan_conversion",
]
