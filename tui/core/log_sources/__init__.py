"""This installation's logs: which sources it has, reading them, their recent errors."""
