"""The kernel every layer stands on: the registry of named units, the typed errors, safe output
paths and the DuckDB write helpers. It imports nothing from the layers above it."""
