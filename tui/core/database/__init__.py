"""core/database."""
