"""The comparability checks over stored data: aggregates against members, mirror statistics."""
