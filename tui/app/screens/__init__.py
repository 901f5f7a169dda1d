"""screens of the Textual UI."""
