"""The retry commands the app offers: complete, quoted, and only for real queue ids."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tui.core.postfix.commands import flush_command, retry_argv, retry_command


def test_flush_and_retry_are_quoted() -> None:
    odd = Path("/srv/post fix;rm -rf /")
    assert shlex.split(flush_command(odd)) == ["postqueue", "-c", str(odd), "-f"]
    assert shlex.split(retry_command(odd, "B282621A1A2")) == [
        "postqueue", "-c", str(odd), "-i", "B282621A1A2"]


@pytest.mark.parametrize("queue_id", ["", "-f", "abc;reboot", "B2826 21A1A2", "x" * 40])
def test_a_queue_id_that_is_not_one_is_refused(queue_id: str) -> None:
    with pytest.raises(ValueError):
        retry_argv(Path("/etc/postfix"), queue_id)
