"""The chain x-ray: the delivery path as hops, each with a state, built from the checks' results.

Postfix delivery → maildrop → socket → worker pool → authpgsql config → PostgreSQL.
Nothing here measures anything: a hop is what the checks (and the log's deferral
counts) already found, so the x-ray and the wizard can never disagree. The Postfix
hop is the delivery checks (transport, queue, bounces); where they could not look
(no Postfix configuration readable) it falls back to the log's deferral counts. The first
hop that is not OK is where to look first: everything after it depends on it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from tui.core.checks.result import CheckResult, Status
from tui.core.ids.check_id import CheckId
from tui.core.ids.hop_id import HOP_TITLES, HopId
from tui.core.ids.wizard_step import WizardStep

if TYPE_CHECKING:  # the app's first frame draws the hops before any check has run
    from tui.core.checks.context import CheckContext
    from tui.core.logs.deferral_counts import DeferralCounts


class HopState(StrEnum):
    OK = "ok"
    WARN = "warn"
    BAD = "bad"
    UNKNOWN = "unknown"
    STALE = "stale"


@dataclass(frozen=True)
class HopSpec:
    id: HopId
    title: str

    @property
    def checks(self) -> tuple[CheckId, ...]:
        """The checks whose results make up this hop (`hop=` in their declarations).

        Read from the registry on first use, not at import: the registry imports every
        check module (psycopg among them), and the first frame draws the hops without them.
        """
        from tui.core.checks.registry import CHECKS_OF_HOP

        return CHECKS_OF_HOP[self.id]


HOPS: tuple[HopSpec, ...] = tuple(HopSpec(hop, HOP_TITLES[hop]) for hop in HopId)


@dataclass(frozen=True)
class Hop:
    id: HopId
    title: str
    state: HopState
    word: str  # one or two words, shown with the state's mark
    detail: str  # the finding that decided the state
    latency_ms: float | None
    sampled_at: float | None
    results: tuple[CheckResult, ...]

    def stale(self) -> Hop:
        """This hop as a sample too old to trust: its state is stale, its word says so."""
        return replace(self, state=HopState.STALE, word=f"{self.word} (stale)")

    @property
    def wizard_step(self) -> WizardStep | Literal[""]:
        """The wizard step for this hop's first failing check ("" when none)."""
        from tui.core.checks.registry import step_for  # results exist: the checks have run

        failing = next((r for r in self.results if r.status in (Status.FAIL, Status.WARN)), None)
        return step_for(failing) if failing is not None else ""


_STATE_OF = {Status.FAIL: HopState.BAD, Status.WARN: HopState.WARN, Status.OK: HopState.OK}


def _from_checks(spec: HopSpec, results: dict[CheckId, CheckResult], sampled_at: float | None,
                 latency_ms: float | None) -> Hop:
    mine = tuple(results[c] for c in spec.checks if c in results)
    ran = [r for r in mine if r.status is not Status.SKIP]
    if not ran:
        return Hop(spec.id, spec.title, HopState.UNKNOWN, "unknown", "no check could look at it",
                   latency_ms, sampled_at, mine)
    worst = max(ran, key=lambda r: r.status.rank)
    state = _STATE_OF[worst.status]
    word = {HopState.OK: "ok", HopState.WARN: "warning", HopState.BAD: "failing"}[state]
    return Hop(spec.id, spec.title, state, word, worst.finding, latency_ms, sampled_at, mine)


def _delivery(results: dict[CheckId, CheckResult], deferrals: DeferralCounts | None, now: float,
              sampled_at: float) -> Hop:
    """From the delivery checks when they looked; the log's deferrals can only make it worse."""
    spec = HOPS[0]
    observed = _from_checks(spec, results, sampled_at, None)
    from_log = _delivery_from_log(deferrals, now)
    if observed.state is HopState.UNKNOWN:
        return from_log
    if observed.state is HopState.OK and from_log.state is HopState.BAD:
        return replace(from_log, results=observed.results)
    return observed


def _delivery_from_log(deferrals: DeferralCounts | None, now: float) -> Hop:
    spec = HOPS[0]
    if deferrals is None:
        return Hop(spec.id, spec.title, HopState.UNKNOWN, "no log", "no log source is read",
                   None, None, ())
    minutes = deferrals.last_minutes(now, minutes=5)
    s_connect = sum(pair[0] for pair in minutes)
    tempfail = sum(pair[1] for pair in minutes)
    if s_connect or tempfail:
        return Hop(spec.id, spec.title, HopState.BAD, "deferring",
                   f"{s_connect} s_connect and {tempfail} tempfail deferrals in 5 min",
                   None, now, ())
    return Hop(spec.id, spec.title, HopState.OK, "ok", "no authlib deferral in 5 min",
               None, now, ())


def build_hops(results: tuple[CheckResult, ...], context: CheckContext | None,
               deferrals: DeferralCounts | None, sampled_at: float,
               now: float | None = None, stale_after: float = 30.0) -> tuple[Hop, ...]:
    """The hops for one run of the checks; older than `stale_after` seconds shows as stale."""
    now = time.time() if now is None else now
    by_id = {result.id: result for result in results}
    probe = context.measured_probe if context is not None else None
    ping = context.measured_db_ping if context is not None else None
    latency = {
        HopId.SOCKET: probe.connect_ms if probe is not None else None,
        HopId.POOL: probe.latency_ms if probe is not None else None,
        HopId.POSTGRES: ping.elapsed_ms if ping is not None else None,
    }
    delivery = _delivery(by_id, deferrals, now, sampled_at)
    hops = [delivery.stale() if delivery.results and now - sampled_at > stale_after
            else delivery]
    for spec in HOPS[1:]:
        hop = _from_checks(spec, by_id, sampled_at, latency.get(spec.id))
        hops.append(hop.stale() if now - sampled_at > stale_after else hop)
    return tuple(hops)


def hop_of_step(step: str) -> HopId | None:
    """The hop a wizard step's check belongs to (a log line's signature names its step)."""
    from tui.core.checks.registry import HOP_OF_CHECK, check_for_step

    check_id = check_for_step(step)
    return HOP_OF_CHECK.get(check_id) if check_id is not None else None


def _explained_elsewhere(hop: Hop, hops: tuple[Hop, ...]) -> bool:
    """Every failing check of this hop says another failing hop is the cause (Postfix's pgsql
    map cannot reach the database authpgsql cannot reach either)."""
    failing = [r for r in hop.results if r.status in (Status.FAIL, Status.WARN)]
    bad = {other.id.value for other in hops
           if other is not hop and other.state in (HopState.BAD, HopState.WARN)}
    return bool(failing) and all(r.details.get("caused_by_hop") in bad for r in failing)


def first_failing(hops: tuple[Hop, ...]) -> Hop | None:
    """Where to look first: the first hop that is failing, else the first warning; a hop
    failing only because of another comes after that one."""
    for states in ((HopState.BAD,), (HopState.WARN,)):
        lit = [hop for hop in hops if hop.state in states]
        for hop in lit:
            if not _explained_elsewhere(hop, hops):
                return hop
        if lit:
            return lit[0]
    return None
