"""The reference-metadata tables: metadata sets, their targets and history.

`sets` writes them (all or nothing, with history); `reads` answers the metadata queries.
"""
