"""The commands that make Postfix retry the queue, as complete shell lines.

`postqueue -f` retries everything deferred; `postqueue -i ID` one message.
Both take `-c DIR` so a non-default instance (or the lab) is the one asked.
Every word is quoted: a queue id comes from Postfix's output.
"""

from __future__ import annotations

import re
from pathlib import Path

from tui.core.shell_words import shell_command

# Postfix queue ids: short hex ids, or the long (enable_long_queue_ids) alphabet.
_QUEUE_ID = re.compile(r"^[0-9A-Za-z]{6,20}$")


def _postqueue(config_dir: Path, *args: str) -> list[str]:
    return ["postqueue", "-c", str(config_dir), *args]


def flush_argv(config_dir: Path) -> list[str]:
    return _postqueue(config_dir, "-f")


def retry_argv(config_dir: Path, queue_id: str) -> list[str]:
    """Retry one message; a queue id that is not one raises ValueError."""
    if not _QUEUE_ID.match(queue_id):
        raise ValueError(f"{queue_id!r} is not a Postfix queue id")
    return _postqueue(config_dir, "-i", queue_id)


def flush_command(config_dir: Path) -> str:
    return shell_command(*flush_argv(config_dir))


def retry_command(config_dir: Path, queue_id: str) -> str:
    return shell_command(*retry_argv(config_dir, queue_id))
