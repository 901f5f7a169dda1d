"""The mail role's sessions in PostgreSQL: is the lookup query itself what the workers wait on?

Read from `pg_stat_activity` with authpgsqlrc's own credentials: PostgreSQL shows
a role the query text of its own sessions, so no superuser is needed. One
connection is kept open between samples (a new backend per second would cost
more than the sample); after a failure it is retried only every RETRY_AFTER
seconds, so a wrong password does not fill PostgreSQL's log once a second.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.core.config.authpgsqlrc import ConnInfo
from tui.core.database.probe import connect, masked_error

if TYPE_CHECKING:
    import psycopg

SESSIONS_TIMEOUT = 3.0
RETRY_AFTER = 15.0
QUERY_CHARS = 1024  # PostgreSQL's default track_activity_query_size; the UI shows less

# No parameters: the same text every second, prepared once by the server on one cursor.
SESSIONS_SQL = f"""
SELECT pid,
       coalesce(state, ''),
       coalesce(wait_event_type || ': ' || wait_event, ''),
       extract(epoch FROM clock_timestamp() - query_start)::float8,
       left(query, {QUERY_CHARS:d})
FROM pg_stat_activity
WHERE usename = current_user AND pid <> pg_backend_pid()
ORDER BY query_start NULLS LAST
"""

# A password change (PGSQL_CHPASS_CLAUSE) carries the new password in its text.
_WRITES = re.compile(r"^\s*(update|insert|alter|with)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DbSession:
    pid: int
    state: str  # active, idle, idle in transaction, …
    wait_event: str  # "Timeout: PgSleep", "Lock: relation", or ""
    query_seconds: float | None  # age of the current (or last) query
    query: str  # truncated; statements that may hold a password are replaced

    @property
    def running(self) -> bool:
        return self.state == "active"


@dataclass(frozen=True, slots=True)
class SessionsSample:
    taken_at: float
    sessions: tuple[DbSession, ...] = ()
    error: str = ""  # why there are no sessions to show (connect failed, …)

    @property
    def running(self) -> tuple[DbSession, ...]:
        return tuple(session for session in self.sessions if session.running)

    def without(self, literal: str) -> SessionsSample:
        """The sample without sessions whose query contains `literal` (our own probe's)."""
        kept = tuple(session for session in self.sessions if literal not in session.query)
        return SessionsSample(self.taken_at, kept, self.error)

    @property
    def longest(self) -> DbSession | None:
        running = [s for s in self.running if s.query_seconds is not None]
        return max(running, key=lambda s: s.query_seconds or 0.0) if running else None


def _shown_query(text: str) -> str:
    if _WRITES.match(text):
        return "(a write statement: hidden, it may carry a password)"
    return " ".join(text.split())


class SessionWatcher:
    """Samples the mail role's sessions; one instance per sampler, safe across threads."""

    def __init__(self, conn: ConnInfo, timeout: float = SESSIONS_TIMEOUT) -> None:
        self.conn = conn
        self.timeout = timeout
        # One cursor on one connection, kept between samples.
        self._cursor: psycopg.Cursor[Any] | None = None
        self._failed_at: float | None = None
        self._last_error = ""
        self._lock = threading.Lock()

    def sample(self) -> SessionsSample:
        import psycopg

        now = time.time()
        with self._lock:
            if self._cursor is None:
                if self._failed_at is not None and now - self._failed_at < RETRY_AFTER:
                    return SessionsSample(now, error=self._last_error)
                try:
                    self._cursor = connect(self.conn, self.timeout).cursor()
                except psycopg.Error as exc:
                    return self._failure(now, exc)
            try:
                rows = self._cursor.execute(SESSIONS_SQL, prepare=True).fetchall()
            except psycopg.Error as exc:
                self._drop()
                return self._failure(now, exc)
            self._failed_at = None
            return SessionsSample(now, tuple(
                DbSession(int(pid), str(state), str(wait), age, _shown_query(str(query or "")))
                for pid, state, wait, age, query in rows
            ))

    def _failure(self, now: float, exc: Exception) -> SessionsSample:
        self._failed_at = now
        role = self.conn.params.get("user", "the mail role")
        reason = masked_error(str(exc))
        self._last_error = f"cannot read pg_stat_activity as {role}: {reason}"
        return SessionsSample(now, error=self._last_error)

    def _drop(self) -> None:
        if self._cursor is not None:
            try:
                self._cursor.connection.close()
            finally:
                self._cursor = None

    def close(self) -> None:
        with self._lock:
            self._drop()
