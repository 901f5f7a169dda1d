"""The lab's private Postfix: its own config, queue and data dirs, delivering through maildrop.

The instance has no inet service at all (mail is injected with `sendmail -C`),
logs through postlogd into the lab's maillog (or, on a journald-only lab, through
syslog(3) to the lab's /dev/log, which the journal sink serves), and runs in a
mount namespace of its own in which:

* `/run/courier/authdaemon` is the lab's run dir, so Debian's maildrop (whose
  client library has that socket path compiled in) reaches the lab's daemon;
  the directory is bound, not the socket, because every daemon restart renames
  a new socket into place;
* `/usr/bin/maildrop` is a copy of Debian's maildrop made setuid root like
  ApisCP's (Debian's is only setgid `mail` and cannot switch to the mailbox's
  uid); the path stays `/usr/bin/maildrop` because maildrop prints its argv[0]
  in every message Postfix logs;
* `/home` holds one symlink per mailbox home, into the lab's ApisCP site
  trees, so a home changed on the host is what maildrop sees on the next try.

maildrop calls `setsid`, so `postfix stop` does not reach a maildrop still
waiting on authdaemond; `stop` therefore also ends, by pid, every process left
in the instance's namespace.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import socket
import time
from pathlib import Path

from tui.lab import seed
from tui.lab.configs import DbEndpoint
from tui.lab.namespace import (
    hold_namespace,
    pids_in_namespace,
    private_dev_lines,
    record_holder,
    recorded_holder,
    run_in_namespace,
)
from tui.lab.process import (
    LabError,
    pid_alive,
    run_checked,
    terminate,
)

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
POSTQUEUE = "/usr/sbin/postqueue"
POSTSUPER = "/usr/sbin/postsuper"
DEBIAN_MAILDROP = Path("/usr/bin/maildrop")
LAB_SENDER = "tester@sender.test"
TRANSPORT = "vmaildrop"
# ApisCP's argv, with `-a`: Debian's maildrop treats an authlib failure as temporary only then.
MAILDROP_ARGV = ("/usr/bin/maildrop -a -d ${user}@${nexthop} ${extension} ${recipient} "
                 "${user} ${nexthop} ${sender}")
MAILDROP_ARGV_NO_TEMPFAIL = MAILDROP_ARGV.replace(" -a ", " ")
QUEUE_SUBDIRS = ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold",
                 "incoming", "private", "saved", "trace")
START_TIMEOUT = 20.0
# The lab's Postfix pgsql map (see `LabPostfix._pgsql_map`): a domain's owning site, by domain.
DYNAMICMAPS = Path("/etc/postfix/dynamicmaps.cf")
PGSQL_MAP_FILE = "pgsql-sender-login.cf"
PGSQL_MAP_PARAMETER = "smtpd_sender_login_maps"
PGSQL_MAP_QUERY = "SELECT 'site' || site_id FROM domain_lookup WHERE domain = '%d'"

_MASTER_CF = """\
# The lab's private Postfix (written by `authlib-tui lab`): unix services only, none chrooted.
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
# ApisCP's delivery transport: maildrop runs as `mail`.
vmaildrop  unix  -  n  n  -  20  pipe
        -o { export_environment = TZ LANG }
        flags=XODRhu user=mail
        argv={argv}
"""


def master_cf_text(*, tempfail: bool) -> str:
    return _MASTER_CF.replace("{argv}", MAILDROP_ARGV if tempfail else MAILDROP_ARGV_NO_TEMPFAIL)


def _host_label() -> str:
    # postlogd writes the first label of myhostname: the same host field as the syslog sink's.
    return socket.gethostname().split(".")[0] or "lab"


class LabPostfix:
    """Paths and control of the lab's Postfix instance under `<lab>/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_dir = root / "postfix"
        self.queue_dir = root / "postfix-queue"
        self.data_dir = root / "postfix-data"
        self.bin_dir = root / "bin"
        self.maildrop = self.bin_dir / "maildrop"
        self.homes = root / "home"
        self.maillog = root / "log" / "maillog"
        # A journald-only lab: no maillog_file; syslog(3) reaches the sink on this dir's `log`.
        self.syslog_dev: Path | None = None
        self.run_dir = root / "run"
        self.holder_file = root / "postfix-holder.pid"

    # -- set-up -----------------------------------------------------------------
    def write(self, domains: tuple[str, ...], homes: dict[str, Path], *, tempfail: bool,
              database: DbEndpoint | None = None) -> None:
        """Config, queue and data dirs, the setuid maildrop and the home links."""
        for directory in (self.config_dir, self.queue_dir, self.data_dir, self.bin_dir,
                          self.homes):
            directory.mkdir(parents=True, exist_ok=True)
        postfix_user = pwd.getpwnam("postfix")
        for name in QUEUE_SUBDIRS:
            path = self.queue_dir / name
            path.mkdir(exist_ok=True)
            os.chown(path, postfix_user.pw_uid, -1)
            path.chmod(0o700)
        for name, mode in (("maildrop", 0o730), ("public", 0o710)):
            path = self.queue_dir / name
            path.mkdir(exist_ok=True)
            shutil.chown(path, "postfix", "postdrop")
            path.chmod(mode)
        (self.queue_dir / "pid").mkdir(exist_ok=True)
        shutil.chown(self.data_dir, "postfix", "postfix")
        self.data_dir.chmod(0o700)
        shutil.copy2(DEBIAN_MAILDROP, self.maildrop)
        self.set_maildrop_setuid(True)
        for user, target in homes.items():
            link = self.homes / user
            if not link.is_symlink():
                link.symlink_to(target)
        self.main_cf().write_text(
            "# The lab's private Postfix (written by `authlib-tui lab`).\n"
            "compatibility_level = 3.6\n"
            f"queue_directory = {self.queue_dir}\n"
            f"data_directory = {self.data_dir}\n"
            f"myhostname = {_host_label()}.lab.invalid\n"
            "mydestination =\n"
            "inet_interfaces = loopback-only\n"
            "alias_maps =\n"
            "alias_database =\n"
            "biff = no\n"
            "smtputf8_enable = no\n"
            f"{self._log_settings()}"
            f"virtual_mailbox_domains = {', '.join(domains)}\n"
            f"virtual_transport = {TRANSPORT}\n"
            f"{TRANSPORT}_destination_recipient_limit = 1\n"
            # Bounce notices and everything outside the lab's domains end here, logged.
            "default_transport = discard:outside the lab\n"
            + self._pgsql_map(database)
        )
        self._copy_map_registry()
        self.write_master_cf(tempfail=tempfail, reload=False)
        self._age_config()

    def _copy_map_registry(self) -> None:
        """A copy of the host's map-type registry (dynamicmaps.cf and its .d) beside main.cf.

        Postfix reads it from meta_directory, /etc/postfix: where the lab's config dir stands
        in for /etc/postfix (the ApisCP view), postmap could not load pgsql without it."""
        if DYNAMICMAPS.is_file():
            shutil.copy2(DYNAMICMAPS, self.config_dir / DYNAMICMAPS.name)
        registry_dir = DYNAMICMAPS.with_name(DYNAMICMAPS.name + ".d")
        if registry_dir.is_dir() and not registry_dir.is_symlink():
            shutil.copytree(registry_dir, self.config_dir / registry_dir.name, symlinks=True,
                            dirs_exist_ok=True)

    def _log_settings(self) -> str:
        """postlogd into the maillog, or nothing: Postfix's default is syslog(3)."""
        if self.syslog_dev is not None:
            return ""
        return f"maillog_file = {self.maillog}\nmaillog_file_prefixes = {self.root}\n"

    def main_cf(self) -> Path:
        return self.config_dir / "main.cf"

    def pgsql_map_file(self) -> Path:
        return self.config_dir / PGSQL_MAP_FILE

    def _pgsql_map(self, database: DbEndpoint | None) -> str:
        """ApisCP's kind of map, against the lab's database: the main.cf line that names it
        ("" where Postfix has no pgsql map type: Debian's postfix-pgsql is not installed).

        It is smtpd's sender login map, which the lab (no smtpd) never consults while it
        delivers: a lab fault that stops the database still defers mail the way maildrop
        does, and `check` still finds this map failing with it.
        """
        if database is None or not pgsql_maps_supported():
            return ""
        path = self.pgsql_map_file()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            "# Written by `authlib-tui lab`: a Postfix pgsql map like ApisCP's.\n"
            f"hosts = inet:{database.host}:{database.port}\n"
            f"user = {seed.LAB_DB_USER}\n"
            f"password = {seed.LAB_DB_PASSWORD}\n"
            f"dbname = {seed.LAB_DB_NAME}\n"
            f"query = {PGSQL_MAP_QUERY}\n"
        )
        shutil.chown(tmp, "root", "postfix")
        tmp.chmod(0o640)
        tmp.replace(path)
        return f"{PGSQL_MAP_PARAMETER} = pgsql:{path}\n"

    def master_cf(self) -> Path:
        return self.config_dir / "master.cf"

    def _age_config(self) -> None:
        """Postfix waits until a freshly written main.cf is about 2 s old; it need not."""
        past = time.time() - 60
        for path in (self.main_cf(), self.master_cf()):
            os.utime(path, (past, past))

    def write_master_cf(self, *, tempfail: bool, reload: bool = True) -> None:
        text = master_cf_text(tempfail=tempfail)
        try:
            if self.master_cf().read_text() == text:
                return
        except FileNotFoundError:
            pass
        tmp = self.master_cf().with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.master_cf())
        self._age_config()
        if reload and self.running():
            self.postfix("reload")

    def set_maildrop_setuid(self, setuid: bool) -> None:
        """Setuid root like ApisCP's maildrop, or Debian's setgid-only mode."""
        shutil.chown(self.maildrop, "root", "mail")
        self.maildrop.chmod(0o4755 if setuid else 0o2755)

    # -- the instance -----------------------------------------------------------
    def _namespace_script(self) -> str:
        q = shlex.quote
        return "\n".join([
            "set -e",
            "mkdir -p /run/courier/authdaemon",
            f"mount --bind {q(str(self.run_dir))} /run/courier/authdaemon",
            f"mount --bind {q(str(self.maildrop))} /usr/bin/maildrop",
            f"mount --bind {q(str(self.homes))} /home",
            *(private_dev_lines(self.syslog_dev) if self.syslog_dev is not None else []),
            "echo ready",
            "exec sleep infinity </dev/null >/dev/null 2>&1",
        ])

    def holder_pid(self) -> int:
        return recorded_holder(self.holder_file)

    def start(self) -> None:
        holder = hold_namespace(self._namespace_script(), "Postfix's mount namespace")
        record_holder(self.holder_file, holder)
        self.postfix("start")
        deadline = time.monotonic() + START_TIMEOUT
        while not self.running():
            if time.monotonic() > deadline:
                raise LabError(f"the lab's Postfix did not start within {START_TIMEOUT:g} s")
            time.sleep(0.05)

    def postfix(self, action: str) -> str:
        holder = self.holder_pid()
        if not holder:
            raise LabError("the lab's Postfix namespace is not running")
        return run_in_namespace(holder, [POSTFIX, "-c", str(self.config_dir), action],
                                timeout=60)

    def master_pid(self) -> int | None:
        try:
            pid = int((self.queue_dir / "pid" / "master.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        return pid if pid_alive(pid) else None

    def running(self) -> bool:
        return self.master_pid() is not None

    def namespace_pids(self) -> list[int]:
        """Every process in the instance's namespace but the holder (master, pipe, maildrop)."""
        return pids_in_namespace(self.holder_pid())

    def stop(self) -> None:
        """`postfix stop`, then every straggler by pid, then the namespace's holder."""
        holder = self.holder_pid()
        if not holder:
            self.holder_file.unlink(missing_ok=True)
            return
        if self.running():
            with contextlib.suppress(LabError):
                self.postfix("stop")
        for _ in range(3):
            pids = self.namespace_pids()
            if not pids:
                break
            for pid in pids:
                terminate(pid, timeout=2)
        terminate(holder)
        self.holder_file.unlink(missing_ok=True)

    # -- mail -------------------------------------------------------------------
    def send(self, address: str, subject: str = "lab test") -> None:
        """Inject one message with `sendmail -C` (no network listener is involved)."""
        body = (f"From: {LAB_SENDER}\nTo: {address}\nSubject: {subject}\n\n"
                "A message from authlib-tui's lab.\n")
        run_checked([SENDMAIL, "-C", str(self.config_dir), "-f", LAB_SENDER, "-i", "--",
                     address], input_text=body, timeout=30)

    def flush(self) -> None:
        run_checked([POSTQUEUE, "-c", str(self.config_dir), "-f"], timeout=30)

    def queue_text(self) -> str:
        return run_checked([POSTQUEUE, "-c", str(self.config_dir), "-p"], timeout=30).stdout

    def queue_json(self) -> str:
        return run_checked([POSTQUEUE, "-c", str(self.config_dir), "-j"], timeout=30).stdout

    def clear_queue(self) -> None:
        """Delete every queued message (a test leaves the shared lab with an empty queue)."""
        run_checked([POSTSUPER, "-c", str(self.config_dir), "-d", "ALL"], timeout=30)


def pgsql_maps_supported() -> bool:
    """Postfix here can use pgsql: tables: Debian's postfix-pgsql registers the type in
    dynamicmaps.cf (`postconf -m` would need a main.cf in /etc/postfix, which the lab's
    host need not have)."""
    registries = [DYNAMICMAPS, *sorted(DYNAMICMAPS.with_name(DYNAMICMAPS.name + ".d").glob("*"))]
    for registry in registries:
        try:
            lines = registry.read_text(errors="replace").splitlines()
        except OSError:
            continue
        if any(line.split()[:1] == ["pgsql"] for line in lines):
            return True
    return False


def mailbox_homes(virtual: Path) -> dict[str, Path]:
    """System user → its home in the lab's ApisCP site tree (what /home/USER is for maildrop)."""
    return {user: virtual / site / "fst" / "home" / user
            for site, user, _uid, _gid in seed.SITE_HOMES}
