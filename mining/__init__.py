"""Mining: the embedded Hub snapshot, the loopback mirror, the crawler, the card parser and the
DuckDB store. The lowest layer: it imports nothing from analysis, classifiers or reports."""
