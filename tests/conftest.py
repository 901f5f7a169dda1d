"""Shared fixtures: the real lab, fault switching, running code as an unprivileged user.

In CI (`CI=true`) a lab that cannot start is a failure, never a skip: the
suite exists to exercise the real daemon and database.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tui.lab.lab import Lab
from tui.lab.syslog_sink import JOURNAL_REMOTE

T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NOBODY_UID = 65534
NOBODY_GID = 65534


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"the real lab is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_sessionstart(session: pytest.Session) -> None:
    """A SIGTERM (timeout, CI's limit) interrupts like ctrl+c, so the labs are torn down."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _require_lab() -> None:
    if os.geteuid() != 0:
        _unavailable("the lab needs root")
    for binary, package in (("/usr/sbin/authdaemond", "courier-authdaemon"),
                            ("/usr/sbin/authtest", "courier-authdaemon"),
                            ("/usr/sbin/postfix", "postfix"), ("/usr/bin/maildrop", "maildrop")):
        if not Path(binary).exists():
            _unavailable(f"{binary} is missing (apt-get install {package})")


@contextmanager
def running_lab(log_mode: str = "file") -> Iterator[Lab]:
    """A lab of its own, up and answering, and down afterwards whatever happens."""
    _require_lab()
    instance = Lab.create(log_mode=log_mode)
    try:
        instance.wait_found()
        yield instance
    finally:
        instance.down()


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """One real lab (Postfix, maildrop, authdaemond, PostgreSQL) for the session, healthy
    between tests."""
    with running_lab() as instance:
        yield instance


@pytest.fixture(scope="session")
def journal_remote() -> Path:
    """systemd-journal-remote, the real writer of journal files for the journal tests."""
    if not JOURNAL_REMOTE.exists():
        _unavailable(f"{JOURNAL_REMOTE} is missing (apt-get install systemd-journal-remote)")
    return JOURNAL_REMOTE


@pytest.fixture(scope="session")
def journal_lab() -> Iterator[Lab]:
    """A lab that is a journald-only host: the daemon's lines go to a real journal file.

    No maillog exists; the settings name the journal directory instead of a log file.
    """
    _require_lab()
    if not JOURNAL_REMOTE.exists():
        _unavailable(f"{JOURNAL_REMOTE} is missing (apt-get install systemd-journal-remote)")
    with running_lab(log_mode="journal") as instance:
        yield instance


@pytest.fixture(scope="module")
def bounce_lab() -> Iterator[Lab]:
    """A lab of the module's own for mail that bounces: a bounce stays in the last hour's log,
    so in the session's lab every later check would say mail-bounced (critical) for an hour."""
    with running_lab() as instance:
        yield instance


@pytest.fixture
def healthy_lab(lab: Lab) -> Iterator[Lab]:
    """The lab, guaranteed healthy before and after the test, with no mail waiting.

    Mail a broken test left deferred would be retried by the lab's Postfix in the middle of
    a later test: a lookup nobody asked for, a worker busy in an "idle" pool.
    """
    if lab.faults or lab.state.workers is not None or lab.state.socket_dir_closed:
        lab.apply(frozenset())
    lab.postfix.clear_queue()
    yield lab
    if lab.faults or lab.state.workers is not None or lab.state.socket_dir_closed:
        lab.apply(frozenset())


@pytest.fixture
def mail_lab(lab: Lab) -> Iterator[Lab]:
    """The session's lab, healthy and with an empty Postfix queue before and after the test."""
    lab.apply(frozenset())
    lab.postfix.clear_queue()
    yield lab
    lab.apply(frozenset())
    lab.postfix.clear_queue()


@pytest.fixture
def break_lab(lab: Lab) -> Iterator[Callable[..., Lab]]:
    """`break_lab("db-down", ...)`: apply faults for this test; healed afterwards."""

    def apply(*names: str) -> Lab:
        lab.apply(frozenset(names))
        return lab

    yield apply
    lab.apply(frozenset())
    lab.postfix.clear_queue()  # nothing the fault deferred is retried during a later test


def run_as_nobody(function: Callable[[], T]) -> T:
    """Run `function` in a forked child that has dropped root for nobody:nogroup.

    The pyenv interpreter is not executable by nobody, so instead of a new
    process we fork this one (modules already imported) and setuid in the child.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY_GID)
            os.setuid(NOBODY_UID)
            payload: Any = ("ok", function())
        except BaseException as exc:
            payload = ("error", repr(exc))
            code = 1
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(payload, pipe)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        kind, value = pickle.load(pipe)
    os.waitpid(pid, 0)
    if kind != "ok":
        raise AssertionError(f"child running as nobody failed: {value}")
    return value
