"""The x-ray on the real lab: each fault lights exactly the hop it belongs to."""

from __future__ import annotations

import time

import pytest

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import ALL_CHECKS, run_checks
from tui.core.installation import Installation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.xray import HopState, build_hops, first_failing
from tui.lab.lab import Lab


def hops_for(lab: Lab):
    context = CheckContext(Installation.from_flags({"config": str(lab.settings_file)}))
    results = tuple(run_checks(context, ALL_CHECKS))
    return build_hops(results, context, DeferralCounts(), time.time())


# Faults that may light more than their first hop: both stop the daemon, so the pool is gone
# too (unless another authdaemond on this machine, another test's lab, is taken for it).
MAY_LIGHT = {"daemon-stopped": {"socket", "pool"}, "socket-missing": {"socket", "pool"}}


@pytest.mark.parametrize(("fault", "hop", "state"), [
    ("daemon-stopped", "socket", HopState.BAD),
    ("socket-missing", "socket", HopState.BAD),
    ("socket-permission", "maildrop", HopState.BAD),
    ("db-password-wrong", "postgres", HopState.BAD),
    ("db-down", "postgres", HopState.BAD),
    ("select-permission-denied", "postgres", HopState.BAD),
    ("workers-saturated", "pool", HopState.WARN),
    ("marker-missing", "config", HopState.BAD),
    ("old-style-keys", "config", HopState.BAD),
    ("maildrop-not-setuid", "maildrop", HopState.BAD),
    ("maildrop-bounces-outages", "maildrop", HopState.WARN),
])
def test_each_fault_lights_its_hop_first(break_lab, fault: str, hop: str,
                                         state: HopState) -> None:
    hops = hops_for(break_lab(fault))
    lit = first_failing(hops)
    assert lit is not None and (lit.id, lit.state) == (hop, state), [
        (h.id, h.state, h.detail) for h in hops]
    # Exactly the hops the fault belongs to light up; the shared log's deferral lines (other
    # tests write them on purpose) may light Postfix, which is not this fault's hop.
    lit_ids = {h.id for h in hops if h.state in (HopState.BAD, HopState.WARN)} - {"delivery"}
    assert hop in lit_ids and lit_ids <= MAY_LIGHT.get(fault, {hop}), [
        (h.id, h.state, h.detail) for h in hops]
    if fault == "db-password-wrong":  # the credentials, not the whole database, are named
        assert "password" in lit.detail and lit.wizard_step == "db-credentials"
    if fault == "daemon-stopped":
        assert lit.wizard_step == "daemon-not-running"


def test_a_healthy_lab_is_all_ok_with_latencies(healthy_lab: Lab) -> None:
    hops = hops_for(healthy_lab)
    assert [h.id for h in hops] == ["delivery", "maildrop", "socket", "pool", "config",
                                    "postgres"]
    assert all(h.state is HopState.OK for h in hops), [(h.id, h.state, h.detail) for h in hops]
    assert first_failing(hops) is None
    by_id = {h.id: h for h in hops}
    assert by_id["pool"].latency_ms is not None and by_id["postgres"].latency_ms is not None


def test_old_samples_are_stale() -> None:
    hops = build_hops((), None, None, sampled_at=0.0, now=100.0, stale_after=30.0)
    assert hops[0].state is HopState.UNKNOWN  # no log source
    assert all(h.state is HopState.STALE for h in hops[1:])


@pytest.mark.parametrize("fault", ["home-missing", "home-wrong-owner", "home-world-writable",
                                   "maildir-missing"])
def test_mail_waiting_in_the_queue_lights_postfix(break_lab, fault: str) -> None:
    """The Postfix hop is observed from the lab's queue, not inferred from the log."""
    lab = break_lab(fault)
    try:
        assert "status=deferred" in lab.send_and_wait("foo@domain.com")
        hops = hops_for(lab)
        lit = first_failing(hops)
        assert lit is not None and (lit.id, lit.state) == ("delivery", HopState.BAD)
        step = "maildir-missing" if fault == "maildir-missing" else "mailbox-home"
        assert "foo@domain.com" in lit.detail and lit.wizard_step == step
        assert lit.results and all(h.state is HopState.OK for h in hops[1:])
    finally:
        lab.postfix.clear_queue()
