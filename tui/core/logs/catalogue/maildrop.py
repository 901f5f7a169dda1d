"""maildrop's own messages, as Postfix logs its stderr after `Command output:`."""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.pattern_parts import MAILDROP
from tui.core.logs.catalogue.programs import MAILDROP_PROGRAM
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import LOOKUP_CONFIRM, Remedy
from tui.core.logs.catalogue.source import Source

_HOME_CONFIRM = ("`authlib-tui lookup ADDRESS` shows the HOME, UID and GID the lookup answers; "
                 "`ls -ld` that home.")

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "maildrop-tempfail",
        rf"{MAILDROP}Temporary authentication failure",
        Severity.ERROR,
        "authdaemond answered with a temporary failure or not at all: database down or "
        "credentials wrong (delays ≈ 0), an SQL error (nothing in its log), or a saturated "
        "pool (delays ≈ 30 s).",
        wizard_step=WizardStep.TEMPORARY_FAILURE,
        short="lookup failed temporarily (database, SQL or saturation)",
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", "Temporary authentication failure."),),
        examples=("/usr/bin/maildrop: Temporary authentication failure. ",),
        remedy=Remedy(
            "authdaemond answered with a temporary failure or not at all: the database or its "
            "credentials (delays ≈ 0), an SQL error, or saturated workers (≈ 30 s).",
            "`authlib-tui check` (lookup-answers) and the authdaemond lines at that time.",
            "Explain authdaemond's lines from the same moment; with none, `authlib-tui check`.",
        ),
    ),
    Signature(
        "maildrop-untrusted",
        rf"{MAILDROP}You are not a trusted user",
        Severity.ERROR,
        "maildrop -d was run by a user it does not trust to deliver for others (a build with "
        "restricted trusted users): the mail is deferred, over and over.",
        wizard_step=WizardStep.MAILDROP_SETUID,
        short="maildrop does not trust the user that runs it",
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", "You are not a trusted user."),),
        examples=("/usr/bin/maildrop: You are not a trusted user. ",),
        remedy=Remedy(
            "Postfix runs maildrop as master.cf's user= (the pipe's user), and this maildrop "
            "was built to let only its trusted users (--enable-trusted-users) deliver with -d.",
            "`postconf -M | grep maildrop` shows user=; `maildrop -v` shows the build.",
            "Run the pipe as a trusted user (the mail user the build names), or use a maildrop "
            "package built without the restriction; then `postfix reload`.",
        ),
    ),
    Signature(
        "maildrop-invalid-user",
        rf"{MAILDROP}Invalid user specified",
        Severity.ERROR,
        "authdaemond found no such mailbox, so the mail bounced (5.1.1) and is lost for the "
        "sender: the address is not a mailbox, it is disabled, its home is empty, the authpgsql "
        "module is missing, maildrop was built to treat a tempfail as unknown, or it was built "
        "without authlib and looks only for system users.",
        wizard_step=WizardStep.NOT_A_MAILBOX,
        short="no such mailbox: bounced, the mail is lost",
        mail_lost=True,
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", "Invalid user specified."),),
        examples=("Invalid user specified. ",),
        remedy=Remedy(
            "authdaemond answered 'no such user' (or maildrop was built to treat a failure that "
            "way): the address is not a mailbox, is disabled, has an empty home, or authpgsql is "
            "not loaded. A maildrop built without authlib never asks authdaemond and knows only "
            "system users. The sender got a bounce.",
            LOOKUP_CONFIRM + " `authlib-tui check` (authpgsql-module); `maildrop -v` lists "
            "'Courier Authentication Library extension enabled.' when it asks authdaemond.",
            "If the address should exist: create or enable the mailbox, give it a home, or install "
            "and list authpgsql ({pgsql_package}); install a maildrop built with authlib if `-v` "
            "lacks it; ask the sender to send again.",
        ),
    ),
    Signature(
        "maildrop-no-system-user",
        r"^\s*Cannot find system user ",
        Severity.ERROR,
        "The lookup answered a system user name (USERNAME) that does not exist on this host, "
        "so maildrop cannot switch to it; mail is deferred.",
        wizard_step=WizardStep.DELIVERY_IDENTITY,
        short="the looked-up system user does not exist",
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", "Cannot find system user "),),
        examples=("Cannot find system user vmail /usr/bin/maildrop: Cannot set my "
                  "user or group id. ",),
        remedy=Remedy(
            "The lookup returned a system user name (USERNAME column) that /etc/passwd lacks.",
            "`getent passwd NAME` for the name in the line.",
            "Create the user, or make the SELECT return uid/gid numbers instead of a user name.",
        ),
    ),
    # maildrop's own checks before delivering (it prints them after switching to the mailbox);
    # before the broader texts below, which catch the rest of each family.
    Signature(
        "maildrop-setgid",
        r"^\s*setgid: Operation not permitted",
        Severity.ERROR,
        "maildrop could not switch to the mailbox's uid/gid: it is not setuid root (Debian "
        "ships it setgid mail only) and the pipe runs it as an ordinary user. Every delivery "
        "bounces (5.3.0).",
        wizard_step=WizardStep.MAILDROP_SETUID,
        short="maildrop is not setuid root: every delivery bounces",
        mail_lost=True,
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", 'perror("setgid")'),),
        examples=("setgid: Operation not permitted ",),
        remedy=Remedy(
            "maildrop is not setuid root (Debian ships it setgid mail only), so it cannot become "
            "the mailbox's user; every delivery exits 1 and Postfix bounces.",
            "`ls -l $(command -v maildrop)`: the owner's x must be an s.",
            "`chown root:mail` and `chmod 4755` maildrop (ApisCP's packages do); ask the senders "
            "of the bounced mail to send again.",
        ),
    ),
    Signature(
        "maildrop-home-missing",
        rf"{MAILDROP}Unable to change to home directory",
        Severity.ERROR,
        "The mailbox's home directory (HOME in authdaemond's answer) does not exist or cannot "
        "be entered; the mail is deferred until it can.",
        wizard_step=WizardStep.MAILBOX_HOME,
        short="mailbox home missing or not enterable",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/main.C", "Unable to change to home directory."),
        ),
        examples=("/usr/bin/maildrop: Unable to change to home directory. ",),
        remedy=Remedy(
            "The home directory the lookup answered does not exist or the mailbox's user cannot "
            "enter it.",
            _HOME_CONFIRM,
            "Create the home with the mailbox's uid/gid, or correct the SELECT's home; then retry "
            "the waiting mail (`postqueue -f`).",
        ),
    ),
    Signature(
        "maildrop-home-owner",
        rf"{MAILDROP}Home directory owned by wrong user",
        Severity.ERROR,
        "The mailbox's home directory belongs to another uid than the one authdaemond returned; "
        "maildrop refuses to deliver into it (deferred).",
        wizard_step=WizardStep.MAILBOX_HOME,
        short="mailbox home owned by the wrong user",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/main.C", "Home directory owned by wrong user."),
        ),
        examples=("/usr/bin/maildrop: Home directory owned by wrong user. ",),
        remedy=Remedy(
            "The home directory belongs to another uid than the one the lookup answers.",
            _HOME_CONFIRM,
            "`chown UID:GID` the home so it matches the lookup; then retry the waiting mail.",
        ),
    ),
    Signature(
        "maildrop-home-writable",
        rf"{MAILDROP}Invalid home directory permissions",
        Severity.ERROR,
        "The mailbox's home directory is world-writable; maildrop refuses to deliver into it "
        "(deferred).",
        wizard_step=WizardStep.MAILBOX_HOME,
        short="mailbox home is world-writable",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/main.C",
                   "Invalid home directory permissions - world writable."),
        ),
        examples=("/usr/bin/maildrop: Invalid home directory permissions - world "
                  "writable. ",),
        remedy=Remedy(
            "The home directory is world-writable, which maildrop refuses.",
            _HOME_CONFIRM,
            "`chmod o-w` the home; then retry the waiting mail.",
        ),
    ),
    Signature(
        "maildrop-dot-lock",
        # A relative path is the lookup's MAILDIR under the home; an absolute one (/var/mail)
        # is a real mailbox file, left to maildrop-mailbox-failed.
        rf"{MAILDROP}Unable to create a dot-lock at (?!/)",
        Severity.ERROR,
        "The Maildir (MAILDIR in authdaemond's answer) is missing or unusable, so maildrop took "
        "the name for a mailbox file and could not lock it (deferred).",
        wizard_step=WizardStep.MAILDIR_MISSING,
        short="Maildir missing: maildrop cannot lock a mailbox file",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/dotlock.C", "Unable to create a dot-lock at "),
        ),
        examples=("/usr/bin/maildrop: Unable to create a dot-lock at Mail/",),
        remedy=Remedy(
            "The Maildir the lookup names is missing, so maildrop took the name for a mailbox file "
            "and could not lock it.",
            _HOME_CONFIRM + " `ls -ld HOME/MAILDIR`.",
            "Create the Maildir (`maildirmake`, or cur/ new/ tmp/ owned by the mailbox's uid) or "
            "correct the SELECT's maildir; then retry the waiting mail.",
        ),
    ),
    Signature(
        "maildrop-setid-failed",
        rf"{MAILDROP}Cannot set my user or group id",
        Severity.ERROR,
        "maildrop could not become the mailbox's user: the looked-up user does not exist, or "
        "maildrop is not setuid root; mail is deferred.",
        wizard_step=WizardStep.DELIVERY_IDENTITY,
        short="maildrop cannot become the mailbox user",
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", "Cannot set my user or group id."),),
        examples=("/usr/bin/maildrop: Cannot set my user or group id. ",),
        remedy=Remedy(
            "maildrop cannot switch to the mailbox's uid/gid: it is not setuid root, or the "
            "looked-up user does not exist.",
            "`ls -l $(command -v maildrop)` (expect -rwsr-xr-x root); " + _HOME_CONFIRM,
            "`chmod 4755 $(command -v maildrop)` (owner root), or correct the uid/gid the SELECT "
            "returns.",
        ),
    ),
    Signature(
        "maildrop-setgid-failed",
        r"^\s*setgid: ",
        Severity.ERROR,
        "maildrop could not switch to the mailbox's group (not setuid root, or a bad gid) and "
        "exited 1, which Postfix bounces: the mail is lost.",
        wizard_step=WizardStep.DELIVERY_IDENTITY,
        short="maildrop cannot switch group: bounced",
        mail_lost=True,
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", 'perror("setgid")'),),
        examples=("setgid: Invalid argument ",),
        remedy=Remedy(
            "maildrop cannot switch to the mailbox's group (not setuid root, or a bad gid); it "
            "exits 1 and Postfix bounces.",
            "`ls -l $(command -v maildrop)`; " + _HOME_CONFIRM,
            "Restore maildrop's setuid bit or correct the gid; ask the sender to send again.",
        ),
    ),
    Signature(
        "maildrop-home-create-failed",
        r"^\s*/\S*: (?:No such file or directory|Permission denied|Read-only file system"
        r"|No space left on device|Not a directory|File exists|Disk quota exceeded)",
        Severity.ERROR,
        "maildrop could not create the mailbox's home directory named by the lookup and exited "
        "1, which Postfix bounces: the mail is lost.",
        wizard_step=WizardStep.DELIVERY_HOME,
        short="home directory cannot be created: bounced",
        mail_lost=True,
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", "perror(auth->homedir)"),),
        examples=("/home/virtual/site1/home/user: Permission denied ",),
        remedy=Remedy(
            "maildrop could not create the home directory the lookup named; it exits 1 and Postfix "
            "bounces.",
            _HOME_CONFIRM,
            "Create the home (owned by the mailbox's uid/gid) or correct the SELECT's home; ask "
            "the sender to send again.",
        ),
    ),
    Signature(
        "maildrop-home-bad",
        rf"{MAILDROP}(?:Cannot stat\(\) home directory|Home directory is not a directory"
        r"|Invalid home directory permissions - world writable|Home directory owned by wrong user)",
        Severity.ERROR,
        "The home directory exists but maildrop refuses it (not a directory, world-writable, "
        "or owned by another user than the lookup's uid); mail is deferred.",
        wizard_step=WizardStep.DELIVERY_HOME,
        short="home directory has the wrong type, mode or owner",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/main.C", "Cannot stat() home directory."),
            Source(MAILDROP_PROGRAM, "maildrop/main.C", "Home directory is not a directory."),
        ),
        examples=("/usr/bin/maildrop: Home directory is not a directory. ",),
        remedy=Remedy(
            "maildrop refuses the home: not a directory, world-writable, or owned by another uid "
            "than the lookup's.",
            _HOME_CONFIRM,
            "`chown UID:GID` and `chmod o-w` the home so it matches the lookup.",
        ),
    ),
    Signature(
        "maildrop-over-quota",
        rf"{MAILDROP}maildir over quota",
        Severity.ERROR,
        "The mailbox is over its maildir quota (the lookup's QUOTA, or maildirsize).",
        wizard_step=WizardStep.DELIVERY_MAILBOX,
        short="mailbox over quota",
        sources=(Source(MAILDROP_PROGRAM, "maildrop/maildir.C", "maildrop: maildir over quota."),),
        examples=("maildrop: maildir over quota. ",),
        remedy=Remedy(
            "The mailbox is full: its maildir quota is used up.",
            "The maildirsize file in the mailbox; the lookup's QUOTA.",
            "Free space in the mailbox or raise its quota.",
        ),
    ),
    Signature(
        "maildrop-mailbox-failed",
        rf"{MAILDROP}(?:Unable to open mailbox|Seek error on mailbox|Unable to create a dot-lock"
        r"|Unable to write to a dot-lock|Unable to close a dot-lock|Unable to create flock file"
        r"|flock\(\) failed|rename\(\) failed|link\(\) failed)",
        Severity.ERROR,
        "maildrop cannot write the mailbox (its path from the lookup's maildir, its mode or "
        "owner, or a full disk); mail is deferred.",
        wizard_step=WizardStep.DELIVERY_MAILBOX,
        short="mailbox cannot be written",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/deliver.C", "Unable to open mailbox."),
            Source(MAILDROP_PROGRAM, "maildrop/deliver.C", "Seek error on mailbox."),
            Source(MAILDROP_PROGRAM, "maildrop/dotlock.C", "Unable to create a dot-lock at "),
            Source(MAILDROP_PROGRAM, "maildrop/filelock.C", "Unable to create flock file."),
            Source(MAILDROP_PROGRAM, "maildrop/maildir.C", "rename() failed."),
        ),
        examples=("/usr/bin/maildrop: Unable to open mailbox. ",),
        remedy=Remedy(
            "maildrop cannot write the mailbox: wrong maildir path from the lookup, wrong owner or "
            "mode, a stale lock, or a full disk.",
            _HOME_CONFIRM + " `df -h` for the disk.",
            "Correct the mailbox's owner/mode or path, or free disk space.",
        ),
    ),
    Signature(
        "maildrop-maildir-error",
        r"^\s*maildrop: /\S*: [A-Z]",
        Severity.ERROR,
        "maildrop cannot open the maildir (the error follows the path); mail is deferred.",
        wizard_step=WizardStep.DELIVERY_MAILBOX,
        short="maildir cannot be opened",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/maildir.C",
                   "maildrop: %s: %s (the maildir's own error)"),
        ),
        examples=("maildrop: /home/user/Mail/: Permission denied ",),
        remedy=Remedy(
            "maildrop cannot open the maildir named in the line (the error follows it).",
            "`ls -ld` the path in the line.",
            "Create the maildir (maildirmake) or correct its owner.",
        ),
    ),
    Signature(
        "maildrop-tempfile-failed",
        rf"{MAILDROP}Unable to create temporary file",
        Severity.ERROR,
        "maildrop cannot write its temporary copy of the message (a full or unwritable /tmp "
        "or home); mail is deferred.",
        wizard_step=WizardStep.SYSTEM_RESOURCES,
        short="no space for maildrop's temporary file",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/message.C", "Unable to create temporary file."),
        ),
        examples=("/usr/bin/maildrop: Unable to create temporary file. ",),
        remedy=Remedy(
            "maildrop cannot write its temporary copy (disk full or /tmp not writable).",
            "`df -h /tmp` and the home's file system.",
            "Free disk space.",
        ),
    ),
    Signature(
        "maildrop-timeout",
        rf"{MAILDROP}Timeout quota exceeded",
        Severity.ERROR,
        "The delivery ran past maildrop's time limit (a slow lookup, filter or disk); mail is "
        "deferred.",
        wizard_step=WizardStep.TEMPORARY_FAILURE,
        short="delivery ran out of time",
        sources=(Source(MAILDROP_PROGRAM, "maildrop/main.C", "maildrop: Timeout quota exceeded."),),
        examples=("maildrop: Timeout quota exceeded. ",),
        remedy=Remedy(
            "The delivery took longer than maildrop's time limit: a slow lookup, filter or disk.",
            "`authlib-tui check` (lookup-speed); the mailbox's .mailfilter.",
            "Make the slow part fast (the SELECT, the filter); Postfix retries deferred mail.",
        ),
    ),
    Signature(
        "maildrop-killed",
        rf"{MAILDROP}signal 0x[0-9A-Fa-f]{{2}}",
        Severity.ERROR,
        "maildrop was killed by a signal (0x06 abort, 0x09 kill, e.g. out of memory); mail is "
        "deferred.",
        wizard_step=WizardStep.SYSTEM_RESOURCES,
        short="maildrop was killed by a signal",
        sources=(Source(MAILDROP_PROGRAM, "maildrop/maildrop.C", "maildrop: signal 0x"),),
        examples=("maildrop: signal 0x09 ",),
        remedy=Remedy(
            "maildrop was killed: 0x06 an abort (a crash), 0x09 SIGKILL (often the OOM killer), "
            "0x0F a stop of the service.",
            "The kernel log (`dmesg`, `journalctl -k`) at that time.",
            "Find what killed it (memory, limits); Postfix retries deferred mail.",
        ),
    ),
)

FAMILY = Family("maildrop", Channel.COMMAND_OUTPUT, SIGNATURES)
