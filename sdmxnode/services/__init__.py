"""What the web layer and the CLI share: structures, data, validation; no Flask, no SQL."""
