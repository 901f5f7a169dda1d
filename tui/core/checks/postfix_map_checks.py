"""Postfix's own `pgsql:` maps: tested the way Postfix uses them, `postmap -q KEY TABLE`.

A map that cannot reach its database or whose query fails makes Postfix defer mail
("table lookup problem") before maildrop runs: a cause of its own, on the Postfix
hop, with the map file, its query and the fix. Where the chain's own database is
down too, the map's failure is that outage seen from Postfix: the result says so
(`caused_by_hop`), so the x-ray points at PostgreSQL first.
"""

from __future__ import annotations

from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import Answer, check
from tui.core.checks.result import Fix, Status
from tui.core.database.probe import ProbeStatus
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep
from tui.core.postfix.pgsql_maps import (
    MapAnswer,
    MapOutcome,
    PgsqlMap,
    RecentAnswers,
    find_pgsql_maps,
    probe_key,
    query_map,
    shown_settings,
)
from tui.core.safe_text import safe_text
from tui.core.shell_words import shell_command

# What postmap's warning says → what is wrong, in the order to test them.
_UNREACHABLE = ("connection refused", "could not connect", "no such file or directory",
                "timeout expired", "is the server running", "could not translate host name")
_CREDENTIALS = ("password authentication failed", "no pg_hba.conf entry",
                "role \"", "database \"", "authentication failed")
_QUERY = ("pgsql query failed", "error:  ", "syntax error", "permission denied")


def _kind_of(answer: MapAnswer) -> str:
    said = " ".join(answer.said).lower()
    for kind, needles in (("unreachable", _UNREACHABLE), ("credentials", _CREDENTIALS),
                          ("query", _QUERY)):
        if any(needle in said for needle in needles):
            return kind
    return "other"


def _reload(context: CheckContext) -> str:
    return shell_command("postfix", "-c", str(context.postfix.config.path), "reload")


def _fix(context: CheckContext, pgsql_map: PgsqlMap, kind: str) -> Fix:
    path = str(pgsql_map.file.path)
    if kind == "unreachable":
        return Fix(f"Start the PostgreSQL server {path} names (hosts =), or point hosts = at "
                   "the one that serves this database; Postfix retries the deferred mail.",
                   (context.commands.start_database,))
    if kind == "credentials":
        return Fix(f"Give {path} the user, password and dbname the database accepts (on ApisCP "
                   "the Bootstrapper writes them: `upcp -sb mail/configure-postfix`), then "
                   "reload Postfix.", (_reload(context),))
    if kind == "query":
        return Fix(f"Fix the query = line in {path} (the error names the column or table) "
                   "so it runs as that user; then reload Postfix.", (_reload(context),))
    return Fix(f"Read postmap's error above; test again with the command shown after fixing "
               f"{path}.")


def _evidence(pgsql_map: PgsqlMap, answer: MapAnswer) -> tuple[str, ...]:
    return (f"{pgsql_map.parameter} = {pgsql_map.table}",
            *(f"{pgsql_map.file.path}: {line}" for line in shown_settings(pgsql_map.file)),
            shell_command(*answer.command), *answer.said)


# The monitor's health runs ask each map at most once a minute (see RecentAnswers).
_PERIODIC = RecentAnswers()


def _database_down(context: CheckContext) -> bool:
    """The chain's own database cannot be reached either (authpgsqlrc's connection)."""
    ping = context.db_ping
    return ping is not None and ping.status not in (ProbeStatus.ROWS, ProbeStatus.NO_ROWS)


@check(CheckId.POSTFIX_PGSQL_MAPS, "Postfix's PostgreSQL maps answer", hop=HopId.DELIVERY,
       steps=(WizardStep.POSTFIX_PGSQL_MAP,),
       decides={DiagnosisId.POSTFIX_PGSQL_MAP: WizardStep.POSTFIX_PGSQL_MAP})
def postfix_pgsql_maps(context: CheckContext) -> Answer:
    postfix = context.postfix
    if not postfix.configured:
        return Answer(Status.SKIP, "No Postfix configuration could be read (postconf).")
    maps = find_pgsql_maps(postfix.config.path, min(context.timeout, 5.0))
    if not maps:
        return Answer(Status.SKIP, "main.cf uses no pgsql: map.")
    unreadable = [m for m in maps if m.file.problem]
    ask = _PERIODIC.query if context.periodic else query_map
    tested: list[tuple[PgsqlMap, MapAnswer]] = [
        (m, ask(postfix.config.path, m, probe_key(m, context.probe_address),
                min(context.timeout, 15.0)))
        for m in maps if not m.file.problem]
    failed = [(m, a) for m, a in tested if a.outcome is MapOutcome.FAILED]
    if failed:
        pgsql_map, answer = failed[0]
        kind = _kind_of(answer)
        down = kind == "unreachable" and _database_down(context)
        finding = (f"Postfix's map {pgsql_map.table} ({pgsql_map.parameter}) fails: Postfix "
                   "defers mail it needs this map for ('table lookup problem') before maildrop "
                   f"runs. {len(failed)} of {len(maps)} pgsql map(s) fail.")
        if down:
            finding += " authpgsql cannot reach its database either: PostgreSQL itself is down."
        return Answer(Status.FAIL, finding, _evidence(pgsql_map, answer),
                      _fix(context, pgsql_map, kind), diagnosis=DiagnosisId.POSTFIX_PGSQL_MAP,
                      details={"map_file": str(pgsql_map.file.path), "query":
                               pgsql_map.file.query, "failure": kind,
                               **({"caused_by_hop": HopId.POSTGRES.value} if down else {})})
    if unreadable:
        first = unreadable[0]
        return Answer(Status.WARN,
                      f"Cannot read the map file {safe_text(str(first.file.path), 300)}: "
                      f"{first.file.problem}; its map was not tested.",
                      (f"{first.parameter} = {first.table}",),
                      Fix("Make the map file a regular file owned by root that only root can "
                          "change (Postfix reads it as root), not a link."))
    answered = ", ".join(f"{m.table} ({a.outcome.value} for {safe_text(a.key, 200)})"
                         for m, a in tested)
    return Answer(Status.OK, f"Every pgsql map answers: {answered}.",
                  tuple(line for m, a in tested for line in _evidence(m, a)),
                  details={"maps": len(maps)})
