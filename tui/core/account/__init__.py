"""core/account."""
