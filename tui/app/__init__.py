"""The Textual UI: screens, panes and widgets on top of `tui.core`.

Nothing in here talks to the system directly; it calls the core in workers.
"""
