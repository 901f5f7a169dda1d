"""The lab: a real, sandboxed mail chain (Postfix → maildrop → authdaemond → PostgreSQL).

`Lab.create()` brings it up, `lab.apply(faults)` breaks or heals it, and
`lab.down()` removes every process, mount and file. The demo, the test suite
and training all use it, so it is product code. Its state lives in
`<root>/lab.json`, so another process (`authlib-tui lab fault …`) can drive it.
Labs live under a root-owned base (see lab_dir), and a lab.json is only read from a
dir no other user could have made; the pids it records are only used while they
still name the processes the lab started.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.socket_state import SocketState, socket_state
from tui.core.owner_names import group_name, user_name
from tui.lab import configs, namespace, seed
from tui.lab.courier_imap import LabLogins, missing_packages
from tui.lab.faults import FAULTS
from tui.lab.lab_dir import (
    LABS_BASE,
    STATE_FILE,
    base_problem,
    ensure_labs_base,
    lab_dir_problem,
    read_state,
)
from tui.lab.postfix import LabPostfix, mailbox_homes
from tui.lab.postgres import PostgresCluster, free_port
from tui.lab.process import (
    LabError,
    process_identity,
    reap,
    started_ticks,
    terminate,
    verified_pid,
)
from tui.lab.syslog_sink import JOURNAL_REMOTE

# `lab up`'s lab when no --dir is given (inside the root-owned base, not the temp dir).
DEFAULT_ROOT = LABS_BASE / "lab-up"
AUTHDAEMOND = "/usr/sbin/authdaemond"
MODULE_DIR = "/usr/lib/courier-authlib"  # Debian's pkglibdir, compiled into authdaemond
READY_TIMEOUT = 10.0
LOG_MODES = ("file", "journal")
FALLBACK_MACHINE_ID = "1ab0" * 8  # a container without /etc/machine-id


def _machine_id() -> str:
    """This host's machine id: journald names the journal's directory after it."""
    try:
        text = Path("/etc/machine-id").read_text().strip()
    except OSError:
        return FALLBACK_MACHINE_ID
    return text if len(text) == 32 else FALLBACK_MACHINE_ID


# What the lab's `cpcmd scope:set cp.bootstrapper courier_workers N` stand-in records for upcp.
COURIER_WORKERS_FILE = "courier_workers"


@dataclass
class LabState:
    root: str
    port: int
    holder_pid: int = 0
    sink_pid: int = 0
    # Their start times (clock ticks since boot; see process_identity): a pid is only
    # signalled or entered while it still names that process. 0 (a lab.json from before
    # these were recorded) means the pid is never trusted.
    holder_started: int = 0
    sink_started: int = 0
    faults: list[str] = field(default_factory=list)
    started: float = 0.0
    workers: int | None = None  # `lab set-workers N`; None = what the faults say
    # "file": rsyslog-style maillog; "journal": a journald-only host (no mail log file).
    log_mode: str = "file"
    # The socket dir stays 0750 courier:courier with no fault: socket-permission was fixed
    # the right way (maildrop setuid root), which leaves the directory closed, as on ApisCP.
    socket_dir_closed: bool = False
    # The process that will take the lab down again ((pid, start ticks); see process_identity),
    # so `lab clean` can tell a live run's lab from one left by a run that was killed. Empty
    # for a lab kept by `lab up`, which stays until `lab down`.
    owner: list[int] = field(default_factory=list)
    # Courier IMAP and POP3 on 127.0.0.1 (see courier_imap); 0 = not run (the host lacks
    # courier-imap or courier-pop).
    imap_port: int = 0
    pop3_port: int = 0


HOME_FAULTS = frozenset({"home-missing", "home-wrong-owner", "home-world-writable",
                         "maildir-missing"})


def _move(path: Path, aside: Path, *, away: bool) -> None:
    """Put `path` aside (a fault) or back (healed); either way a second call changes nothing."""
    if away and path.exists() and not aside.exists():
        path.rename(aside)
    elif not away and aside.exists() and not path.exists():
        aside.rename(path)


class Lab:
    """Paths and control of one lab instance."""

    def __init__(self, state: LabState) -> None:
        self.state = state
        self.root = Path(state.root)
        self.etc = self.root / "etc"
        self.run = self.root / "run"
        self.dev = self.root / "dev"
        self.log_dir = self.root / "log"
        self.maillog = self.log_dir / "maillog"
        # Where journald keeps a host's persistent journal: <dir>/<machine id>/system.journal.
        self.journal_dir = self.log_dir / "journal"
        self.journal_file = self.journal_dir / _machine_id() / "system.journal"
        self.virtual = self.root / "virtual"
        self.group_file = self.root / "group"
        self.settings_file = self.root / "authlib-tui.toml"
        self.pg = PostgresCluster(self.root / "pg", state.port)
        self.postfix = LabPostfix(self.root)
        self.logins = LabLogins(self.root, self.run, self.postfix.homes, self.dev,
                                state.imap_port, state.pop3_port)
        if state.log_mode == "journal":
            # No mail log on a journald-only host: Postfix (and maildrop's output in its pipe
            # lines) logs through syslog(3) to the lab's /dev/log, into the journal too.
            self.postfix.syslog_dev = self.dev

    # -- paths other code needs -------------------------------------------------
    @property
    def socket_path(self) -> Path:
        return self.run / "socket"

    @property
    def authdaemonrc(self) -> Path:
        return self.etc / "authdaemonrc"

    @property
    def authpgsqlrc(self) -> Path:
        return self.etc / "authpgsqlrc"

    @property
    def journal_only(self) -> bool:
        return self.state.log_mode == "journal"

    @property
    def faults(self) -> frozenset[str]:
        return frozenset(self.state.faults)

    def client(self, **timeouts: float) -> AuthdaemonClient:
        """A client standing in for maildrop and the other mail clients: its lookups are the
        load the Workers pane judges, not the app's own lookups."""
        return AuthdaemonClient(self.socket_path, counted_as_own=False, **timeouts)

    def environ(self) -> dict[str, str]:
        """Environment that points authlib-tui at this lab from the host."""
        return {**os.environ, "AUTHLIB_TUI_CONFIG": str(self.settings_file)}

    # -- life cycle -------------------------------------------------------------
    @classmethod
    def create(cls, root: Path | None = None, log_mode: str = "file", *,
               kept: bool = False) -> Lab:
        """Bring a healthy lab up under `root` (by default a fresh dir in the labs' base).

        `log_mode="journal"` makes it a journald-only host: authdaemond's and Postfix's
        syslog lines go into a real journal file (written by systemd-journal-remote), no
        maillog.
        This process owns the lab (it takes it down again) unless `kept`: a lab from
        `lab up` outlives the command that started it.
        """
        if log_mode not in LOG_MODES:
            raise LabError(f"log mode must be one of {', '.join(LOG_MODES)}, not {log_mode!r}")
        if os.geteuid() != 0:
            raise LabError("the lab needs root (mount namespaces, runuser postgres)")
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="lab-", dir=ensure_labs_base()))
        else:
            root = Path(os.path.abspath(root))
            if root.is_relative_to(LABS_BASE):
                ensure_labs_base()
            root.mkdir(mode=0o755, parents=True, exist_ok=True)
        problem = lab_dir_problem(root)
        if problem:
            raise LabError(f"refusing to make a lab in {root}: {problem}")
        if os.path.lexists(root / STATE_FILE):
            raise LabError(f"a lab is already running in {root}; `authlib-tui lab down` first")
        root.chmod(0o755)  # postgres must traverse it; the socket dir has its own mode
        owner = None if kept else process_identity(os.getpid())
        # Courier IMAP/POP3 where the host has them (the Makefile installs both).
        imap_port, pop3_port = (free_port(), free_port()) if not missing_packages() else (0, 0)
        lab = cls(LabState(root=str(root), port=free_port(), started=time.time(),
                           log_mode=log_mode, owner=list(owner) if owner else [],
                           imap_port=imap_port, pop3_port=pop3_port))
        try:
            lab._up()
        except BaseException:
            lab.down()
            raise
        return lab

    @classmethod
    def load(cls, root: Path = DEFAULT_ROOT) -> Lab:
        """The lab in `root`; LabError (one sentence) when there is none, or when the dir
        or its lab.json could have been made or changed by another user."""
        root = Path(os.path.abspath(root))
        try:
            data = read_state(root)
        except FileNotFoundError as exc:
            raise LabError(f"no lab in {root}: start one with `authlib-tui lab up`") from exc
        try:
            return cls(LabState(**data))  # type: ignore[arg-type]
        except TypeError as exc:
            raise LabError(f"refusing the lab in {root}: its {STATE_FILE} is not a lab's "
                           "state") from exc

    def _save(self) -> None:
        tmp = self.root / f"{STATE_FILE}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(asdict(self.state), indent=2))
        tmp.replace(self.root / STATE_FILE)

    @property
    def holder(self) -> int:
        """The daemon namespace's holder pid while it is still the process we started, else 0."""
        return verified_pid(self.state.holder_pid, self.state.holder_started)

    def _holder_for_nsenter(self) -> int:
        holder = self.holder
        if not holder:
            raise LabError(f"the lab's daemon namespace in {self.root} is gone (its holder "
                           "process no longer runs); `authlib-tui lab down` and up again")
        return holder

    def _up(self) -> None:
        for directory in (self.etc, self.run, self.dev, self.log_dir, self.root / "view"):
            directory.mkdir(parents=True, exist_ok=True)
        if not self.journal_only:
            self.maillog.touch()
        self._write_host_files()
        self.state.sink_pid = self._start_sink()
        self.state.sink_started = started_ticks(self.state.sink_pid)
        self._save()
        self.pg.init()
        self.pg.start()
        self._load_schema()
        self.state.holder_pid = namespace.start_holder(self.etc, self.run, self.dev)
        self.state.holder_started = started_ticks(self.state.holder_pid)
        self._save()
        self.postfix.write(seed.MAIL_DOMAINS, mailbox_homes(self.virtual), tempfail=True,
                           database=configs.DbEndpoint("127.0.0.1", self.state.port))
        self.apply(frozenset())
        self.postfix.start()
        if self.logins.enabled:
            self.logins.write()
            self.logins.start()

    def _write_host_files(self) -> None:
        """Group file, ApisCP site trees and the settings file for the host-side app."""
        lab_gids = {line.split(":")[2] for line in seed.GROUP_LINES}
        lab_names = {line.split(":")[0] for line in seed.GROUP_LINES}
        host_lines = [
            line
            for line in Path("/etc/group").read_text().splitlines()
            if line.count(":") >= 3
            and line.split(":")[2] not in lab_gids
            and line.split(":")[0] not in lab_names
        ]
        self.group_file.write_text("\n".join([*host_lines, *seed.GROUP_LINES]) + "\n")
        for site, user, uid, gid in seed.SITE_HOMES:
            home = self.virtual / site / "fst" / "home" / user
            # The Maildirs the seed's rows name (MAILDIR Mail/, the catch-all's Mail/.Catchall).
            maildirs = [home / "Mail"] + ([home / "Mail" / ".Catchall"] if user == "qux" else [])
            for maildir in maildirs:
                for sub in ("cur", "new", "tmp"):
                    (maildir / sub).mkdir(parents=True, exist_ok=True)
            for path in (home, *home.rglob("*")):
                os.chown(path, uid, gid)
            home.chmod(0o755)
        self.settings_file.write_text(
            "# authlib-tui settings for the lab in this directory (written by `authlib-tui lab`)\n"
            f'conf_dir = "{self.etc}"\n'
            f'socket = "{self.socket_path}"\n'
            f'group_file = "{self.group_file}"\n'
            f'virtual_root = "{self.virtual}"\n'
            f"{self._log_setting()}\n"
            '# Fixes are given as the lab\'s own commands (`authlib-tui lab start`, …).\n'
            'platform = "lab"\n'
            f'postfix_dir = "{self.root / "postfix"}"\n'
            f'audit_log = "{self.root / "audit.log"}"\n'
            f"{self._login_setting()}"
        )

    def _login_setting(self) -> str:
        """The lab's imapd and pop3d configs, so discovery names them (not the host's)."""
        if not self.logins.enabled:
            return ""
        listed = ", ".join(f'"{path}"' for path in self.logins.config_files())
        return f"login_configs = [{listed}]\n"

    def _log_setting(self) -> str:
        if self.journal_only:
            return f'journal_dir = "{self.journal_dir}"'
        return f'log_files = ["{self.maillog}"]'

    def _start_sink(self) -> int:
        target = ([str(self.journal_file), "--journal"] if self.journal_only
                  else [str(self.maillog)])
        sink = subprocess.Popen(
            [sys.executable, "-m", "tui.lab.syslog_sink", str(self.dev / "log"), *target],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, text=True,
        )
        assert sink.stdout is not None
        if sink.stdout.readline().strip() != "ready":
            raise LabError("the lab's syslog sink did not start"
                           + (f" (is {JOURNAL_REMOTE} installed?)" if self.journal_only else ""))
        sink.stdout.close()
        return sink.pid

    def _load_schema(self) -> None:
        with self.pg.superuser() as conn:
            conn.execute(
                f"CREATE ROLE {seed.LAB_DB_USER} LOGIN PASSWORD '{seed.LAB_DB_PASSWORD}'"
            )
            conn.execute(f"CREATE DATABASE {seed.LAB_DB_NAME}")
        with self.pg.superuser(seed.LAB_DB_NAME) as conn:
            conn.execute(seed.SCHEMA_SQL)
            conn.execute(seed.SEED_SQL)
            conn.execute(f"REVOKE ALL ON lab_passwords FROM {seed.LAB_DB_USER}")
            conn.execute(
                "INSERT INTO lab_passwords VALUES (21015, %s, %s)",
                (seed.LAB_MAILBOX_CRYPT, seed.LAB_MAILBOX_PASSWORD),
            )
            for local_part, uid, gid, home, maildir in seed.ODD_ACCOUNTS:
                conn.execute(
                    "INSERT INTO lab_odd_accounts (local_part, domain, uid, gid, home, maildir) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (local_part, seed.ODD_DOMAIN, uid, gid, home, maildir),
                )

    # -- faults -----------------------------------------------------------------
    def apply(self, faults: frozenset[str], workers: int | None = None, *,
              socket_dir_closed: bool = False) -> None:
        """Converge the lab to exactly these faults (the empty set is healthy).

        `workers` overrides daemons= (a `set-workers` fix) and `socket_dir_closed` keeps the
        socket dir closed (a `setuid-maildrop` fix); a plain apply resets both.
        """
        self.state.workers = workers
        self.state.socket_dir_closed = socket_dir_closed
        unknown = faults - FAULTS.keys()
        if unknown:
            raise LabError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        self.stop_daemon()
        if not self.pg.is_running():
            self.pg.start()
        self._set_grants(revoke_uids="select-permission-denied" in faults,
                         disable_foo="not-a-mailbox" in faults)
        if "db-down" in faults:
            self.pg.stop()
        db = configs.DbEndpoint("127.0.0.1", self.state.port)
        rc_text = configs.render_authdaemonrc(faults, self.state.workers)
        self._write_config(self.authdaemonrc, rc_text)
        self._write_config(self.authpgsqlrc, configs.render_authpgsqlrc(db, faults))
        if "socket-permission" in faults or socket_dir_closed:
            shutil.chown(self.run, "courier", "courier")
            self.run.chmod(0o750)
        else:
            shutil.chown(self.run, "root", "root")
            self.run.chmod(0o755)
        self._set_module_dir(broken="module-unloadable" in faults)
        if self.socket_path.is_dir() and not self.socket_path.is_symlink():
            shutil.rmtree(self.socket_path)
        if "socket-blocked" in faults:
            # rename(socket.tmp, socket) fails with EISDIR: the daemon logs it and exits.
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()
            self.socket_path.mkdir()
            (self.socket_path / "left-behind").write_text("not a socket\n")
            namespace.run_in_namespace(self._holder_for_nsenter(), [AUTHDAEMOND, "start"])
            self.state.faults = sorted(faults)
            self._save()
            return
        self.start_daemon()
        if "authdaemonrc-bad-line" in faults:
            self._reload_with_bad_authdaemonrc(rc_text)
        if "daemon-stopped" in faults or "socket-missing" in faults:
            self.stop_daemon()  # leaves the stale socket, like `authdaemond stop`
        if "socket-missing" in faults:
            for name in ("socket", "pid", "pid.lock"):
                with contextlib.suppress(FileNotFoundError):
                    (self.run / name).unlink()
        self._converge_delivery(faults)
        self.state.faults = sorted(faults)
        self._save()

    def _set_module_dir(self, *, broken: bool) -> None:
        """module-unloadable: the daemon's module dir gains a file that is not a library.

        The real modules are copied into the lab and that copy is bound over the module
        dir in the daemon's namespace only; the host's dir is never touched.
        """
        unmount = f"if mountpoint -q {MODULE_DIR}; then umount {MODULE_DIR}; fi"
        namespace.run_in_namespace(self._holder_for_nsenter(), ["/bin/sh", "-c", unmount])
        if not broken:
            return
        copy = self.root / "modules"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        for library in Path(MODULE_DIR).glob("libauth*.so*"):
            shutil.copy2(library, copy / library.name)
        (copy / f"lib{configs.BROKEN_MODULE}.so.0").write_text("this is not a shared library\n")
        namespace.run_in_namespace(
            self._holder_for_nsenter(), ["mount", "--bind", str(copy), MODULE_DIR])

    def _reload_with_bad_authdaemonrc(self, healthy: str) -> None:
        """Break authdaemonrc under the running daemon, then reload it (`authdaemond restart`).

        The daemon logs `Bad line` on the reload and keeps serving with its old settings.
        """
        before = self._authdaemond_text().count(b"Bad line in ")
        self._write_config(self.authdaemonrc, configs.broken_authdaemonrc(healthy))
        namespace.run_in_namespace(self._holder_for_nsenter(), [AUTHDAEMOND, "restart"])
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._authdaemond_text().count(b"Bad line in ") > before:
                break
            time.sleep(0.05)
        else:
            raise LabError("authdaemond did not log the bad authdaemonrc line after a reload")
        self.wait_found()

    def _authdaemond_text(self) -> bytes:
        """What authdaemond logged so far: the maillog, or on a journald-only lab its journal."""
        return self.log_bytes()

    def log_bytes(self) -> bytes:
        """Everything the chain logged so far, as maillog lines (`Dec  7 14:02:07 host tag[pid]:
        message`): the maillog, or on a journald-only lab the journal's entries in that form."""
        if not self.journal_only:
            return self.maillog.read_bytes()
        if not self.journal_file.exists():
            return b""
        return subprocess.run(
            ["journalctl", f"--file={self.journal_file}", "--output=short", "--no-pager",
             "--quiet"],
            capture_output=True, check=False, timeout=READY_TIMEOUT,
        ).stdout

    def _converge_delivery(self, faults: frozenset[str]) -> None:
        """maildrop's binary and pipe argv, and bar's home and Maildir, as the faults say."""
        if self.postfix.maildrop.exists():
            # socket-permission is a closed socket dir AND a maildrop that cannot get in: a
            # setuid-root maildrop would enter anyway (and deliver).
            self.postfix.set_maildrop_setuid(
                not faults & {"maildrop-not-setuid", "socket-permission"})
        if self.postfix.master_cf().exists():
            self.postfix.write_master_cf(tempfail="maildrop-bounces-outages" not in faults)
        home = mailbox_homes(self.virtual)[seed.DELIVERY_USER]
        moved_home = home.with_name(home.name + ".lab-moved")
        _move(home, moved_home, away="home-missing" in faults)
        if not home.is_dir():
            return
        uid = seed.DELIVERY_UID + 1 if "home-wrong-owner" in faults else seed.DELIVERY_UID
        os.chown(home, uid, seed.DELIVERY_GID)
        home.chmod(0o777 if "home-world-writable" in faults else 0o755)
        _move(home / "Mail", home / "Mail.lab-moved", away="maildir-missing" in faults)

    def _write_config(self, path: Path, text: str) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        shutil.chown(tmp, "root", "courier")
        tmp.chmod(0o640)
        tmp.replace(path)

    def _set_grants(self, *, revoke_uids: bool, disable_foo: bool = False) -> None:
        with self.pg.superuser(seed.LAB_DB_NAME) as conn:
            conn.execute("UPDATE email_lookup SET enabled = %s::bit WHERE \"user\" = 'foo'",
                         ("0" if disable_foo else "1",))
            conn.execute(
                "GRANT SELECT ON domain_lookup, gids, uids, email_lookup, lab_passwords, "
                "lab_mailboxes, lab_odd_accounts "
                f"TO {seed.LAB_DB_USER}"
            )
            if revoke_uids:
                conn.execute(f"REVOKE SELECT ON uids FROM {seed.LAB_DB_USER}")

    # -- the daemon -------------------------------------------------------------
    def daemon_pids(self) -> list[int]:
        """Every process in the daemon's namespace except the holder itself (none when the
        holder is no longer the process the lab started: its namespace is not ours)."""
        return namespace.pids_in_namespace(self.holder)

    # -- the lab's stand-ins for the platform's fix commands -----------------------
    def _heal(self, healed: frozenset[str] | set[str], workers: int | None) -> None:
        """A fix: these faults go; what earlier fixes left (workers, a closed dir) stays."""
        self.apply(frozenset(self.state.faults) - healed, workers,
                   socket_dir_closed=self.state.socket_dir_closed)

    def fix_start(self) -> None:
        """Like `systemctl start courier-authdaemon`: the daemon runs again."""
        self._heal({"daemon-stopped", "socket-missing"}, self.state.workers)

    def fix_restart(self) -> None:
        self.stop_daemon()
        self.start_daemon()

    def fix_set_workers(self, workers: int) -> None:
        """Like ApisCP's `cpcmd … courier_workers N` + `upcp`: daemons=N, then a restart."""
        if not 1 <= workers <= 64:
            raise LabError(f"workers must be 1-64, not {workers}")
        self._heal(set(), workers)

    def fix_sync_password(self) -> None:
        """Like `upcp -sb mail/configure-courier-authlib`: authpgsqlrc gets the real password."""
        self._heal({"db-password-wrong"}, self.state.workers)

    def fix_bootstrap(self) -> None:
        """Like ApisCP's `upcp -sb mail/configure-courier-authlib`: both files written again from
        the template (password from mailboxes.cf, marker, PGSQL_CONNECTION, courier_workers),
        then the service restarted."""
        pending = self.root / COURIER_WORKERS_FILE
        workers = self.state.workers
        if pending.exists():
            workers = int(pending.read_text().strip())
            pending.unlink()  # applied now; state.workers keeps it from here on
        # Faults that live in the two files (the slow SELECT of workers-saturated too) and a
        # stopped service: the role writes the files whole and restarts the service.
        rewritten = {"marker-missing", "old-style-keys", "db-password-wrong", "daemon-stopped",
                     "socket-missing", "workers-saturated", "authdaemonrc-bad-line"}
        self._heal(rewritten, workers)

    def fix_setuid_maildrop(self) -> None:
        """Like `chmod 4755 /usr/bin/maildrop` (the lab's Postfix-side copy, never the host's):
        maildrop may become the mailbox's user again, and as root it enters a closed socket
        dir, which therefore stays closed (socket-permission fixed the right way)."""
        closed = "socket-permission" in self.state.faults or self.state.socket_dir_closed
        self.apply(frozenset(self.state.faults) - {"maildrop-not-setuid", "socket-permission"},
                   self.state.workers, socket_dir_closed=closed)

    def fix_add_maildrop_a(self) -> None:
        """Like adding -a to the vmaildrop argv and `postfix reload`."""
        self._heal({"maildrop-bounces-outages"}, self.state.workers)

    def fix_home(self) -> None:
        """Like recreating bar's home and Maildir with the right owner and mode."""
        self._heal(HOME_FAULTS, self.state.workers)

    def fix_enable_mailbox(self) -> None:
        """Like enabling the mailbox in the panel: foo@domain.com is a mailbox again."""
        self._heal({"not-a-mailbox"}, self.state.workers)

    # -- mail ----------------------------------------------------------------------
    def send(self, address: str, count: int = 1, subject: str = "lab test") -> None:
        for number in range(1, count + 1):
            self.postfix.send(address, subject=f"{subject} {number} of {count}")

    def send_and_wait(self, address: str, count: int = 1, subject: str = "lab test") -> str:
        """Send, then Postfix's pipe line for the first delivery attempt of what was sent."""
        start = self.log_size()
        self.send(address, count=count, subject=subject)
        return self.wait_for_delivery(address, start)

    def wait_for_delivery(self, recipient: str, after: int, timeout: float = 20.0) -> str:
        """Postfix's pipe line for `recipient` written past byte `after` of the maillog."""
        return self.wait_for_log("postfix/pipe", after, timeout, also=f" to=<{recipient}>")

    def delivered(self, user: str = seed.DELIVERY_USER) -> list[Path]:
        """The messages in a mailbox user's Maildirs (new/ and cur/), as files on the host."""
        home = mailbox_homes(self.virtual)[user]
        return sorted(path for sub in ("new", "cur") for path in home.glob(f"Mail/**/{sub}/*")
                      if path.is_file())

    def wait_for_log(self, text: str, after: int = 0, timeout: float = 20.0,
                     also: str = "") -> str:
        """The first log line past byte `after` of `log_bytes()` holding `text` (and `also`);
        LabError when none comes within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            if self.journal_only:
                lines = self.log_bytes()[after:].decode("utf-8", "replace").splitlines()
            else:
                with self.maillog.open("rb") as log:
                    log.seek(after)
                    lines = log.read().decode("utf-8", "replace").splitlines()
            for raw in lines:
                if text in raw and also in raw:
                    return raw
            if time.monotonic() > deadline:
                written = "\n".join(lines[-5:]) or "(nothing)"
                raise LabError(f"no maillog line with {text!r} within {timeout:g} s; the log "
                               f"got:\n{written}")
            time.sleep(0.05)

    def rotate_log(self) -> Path:
        """Like logrotate with Postfix's postrotate: the maillog becomes maillog.1, a new one
        starts, and Postfix's log service writes to the new one (a reload reopens it)."""
        if self.journal_only:
            raise LabError("a journald-only lab has no maillog to rotate")
        rotated = self.maillog.with_name("maillog.1")
        self.maillog.rename(rotated)
        self.maillog.touch()
        if self.postfix.running():
            before = rotated.stat().st_size
            self.postfix.postfix("reload")
            # The master logs its reload to the old file; the log service it then restarts
            # opens the new one.
            deadline = time.monotonic() + READY_TIMEOUT
            while b"reload -- " not in rotated.read_bytes()[before:]:
                if time.monotonic() > deadline:
                    raise LabError("Postfix did not log its reload")
                time.sleep(0.05)
        return rotated

    def log_size(self) -> int:
        """Where the log ends now, for `wait_for_log(…, after=)`: a byte of `log_bytes()`."""
        if self.journal_only:
            return len(self.log_bytes())
        return self.maillog.stat().st_size

    def fix_start_db(self) -> None:
        self._heal({"db-down"}, self.state.workers)

    def start_daemon(self) -> None:
        namespace.run_in_namespace(self._holder_for_nsenter(), [AUTHDAEMOND, "start"])
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if socket_state(self.socket_path) is SocketState.LISTENING:
                return
            time.sleep(0.02)
        raise LabError(f"authdaemond did not listen on {self.socket_path} within {READY_TIMEOUT} s")

    def stop_daemon(self) -> None:
        if not self.daemon_pids():
            return
        with contextlib.suppress(LabError):
            namespace.run_in_namespace(self._holder_for_nsenter(), [AUTHDAEMOND, "stop"],
                                       timeout=15)
        deadline = time.monotonic() + 5
        while self.daemon_pids() and time.monotonic() < deadline:
            time.sleep(0.02)
        for pid in self.daemon_pids():
            terminate(pid)

    def wait_found(self, address: str = "foo@domain.com", timeout: float = READY_TIMEOUT) -> None:
        """Block until a lookup succeeds: the stack is usable end to end."""
        deadline = time.monotonic() + timeout
        result = None
        while time.monotonic() < deadline:
            result = self.client(connect_timeout=2, read_timeout=5).lookup(address)
            if result.outcome is Outcome.FOUND:
                return
            time.sleep(0.05)
        raise LabError(f"lookup of {address} never succeeded (last: {result})")

    # -- status and teardown ----------------------------------------------------
    def status(self) -> dict[str, object]:
        return {
            "root": str(self.root),
            "faults": self.state.faults or ["healthy"],
            "postgresql": f"127.0.0.1:{self.state.port} "
            + ("running" if self.pg.is_running() else "stopped"),
            "authdaemond_pids": self.daemon_pids(),
            "socket": str(self.socket_path),
            "socket_exists": self.socket_path.exists(),
            "socket_dir": self._socket_dir_text(),
            **({"journal": str(self.journal_file)} if self.journal_only
               else {"maillog": str(self.maillog)}),
            "postfix": f"{self.postfix.config_dir} "
            + (f"running (master pid {self.postfix.master_pid()})" if self.postfix.running()
               else "stopped"),
            "logins": self._logins_text(),
            "settings": str(self.settings_file),
        }

    def _logins_text(self) -> str:
        if not self.logins.enabled:
            return "not run (" + ", ".join(missing_packages()) + " not installed)"
        state = "running" if self.logins.running() else "stopped"
        return (f"imapd 127.0.0.1:{self.state.imap_port}, pop3d 127.0.0.1:"
                f"{self.state.pop3_port} {state}")

    def _socket_dir_text(self) -> str:
        try:
            info = self.run.stat()
        except OSError as exc:
            return f"{self.run}: {exc.strerror}"
        return (f"{self.run} {stat.S_IMODE(info.st_mode):04o} "
                f"{user_name(info.st_uid)}:{group_name(info.st_gid)}")

    @classmethod
    def in_base(cls, base: Path = LABS_BASE) -> tuple[list[Lab], list[str]]:
        """Every lab under the root-owned base (the tests', the benches', `lab up`'s), and a
        sentence for each dir there that was refused instead of loaded."""
        problem = base_problem(base)
        if problem:
            return [], [f"refusing to look for labs in {base}: {problem}"]
        if not base.exists():
            return [], []
        found, refused = [], []
        for entry in sorted(base.iterdir()):
            if not os.path.lexists(entry / STATE_FILE) and not entry.is_symlink():
                continue  # a lab still being made (its state comes next), or not a lab
            try:
                found.append(cls.load(entry))
            except LabError as exc:
                refused.append(str(exc))
        return found, refused

    @property
    def in_use(self) -> bool:
        """Someone still has this lab: the run that owns it is alive, or it is a kept lab
        (`lab up`) whose daemons still run. A kept lab whose processes are all gone (after
        a reboot, or killed) is left over."""
        if self.state.owner:
            return process_identity(self.state.owner[0]) == tuple(self.state.owner)
        return bool(self.holder)

    @classmethod
    def orphans(cls, base: Path = LABS_BASE) -> list[Lab]:
        """Labs in the base nobody will take down: their run was killed before it could."""
        return [lab for lab in cls.in_base(base)[0] if not lab.in_use]

    def down(self) -> None:
        """Stop everything and remove the lab dir: no process, mount or file stays.

        Only the processes the lab itself started are signalled (each pid is checked against
        the start time recorded with it), and the dir is removed only while it is still one
        no other user could have swapped in.
        """
        self.logins.stop()
        self.postfix.stop()
        if holder := self.holder:
            self.stop_daemon()
            for pid in self.daemon_pids():
                terminate(pid)
            terminate(holder)
        reap(self.state.holder_pid)  # our own child's zombie, if it ended by itself
        with contextlib.suppress(LabError):
            self.pg.stop()
        if postmaster := self.pg.postmaster_pid():
            terminate(postmaster)
        if sink := verified_pid(self.state.sink_pid, self.state.sink_started):
            terminate(sink)
        reap(self.state.sink_pid)
        if not os.path.lexists(self.root):
            return  # already down
        problem = lab_dir_problem(self.root)
        if problem:
            raise LabError(f"left {self.root} in place: {problem}")
        shutil.rmtree(self.root, ignore_errors=True)
