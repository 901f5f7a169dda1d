"""The queue sampler against real postqueue runs: a live lab instance and a dead one."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

from tui.core.postfix.queue import (
    MAX_OUTPUT_BYTES,
    QueueSampler,
    chain_reason,
    parse_postqueue_json,
)
from tui.lab.lab import Lab


def test_an_empty_live_queue(healthy_lab: Lab) -> None:
    healthy_lab.postfix.clear_queue()
    snapshot = QueueSampler(healthy_lab.postfix.config_dir).sample()
    assert snapshot.ok and snapshot.messages == () and snapshot.deferred_authlib == 0
    assert snapshot.oldest_seconds is None


def test_a_dead_postqueue_is_a_state_not_an_exception(tmp_path: Path) -> None:
    sampler = QueueSampler(tmp_path)  # no main.cf: postqueue exits with a fatal error
    snapshot = sampler.sample()
    assert not snapshot.ok and "failed (exit" in snapshot.error and "main.cf" in snapshot.error
    assert snapshot.deferred_authlib == 0 and sampler.last is snapshot
    missing = QueueSampler(tmp_path, postqueue="/nonexistent/postqueue").sample()
    assert not missing.ok and "not installed" in missing.error


def test_reasons_are_classified_from_real_deferrals(break_lab) -> None:
    lab = break_lab("socket-missing")
    try:
        lab.send_and_wait("foo@domain.com")
        raw = lab.postfix.queue_json()
        snapshot = QueueSampler(lab.postfix.config_dir).sample()
        record = json.loads(raw.splitlines()[0])
        reason = record["recipients"][0]["delay_reason"]
        assert snapshot.reasons == {reason: 1}
        assert [s.id for s in snapshot.signatures] == ["s-connect-no-socket"]
        assert snapshot.oldest_seconds is not None
        assert snapshot.oldest_seconds <= time.time() - record["arrival_time"] + 1
    finally:
        lab.postfix.clear_queue()


def test_garbage_and_other_reasons_do_not_count() -> None:
    lines = "\n".join([
        "not json",
        json.dumps({"queue_name": "deferred", "queue_id": "A1B2C3D4E5", "arrival_time": 10,
                    "sender": "s@x", "recipients": [{"address": "a@x", "delay_reason":
                                                     "connect to mx.example[1.2.3.4]:25: "
                                                     "Connection timed out"}]}),
        json.dumps({"queue_name": "deferred", "queue_id": "B1B2C3D4E5", "arrival_time": "bad"}),
        json.dumps(["a", "list"]),
    ])
    messages = parse_postqueue_json(lines)
    assert len(messages) == 1 and messages[0].chain_recipients == ()
    assert chain_reason("no command output here") is None


# One deferred message as `postqueue -j` prints it, padded so every line has the same length.
_RECORD = {"queue_name": "deferred", "queue_id": "{id:010X}", "arrival_time": 10,
           "sender": "s@x", "recipients": [{"address": "a@x", "delay_reason": "x" * 300}]}
_LINE = json.dumps(_RECORD) + "\n"


def _line(number: int) -> str:
    return _LINE.replace("{id:010X}", format(number, "010X"))

_ENDLESS_POSTQUEUE = '''#!{python}
"""Stands in for `postqueue -j` on a queue far larger than the tool reads.

The real postqueue cannot be made to print more than 10 MB cheaply (that is some
20 000 queued messages). This one prints {total} bytes of well-formed records, then
leaves a mark: the mark exists only if someone read its output to the very end.
"""
import os, sys
open({pid!r}, "w").write(str(os.getpid()))
line = {line!r}
out = sys.stdout
for number in range({count}):
    out.write(line.replace("{{id:010X}}", format(number, "010X")))
out.flush()
open({mark!r}, "w").close()
'''


def _reaped(pid_file: Path) -> bool:
    """The fake's process is gone: not running and not a zombie left for someone to reap."""
    return not Path(f"/proc/{int(pid_file.read_text())}").exists()


def test_a_listing_over_the_cap_is_cut_there_and_postqueue_stopped(tmp_path: Path) -> None:
    pid_file, mark = tmp_path / "pid", tmp_path / "read-to-the-end"
    size = len(_line(0))
    count = 3 * MAX_OUTPUT_BYTES // size
    fake = tmp_path / "postqueue"
    fake.write_text(_ENDLESS_POSTQUEUE.format(
        python=sys.executable, total=count * size, pid=str(pid_file), line=_LINE,
        count=count, mark=str(mark)))
    fake.chmod(0o755)
    snapshot = QueueSampler(tmp_path, postqueue=str(fake)).sample()
    # Stopped at the cap, not read to the end: a pipe holds far less than the 20 MB left.
    assert not mark.exists()
    assert _reaped(pid_file)
    assert snapshot.ok and snapshot.truncated
    assert snapshot.note.startswith("queue listing cut at 10 MB")
    # Every whole line under the cap is kept, in order; the one cut in the middle is not.
    whole = MAX_OUTPUT_BYTES // size
    assert len(snapshot.messages) == whole
    assert snapshot.messages[-1].queue_id == format(whole - 1, "010X")
    assert f"{whole} message(s) read" in snapshot.note


def test_a_postqueue_that_hangs_keeps_what_it_said_and_is_stopped(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    lines = "".join(_line(n) for n in range(3))
    fake = tmp_path / "postqueue"
    # Three records and half of a fourth, then it hangs (a stuck showq does that).
    fake.write_text(f"#!/bin/sh\necho $$ > {shlex.quote(str(pid_file))}\n"
                    f"printf '%s' {shlex.quote(lines + _LINE[:40])}\nexec sleep infinity\n")
    fake.chmod(0o755)
    snapshot = QueueSampler(tmp_path, timeout=1.0, postqueue=str(fake)).sample()
    assert _reaped(pid_file)
    assert snapshot.ok and snapshot.truncated
    assert [m.queue_id for m in snapshot.messages] == ["0000000000", "0000000001", "0000000002"]
    assert snapshot.note == "queue listing cut after 1 s (3 message(s) read; there may be more)"


def test_a_postqueue_that_hangs_silent_is_still_an_error(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    fake = tmp_path / "postqueue"
    fake.write_text(f"#!/bin/sh\necho $$ > {shlex.quote(str(pid_file))}\nexec sleep infinity\n")
    fake.chmod(0o755)
    snapshot = QueueSampler(tmp_path, timeout=1.0, postqueue=str(fake)).sample()
    assert _reaped(pid_file)
    assert not snapshot.ok and "did not answer within 1 s" in snapshot.error
    assert snapshot.messages == ()
