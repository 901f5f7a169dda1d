"""The matcher: the catalogue's patterns compiled, and a log line matched to its record.

Apart from the data (`logs/catalogue/`), so a record is written without knowing how
it is matched, and the optimiser that rewrites patterns for speed changes no record.
"""
