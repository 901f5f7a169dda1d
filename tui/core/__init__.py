"""The core: everything that talks to the system, with no UI import.

The headless commands, the lab, the tests and the Textual panes all use it.
`tests/test_import_hygiene.py` and import-linter's contract keep Textual out.
"""
