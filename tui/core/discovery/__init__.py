"""core/discovery."""
