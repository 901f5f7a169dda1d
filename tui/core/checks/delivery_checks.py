"""The delivery side: Postfix's maildrop transport, the maildrop binary, the queue, the bounces.

Observed, not inferred: the transport is read from master.cf and main.cf as
Postfix expands them, the binary as the Postfix master sees it, the waiting
mail from `postqueue -j` and the lost mail from Postfix's own bounce lines.
On a host without a configured Postfix every check here skips.
"""

from __future__ import annotations

import time
from pathlib import Path

from tui.core.authdaemon.client import AuthdaemonClient, LookupResult
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.reply import Account
from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import Answer, check
from tui.core.checks.mailbox_home import (
    UNSAFE_DIAGNOSES,
    Mailbox,
    examine_mailbox,
    home_fix_commands,
)
from tui.core.checks.result import Fix, Status
from tui.core.checks.socket_reach import SocketReach, socket_dir_reach
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.registry import SIGNATURES_BY_ID
from tui.core.platforms.platform import Platform
from tui.core.postfix.commands import flush_command
from tui.core.postfix.maildrop_binary import MaildropBinary
from tui.core.postfix.master_cf import PipeService
from tui.core.postfix.observed import PostfixView
from tui.core.postfix.queue import QueuedRecipient
from tui.core.safe_text import safe_text
from tui.core.shell_words import shell_command

MAX_SHOWN = 5  # recipients / lines in a finding or its evidence

# maildrop's mailbox outcomes (client signature id) → the diagnosis they point to.
MAILBOX_DIAGNOSIS: dict[str, DiagnosisId] = {
    "maildrop-home-missing": DiagnosisId.HOME_MISSING,
    "maildrop-home-owner": DiagnosisId.HOME_WRONG_OWNER,
    "maildrop-home-writable": DiagnosisId.HOME_WORLD_WRITABLE,
    "maildrop-dot-lock": DiagnosisId.MAILDIR_MISSING,
}
SIGNATURE_OF_DIAGNOSIS = {diagnosis: sid for sid, diagnosis in MAILBOX_DIAGNOSIS.items()}
# What a bounce means (client signature id) → diagnosis; unknown texts are "mail-bounced".
BOUNCE_DIAGNOSIS: dict[str, DiagnosisId] = {
    "maildrop-bounced-outage": DiagnosisId.MAILDROP_BOUNCES_OUTAGES,
    "maildrop-setgid": DiagnosisId.MAILDROP_NOT_SETUID,
    "maildrop-invalid-user": DiagnosisId.NOT_A_MAILBOX,
}


def _not_configured(postfix: PostfixView) -> Answer | None:
    """The skip of every check that reads the maildrop transport, where there is none."""
    if not postfix.configured:
        return Answer(Status.SKIP,
                      f"No Postfix configuration in {postfix.config.path} "
                      f"({postfix.config.source}); give it with --postfix-dir.")
    if postfix.transport is None:
        return Answer(Status.SKIP, "main.cf routes no mail to a maildrop pipe transport.")
    return None


def _addresses(addresses: tuple[str, ...]) -> str:
    shown = ", ".join(safe_text(address, 200) for address in addresses[:MAX_SHOWN])
    more = len(addresses) - MAX_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


# -- master.cf / main.cf ---------------------------------------------------------------------


@check(CheckId.POSTFIX_TRANSPORT, "Postfix hands mail to maildrop -d", hop=HopId.DELIVERY)
def postfix_transport(context: CheckContext) -> Answer:
    postfix = context.postfix
    if (skipped := _not_configured(postfix)) is not None:
        return skipped
    evidence = [f"config_directory {postfix.config.path} ({postfix.config.source})"]
    evidence += [f"{route.parameter} = {route.service.name} for "
                 f"{', '.join(route.domains) or '(no domains listed)'}"
                 for route in postfix.routes]
    service = postfix.transport
    assert service is not None
    evidence.append(f"master.cf line {service.line}: {service.text}")
    problems = []
    if not service.delivers_with_d:
        problems.append("maildrop is not run with -d, so it never asks authdaemond")
    if not service.user:
        problems.append("the entry has no user=, so pipe(8) refuses to run it")
    elif service.user == "root":
        problems.append("user=root: pipe(8) refuses to run a command as root")
    if problems:
        return Answer(Status.FAIL,
                      f"The {service.name} transport: " + "; ".join(problems) + ".",
                      tuple(evidence),
                      Fix(f"Edit {service.name} in {postfix.config.path / 'master.cf'} to "
                          "run `maildrop -d ${user}@${nexthop} …` as the mail user "
                          f"(ApisCP: user=mail), then `{_reload(postfix.config.path)}`."))
    return Answer(
        Status.OK,
        f"{service.name} runs {service.argv[0]} -d as {service.user} for "
        f"{', '.join(d for r in postfix.routes for d in r.domains) or 'its domains'}.",
        tuple(evidence), details={"service": service.name, "user": service.user,
                                  "config_dir": str(postfix.config.path)})


@check(CheckId.MAILDROP_SETUID, "maildrop may switch to the mailbox's user", hop=HopId.MAILDROP,
       steps=(WizardStep.MAILDROP_SETUID,),
       decides={DiagnosisId.MAILDROP_NOT_SETUID: WizardStep.MAILDROP_SETUID,
                DiagnosisId.SOCKET_PERMISSION: WizardStep.SOCKET_PERMISSION})
def maildrop_setuid(context: CheckContext) -> Answer:
    postfix = context.postfix
    if (skipped := _not_configured(postfix)) is not None:
        return skipped
    service = postfix.transport
    binary = postfix.maildrop
    assert service is not None and binary is not None
    evidence = (f"{service.name} runs it as user={service.user}", binary.describe)
    if not binary.exists:
        return Answer(Status.FAIL,
                      f"{binary.path} is missing: every delivery through {service.name} "
                      "fails.", evidence,
                      Fix("Install maildrop (Debian: apt-get install maildrop)."))
    if binary.setuid_root or service.user == "root":
        return Answer(Status.OK,
                      f"{binary.path} is setuid root: it can become each mailbox's user.",
                      evidence)
    commands = _setuid_commands(context, binary.path)
    shut_out = _socket_shut_to(context, service.user, binary)
    if shut_out is not None:
        # maildrop asks authdaemond before it switches uid: the connect is denied first, so
        # the mail waits in the queue now; opening the socket alone would make it bounce.
        return Answer(
            Status.FAIL,
            f"{binary.path} is {'setgid' if binary.setgid_only else 'not setuid'} only and runs "
            f"as {service.user}, who cannot enter {shut_out.directory}: every delivery is "
            "deferred at the socket now ('s_connect() failed: Permission denied'), and would "
            "bounce with 'setgid: Operation not permitted' once the socket were reachable.",
            (*evidence, shut_out.describe),
            Fix("Give maildrop its setuid bit: root reaches the closed socket directory and "
                "can become each mailbox's user. Do not open the directory to everyone: "
                "whoever can connect can read every account's password.", commands),
            diagnosis=DiagnosisId.SOCKET_PERMISSION,
        )
    return Answer(
        Status.FAIL,
        f"{binary.path} is {'setgid' if binary.setgid_only else 'not setuid'} only and runs as "
        f"{service.user}: it cannot switch to a mailbox's uid, so every delivery bounces with "
        "'setgid: Operation not permitted'.",
        evidence,
        Fix("maildrop must be setuid root to deliver as each mailbox's user (ApisCP ships it "
            "so; Debian ships it setgid mail).", commands),
        diagnosis=DiagnosisId.MAILDROP_NOT_SETUID,
    )


def _socket_shut_to(context: CheckContext, user: str,
                    binary: MaildropBinary) -> SocketReach | None:
    """The socket directory's reach when `user` cannot enter it; None if it can or it is unknown."""
    if context.socket is None:
        return None
    try:
        reach = socket_dir_reach(context.socket, user, binary.setgid_group)
    except (KeyError, OSError):
        return None
    return None if reach.may_enter else reach


def _reload(config_dir: Path) -> str:
    return shell_command("postfix", "-c", str(config_dir), "reload")


def _setuid_commands(context: CheckContext, maildrop: str) -> tuple[str, ...]:
    """maildrop setuid root: the lab's stand-in, or chown + chmod of the path master.cf runs."""
    lab = context.lab_command
    if lab:
        return (f"{lab} setuid-maildrop",)
    return (shell_command("chown", "root:mail", "--", maildrop),
            shell_command("chmod", "4755", "--", maildrop))


def _with_a(service: PipeService) -> str:
    argv = list(service.argv)
    return " ".join([argv[0], "-a", *argv[1:]])


@check(CheckId.MAILDROP_TEMPFAIL_FLAG, "An authdaemond outage defers mail instead of bouncing it",
       hop=HopId.MAILDROP, steps=(WizardStep.MAILDROP_TEMPFAIL_FLAG,),
       decides={DiagnosisId.MAILDROP_BOUNCES_OUTAGES: WizardStep.MAILDROP_TEMPFAIL_FLAG})
def maildrop_tempfail_flag(context: CheckContext) -> Answer:
    postfix = context.postfix
    if (skipped := _not_configured(postfix)) is not None:
        return skipped
    service = postfix.transport
    assert service is not None
    evidence = (f"master.cf line {service.line}: argv={' '.join(service.argv)}",)
    if service.tempfail_on_authlib_error:
        return Answer(Status.OK,
                      f"{service.name} runs maildrop with -a: an authlib failure is "
                      "temporary, the mail waits in the queue.", evidence)
    if context.platform is Platform.APISCP:
        return Answer(Status.OK,
                      "ApisCP's maildrop treats an authlib failure as temporary without "
                      "-a.", evidence)
    lab = context.lab_command
    config = postfix.config.path
    return Answer(
        Status.WARN,
        f"{service.name} runs maildrop without -a: if authdaemond or its database is down, "
        "Debian's maildrop looks the address up as a system user, finds none and BOUNCES the "
        "mail (5.1.1 'Invalid user specified') instead of deferring it.",
        evidence,
        Fix(f"Add -a to maildrop's argv in {config / 'master.cf'}, then reload Postfix.",
            (f"{lab} add-maildrop-a",) if lab else (_reload(config),),
            diff="" if lab else f"-  argv={' '.join(service.argv)}\n+  argv={_with_a(service)}"),
        diagnosis=DiagnosisId.MAILDROP_BOUNCES_OUTAGES,
    )


# -- the queue ---------------------------------------------------------------------------------


def _recipient_now(context: CheckContext, recipient: str) -> LookupResult | None:
    """authdaemond's answer for a queued or bounced recipient now; None when there is no
    socket, or the address cannot be sent (a recipient is not ours to trust)."""
    if context.socket is None:
        return None
    try:
        return AuthdaemonClient(context.socket, connect_timeout=min(context.timeout, 5.0),
                                read_timeout=min(context.timeout, 10.0)).lookup(recipient)
    except ValueError:
        return None


def mail_root(context: CheckContext) -> Path | None:
    """Where this platform keeps every mailbox: ApisCP's site trees (and the lab's copy of
    them); None where no one place is the rule (Debian and the others)."""
    if context.platform in (Platform.APISCP, Platform.LAB):
        return context.installation.settings.virtual_root.value
    return None


def _home_now(context: CheckContext, postfix: PostfixView, recipient: str) -> Mailbox:
    """The recipient's mailbox now (diagnosis "" = right, None = unknown), with its real paths.

    The queue's reason is as old as the last attempt; the home is looked at again,
    through the Postfix master's view of the file system when it can be read.
    """
    result = _recipient_now(context, recipient)
    account: Account | None = result.account if result is not None else None
    if account is None:
        return Mailbox(None)
    root = f"/proc/{postfix.master_pid}/root" if postfix.master_pid else ""
    return examine_mailbox(account, root, mail_root(context))


@check(CheckId.MAIL_DEFERRED, "No mail waits in the queue for maildrop or authdaemond",
       hop=HopId.DELIVERY,
       steps=(WizardStep.MAILBOX_HOME, WizardStep.MAILDIR_MISSING, WizardStep.MAIL_DEFERRED),
       decides={DiagnosisId.HOME_MISSING: WizardStep.MAILBOX_HOME,
                DiagnosisId.HOME_WRONG_OWNER: WizardStep.MAILBOX_HOME,
                DiagnosisId.HOME_WORLD_WRITABLE: WizardStep.MAILBOX_HOME,
                DiagnosisId.HOME_SYMLINK: WizardStep.MAILBOX_HOME,
                DiagnosisId.HOME_OUTSIDE_MAIL_ROOT: WizardStep.MAILBOX_HOME,
                DiagnosisId.MAILDIR_MISSING: WizardStep.MAILDIR_MISSING})
def mail_deferred(context: CheckContext) -> Answer:
    postfix = context.postfix
    if (skipped := _not_configured(postfix)) is not None:
        return skipped
    queue = postfix.queue
    if not queue.ok:
        return Answer(Status.WARN,
                      f"Cannot see the queue: {queue.error}.",
                      (shell_command("postqueue", "-c", str(postfix.config.path), "-j"),))
    waiting = queue.deferred_chain
    cut = f" ({queue.note})" if queue.note else ""
    if not waiting:
        return Answer(Status.OK,
                      f"No deferred mail with a maildrop/authlib reason "
                      f"({len(queue.messages)} message(s) queued in all){cut}.",
                      details={"deferred_authlib": 0})
    oldest = queue.oldest_seconds or 0.0
    reasons = queue.reasons
    evidence = tuple(f"{count} × ({safe_text(reason, 400)})"
                     for reason, count in list(reasons.items())[:MAX_SHOWN])
    evidence += tuple(f"{m.queue_id} since {_clock(m.arrival_time)} to "
                      f"{_addresses(tuple(r.address for r in m.chain_recipients))}"
                      for m in waiting[:MAX_SHOWN])
    flush = flush_command(postfix.config.path)
    details: dict[str, object] = {"deferred_authlib": len(waiting), "oldest_seconds": oldest,
                                  "queue_ids": [m.queue_id for m in waiting]}
    summary = (f"{len(waiting)} message(s) deferred for {_addresses(queue.recipients)}, the "
               f"oldest {oldest / 60:.0f} min{cut}")
    # The newest attempt says most about now; older reasons may have been fixed since.
    newest = max(waiting, key=lambda message: message.arrival_time).chain_recipients[0]
    latest = newest.signature
    assert latest is not None
    if latest.id in MAILBOX_DIAGNOSIS:
        return _mailbox_problem(context, postfix, newest, summary, evidence, details, flush)
    return Answer(
        Status.WARN,
        f"{summary}: {latest.short or latest.meaning}. Once the cause is fixed, retry them.",
        evidence, Fix("Postfix retries on its own within minutes; this retries now.", (flush,)),
        details=details)


def _mailbox_problem(context: CheckContext, postfix: PostfixView, recipient: QueuedRecipient,
                     summary: str, evidence: tuple[str, ...], details: dict[str, object],
                     flush: str) -> Answer:
    assert recipient.signature is not None
    said = MAILBOX_DIAGNOSIS[recipient.signature.id]
    mailbox = _home_now(context, postfix, recipient.address)
    now = mailbox.diagnosis
    if now in UNSAFE_DIAGNOSES:
        return _unsafe_mailbox(recipient, mailbox, summary, evidence, details)
    if now == "":
        return Answer(
            Status.WARN,
            f"{summary}: maildrop said '{recipient.signature.short}', but the mailbox looks "
            "right now: retry the mail.", evidence,
            Fix("The mailbox was fixed; Postfix retries within minutes, this retries now.",
                (flush,)), details=details)
    diagnosis = now or said
    meaning = SIGNATURES_BY_ID[SIGNATURE_OF_DIAGNOSIS[diagnosis]].meaning
    lab = context.lab_command
    commands = ((f"{lab} fix-home", flush) if lab
                else (*home_fix_commands(mailbox if now else Mailbox(None)), flush))
    return Answer(
        Status.FAIL,
        f"{summary}: {meaning}" + (" (looked at again now)" if now else ""),
        (*evidence, f"{safe_text(recipient.address, 200)}: {diagnosis} "
         + ("(looked at now)" if now else "(as of the last attempt)"), *mailbox.evidence),
        Fix("Give the mailbox its home (owned by the mailbox's uid, not world-writable) and "
            "Maildir (cur/ new/ tmp/), then retry the mail.", commands),
        diagnosis=diagnosis, details=details)


UNSAFE_MEANINGS: dict[DiagnosisId, str] = {
    DiagnosisId.HOME_SYMLINK: "the mailbox's home or Maildir is a symlink, or its path passes "
                              "through one that its owner could have made",
    DiagnosisId.HOME_OUTSIDE_MAIL_ROOT: "the mailbox's home or Maildir is outside the directory "
                                        "this platform keeps mailboxes in",
}


def _unsafe_mailbox(recipient: QueuedRecipient, mailbox: Mailbox, summary: str,
                    evidence: tuple[str, ...], details: dict[str, object]) -> Answer:
    """A home only a person should judge: said so, with nothing to run (a chown or chmod of
    it would act on whatever the link points at)."""
    assert mailbox.diagnosis
    return Answer(
        Status.FAIL,
        f"{summary}: {UNSAFE_MEANINGS[mailbox.diagnosis]} (looked at now).",
        (*evidence, f"{safe_text(recipient.address, 200)}: {mailbox.diagnosis}",
         *mailbox.evidence),
        Fix("Look at this path by hand: find out who made the link or moved the home, and "
            "put a real directory owned by the mailbox's uid in its place. Nothing is offered "
            "to run here, because changing the owner or mode of a linked path changes the "
            "file it points at."),
        diagnosis=mailbox.diagnosis, details=details)


@check(CheckId.MAIL_BOUNCED, "No mail bounced by maildrop in the last hour", hop=HopId.DELIVERY,
       steps=(WizardStep.MAIL_BOUNCED,),
       decides={DiagnosisId.MAILDROP_BOUNCES_OUTAGES: WizardStep.MAILDROP_TEMPFAIL_FLAG,
                DiagnosisId.MAILDROP_NOT_SETUID: WizardStep.MAILDROP_SETUID,
                DiagnosisId.NOT_A_MAILBOX: WizardStep.NOT_A_MAILBOX,
                DiagnosisId.MAIL_BOUNCED: WizardStep.MAIL_BOUNCED})
def mail_bounced(context: CheckContext) -> Answer:
    postfix = context.postfix  # the log is read even where postconf cannot read main.cf
    report = postfix.bounces
    if not report.known:
        return Answer(Status.SKIP,
                      "No mail log file could be read for Postfix's bounce lines.",
                      tuple(f"{path}: {why}" for path, why in report.unreadable.items()))
    files = ", ".join(str(path) for path in report.files_read)
    if not report.bounces:
        return Answer(Status.OK,
                      f"No maildrop bounce in the last hour ({files}).",
                      details={"bounced_last_hour": 0})
    meanings = {b.signature.id: b.signature for b in report.bounces if b.signature is not None}
    # An hour of bounces may hold a cause fixed since (-a added, maildrop made setuid): only
    # a cause still present names the diagnosis, so a fixed one never hides a current one.
    present = [sid for sid in BOUNCE_DIAGNOSIS if sid in meanings and _bounce_cause_present(
        context, BOUNCE_DIAGNOSIS[sid],
        tuple(dict.fromkeys(b.recipient for b in report.bounces
                            if b.signature is not None and b.signature.id == sid)))]
    fixed_since = bool(meanings) and not present and all(
        sid in BOUNCE_DIAGNOSIS for sid in meanings)
    worst = BOUNCE_DIAGNOSIS[present[0]] if present else DiagnosisId.MAIL_BOUNCED
    newest = report.bounces[-1]
    signature = meanings[present[0]] if present else newest.signature
    lines = tuple(safe_text(bounce.raw, 2000) for bounce in report.bounces[-MAX_SHOWN:])
    meaning = signature.meaning if signature is not None else newest.reason
    finding = (f"{report.count} message(s) BOUNCED in the last hour (mail lost) for "
               f"{_addresses(report.recipients)}: {safe_text(meaning, 600)}")
    if fixed_since:
        finding += " That cause is gone now; the senders must send the lost mail again."
    service = postfix.transport
    if (worst is DiagnosisId.NOT_A_MAILBOX and service is not None
            and not service.tempfail_on_authlib_error):
        finding += (" maildrop runs without -a here, so an authdaemond outage bounces with the "
                    "same text: look at authdaemond's errors at that time.")
    return Answer(
        Status.FAIL, finding, lines,
        Fix("The cause is fixed; the bounced mail must be sent again by its senders.")
        if fixed_since else _bounce_fix(context, worst),
        diagnosis=worst, details={"bounced_last_hour": report.count})


def _bounce_cause_present(context: CheckContext, diagnosis: DiagnosisId,
                          recipients: tuple[str, ...]) -> bool:
    """Whether what made maildrop bounce is still so now (True where it cannot be seen)."""
    postfix = context.postfix
    service = postfix.transport
    if diagnosis is DiagnosisId.NOT_A_MAILBOX:
        return not recipients or not all(_is_mailbox_now(context, r)
                                          for r in recipients[:MAX_SHOWN])
    if diagnosis is DiagnosisId.MAILDROP_BOUNCES_OUTAGES:
        return service is not None and not service.tempfail_on_authlib_error
    if diagnosis is DiagnosisId.MAILDROP_NOT_SETUID:
        binary = postfix.maildrop
        return (service is not None and service.user != "root" and binary is not None
                and not binary.setuid_root)
    return True


def _is_mailbox_now(context: CheckContext, recipient: str) -> bool:
    """authdaemond answers this address with an account now (it was enabled since)."""
    result = _recipient_now(context, recipient)
    return result is not None and result.outcome is Outcome.FOUND


def _bounce_fix(context: CheckContext, diagnosis: DiagnosisId) -> Fix:
    lab = context.lab_command
    config = context.postfix.config.path
    if diagnosis is DiagnosisId.MAILDROP_BOUNCES_OUTAGES:
        return Fix("Bring authdaemond back, and add -a to maildrop's argv so the next outage "
                   "defers mail instead of losing it. The bounced mail must be sent again by "
                   "its senders.",
                   (context.commands.start,
                    *((f"{lab} add-maildrop-a",) if lab else (_reload(config),))))
    if diagnosis is DiagnosisId.MAILDROP_NOT_SETUID:
        binary = context.postfix.maildrop
        path = binary.path if binary is not None else "/usr/bin/maildrop"
        return Fix("Make maildrop setuid root; the bounced mail must be sent again.",
                   _setuid_commands(context, path))
    if diagnosis is DiagnosisId.NOT_A_MAILBOX:
        return Fix("The address is no mailbox (unknown, an alias Postfix did not expand, or "
                   "disabled): create or enable the mailbox, or alias it in Postfix.",
                   (f"{lab} enable-mailbox",) if lab else ())
    return Fix("Read the bounce lines: maildrop's output says why.")
