"""Reference metadata: loading sets and answering the metadata queries."""
