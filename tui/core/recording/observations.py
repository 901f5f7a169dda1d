"""What one observation holds, both ways: live objects to JSON rows, and rows back to objects.

The recorder (`authlib-tui record`), the app's record toggle and the replay all
go through these functions, so a row always means the same thing. Text is
masked before it is written (`mask`): findings, details and evidence can quote
config lines. Log lines themselves are never stored, only their signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from tui.core.checks.result import CheckResult, Status
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.xray import HOPS, Hop, HopState

if TYPE_CHECKING:  # the app imports this before its first frame (the record toggle)
    from tui.core.monitor.observations import Observation, SignatureHit
    from tui.core.workers.pool import PoolSample
    from tui.core.workers.probe import ProbeSample
    from tui.core.workers.sampler import WorkersSnapshot
    from tui.core.workers.verdict import Verdict

Mask = Callable[[str], str]
JSON = dict[str, object]


class Kind:
    """The `kind` column."""

    POOL = "pool"
    PROBE = "probe"
    HOPS = "hops"
    CHECKS = "checks"
    SIGNATURE = "signature"
    FIX = "fix"
    MARK = "mark"


# -- live objects → rows --------------------------------------------------------------------
def pool_row(snapshot: WorkersSnapshot, mask: Mask) -> JSON:
    """The newest pool sample with the verdict drawn from it and the deferrals per minute."""
    pool = snapshot.pool
    verdict = snapshot.verdict
    row: JSON = {
        "verdict": {"state": verdict.state.value, "headline": mask(verdict.headline),
                    "evidence": [mask(line) for line in verdict.evidence],
                    "fix": [mask(command) for command in verdict.fix],
                    "advice": mask(verdict.advice)},
        "deferrals": [list(pair) for pair in snapshot.deferrals],
    }
    if pool is not None:
        row.update(configured=pool.configured, alive=pool.alive, busy=pool.busy,
                   queued=pool.queued, backlog=pool.backlog, listening=pool.listening,
                   probe_in_flight=pool.probe_in_flight, own_lookups=pool.own_lookups,
                   ages=[round(snapshot.taken_at - started, 1)
                         for _, started in pool.worker_started])
    return row


def probe_row(probe: ProbeSample) -> JSON:
    return {"outcome": probe.outcome.value if probe.outcome else None,
            "latency": round(probe.latency, 6), "skipped": probe.skipped}


def hops_row(hops: tuple[Hop, ...], mask: Mask) -> JSON:
    return {hop.id: {"state": hop.state.value, "word": hop.word, "detail": mask(hop.detail),
                     "latency_ms": hop.latency_ms, "sampled_at": hop.sampled_at,
                     "checks": [result.id for result in hop.results]}
            for hop in hops}


def checks_row(results: tuple[CheckResult, ...], mask: Mask) -> JSON:
    return {result.id: {"title": result.title, "status": result.status.value,
                        "finding": mask(result.finding), "diagnosis": result.diagnosis,
                        "evidence": [mask(item) for item in result.evidence]}
            for result in results}


def signature_row(hit: SignatureHit) -> JSON:
    return {"id": hit.signature_id, "severity": hit.severity, "kind": hit.kind,
            "step": hit.step, "short": hit.short}


# -- rows → objects (replay) ------------------------------------------------------------------
def pool_sample(at: float, row: JSON) -> PoolSample | None:
    from tui.core.workers.pool import PoolSample

    if "alive" not in row:
        return None
    listed = row.get("ages")
    ages = [float(a) for a in (listed if isinstance(listed, list) else [])
            if isinstance(a, int | float)]
    probe_in_flight = bool(row.get("probe_in_flight"))
    own = row.get("own_lookups")
    # A row recorded before our own lookups were counted knows only of the probe.
    own_lookups = max(0, own) if isinstance(own, int) else int(probe_in_flight)
    return PoolSample(
        taken_at=at, configured=row.get("configured"),  # type: ignore[arg-type]
        alive=int(row["alive"]),  # type: ignore[call-overload]
        busy=row.get("busy"), queued=row.get("queued"),  # type: ignore[arg-type]
        backlog=row.get("backlog"), worker_pids=(), busy_pids=(),  # type: ignore[arg-type]
        listening=bool(row.get("listening")),
        worker_started=tuple((0, at - age) for age in ages),
        probe_in_flight=probe_in_flight, own_lookups=own_lookups,
    )


def verdict(row: JSON) -> Verdict:
    from tui.core.workers.verdict import PoolState, Verdict

    data = row.get("verdict") or {}
    assert isinstance(data, dict)
    try:
        state = PoolState(data.get("state", "unknown"))
    except ValueError:
        state = PoolState.UNKNOWN
    return Verdict(state, str(data.get("headline", "")),
                   tuple(map(str, data.get("evidence", ()))), tuple(map(str, data.get("fix", ()))),
                   str(data.get("advice", "")))


def probe_sample(at: float, row: JSON) -> ProbeSample:
    from tui.core.authdaemon.outcome import Outcome
    from tui.core.workers.probe import ProbeSample

    outcome = row.get("outcome")
    try:
        parsed = Outcome(outcome) if isinstance(outcome, str) and outcome else None
    except ValueError:
        parsed = None
    return ProbeSample(at, parsed, float(row.get("latency") or 0.0),  # type: ignore[arg-type]
                       str(row.get("skipped", "")))


def check_results(row: JSON) -> dict[str, CheckResult]:
    results: dict[str, CheckResult] = {}
    for check_id, data in row.items():
        if not isinstance(data, dict):
            continue
        try:  # a check or status this version does not know is left out
            known = CheckId(check_id)
            status = Status(str(data.get("status")))
        except ValueError:
            continue
        results[known] = CheckResult(
            known, str(data.get("title", check_id)), status, str(data.get("finding", "")),
            evidence=tuple(map(str, data.get("evidence", ()))),
            diagnosis=_diagnosis(data.get("diagnosis")))
    return results


def _diagnosis(value: object) -> DiagnosisId | Literal[""]:
    """A recorded diagnosis; "" for none, or for one this version does not know."""
    try:
        return DiagnosisId(str(value)) if value else ""
    except ValueError:
        return ""


def hops(row: JSON, results: dict[str, CheckResult]) -> tuple[Hop, ...]:
    """The recorded hops in the chain's order; a hop missing from the row is unknown."""
    hops_out = []
    for spec in HOPS:
        data = row.get(spec.id)
        if not isinstance(data, dict):
            hops_out.append(Hop(spec.id, spec.title, HopState.UNKNOWN, "unknown",
                                "not in the recording", None, None, ()))
            continue
        try:
            state = HopState(str(data.get("state")))
        except ValueError:
            state = HopState.UNKNOWN
        mine = tuple(results[c] for c in data.get("checks", spec.checks) if c in results)
        latency = data.get("latency_ms")
        sampled = data.get("sampled_at")
        hops_out.append(Hop(spec.id, spec.title, state, str(data.get("word", state.value)),
                            str(data.get("detail", "")),
                            float(latency) if isinstance(latency, int | float) else None,
                            float(sampled) if isinstance(sampled, int | float) else None, mine))
    return tuple(hops_out)


def observation(at: float, kind: str, row: JSON) -> Observation | None:
    """A row as the observation the monitor published (as far as the row holds it).

    The replay feeds these to the same subscribers as the live app (the timeline),
    so a recorded incident is read by the code that read it live.
    """
    from tui.core.monitor import observations as seen

    if kind == Kind.CHECKS:
        return seen.ChecksRan(at, tuple(check_results(row).values()), ())
    if kind == Kind.POOL:
        return seen.PoolSampled(at, pool_sample(at, row))
    if kind == Kind.PROBE:
        return seen.ProbeRan(probe_sample(at, row))
    if kind == Kind.SIGNATURE:
        hit = seen.SignatureHit(at, str(row.get("id", "?")), str(row.get("severity", "info")),
                                str(row.get("short", "")), str(row.get("step", "")),
                                str(row.get("kind", "")))
        return seen.LogBatch((), (hit,))
    if kind == Kind.FIX:
        code = row.get("exit_code")
        return seen.FixRan(at, str(row.get("command", "")), code if isinstance(code, int) else None)
    if kind == Kind.MARK:
        return seen.IncidentMarked(at)
    return None
