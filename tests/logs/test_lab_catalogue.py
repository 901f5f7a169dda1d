"""The lab broken as a server breaks; the lines authdaemond really wrote are explained.

Each fault makes the real authdaemond (Debian's, run by courierlogger into the lab's
syslog sink) write its own messages to `lab.maillog`; they are read back with the
same FileFollower the app uses and with `explain`, never typed in by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.waiting import sample_until
from tui.core.authdaemon.outcome import Outcome
from tui.core.explain.line import explain_line
from tui.core.explain.remedies import PlatformFacts
from tui.core.logs.entry import LogEntry
from tui.core.logs.file_source import FileFollower
from tui.lab import namespace
from tui.lab.configs import BROKEN_MODULE, UNINSTALLED_MODULE
from tui.lab.faults import FAULTS
from tui.lab.lab import MODULE_DIR, Lab
from tui.lab.seed import LAB_MAILBOX_PASSWORD

pytestmark = pytest.mark.lab

MAILBOX = "foo@domain.com"
NOBODY = "nobody-here@domain.com"


def offset_of(entry: LogEntry) -> int:
    assert entry.cursor is not None
    return int(entry.cursor.rsplit(":", 1)[1])


def lines_after(path: Path, start: int, expected: set[str]) -> list[LogEntry]:
    """authdaemond's entries written after byte `start`, once `expected` ids are all there.

    Polls with a deadline: the syslog sink writes asynchronously.
    """
    deadline = time.monotonic() + 10
    while True:
        entries = [entry for entry in FileFollower(path).backfill(500)
                   if offset_of(entry) >= start and entry.tag == "authdaemond"]
        ids = {entry.signature.id for entry in entries if entry.signature is not None}
        if expected <= ids or time.monotonic() > deadline:
            return entries
        time.sleep(0.05)


def ids_of(entries: list[LogEntry]) -> set[str]:
    return {entry.signature.id for entry in entries if entry.signature is not None}


def test_a_module_that_cannot_load(lab: Lab, break_lab: Callable[..., Lab]) -> None:
    """A file that is not a library and a module no package installed: both `file not found`.

    libltdl goes on searching when dlopen() refuses a file, so Debian's authdaemond says
    the same for a broken module as for a missing one.
    """
    start = lab.maillog.stat().st_size
    break_lab("module-unloadable")
    listing = namespace.run_in_namespace(lab.state.holder_pid, ["ls", MODULE_DIR])
    assert f"lib{BROKEN_MODULE}.so.0" in listing.split()
    entries = lines_after(lab.maillog, start, {"module-not-found"})
    installing = [i for i, e in enumerate(entries) if e.message.startswith("Installing lib")]
    after = {entries[i].message.split()[1]: entries[i + 1] for i in installing
             if i + 1 < len(entries)}
    for library in (f"lib{BROKEN_MODULE}.so.0", f"lib{UNINSTALLED_MODULE}.so.0"):
        signature = after[library].signature
        assert signature is not None and signature.id == "module-not-found", after[library]
        assert signature.wizard_step == "module-missing"
    assert lab.client(read_timeout=5).lookup(MAILBOX).outcome is FAULTS[
        "module-unloadable"].lookup_outcome


def test_a_socket_that_cannot_be_created(lab: Lab, break_lab: Callable[..., Lab]) -> None:
    start = lab.maillog.stat().st_size
    break_lab("socket-blocked")
    entries = lines_after(lab.maillog, start, {"socket-create-failed"})
    created = [e for e in entries if e.signature and e.signature.id == "socket-create-failed"]
    assert created, [(e.message, e.signature and e.signature.id) for e in entries]
    line = f"Nov 26 23:30:24 mail authdaemond: {created[0].message}"
    explanation = explain_line(line, PlatformFacts.generic())
    assert explanation is not None and explanation.signature.wizard_step == "daemon-start-failed"
    assert lab.client(read_timeout=5).lookup(MAILBOX).outcome is FAULTS[
        "socket-blocked"].lookup_outcome


def test_debug_login_explains_a_not_found(lab: Lab, break_lab: Callable[..., Lab]) -> None:
    break_lab("debug-login")
    start = lab.maillog.stat().st_size
    assert lab.client(read_timeout=5).lookup(NOBODY).outcome is Outcome.NOT_FOUND
    # The fault uses a SELECT shorter than courierlogger's 511 bytes: after ApisCP's long
    # one, cut at 511 bytes, these lines are usually lost.
    expected = {"lookup-zero-rows", "module-rejected", "all-modules-rejected"}
    entries = lines_after(lab.maillog, start, expected)
    assert expected <= ids_of(entries), [(e.message, e.signature) for e in entries]
    steps = {e.signature.wizard_step for e in entries if e.signature and e.signature.id in expected}
    assert steps == {"not-a-mailbox"}


def test_debug_login_2_passwords_are_masked(lab: Lab, break_lab: Callable[..., Lab]) -> None:
    break_lab("debug-login-passwords")
    start = lab.maillog.stat().st_size
    assert lab.client(read_timeout=5).lookup(MAILBOX).outcome is Outcome.FOUND
    entries = lines_after(lab.maillog, start, {"debug-passwords-logged"})
    assert "debug-passwords-logged" in ids_of(entries), [e.message for e in entries]
    raw = lab.maillog.read_bytes()[start:].decode("utf-8", errors="replace")
    assert LAB_MAILBOX_PASSWORD in raw  # authdaemond really wrote it to the log...
    for entry in entries:  # ...and no entry the app, a report or a recording gets holds it
        assert LAB_MAILBOX_PASSWORD not in entry.message
    for text in raw.splitlines():
        explanation = explain_line(text, PlatformFacts.generic())
        assert explanation is None or LAB_MAILBOX_PASSWORD not in explanation.line


def test_a_wrong_password_and_the_normal_lines_around_it(
        lab: Lab, break_lab: Callable[..., Lab]) -> None:
    """A real login with a wrong password: what authdaemond wrote, read as explain reads it."""
    break_lab("debug-login")
    start = lab.maillog.stat().st_size
    assert lab.client(read_timeout=5).login(MAILBOX, "not-the-password").outcome is (
        Outcome.NOT_FOUND)
    written = sample_until(
        lambda: lab.maillog.read_bytes()[start:].decode("utf-8", errors="replace").splitlines(),
        lambda lines: any("trying this module" in line for line in lines), timeout=10,
        what="authdaemond's debug lines of the login")
    explained = [explain_line(line, PlatformFacts.generic()) for line in written]
    ids = {explanation.signature.id: explanation.normal for explanation in explained
           if explanation is not None}
    assert ids.get("lookup-received") is True, written
    assert ids.get("lookup-trying-module") is True, written
    assert "debug-passwords-logged" not in ids
