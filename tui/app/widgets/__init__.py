"""widgets of the Textual UI."""
