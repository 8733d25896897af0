"""Reference metadata: loading metadata sets (validated, with their actions) into the store
and answering the metadata queries."""
