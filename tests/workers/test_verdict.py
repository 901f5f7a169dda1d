"""Verdicts from constructed samples: the states the lab cannot hold still long enough to test."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tui.core.authdaemon.socket_state import SocketState
from tui.core.platforms.layouts import DEBIAN, RHEL_APISCP
from tui.core.platforms.platform import Platform, commands_for, detect_platform
from tui.core.workers.database_sessions import DbSession, SessionsSample
from tui.core.workers.history import LatencyStats, nearest_rank
from tui.core.workers.pool import PoolSample
from tui.core.workers.verdict import PoolContext, PoolState, judge

NO_PROBES = LatencyStats(0, None, None, None, 0, 0, 0, 0)
SOCKET = Path("/run/courier/authdaemon/socket")


def pool(at: float, *, alive: int = 2, busy: int | None = 0, queued: int | None = 0,
         configured: int | None = 2, pids: tuple[int, ...] = (11, 12)) -> PoolSample:
    return PoolSample(at, configured, alive, busy, queued, 128, pids[:alive], pids[:busy or 0],
                      listening=alive > 0)


def context(*pools: PoolSample, platform: Platform = Platform.DEBIAN,
            stats: LatencyStats = NO_PROBES, outcomes: tuple[str, ...] = (),
            sessions: SessionsSample | None = None,
            state: SocketState | None = None) -> PoolContext:
    debian = platform is Platform.DEBIAN
    unit = "courier-authdaemon.service" if debian else "courier-authlib.service"
    return PoolContext(pools, stats, outcomes, sessions, SOCKET, state, platform,
                       commands_for(platform, Path("/etc/courier/authdaemonrc"), unit))


def test_apiscp_saturated_pool_gets_bootstrapper_commands_and_database_evidence() -> None:
    sessions = SessionsSample(0.0, (
        DbSession(1, "active", "Timeout: PgSleep", 1.0, "SELECT … pg_sleep(1)"),
        DbSession(2, "active", "Timeout: PgSleep", 1.05, "SELECT … pg_sleep(1)"),
        DbSession(3, "idle", "Client: ClientRead", 30.0, "SELECT 1"),
    ))
    stats = LatencyStats(20, 0.8, 4.1, 4.3, 0, 0, 0, 3)
    verdict = judge(context(pool(1.0, busy=2, queued=9), platform=Platform.APISCP,
                            stats=stats, sessions=sessions))
    assert verdict.state is PoolState.SATURATED
    assert verdict.headline == (
        "Saturated: 2/2 workers busy, 9 queued, probe p95 4.1 s; PostgreSQL shows 2 queries "
        "running for 1.1 s each — the lookup query is slow"
    )
    assert verdict.fix == ("cpcmd scope:set cp.bootstrapper courier_workers 5",
                           "upcp -sb mail/configure-courier-authlib")
    assert "before adding workers" in verdict.advice


def test_saturated_with_a_fast_database_says_add_workers() -> None:
    sessions = SessionsSample(0.0, (DbSession(1, "idle", "", 2.0, "SELECT 1"),))
    verdict = judge(context(pool(1.0, busy=2, queued=3), sessions=sessions))
    assert verdict.state is PoolState.SATURATED
    assert "no running query" in verdict.headline
    assert "Add workers" in verdict.advice
    assert verdict.fix == (
        "sed -i 's/^daemons=.*/daemons=5/' /etc/courier/authdaemonrc",
        "systemctl restart courier-authdaemon",
    )


def test_saturation_evidence_uses_maildrops_own_read_timeout() -> None:
    """30 s is libcourierauth's default; TIMEOUT_READ exported by Postfix changes it."""
    default = judge(context(pool(1.0, busy=2, queued=3)))
    assert any("maildrop gives up after 30 s" in line for line in default.evidence)
    tuned = replace(context(pool(1.0, busy=2, queued=3)), maildrop_read_timeout=90.0)
    assert any("maildrop gives up after 90 s" in line for line in judge(tuned).evidence)


def test_all_busy_without_a_queue_is_busy_not_saturated() -> None:
    verdict = judge(context(pool(1.0, busy=2, queued=0)))
    assert verdict.state is PoolState.BUSY


def test_worker_pids_changing_is_restarting() -> None:
    first = pool(1.0, pids=(11, 12))
    second = pool(2.0, pids=(21, 22))
    verdict = judge(context(first, second))
    assert verdict.state is PoolState.RESTARTING
    assert "changed 1 time(s)" in verdict.headline
    # Outside the window the change no longer counts.
    later = pool(20.0, pids=(21, 22))
    assert judge(context(first, second, later)).state is PoolState.IDLE


def test_configured_count_differing_from_the_running_pool_is_flagged() -> None:
    verdict = judge(context(pool(1.0, alive=2, configured=5)))
    assert verdict.state is PoolState.IDLE
    assert "daemons=5 configured" in verdict.headline
    assert verdict.evidence[0].startswith("authdaemonrc says daemons=5 but 2 worker(s) run")
    assert verdict.fix == ("systemctl restart courier-authdaemon",)


def test_healthy_idle_and_failing() -> None:
    assert judge(context(pool(1.0, busy=1), pool(2.0))).state is PoolState.HEALTHY
    assert judge(context(pool(1.0), pool(2.0))).state is PoolState.IDLE
    failing = judge(context(pool(1.0), outcomes=("not-found", "tempfail", "tempfail")))
    assert failing.state is PoolState.FAILING
    assert "2 of the last 3 probes got tempfail" in failing.headline


def test_stopped_pool_with_a_missing_socket_and_apiscp_advice() -> None:
    verdict = judge(context(pool(1.0, alive=0), state=SocketState.MISSING,
                            platform=Platform.APISCP))
    assert verdict.state is PoolState.STOPPED
    assert verdict.headline == f"Stopped: no workers and no socket at {SOCKET}"
    assert "RemainAfterExit" in verdict.advice
    assert verdict.fix == ("systemctl restart courier-authlib",)


def test_no_sample_is_unknown_and_busy_unknown_says_root() -> None:
    assert judge(context()).state is PoolState.UNKNOWN
    verdict = judge(context(pool(1.0, busy=None)))
    assert "need root" in verdict.headline


def test_platform_detection(tmp_path: Path) -> None:
    assert detect_platform(DEBIAN, tmp_path)[0] is Platform.DEBIAN
    assert detect_platform(RHEL_APISCP, tmp_path)[0] is Platform.RHEL
    assert detect_platform(None, tmp_path)[0] is Platform.UPSTREAM
    (tmp_path / "usr/local/apnscp").mkdir(parents=True)
    platform, reason = detect_platform(RHEL_APISCP, tmp_path)
    assert platform is Platform.APISCP and "/usr/local/apnscp" in reason
    assert commands_for(Platform.UPSTREAM, None, None).start == "authdaemond start"


def test_nearest_rank_returns_a_measured_value() -> None:
    values = [0.1, 0.2, 0.3, 0.4, 10.0]
    assert nearest_rank(values, 0.5) == 0.3
    assert nearest_rank(values, 0.95) == 10.0
    assert nearest_rank([1.0], 0.95) == 1.0


def test_our_own_probe_query_is_not_counted_as_load() -> None:
    sample = SessionsSample(0.0, (
        DbSession(1, "active", "", 0.001, "SELECT … WHERE user = 'authlib-tui-probe' AND …"),
        DbSession(2, "active", "Timeout: PgSleep", 2.0, "SELECT … WHERE user = 'bar' AND …"),
    ))
    kept = sample.without("'authlib-tui-probe'")
    assert [s.pid for s in kept.sessions] == [2] and kept.taken_at == 0.0
