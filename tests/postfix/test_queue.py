"""The queue sampler against real postqueue runs: a live lab instance and a dead one."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tui.core.postfix.queue import QueueSampler, chain_reason, parse_postqueue_json
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
