"""When Postfix tries a waiting message again, and when it gives up on it.

From qmgr's rules: after a failed attempt the queue file goes to `deferred`
with its time set into the future by (now − arrival), held between
minimal_backoff_time and maximal_backoff_time, so **the deferred file's
modification time is the next attempt**. Postfix gives up at the first attempt
after arrival + maximal_queue_lifetime (bounce_queue_lifetime for a bounce
notice, sender `<>`). The values are this Postfix's, read with postconf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tui.core.postfix.postconf import main_cf_values

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw]?)\s*$")
DAY = 86400.0
_PARAMETERS = ("maximal_queue_lifetime", "bounce_queue_lifetime", "minimal_backoff_time",
               "maximal_backoff_time", "queue_directory")


def postfix_seconds(text: str, default_unit: str) -> float | None:
    """A Postfix time value (`5d`, `300s`, `4000`) in seconds; None when it is not one."""
    match = _DURATION.match(text)
    if match is None:
        return None
    return float(match["number"]) * _UNITS[match["unit"] or default_unit]


@dataclass(frozen=True)
class RetryRules:
    """This Postfix's queue lifetimes and back-off, Postfix's defaults where unknown."""

    maximal_queue_lifetime: float = 5 * DAY
    bounce_queue_lifetime: float = 5 * DAY
    minimal_backoff_time: float = 300.0
    maximal_backoff_time: float = 4000.0
    queue_directory: Path | None = None
    source: str = "Postfix's defaults (postconf did not answer)"

    def gives_up(self, arrival: float, sender: str | None) -> float:
        lifetime = self.bounce_queue_lifetime if sender == "" else self.maximal_queue_lifetime
        return arrival + lifetime

    def next_retry(self, queue_id: str, arrival: float, last_attempt: float | None) -> float | None:
        """The deferred file's time when it can be read, else qmgr's rule from the log."""
        found = self._deferred_file_time(queue_id)
        if found is not None:
            return found
        if last_attempt is None:
            return None
        backoff = min(max(last_attempt - arrival, self.minimal_backoff_time),
                      self.maximal_backoff_time)
        return last_attempt + backoff

    def _deferred_file_time(self, queue_id: str) -> float | None:
        if self.queue_directory is None:
            return None
        deferred = self.queue_directory / "deferred"
        try:
            for path in deferred.glob(f"**/{queue_id}"):
                return path.stat().st_mtime
        except OSError:
            return None
        return None


def rules_of(config_dir: Path, timeout: float = 5.0) -> RetryRules:
    """`postconf -c DIR -x` for the lifetimes and back-off; defaults when it cannot answer."""
    values = main_cf_values(config_dir, _PARAMETERS, timeout)
    if not values:
        return RetryRules()
    defaults = RetryRules()

    def seconds(name: str, unit: str, fallback: float) -> float:
        found = postfix_seconds(values.get(name, ""), unit)
        return fallback if found is None else found

    queue = values.get("queue_directory")
    return RetryRules(
        maximal_queue_lifetime=seconds("maximal_queue_lifetime", "d",
                                       defaults.maximal_queue_lifetime),
        bounce_queue_lifetime=seconds("bounce_queue_lifetime", "d",
                                      defaults.bounce_queue_lifetime),
        minimal_backoff_time=seconds("minimal_backoff_time", "s", defaults.minimal_backoff_time),
        maximal_backoff_time=seconds("maximal_backoff_time", "s", defaults.maximal_backoff_time),
        queue_directory=Path(queue) if queue else None,
        source=f"postconf -c {config_dir}",
    )
