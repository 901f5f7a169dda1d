"""What a lookup can come to: one enum for the client, the CLI, the panes and the checks."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """The result of asking authdaemond, named the way an admin thinks about it.

    The mapping from the wire follows libcourierauth, the client library in
    maildrop: a reply ending in `.` is found, `FAIL` is not found, and no bytes
    or a reply cut before `.` is a temporary failure (what maildrop reports as
    "Temporary authentication failure").
    """

    FOUND = "found"
    NOT_FOUND = "not-found"
    TEMPFAIL = "tempfail"
    CONNECT_MISSING = "connect-missing"
    CONNECT_REFUSED = "connect-refused"
    CONNECT_DENIED = "connect-denied"
    CONNECT_BACKLOG_FULL = "connect-backlog-full"
    TIMEOUT = "timeout"

    @property
    def is_connect_failure(self) -> bool:
        return self.value.startswith("connect-")

    @property
    def meaning(self) -> str:
        """One sentence an admin can act on."""
        return _MEANINGS[self]

    @property
    def client_error(self) -> str:
        """What maildrop/authtest print for this outcome (to match against logs)."""
        return _CLIENT_ERRORS[self]


_MEANINGS: dict[Outcome, str] = {
    Outcome.FOUND: "authdaemond resolved the address to an account.",
    Outcome.NOT_FOUND: "authdaemond answered FAIL: no module knows this address "
    "(maildrop bounces it with 'Invalid user specified', 5.1.1).",
    Outcome.TEMPFAIL: "authdaemond closed the connection without an answer: a temporary failure "
    "(database down, wrong credentials, SQL error or broken authpgsqlrc); maildrop defers "
    "with 'Temporary authentication failure'.",
    Outcome.CONNECT_MISSING: "No socket file: authdaemond was never started, /run was cleared, "
    "or the socket path is wrong.",
    Outcome.CONNECT_REFUSED: "The socket file exists but nothing listens on it: authdaemond is "
    "stopped, crashed or exited on a config error (stale socket).",
    Outcome.CONNECT_DENIED: "Permission denied on the socket directory: run as root or as a "
    "member of the mail group (Debian: courier, ApisCP: daemon).",
    Outcome.CONNECT_BACKLOG_FULL: "The listen backlog is full: every worker is busy and the queue "
    "is at its limit; raise daemons= (ApisCP: courier_workers) and find the slow query.",
    Outcome.TIMEOUT: "No complete answer within the timeout: the worker pool is saturated or the "
    "database is slow (maildrop gives up after its read timeout, 30 s unless TIMEOUT_READ is "
    "set, with a temporary failure).",
}

_CLIENT_ERRORS: dict[Outcome, str] = {
    Outcome.FOUND: "",
    Outcome.NOT_FOUND: "Invalid user specified.",
    Outcome.TEMPFAIL: "Temporary authentication failure.",
    Outcome.CONNECT_MISSING: "s_connect() failed: No such file or directory",
    Outcome.CONNECT_REFUSED: "s_connect() failed: Connection refused",
    Outcome.CONNECT_DENIED: "s_connect() failed: Permission denied",
    Outcome.CONNECT_BACKLOG_FULL: "s_connect() failed: Resource temporarily unavailable",
    Outcome.TIMEOUT: "Temporary authentication failure.",
}
