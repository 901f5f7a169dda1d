"""Sampling the health strip: daemon, socket, workers, database, last error, bounded.

The socket and process checks are local and instant, the log read is a bounded
tail, and the database check has its own timeout, so a dead or hung component
shows as a state instead of holding the caller.
"""

from __future__ import annotations

import time

from tui.core.authdaemon.socket_state import SocketState, socket_state
from tui.core.checks.context import CheckContext
from tui.core.database.probe import ProbeResult, ProbeStatus
from tui.core.durations import age_text
from tui.core.health import DB_CHECK_TIMEOUT, HealthCell, HealthSnapshot, State
from tui.core.installation import Installation
from tui.core.log_sources.recent_errors import RecentErrors
from tui.core.workers.pool import PoolSample


def _socket_and_daemon(
    installation: Installation, measured: SocketState | None
) -> tuple[HealthCell, HealthCell, SocketState]:
    path = installation.socket
    running = installation.discovery.processes.running
    if path is None:
        sock = HealthCell("socket", "socket", State.UNKNOWN, "not found",
                          "No authdaemond socket was discovered; give one with --socket.")
        state = SocketState.MISSING
    else:
        state = measured if measured is not None else socket_state(path)
        words = {
            SocketState.LISTENING: (State.OK, "listening"),
            SocketState.STALE: (State.BAD, "stale"),
            SocketState.MISSING: (State.BAD, "missing"),
            SocketState.NOT_A_SOCKET: (State.BAD, "not a socket"),
            SocketState.NO_ACCESS: (State.WARN, "no access"),
        }
        level, word = words[state]
        step = {SocketState.STALE: "daemon-not-running", SocketState.MISSING: "socket-missing",
                SocketState.NOT_A_SOCKET: "socket-missing",
                SocketState.NO_ACCESS: "socket-permission"}.get(state, "")
        detail = f"{path}: {word}"
        if state is SocketState.NO_ACCESS:
            detail += " — run as root or join the mail group (Debian: courier, ApisCP: daemon)"
        sock = HealthCell("socket", "socket", level, word, detail, step)
    if state is SocketState.LISTENING:
        daemon = HealthCell("daemon", "daemon", State.OK, "running", "authdaemond is listening")
    elif running:
        # The processes run but not on this socket: the socket cell carries the failure.
        daemon = HealthCell("daemon", "daemon", State.OK, "running",
                            f"authdaemond processes run, but the socket is {sock.word}")
    elif state is SocketState.STALE:
        daemon = HealthCell("daemon", "daemon", State.BAD, "stopped (stale socket)",
                            "The socket file exists but nothing listens: clients get "
                            "'s_connect() failed: Connection refused'.", "daemon-not-running")
    elif state is SocketState.NO_ACCESS:
        daemon = HealthCell("daemon", "daemon", State.UNKNOWN, "unknown",
                            "Cannot see the socket: run as root to check the daemon.")
    else:
        daemon = HealthCell("daemon", "daemon", State.BAD, "stopped",
                            "No authdaemond process and no socket.", "socket-missing")
    return daemon, sock, state


def _workers(pool: PoolSample | None) -> HealthCell:
    if pool is None or pool.alive == 0:
        return HealthCell("workers", "workers", State.UNKNOWN if pool is None else State.BAD,
                          "none" if pool is not None else "unknown", "No worker processes.")
    total = pool.alive
    busy = pool.busy
    busy_text = "?" if busy is None else str(busy)
    word = f"{busy_text}/{total} busy"
    if pool.queued:
        word += f", {pool.queued} queued"
    state = State.OK
    if busy is not None and busy >= total:
        state = State.BAD if pool.queued else State.WARN
    if pool.configured is not None and pool.configured != total:
        state = State.WARN if state is State.OK else state
    detail = f"daemons={pool.configured}" if pool.configured is not None else ""
    if pool.notes:
        detail += ("; " if detail else "") + "; ".join(pool.notes)
    return HealthCell("workers", "workers", state, word, detail,
                      "workers-saturated" if state is not State.OK else "")


def _database(installation: Installation, ping: ProbeResult | None) -> HealthCell:
    config = installation.authpgsqlrc
    if config is None or config.connection is None or ping is None:
        reason = installation.read_errors.get("authpgsqlrc")
        detail = str(reason) if reason else "authpgsqlrc has no usable PGSQL_CONNECTION"
        return HealthCell("database", "database", State.UNKNOWN, "unknown", detail)
    result = ping
    if result.status in (ProbeStatus.ROWS, ProbeStatus.NO_ROWS):
        return HealthCell("database", "database", State.OK, "credentials ok",
                          f"{config.connection.masked()} ({result.elapsed_ms:.0f} ms)")
    if result.status is ProbeStatus.TIMEOUT:
        return HealthCell("database", "database", State.BAD, "no answer", result.error, "db-down")
    lowered = result.error.lower()
    if "password authentication failed" in lowered or "authentication" in lowered:
        word = "credentials failing"
    elif "refused" in lowered or "no such file" in lowered:
        word = "down"
    else:
        word = "failing"
    step = "db-credentials" if word == "credentials failing" else "db-down"
    return HealthCell("database", "database", State.BAD, word, result.error, step)


def _mail(context: CheckContext) -> HealthCell:
    """Mail waiting for the chain and mail it lost, from the queue and the log the checks read."""
    postfix = context.postfix
    if not postfix.configured:
        return HealthCell("mail", "mail", State.UNKNOWN, "no postfix",
                          f"No Postfix configuration in {postfix.config.path}; give it with "
                          "--postfix-dir.")
    bounces = postfix.bounces
    if bounces.bounces:
        return HealthCell("mail", "mail", State.BAD, f"{bounces.count} LOST",
                          f"{bounces.count} message(s) bounced by maildrop in the last hour: "
                          "lost for their senders (Queue pane).", "mail-bounced", lost=True)
    queue = postfix.queue
    if not queue.ok:
        return HealthCell("mail", "mail", State.UNKNOWN, "queue unread", queue.error)
    waiting = queue.deferred_authlib
    cut = f" ({queue.note})" if queue.note else ""
    if waiting:
        return HealthCell("mail", "mail", State.WARN, f"{waiting} waiting",
                          f"{waiting} message(s) deferred for the chain, the oldest "
                          f"{age_text(queue.oldest_seconds or 0.0)}{cut} (Queue pane).",
                          "mail-deferred")
    return HealthCell("mail", "mail", State.OK, "none waiting",
                      f"No mail waits for maildrop or authdaemond{cut}.")


def _last_error(found: RecentErrors, now: float) -> HealthCell:
    if not found.errors:
        if not found.read_from:
            return HealthCell("last_error", "last error", State.UNKNOWN, "no log file",
                              "No authdaemond log was found: no mail log file, no journal.")
        if found.unreadable:
            path, reason = next(iter(found.unreadable.items()))
            return HealthCell("last_error", "last error", State.UNKNOWN, "log unreadable",
                              f"{path}: {reason}")
        return HealthCell("last_error", "last error", State.OK, "none", "No recent errors.")
    newest = found.errors[-1]
    age = now - newest.line.timestamp if newest.line.timestamp else None
    when = f"{age_text(age)} ago" if age is not None else "time unknown"
    state = State.BAD if age is not None and age < 600 else State.WARN
    return HealthCell("last_error", "last error", state, f"{newest.signature.id} ({when})",
                      newest.line.message, newest.signature.wizard_step)


def sample_health(
    installation: Installation,
    db_timeout: float = DB_CHECK_TIMEOUT,
    context: CheckContext | None = None,
) -> HealthSnapshot:
    """Take one snapshot; never raises for a broken component, only for programming errors.

    Pass the `context` the checks will run on, and the socket state, the pool sample
    and the database ping are measured once for both.
    """
    now = time.time()
    if context is None:
        context = CheckContext(installation.refreshed(), db_timeout)
    installation = context.installation
    daemon, sock, _ = _socket_and_daemon(installation, context.socket_state)
    pool = context.pool
    cells = (
        daemon,
        sock,
        _workers(pool),
        _database(installation, context.db_ping),
        _mail(context),
        _last_error(context.recent_errors, now),
    )
    return HealthSnapshot(now, cells, pool, context.recent_errors)
