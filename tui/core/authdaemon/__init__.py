"""core/authdaemon."""
