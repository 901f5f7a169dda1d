"""The id vocabularies every layer shares: checks, diagnoses, wizard steps, x-ray hops.

Each is a StrEnum whose values are the strings the JSON output, the CLI, the
recordings and the log signatures' `step=` already use, so typing an id changes
no byte of any output.
"""
