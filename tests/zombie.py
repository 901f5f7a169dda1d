"""A real zombie named `authdaemond`: what a restarted daemon leaves on a host whose PID 1
reaps no orphans. The product must count it as gone."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.waiting import wait_until


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@contextlib.contextmanager
def unreaped_authdaemond(scratch: Path) -> Iterator[int]:
    """An exited child whose comm is `authdaemond`, left unreaped while inside; its pid."""
    true = shutil.which("true")
    assert true is not None
    binary = scratch / "authdaemond"
    shutil.copy(true, binary)
    child = subprocess.Popen([str(binary)])
    try:
        wait_until(lambda: _state(child.pid) == "Z", 10, "the child to exit and stay unreaped")
        yield child.pid
    finally:
        child.wait(timeout=10)
