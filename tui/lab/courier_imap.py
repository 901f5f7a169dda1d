"""The lab's Courier IMAP and POP3: Debian's imapd and pop3d asking the lab's authdaemond.

They are started the way Debian starts them (`/usr/sbin/imapd start`, `/usr/sbin/pop3d
start`: courierlogger → couriertcpd → imaplogin / courierpop3login → imapd / pop3d),
from the lab's copies of the package's configs, in a mount namespace of their own in
which:

* `/etc/courier` is the lab's login config dir: the packages' own files with the lab's
  address (127.0.0.1), a free port, pid files in the lab and no TLS (the lab has no
  certificate), so nothing the host's own servers use is read or written;
* `/run/courier/authdaemon` is the lab's run dir, so their client library (the socket
  path is compiled in, like maildrop's) reaches the lab's daemon;
* `/home` holds the lab's mailbox home links (Postfix's), so a login enters the same
  home and Maildir maildrop delivers to, and a home fault breaks both;
* `/dev` is the lab's private one, so courierlogger's syslog lines reach the lab's sink
  and land in the same maillog (or journal) as authdaemond's.

The namespace is not the daemon's: stopping authdaemond (a fault) ends every process in
its namespace, and the logins must outlive that to log what a client then sees.
"""

from __future__ import annotations

import contextlib
import imaplib
import poplib
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tui.lab.namespace import (
    hold_namespace,
    pids_in_namespace,
    private_dev_lines,
    record_holder,
    recorded_holder,
    run_in_namespace,
)
from tui.lab.process import LabError, terminate

PACKAGE_CONFIG_DIR = Path("/etc/courier")
START_TIMEOUT = 10.0
LAB_ADDRESS = "127.0.0.1"


@dataclass(frozen=True)
class LoginServer:
    """One of the two servers: its start script, its config and its TLS config."""

    name: str  # imapd or pop3d: also its log tag (LOGGEROPTS="-name=…")
    script: Path
    ssl_config: str
    # The ssl config's switch for STARTTLS: off, the lab has no certificate.
    starttls_key: str

    @property
    def config(self) -> str:
        return self.name


IMAPD = LoginServer("imapd", Path("/usr/sbin/imapd"), "imapd-ssl", "IMAPDSTARTTLS")
POP3D = LoginServer("pop3d", Path("/usr/sbin/pop3d"), "pop3d-ssl", "POP3_STARTTLS")
SERVERS = (IMAPD, POP3D)


def missing_packages() -> list[str]:
    """What the host lacks to run them (Debian's courier-imap, courier-pop): [] when none."""
    packages = {IMAPD: "courier-imap", POP3D: "courier-pop"}
    return [packages[server] for server in SERVERS
            if not (server.script.exists()
                    and (PACKAGE_CONFIG_DIR / server.config).is_file()
                    and (PACKAGE_CONFIG_DIR / server.ssl_config).is_file())]


def _listening(port: int) -> bool:
    """Something listens on 127.0.0.1:`port` (read from /proc, so no connection is logged)."""
    wanted = f"0100007F:{port:04X}"
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return False
    return any(fields[1] == wanted and fields[3] == "0A"
               for fields in (line.split() for line in lines) if len(fields) > 3)


class LabLogins:
    """Paths and control of the lab's imapd and pop3d under `<lab>/`."""

    def __init__(self, root: Path, run_dir: Path, homes: Path, dev: Path,
                 imap_port: int, pop3_port: int) -> None:
        self.root = root
        self.config_dir = root / "courier"  # the namespace's /etc/courier
        self.state_dir = root / "courier-run"  # pid files
        self.run_dir = run_dir
        self.homes = homes
        self.dev = dev
        self.ports = {IMAPD: imap_port, POP3D: pop3_port}
        self.holder_file = root / "logins-holder.pid"

    @property
    def enabled(self) -> bool:
        """Ports were given: the lab was made where the packages are installed."""
        return all(self.ports.values())

    def config_files(self) -> tuple[Path, ...]:
        """The servers' configs, as discovery is to find them (`login_configs`)."""
        return tuple(self.config_dir / server.config for server in SERVERS)

    def port(self, server: LoginServer) -> int:
        return self.ports[server]

    # -- set-up -----------------------------------------------------------------
    def write(self) -> None:
        """The packages' configs, copied, with the lab's settings appended (the last
        assignment wins when the start script sources them)."""
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # imapd's start script makes imapaccess.dat from this (empty: no access rules).
        (self.config_dir / "imapaccess").mkdir(exist_ok=True)
        for server in SERVERS:
            self._copy_with(server.config, {
                "ADDRESS": LAB_ADDRESS,
                "PORT": str(self.ports[server]),
                "PIDFILE": str(self.state_dir / f"{server.name}.pid"),
                "MAXDAEMONS": "8",
            })
            self._copy_with(server.ssl_config, {
                "SSLPIDFILE": str(self.state_dir / f"{server.ssl_config}.pid"),
                server.starttls_key: "NO",
                # Empty: the start script would otherwise recreate the host's cache file.
                "TLS_CACHEFILE": "",
            })

    def _copy_with(self, name: str, settings: dict[str, str]) -> None:
        text = (PACKAGE_CONFIG_DIR / name).read_text()
        lines = "".join(f"{key}={shlex.quote(value) if value else ''}\n"
                        for key, value in settings.items())
        (self.config_dir / name).write_text(
            f"{text.rstrip()}\n\n# The lab's own settings (written by `authlib-tui lab`).\n"
            f"{lines}")

    # -- the instance -----------------------------------------------------------
    def _namespace_script(self) -> str:
        q = shlex.quote
        return "\n".join([
            "set -e",
            "mkdir -p /etc/courier /run/courier/authdaemon",
            f"mount --bind {q(str(self.config_dir))} /etc/courier",
            f"mount --bind {q(str(self.run_dir))} /run/courier/authdaemon",
            f"mount --bind {q(str(self.homes))} /home",
            *private_dev_lines(self.dev),
            "echo ready",
            "exec sleep infinity </dev/null >/dev/null 2>&1",
        ])

    def holder_pid(self) -> int:
        return recorded_holder(self.holder_file)

    def start(self) -> None:
        """The namespace, then both servers, each listening before this returns."""
        holder = hold_namespace(self._namespace_script(), "the logins' mount namespace")
        record_holder(self.holder_file, holder)
        for server in SERVERS:
            self._script(server, "start")
        deadline = time.monotonic() + START_TIMEOUT
        for server in SERVERS:
            while not _listening(self.ports[server]):
                if time.monotonic() > deadline:
                    raise LabError(f"the lab's {server.name} did not listen on "
                                   f"{LAB_ADDRESS}:{self.ports[server]} within "
                                   f"{START_TIMEOUT:g} s")
                time.sleep(0.02)

    def _script(self, server: LoginServer, action: str) -> None:
        holder = self.holder_pid()
        if not holder:
            raise LabError("the lab's login namespace is not running")
        run_in_namespace(holder, [str(server.script), action], timeout=30)

    def running(self) -> bool:
        return self.enabled and all(_listening(port) for port in self.ports.values())

    def namespace_pids(self) -> list[int]:
        """Every process in the namespace but the holder (courierlogger, couriertcpd, the
        sessions)."""
        return pids_in_namespace(self.holder_pid())

    def stop(self) -> None:
        """Each server's `stop`, then every straggler by pid, then the namespace's holder."""
        holder = self.holder_pid()
        if not holder:
            self.holder_file.unlink(missing_ok=True)
            return
        for server in SERVERS:
            with contextlib.suppress(LabError):
                self._script(server, "stop")
        for _ in range(3):
            pids = self.namespace_pids()
            if not pids:
                break
            for pid in pids:
                terminate(pid, timeout=2)
        terminate(holder)
        self.holder_file.unlink(missing_ok=True)
        shutil.rmtree(self.state_dir, ignore_errors=True)

    # -- a client -----------------------------------------------------------------
    def log_in(self, server: LoginServer, user: str, password: str, timeout: float = 30.0
               ) -> str:
        """One login as a mail client makes it (IMAP LOGIN, or POP3 USER/PASS), then a
        logout: the server's answer to the login (`LOGIN Ok.`, `-ERR Login failed.`, …).

        A refused login is answered after courier's delay of a few seconds."""
        port = self.ports[server]
        try:
            if server is IMAPD:
                with imaplib.IMAP4(LAB_ADDRESS, port, timeout=timeout) as imap:
                    try:
                        _status, data = imap.login(user, password)
                    except imaplib.IMAP4.error as exc:
                        return str(exc)
                    answer = b" ".join(item for item in data if isinstance(item, bytes))
                    imap.logout()
                    return answer.decode(errors="replace")
            pop = poplib.POP3(LAB_ADDRESS, port, timeout=timeout)
            try:
                pop.user(user)
                answer = pop.pass_(password)
                pop.quit()
                return answer.decode(errors="replace")
            except poplib.error_proto as exc:
                return str(exc.args[0].decode(errors="replace") if exc.args
                           and isinstance(exc.args[0], bytes) else exc)
            finally:
                pop.close()
        except OSError as exc:
            raise LabError(f"could not reach the lab's {server.name} on {LAB_ADDRESS}:{port}: "
                           f"{exc}") from exc
