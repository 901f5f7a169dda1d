"""panes of the Textual UI."""
