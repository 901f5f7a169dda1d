"""Explaining log lines to people: their meaning, the platform's remedy, the failures page."""
