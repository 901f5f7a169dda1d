"""The training scenarios: a lab fault (or two) hidden behind the symptom an admin would get.

Each scenario says what the trainee practises, the symptom (a Postfix deferral line
as it appears in the maillog, or a user's complaint), hints in the order a mentor
would give them, the diagnosis ids the checks must come to, and the explanation
with the part of ApisCP's Authlib documentation page it is about.
"""

from __future__ import annotations

from dataclasses import dataclass

_DEFERRAL = (
    "postfix/pipe[5059]: 5CA13C0F12: to=<bar@domain.com>, relay=vmaildrop, delay=0.09, "
    "delays=0.06/0.01/0/0.02, dsn=4.3.0, status=deferred (temporary failure. Command output: "
)
S_CONNECT_REFUSED = _DEFERRAL + (
    "ERR: authdaemon: s_connect() failed: Connection refused /usr/bin/maildrop: Temporary "
    "authentication failure. )")
S_CONNECT_MISSING = _DEFERRAL + (
    "ERR: authdaemon: s_connect() failed: No such file or directory /usr/bin/maildrop: "
    "Temporary authentication failure. )")
S_CONNECT_DENIED = _DEFERRAL + (
    "ERR: authdaemon: s_connect() failed: Permission denied /usr/bin/maildrop: Temporary "
    "authentication failure. )")
TEMPFAIL = _DEFERRAL + "/usr/bin/maildrop: Temporary authentication failure. )"
TEMPFAIL_SLOW = TEMPFAIL.replace("delay=0.09, delays=0.06/0.01/0/0.02",
                                 "delay=30.2, delays=0.06/0.01/0/30.1")

PAGE_S_CONNECT = (
    "Authlib.md, “s_connect() deferments”: maildrop connects to /var/spool/authdaemon/socket, "
    "which queries PostgreSQL for the auth data. Communication can fail when authlib processes "
    "are maxed out. Default value is 2; raise it with `cpcmd scope:set cp.bootstrapper "
    "courier_workers 5` and `upcp -sb mail/configure-courier-authlib`.")
PAGE_TEMPFAIL = (
    "Authlib.md, “Temporary authentication failure deferments”: deferments of this type can "
    "occur when database credentials are invalid. Run `upcp -sb "
    "mail/configure-courier-authlib` to correct credentials.")
PAGE_LOGGING = (
    "Authlib.md, “Logging”: examine `journalctl -u courier-authlib` or the `authdaemond` lines "
    "in /var/log/maillog.")


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    faults: frozenset[str]
    difficulty: str  # easy, medium, hard
    practises: str
    symptom: str  # what the trainee is shown: a maillog line or a complaint
    hints: tuple[str, ...]
    answers: frozenset[str]  # diagnosis ids that count as right (the first is "the" answer)
    explanation: str
    page: str

    @property
    def answer(self) -> str:
        return sorted(self.answers)[0] if len(self.answers) == 1 else self.title


def _scenario(scenario_id: str, title: str, faults: set[str], difficulty: str, practises: str,
              symptom: str, hints: tuple[str, ...], explanation: str, page: str,
              answers: set[str] | None = None) -> Scenario:
    return Scenario(scenario_id, title, frozenset(faults), difficulty, practises, symptom, hints,
                    frozenset(answers if answers is not None else faults), explanation, page)


SCENARIOS: tuple[Scenario, ...] = (
    _scenario(
        "daemon-stopped", "Deliveries refused overnight", {"daemon-stopped"}, "easy",
        "reading an s_connect() error; telling a dead daemon from a busy one",
        S_CONNECT_REFUSED,
        ("'Connection refused' on a Unix socket means the file is there but nothing listens.",
         "Look at the health strip's daemon cell, or the wizard's s_connect branch.",
         "Is there an authdaemond process at all? The socket file outlives the daemon."),
        "authdaemond was stopped; `authdaemond stop` leaves the socket file behind, so clients "
        "get Connection refused (not No such file). A full pool queues connections, it never "
        "refuses them: adding workers would not help. Start the daemon (lab: `authlib-tui lab "
        "start`), then check its log for a start-up error.",
        PAGE_S_CONNECT),
    _scenario(
        "socket-missing", "maildrop cannot find authdaemond", {"socket-missing"}, "easy",
        "the difference between a missing and a stale socket",
        S_CONNECT_MISSING,
        ("'No such file or directory': the socket path itself is gone.",
         "After a reboot /run is empty until the daemon starts.",),
        "authdaemond is not running and its socket file is gone (never started, or /run was "
        "cleared). Start it; if the path is still wrong, compare the client's compiled path with "
        "authdaemonvar in authdaemonrc.",
        PAGE_S_CONNECT),
    _scenario(
        "socket-permission", "Permission denied, yet authtest works", {"socket-permission"},
        "medium",
        "who maildrop runs as, and why the socket directory is locked down",
        S_CONNECT_DENIED,
        ("'Permission denied' is about the socket directory, not the daemon.",
         "Which user does the vmaildrop transport run as? Look at master.cf's user=.",
         "authtest as root works: root can always get in.",
         "Is the maildrop the pipe runs setuid root? The maildrop-setuid check looks at it "
         "as Postfix sees it."),
        "The socket directory is 0750 and owned by authdaemond's user (courier in the lab); the "
        "pipe runs maildrop as `mail`, and this maildrop is Debian's setgid-mail binary, not "
        "setuid root, so it cannot enter and every delivery waits in the queue. Give maildrop "
        "its setuid bit (lab: `authlib-tui lab setuid-maildrop`), then retry the queue; never "
        "open the directory to everyone (whoever connects can read every password). Opening it "
        "would not even save the mail: a maildrop that cannot become the mailbox's user "
        "bounces it.",
        PAGE_S_CONNECT),
    _scenario(
        "workers-saturated", "Mail is slow, then deferred", {"workers-saturated"}, "medium",
        "spotting a saturated pool, and asking why before adding workers",
        TEMPFAIL_SLOW,
        ("The deferral took 30 s: that is the client's read timeout, not an instant error.",
         "The Workers pane shows busy/total, the queue and what PostgreSQL is running.",
         "Two workers and a lookup that takes 3 s serve under one lookup a second."),
        "Each lookup holds a worker for the whole query; with daemons=2 and a 3 s SELECT the "
        "pool saturates as soon as mail arrives. Raise courier_workers (lab: `cpcmd scope:set "
        "cp.bootstrapper courier_workers 5` then `upcp -sb mail/configure-courier-authlib`), "
        "but look at the slow query first.",
        PAGE_S_CONNECT),
    _scenario(
        "db-password-wrong", "Temporary failures after a password change",
        {"db-password-wrong"}, "easy",
        "reading authdaemond's own log line and PostgreSQL's reason",
        TEMPFAIL,
        ("The deferral was immediate: something answered 'no' at once.",
         "authdaemond logs 'PGSQL_CONNECTION could not be established' with PostgreSQL's text.",),
        "authpgsqlrc holds the wrong password for the mail role. On ApisCP the Bootstrapper "
        "writes it from Postfix's mailboxes.cf: `upcp -sb mail/configure-courier-authlib`. No "
        "restart is needed: authpgsqlrc is re-read on the next lookup.",
        PAGE_TEMPFAIL),
    _scenario(
        "db-down", "Every lookup fails at once", {"db-down"}, "easy",
        "following the chain one hop further, to PostgreSQL",
        TEMPFAIL,
        ("authdaemond is fine and answers quickly; ask what it depends on.",
         "The log says 'Connection refused' inside the PGSQL_CONNECTION line."),
        "PostgreSQL is down, so authpgsql cannot connect and every lookup is a temporary "
        "failure. Start PostgreSQL; authdaemond reconnects by itself.",
        PAGE_TEMPFAIL),
    _scenario(
        "marker-missing", "A config edit broke delivery", {"marker-missing"}, "medium",
        "authpgsqlrc's format, and reading 'will try again later'",
        TEMPFAIL,
        ("The database is up and the password is right. Look at the config file itself.",
         "authdaemond logs 'marker line not found'."),
        "authpgsqlrc lost its `##NAME: MARKER:0` line and authpgsql refuses the whole file. Put "
        "it back (on ApisCP, re-run the Bootstrapper role, which writes the file whole).",
        PAGE_LOGGING),
    _scenario(
        "old-style-keys", "After an upgrade, nothing delivers", {"old-style-keys"}, "hard",
        "config keys that changed between authlib releases",
        TEMPFAIL,
        ("Which authlib version reads which keys?",
         "authlib 0.67 replaced PGSQL_HOST/PGSQL_USERNAME/… with one PGSQL_CONNECTION line."),
        "authpgsqlrc still uses the old PGSQL_HOST/PGSQL_USERNAME/… keys, which this authlib "
        "ignores: it finds no PGSQL_CONNECTION and fails every lookup. Convert to one "
        "PGSQL_CONNECTION line (the Bootstrapper writes the new format).",
        PAGE_TEMPFAIL),
    _scenario(
        "select-permission-denied", "Silent temporary failures", {"select-permission-denied"},
        "hard", "a failure authdaemond never logs",
        TEMPFAIL,
        ("authdaemond's log is clean, yet every lookup fails: the error is elsewhere.",
         "Run authpgsql's own SELECT with authpgsqlrc's credentials (the wizard does).",
         "PostgreSQL says 'permission denied for table …'."),
        "The mail role lost SELECT on a table. authdaemond turns SQL errors into a silent "
        "temporary failure, so only running the query yourself shows it. GRANT it back.",
        PAGE_TEMPFAIL),
    _scenario(
        "password-and-workers", "Two problems at once", {"db-password-wrong", "workers-saturated"},
        "hard", "fixing the cause that hides the other, then checking again",
        TEMPFAIL,
        ("Fix what makes every lookup fail first; then look again.",
         "After the password is right, are lookups fast?"),
        "The password is wrong (every lookup fails at once) and the pool is slow (daemons=2, a "
        "3 s query). Checks run in chain order: the password first; once it is fixed the slow "
        "pool shows. Both must be fixed.",
        PAGE_TEMPFAIL, answers={"db-password-wrong"}),
    _scenario(
        "stopped-and-marker", "A restart that did not come back", {"daemon-stopped",
                                                                  "marker-missing"},
        "hard", "working down the chain: daemon first, then its config",
        S_CONNECT_REFUSED,
        ("Start with what the deferral says: Connection refused.",
         "Once the daemon runs, do lookups work?"),
        "The daemon is stopped and authpgsqlrc lost its marker line. Starting the daemon turns "
        "'Connection refused' into temporary failures; the marker line is the second fix.",
        PAGE_S_CONNECT, answers={"daemon-stopped"}),
)

SCENARIOS_BY_ID: dict[str, Scenario] = {scenario.id: scenario for scenario in SCENARIOS}
