"""A throw-away PostgreSQL cluster for the lab: initdb in a temp dir, a free port, TCP on loopback.

PostgreSQL refuses to run as root, so every server command runs as the
`postgres` user with `runuser`. The superuser connects over the cluster's own
Unix socket with trust; the mail role must use scram over TCP, like ApisCP.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg

from tui.lab.process import run_checked

PG_USER = "postgres"


def find_pg_bindir() -> Path:
    """The newest installed server's bin dir (Debian keeps them per major version)."""
    def major(initdb: str) -> int:
        version = Path(initdb).parent.parent.name
        return int(version) if version.isdigit() else 0

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=major)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise FileNotFoundError("no PostgreSQL server found (install the 'postgresql' package)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """One cluster under `base`: data dir, socket dir and server log."""

    def __init__(self, base: Path, port: int) -> None:
        self.base = base
        self.port = port
        self.data_dir = base / "data"
        self.socket_dir = base / "sock"
        self.log_file = base / "postgresql.log"
        self.bindir = find_pg_bindir()

    def _as_postgres(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return run_checked(["runuser", "-u", PG_USER, "--", *args], timeout=timeout)

    def init(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        shutil.chown(self.base, PG_USER, PG_USER)
        shutil.chown(self.socket_dir, PG_USER, PG_USER)
        self._as_postgres(
            str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", PG_USER,
            "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8",
        )
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# authlib-tui lab\n"
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "log_min_error_statement = error\n"
                "log_line_prefix = '%m [%p] %q%u@%d '\n"
            )
        (self.data_dir / "pg_hba.conf").write_text(
            "# authlib-tui lab: trust only for the superuser, scram for the mail role\n"
            "local all postgres trust\n"
            "host  all postgres 127.0.0.1/32 trust\n"
            "local all all scram-sha-256\n"
            "host  all all 127.0.0.1/32 scram-sha-256\n"
        )

    def start(self) -> None:
        self._as_postgres(
            str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
            "-w", "-t", "30", "start",
        )

    def stop(self) -> None:
        if not self.is_running():
            return
        self._as_postgres(
            str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"
        )

    def is_running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def postmaster_pid(self) -> int | None:
        """The postmaster's pid from its pid file, only when that process runs as postgres:
        the file is postgres's to write, and root signals the pid it names."""
        with contextlib.suppress(OSError, ValueError, IndexError, KeyError):
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            if pid > 0 and os.stat(f"/proc/{pid}").st_uid == pwd.getpwnam(PG_USER).pw_uid:
                return pid
        return None

    def superuser(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit superuser connection over the cluster's Unix socket."""
        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=PG_USER, dbname=dbname,
            autocommit=True, connect_timeout=10,
        )
