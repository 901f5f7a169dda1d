"""authlib-tui: a terminal troubleshooter for Courier Authlib (authdaemond)."""

__version__ = "0.1.0"
