"""The lab: a real, sandboxed mail chain (Postfix → maildrop → authdaemond → PostgreSQL).

`Lab.create()` brings it up, `lab.apply(faults)` breaks or heals it, and
`lab.down()` removes every process, mount and file. The demo, the test suite
and training all use it, so it is product code. Its state lives in
`<root>/lab.json`, so another process (`authlib-tui lab fault …`) can drive it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tui.core.authdaemon.client import AuthdaemonClient
from tui.core.authdaemon.outcome import Outcome
from tui.core.authdaemon.socket_state import SocketState, socket_state
from tui.lab import configs, namespace, seed
from tui.lab.faults import FAULTS
from tui.lab.postfix import LabPostfix, mailbox_homes
from tui.lab.postgres import PostgresCluster, free_port
from tui.lab.process import LabError, pid_alive, terminate

DEFAULT_ROOT = Path(tempfile.gettempdir()) / "authlib-tui-lab"
AUTHDAEMOND = "/usr/sbin/authdaemond"
READY_TIMEOUT = 10.0


# What the lab's `cpcmd scope:set cp.bootstrapper courier_workers N` stand-in records for upcp.
COURIER_WORKERS_FILE = "courier_workers"


@dataclass
class LabState:
    root: str
    port: int
    holder_pid: int = 0
    sink_pid: int = 0
    faults: list[str] = field(default_factory=list)
    started: float = 0.0
    workers: int | None = None  # `lab set-workers N`; None = what the faults say


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
        self.virtual = self.root / "virtual"
        self.group_file = self.root / "group"
        self.settings_file = self.root / "authlib-tui.toml"
        self.pg = PostgresCluster(self.root / "pg", state.port)
        self.postfix = LabPostfix(self.root)

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
    def faults(self) -> frozenset[str]:
        return frozenset(self.state.faults)

    def client(self, **timeouts: float) -> AuthdaemonClient:
        return AuthdaemonClient(self.socket_path, **timeouts)

    def environ(self) -> dict[str, str]:
        """Environment that points authlib-tui at this lab from the host."""
        return {**os.environ, "AUTHLIB_TUI_CONFIG": str(self.settings_file)}

    # -- life cycle -------------------------------------------------------------
    @classmethod
    def create(cls, root: Path | None = None) -> Lab:
        """Bring a healthy lab up under `root` (a fresh temp dir by default)."""
        if os.geteuid() != 0:
            raise LabError("the lab needs root (mount namespaces, runuser postgres)")
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="authlib-tui-lab-"))
        elif (root / "lab.json").exists():
            raise LabError(f"a lab is already running in {root}; `authlib-tui lab down` first")
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # postgres must traverse it; the socket dir has its own mode
        lab = cls(LabState(root=str(root), port=free_port(), started=time.time()))
        try:
            lab._up()
        except BaseException:
            lab.down()
            raise
        return lab

    @classmethod
    def load(cls, root: Path = DEFAULT_ROOT) -> Lab:
        try:
            data = json.loads((root / "lab.json").read_text())
        except FileNotFoundError as exc:
            raise LabError(f"no lab in {root}: start one with `authlib-tui lab up`") from exc
        return cls(LabState(**data))

    def _save(self) -> None:
        tmp = self.root / "lab.json.tmp"
        tmp.write_text(json.dumps(asdict(self.state), indent=2))
        tmp.replace(self.root / "lab.json")

    def _up(self) -> None:
        for directory in (self.etc, self.run, self.dev, self.log_dir, self.root / "view"):
            directory.mkdir(parents=True, exist_ok=True)
        self.maillog.touch()
        self._write_host_files()
        self.state.sink_pid = self._start_sink()
        self._save()
        self.pg.init()
        self.pg.start()
        self._load_schema()
        self.state.holder_pid = namespace.start_holder(self.etc, self.run, self.dev)
        self._save()
        self.postfix.write(seed.MAIL_DOMAINS, mailbox_homes(self.virtual), tempfail=True)
        self.apply(frozenset())
        self.postfix.start()

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
            f'log_files = ["{self.maillog}"]\n'
            '# Fixes are given as the lab\'s own commands (`authlib-tui lab start`, …).\n'
            'platform = "lab"\n'
            f'postfix_dir = "{self.root / "postfix"}"\n'
            f'audit_log = "{self.root / "audit.log"}"\n'
        )

    def _start_sink(self) -> int:
        sink = subprocess.Popen(
            [sys.executable, "-m", "tui.lab.syslog_sink", str(self.dev / "log"), str(self.maillog)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, text=True,
        )
        assert sink.stdout is not None
        if sink.stdout.readline().strip() != "ready":
            raise LabError("the lab's syslog sink did not start")
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

    # -- faults -----------------------------------------------------------------
    def apply(self, faults: frozenset[str], workers: int | None = None) -> None:
        """Converge the lab to exactly these faults (the empty set is healthy).

        `workers` overrides daemons= (a `set-workers` fix); a plain apply resets it.
        """
        self.state.workers = workers
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
        if "socket-permission" in faults:
            shutil.chown(self.run, "courier", "courier")
            self.run.chmod(0o750)
        else:
            shutil.chown(self.run, "root", "root")
            self.run.chmod(0o755)
        self.start_daemon()
        if "daemon-stopped" in faults or "socket-missing" in faults:
            self.stop_daemon()  # leaves the stale socket, like `authdaemond stop`
        if "socket-missing" in faults:
            for name in ("socket", "pid", "pid.lock"):
                with contextlib.suppress(FileNotFoundError):
                    (self.run / name).unlink()
        self._converge_delivery(faults)
        self.state.faults = sorted(faults)
        self._save()

    def _converge_delivery(self, faults: frozenset[str]) -> None:
        """maildrop's binary and pipe argv, and bar's home and Maildir, as the faults say."""
        if self.postfix.maildrop.exists():
            self.postfix.set_maildrop_setuid("maildrop-not-setuid" not in faults)
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
                "GRANT SELECT ON domain_lookup, gids, uids, email_lookup, lab_passwords "
                f"TO {seed.LAB_DB_USER}"
            )
            if revoke_uids:
                conn.execute(f"REVOKE SELECT ON uids FROM {seed.LAB_DB_USER}")

    # -- the daemon -------------------------------------------------------------
    def daemon_pids(self) -> list[int]:
        """Every process in the daemon's namespace except the holder itself."""
        ns = namespace.mount_namespace_id(self.state.holder_pid)
        if ns is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if (
                entry.name.isdigit()
                and int(entry.name) != self.state.holder_pid
                and namespace.mount_namespace_id(int(entry.name)) == ns
            ):
                pids.append(int(entry.name))
        return pids

    # -- the lab's stand-ins for the platform's fix commands -----------------------
    def fix_start(self) -> None:
        """Like `systemctl start courier-authdaemon`: the daemon runs again."""
        self.apply(frozenset(self.state.faults) - {"daemon-stopped", "socket-missing"},
                   self.state.workers)

    def fix_restart(self) -> None:
        self.stop_daemon()
        self.start_daemon()

    def fix_set_workers(self, workers: int) -> None:
        """Like ApisCP's `cpcmd … courier_workers N` + `upcp`: daemons=N, then a restart."""
        if not 1 <= workers <= 64:
            raise LabError(f"workers must be 1-64, not {workers}")
        self.apply(frozenset(self.state.faults), workers)

    def fix_sync_password(self) -> None:
        """Like `upcp -sb mail/configure-courier-authlib`: authpgsqlrc gets the real password."""
        self.apply(frozenset(self.state.faults) - {"db-password-wrong"}, self.state.workers)

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
                     "socket-missing", "workers-saturated"}
        self.apply(frozenset(self.state.faults) - rewritten, workers)

    def fix_setuid_maildrop(self) -> None:
        """Like `chmod 4755 /usr/bin/maildrop`: maildrop may become the mailbox's user again."""
        self.apply(frozenset(self.state.faults) - {"maildrop-not-setuid"}, self.state.workers)

    def fix_add_maildrop_a(self) -> None:
        """Like adding -a to the vmaildrop argv and `postfix reload`."""
        self.apply(frozenset(self.state.faults) - {"maildrop-bounces-outages"},
                   self.state.workers)

    def fix_home(self) -> None:
        """Like recreating bar's home and Maildir with the right owner and mode."""
        self.apply(frozenset(self.state.faults) - HOME_FAULTS, self.state.workers)

    def fix_enable_mailbox(self) -> None:
        """Like enabling the mailbox in the panel: foo@domain.com is a mailbox again."""
        self.apply(frozenset(self.state.faults) - {"not-a-mailbox"}, self.state.workers)

    # -- mail ----------------------------------------------------------------------
    def send(self, address: str, count: int = 1, subject: str = "lab test") -> None:
        for number in range(1, count + 1):
            self.postfix.send(address, subject=f"{subject} {number} of {count}")

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
        """The first maillog line past byte `after` holding `text` (and `also`); LabError
        when none comes within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            with self.maillog.open("rb") as log:
                log.seek(after)
                for raw in log.read().decode("utf-8", "replace").splitlines():
                    if text in raw and also in raw:
                        return raw
            if time.monotonic() > deadline:
                raise LabError(f"no maillog line with {text!r} within {timeout:g} s")
            time.sleep(0.05)

    def log_size(self) -> int:
        return self.maillog.stat().st_size

    def fix_start_db(self) -> None:
        self.apply(frozenset(self.state.faults) - {"db-down"}, self.state.workers)

    def start_daemon(self) -> None:
        namespace.run_in_namespace(self.state.holder_pid, [AUTHDAEMOND, "start"])
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
            namespace.run_in_namespace(self.state.holder_pid, [AUTHDAEMOND, "stop"], timeout=15)
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
            "maillog": str(self.maillog),
            "postfix": f"{self.postfix.config_dir} "
            + (f"running (master pid {self.postfix.master_pid()})" if self.postfix.running()
               else "stopped"),
            "settings": str(self.settings_file),
        }

    @classmethod
    def orphans(cls) -> list[Lab]:
        """Labs in the temp dir whose creator died before tearing them down."""
        found = []
        for state in sorted(Path(tempfile.gettempdir()).glob("authlib-tui-*lab*/lab.json")):
            with contextlib.suppress(LabError, ValueError, TypeError, OSError):
                found.append(cls.load(state.parent))
        return found

    def down(self) -> None:
        """Stop everything and remove the lab dir: no process, mount or file stays."""
        self.postfix.stop()
        if self.state.holder_pid:
            self.stop_daemon()
            for pid in self.daemon_pids():
                terminate(pid)
            terminate(self.state.holder_pid)
        with contextlib.suppress(LabError):
            self.pg.stop()
        if pid := self.pg.postmaster_pid():
            terminate(pid)
        if self.state.sink_pid and pid_alive(self.state.sink_pid):
            terminate(self.state.sink_pid)
        shutil.rmtree(self.root, ignore_errors=True)
