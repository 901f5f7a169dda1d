"""The single-address branch: why does this one address fail (or bounce, or defer)?"""

from __future__ import annotations

from typing import Literal

from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.request import address_problem
from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import Answer, address_check
from tui.core.checks.result import CheckResult, Fix, Status
from tui.core.database.explain import Reason, explain_address
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.wizard_step import WizardStep

_STATUS = {
    Reason.MAILBOX: Status.OK,
    Reason.CATCH_ALL: Status.OK,
    Reason.ALIAS: Status.WARN,
    Reason.DISABLED: Status.FAIL,
    Reason.ABSENT: Status.FAIL,
    Reason.DOMAIN_UNKNOWN: Status.FAIL,
    Reason.NO_HOME: Status.FAIL,
    Reason.BAD_ID: Status.FAIL,
    Reason.INCOMPLETE_ROW: Status.FAIL,
    Reason.REPLY_TOO_LONG: Status.FAIL,
    Reason.LINE_BREAK: Status.WARN,
    Reason.SEVERAL_ROWS: Status.WARN,
}
_ROW_EVIDENCE = {(f"reason: {reason}",) for reason in
                 (Reason.NO_HOME, Reason.BAD_ID, Reason.INCOMPLETE_ROW, Reason.REPLY_TOO_LONG)}
# What a failing address means for its mail: authlib's FAIL bounces it (no such mailbox),
# a row authlib cannot use is a temporary failure and the mail waits.
_DIAGNOSIS: dict[Reason, DiagnosisId] = {
    Reason.DISABLED: DiagnosisId.NOT_A_MAILBOX,
    Reason.ABSENT: DiagnosisId.NOT_A_MAILBOX,
    Reason.DOMAIN_UNKNOWN: DiagnosisId.NOT_A_MAILBOX,
    Reason.NO_HOME: DiagnosisId.NOT_A_MAILBOX,
    Reason.BAD_ID: DiagnosisId.ADDRESS_ROW_INVALID,
    Reason.INCOMPLETE_ROW: DiagnosisId.ADDRESS_ROW_INVALID,
    Reason.REPLY_TOO_LONG: DiagnosisId.ADDRESS_ROW_INVALID,
}
_ROW_FIXES = {
    Reason.NO_HOME: "Give the row a home directory (column 6 of the SELECT).",
    Reason.BAD_ID: "Give the row a numeric uid and gid (columns 4 and 5 of the SELECT).",
    Reason.INCOMPLETE_ROW: "Make the SELECT return username, cryptpw, clearpw, uid, gid, home, "
    "maildir, quota, fullname, options.",
    Reason.REPLY_TOO_LONG: "Shorten the long values of the row (maildir, options, name).",
    Reason.LINE_BREAK: "Remove the line break from the value in the database.",
    Reason.SEVERAL_ROWS: "Make the SELECT return one row per address (a unique key, or LIMIT 1 "
    "with an ORDER BY that picks the right one).",
}


@address_check(CheckId.ADDRESS_LOOKUP, "authdaemond resolves {address}")
def address_lookup(context: CheckContext, address: str) -> Answer:
    problem = address_problem(address)
    if problem is not None:
        return Answer(Status.FAIL,
                      f"Not sent: {problem.message}.")
    if context.socket is None:
        return Answer(Status.SKIP, "No socket to ask.")
    result = AuthdaemonClient(context.socket, read_timeout=context.timeout).lookup(address)
    evidence = (f"PRE . login {address} → {result.outcome} "
                f"({result.latency_ms:.0f} ms)",)
    status = Status.OK if result.outcome is Outcome.FOUND else Status.FAIL
    finding = ("It is a mailbox: maildrop will deliver to it." if status is Status.OK
               else f"{result.note[:1].upper()}{result.note[1:]}." if result.reply_too_long
               else result.outcome.meaning)
    return Answer(status, finding, evidence)


@address_check(CheckId.ADDRESS_DATABASE, "What the database says about {address}",
               decides={DiagnosisId.NOT_A_MAILBOX: WizardStep.NOT_A_MAILBOX,
                        DiagnosisId.ADDRESS_ROW_INVALID: WizardStep.SELECT_CLAUSE})
def address_in_database(context: CheckContext, address: str) -> Answer:
    config = context.installation.authpgsqlrc
    if config is None or address_problem(address) is not None:
        return Answer(Status.SKIP, "Nothing to ask.")
    explanation = explain_address(config, address, timeout=context.timeout)
    status = _STATUS.get(explanation.reason, Status.WARN)
    fix = None
    if explanation.reason is Reason.ALIAS and explanation.alias_destination:
        fix = Fix(f"Test the alias's destination instead: {explanation.alias_destination}.")
    elif explanation.reason is Reason.DISABLED:
        fix = Fix("Enable the mailbox in the control panel (email_lookup.enabled).")
    elif explanation.reason in (Reason.ABSENT, Reason.DOMAIN_UNKNOWN):
        fix = Fix("Create the mailbox (or a catch-all) for it, or check the spelling.")
    elif explanation.reason in _ROW_FIXES:
        fix = Fix(_ROW_FIXES[explanation.reason])
    diagnosis: DiagnosisId | Literal[""] = ""
    if status is Status.FAIL and explanation.reason in _DIAGNOSIS:
        diagnosis = _DIAGNOSIS[explanation.reason]
    return Answer(status, explanation.sentence,
                  (f"reason: {explanation.reason}",), fix, diagnosis=diagnosis)


def address_checks(context: CheckContext, address: str) -> tuple[CheckResult, CheckResult]:
    """Both address checks; an alias's FAIL from authdaemond is expected, so it only warns."""
    lookup = address_lookup(context, address)
    database = address_in_database(context, address)
    if lookup.status is Status.FAIL and database.evidence in _ROW_EVIDENCE:
        # The row itself explains authdaemond's answer better than the outcome's meaning.
        return CheckResult(lookup.id, lookup.title, Status.FAIL, database.finding,
                           lookup.evidence, database.fix), database
    if lookup.status is Status.FAIL and database.evidence == (f"reason: {Reason.ALIAS}",):
        lookup = CheckResult(
            lookup.id, lookup.title, Status.WARN,
            "authdaemond answers FAIL, as it should for an alias: Postfix expands aliases "
            "before delivery, so maildrop never asks for this address.",
            lookup.evidence, database.fix)
    return lookup, database
