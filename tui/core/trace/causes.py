"""Why an attempt failed: maildrop's output, joined by time to authdaemond's own lines.

authdaemond logs no queue ID, and its lines interleave out of order with
Postfix's in the same second, so the join is by time: the lines written while
the attempt ran (from its start, `delays` transmission before the pipe line,
to a few seconds after) belong to it. The cause is named with the ids `check`'s
diagnosis uses, so `trace` and `check` say the same thing.

maildrop's own words win when they are specific (no socket, a stale socket, a
mailbox problem, a timeout): authdaemond was not asked, or answered. They lose
to authdaemond's lines when they are not: `Temporary authentication failure`
(and, for a maildrop run without -a, `Invalid user specified`) is all Postfix
logs of a wrong database password. When neither names a cause, the pool and
socket state sampled at that moment (`sampled_state.py`: the monitor's stream
live, or a recording) may: workers saturated, the socket missing, the daemon
stopped; a sample that agrees with the logs is added to the evidence.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Sequence

from tui.core.checks.delivery_checks import BOUNCE_DIAGNOSIS, MAILBOX_DIAGNOSIS
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.matcher.entry import classify_entry
from tui.core.logs.reported import REPORTED_SEVERITIES, START_MARKERS
from tui.core.trace.joiner import AuthLine
from tui.core.trace.message import Attempt
from tui.core.trace.sampled_state import SampledCause, SampledStates

SLACK_SECONDS = 1.0  # a whole-second stamp either side: authdaemond logs in the same second
MAX_EVIDENCE = 4  # joined lines kept per attempt

# authdaemond's and libpq's signatures → the diagnosis; first listed wins when several match.
AUTH_DIAGNOSIS: dict[str, DiagnosisId] = {
    "db-password-wrong": DiagnosisId.DB_PASSWORD_WRONG,
    "db-password-missing": DiagnosisId.DB_PASSWORD_WRONG,
    "db-missing": DiagnosisId.DB_MISSING,
    "db-down": DiagnosisId.DB_DOWN,
    "db-unreachable": DiagnosisId.DB_DOWN,
    "db-not-ready": DiagnosisId.DB_DOWN,
    "db-host-unknown": DiagnosisId.DB_DOWN,
    "pgsql-connection-missing": DiagnosisId.CONNECTION_MISSING,
    "marker-missing": DiagnosisId.MARKER_MISSING,
    "marker-missing-kept-old": DiagnosisId.MARKER_MISSING,
    "config-file-missing": DiagnosisId.CONFIG_MISSING,
    "config-file-unreadable": DiagnosisId.CONFIG_UNREADABLE,
    "authdaemonrc-bad-line": DiagnosisId.AUTHDAEMONRC_BAD_LINE,
    "module-not-found": DiagnosisId.MODULE_MISSING,
    "module-load-failed": DiagnosisId.MODULE_MISSING,
    "db-query-failed-old": DiagnosisId.SELECT_ERROR,
    "select-clause-invalid-old": DiagnosisId.SELECT_ERROR,
    "lookup-invalid-id": DiagnosisId.ADDRESS_ROW_INVALID,
    "lookup-incomplete-row": DiagnosisId.ADDRESS_ROW_INVALID,
    "db-role-missing": DiagnosisId.DB_ERROR,
    "db-hba-rejected": DiagnosisId.DB_ERROR,
    "db-too-many-clients": DiagnosisId.DB_ERROR,
    "db-conninfo-invalid": DiagnosisId.DB_ERROR,
    "db-connection-error": DiagnosisId.DB_ERROR,
    "db-connect-failed-old": DiagnosisId.DB_ERROR,
    "db-connect-failed": DiagnosisId.DB_ERROR,  # alone: libpq's reason line is missing
}
_AUTH_RANK = {signature_id: rank for rank, signature_id in enumerate(AUTH_DIAGNOSIS)}
# maildrop's output (client signatures) → the diagnosis, where it names one by itself.
CLIENT_DIAGNOSIS: dict[str, DiagnosisId] = {
    "s-connect-refused": DiagnosisId.DAEMON_STOPPED,
    "s-connect-no-socket": DiagnosisId.SOCKET_MISSING,
    "s-connect-denied": DiagnosisId.SOCKET_PERMISSION,
    "s-connect-again": DiagnosisId.WORKERS_SATURATED,  # the listen backlog was full
    "maildrop-tempfail-timeout": DiagnosisId.WORKERS_SATURATED,
    **MAILBOX_DIAGNOSIS,
    **BOUNCE_DIAGNOSIS,
}
# Outputs that say "authdaemond could not answer" without saying why: its lines decide.
_VAGUE = frozenset({"maildrop-tempfail", "maildrop-invalid-user", "maildrop-bounced-outage"})

CAUSE_WORDS: dict[DiagnosisId, str] = {
    DiagnosisId.DB_PASSWORD_WRONG: "the database password was wrong",
    DiagnosisId.DB_DOWN: "PostgreSQL was down",
    DiagnosisId.DB_MISSING: "the database named in authpgsqlrc did not exist",
    DiagnosisId.DB_ERROR: "PostgreSQL refused authpgsql's connection",
    DiagnosisId.DAEMON_STOPPED: "authdaemond was not running",
    DiagnosisId.SOCKET_MISSING: "authdaemond's socket was missing",
    DiagnosisId.SOCKET_PERMISSION: "maildrop could not reach authdaemond's socket",
    DiagnosisId.WORKERS_SATURATED: "the lookup timed out: authdaemond's workers were saturated",
    DiagnosisId.CONNECTION_MISSING: "authpgsqlrc had no PGSQL_CONNECTION",
    DiagnosisId.MARKER_MISSING: "authpgsqlrc lacked its marker line",
    DiagnosisId.CONFIG_MISSING: "authdaemond's config file was missing",
    DiagnosisId.CONFIG_UNREADABLE: "authdaemond could not read its config",
    DiagnosisId.AUTHDAEMONRC_BAD_LINE: "authdaemonrc had a bad line",
    DiagnosisId.MODULE_MISSING: "the authpgsql module could not be loaded",
    DiagnosisId.SELECT_ERROR: "authpgsql's SELECT failed",
    DiagnosisId.ADDRESS_ROW_INVALID: "the address's row is not a valid account",
    DiagnosisId.HOME_MISSING: "the mailbox's home directory was missing",
    DiagnosisId.HOME_WRONG_OWNER: "the mailbox's home had the wrong owner",
    DiagnosisId.HOME_WORLD_WRITABLE: "the mailbox's home was world-writable",
    DiagnosisId.MAILDIR_MISSING: "the Maildir was missing",
    DiagnosisId.NOT_A_MAILBOX: "no such mailbox (user unknown)",
    DiagnosisId.MAILDROP_NOT_SETUID: "maildrop is not setuid root",
    DiagnosisId.MAILDROP_BOUNCES_OUTAGES:
        "authdaemond was unreachable and maildrop (no -a) bounced it",
}
# A cause the samples named (not a timeout the logs showed): said as what was seen.
SAMPLED_WORDS: dict[DiagnosisId, str] = {
    DiagnosisId.WORKERS_SATURATED: "authdaemond's workers were all busy, lookups queued",
    DiagnosisId.DAEMON_STOPPED: "authdaemond was not running",
    DiagnosisId.SOCKET_MISSING: "authdaemond's socket was missing",
}
# Postfix's pipe(8) verdicts that make a bounce out of a program's exit.
_DIED = re.compile(r"^Command died with status (?P<status>\d+)")
_TIME_LIMIT = "Command time limit exceeded"


def _clock(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def joined_lines(attempt: Attempt, auth_lines: Sequence[AuthLine],
                 times: Sequence[float]) -> list[AuthLine]:
    """authdaemond's lines written while the attempt ran, give or take SLACK_SECONDS."""
    ran = attempt.delivery.transmission_seconds or 0.0
    start = bisect.bisect_left(times, attempt.timestamp - ran - SLACK_SECONDS)
    end = bisect.bisect_right(times, attempt.timestamp + SLACK_SECONDS)
    return list(auth_lines[start:end])


def _pipe_rule(attempt: Attempt) -> str:
    """Why Postfix bounced rather than retried, when its pipe rules decided it."""
    reason = attempt.delivery.reason
    if died := _DIED.match(reason):
        return (f"maildrop exited with status {died['status']}, which Postfix's pipe does "
                "not retry")
    if reason.startswith(_TIME_LIMIT):
        return "the pipe's time limit ran out, which Postfix does not retry"
    return ""


def _sampled(attempt: Attempt, states: SampledStates | None) -> SampledCause | None:
    if states is None:
        return None
    ran = attempt.delivery.transmission_seconds or 0.0
    return states.cause_between(attempt.timestamp - ran - SLACK_SECONDS,
                                attempt.timestamp + SLACK_SECONDS)


def explain_attempt(attempt: Attempt, auth_lines: Sequence[AuthLine],
                    times: Sequence[float], states: SampledStates | None = None) -> None:
    """Fill in the attempt's signature, cause, words and evidence (failed attempts only)."""
    if not attempt.failed:
        return
    client = classify_entry("", "postfix/pipe", delivery=attempt.delivery)
    attempt.signature = client
    sampled = _sampled(attempt, states)
    nearby = joined_lines(attempt, auth_lines, times)
    # A (re)start of authdaemond before the attempt ends what was logged before it: those
    # errors belong to the daemon that was replaced (a fix applied a second earlier).
    restarts = [index for index, line in enumerate(nearby)
                if line.signature.id in START_MARKERS and line.timestamp <= attempt.timestamp]
    if restarts:
        nearby = nearby[restarts[-1]:]
    named = [line for line in nearby if line.signature.id in AUTH_DIAGNOSIS]
    auth_decides = client is None or client.id in _VAGUE
    if auth_decides and named:
        best = min(named, key=lambda line: _AUTH_RANK[line.signature.id])
        attempt.cause = AUTH_DIAGNOSIS[best.signature.id]
        attempt.evidence_at = best.timestamp
        if client is not None and client.id in BOUNCE_DIAGNOSIS:
            attempt.cause_words = (f"{CAUSE_WORDS[attempt.cause]}, and maildrop (no -a) "
                                   "bounced it as an unknown user")
    elif client is not None and client.id in CLIENT_DIAGNOSIS:
        attempt.cause = CLIENT_DIAGNOSIS[client.id]
    elif auth_decides and sampled is not None:
        attempt.cause = sampled.cause
        words = SAMPLED_WORDS[sampled.cause] if sampled.cause else ""
        attempt.cause_words = f"{words} (sampled {_clock(sampled.at)})"
    if attempt.cause is not None and not attempt.cause_words:
        attempt.cause_words = CAUSE_WORDS.get(attempt.cause, _short(client))
    elif attempt.cause is None:
        attempt.cause_words = _pipe_rule(attempt) or _short(client)
    # The lines that name a cause first, then the other warnings and errors, each group in
    # time order; a start line ("Installing libauthpgsql") explains nothing.
    shown = named + [line for line in nearby if line.signature.id not in AUTH_DIAGNOSIS
                     and line.signature.severity in REPORTED_SEVERITIES]
    attempt.evidence = [f"authdaemond {_clock(line.timestamp)}: {line.message}"
                        for line in shown[:MAX_EVIDENCE]]
    if sampled is not None and sampled.cause is attempt.cause:
        attempt.evidence.insert(0, sampled.evidence)


def _short(signature: Signature | None) -> str:
    return signature.short if signature is not None else ""


def explain_all(attempts: Sequence[Attempt], auth_lines: Sequence[AuthLine],
                states: SampledStates | None = None) -> None:
    ordered = sorted(auth_lines, key=lambda line: line.timestamp)
    times = [line.timestamp for line in ordered]
    for attempt in attempts:
        explain_attempt(attempt, ordered, times, states)
