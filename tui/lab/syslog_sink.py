"""A tiny syslog daemon for the lab: the datagrams on the lab's /dev/log, as a maillog or a journal.

Inside the lab's mount namespace courierlogger writes to /dev/log like on a
real server; this sink turns each datagram into the traditional file format
(`Nov 26 23:21:00 host authdaemond: message`) that rsyslog writes to
/var/log/maillog. It opens the file for every line, so `mv` + new file (log
rotation) works without a signal. Run as `python -m tui.lab.syslog_sink SOCKET FILE`.

With `--journal` it plays journald on a host without rsyslog instead: each
datagram becomes a journal entry (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, …) in
the journal export format, piped to the real `systemd-journal-remote`, which
writes a genuine journal file at FILE (it must end in `.journal`).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

_DATAGRAM = re.compile(rb"^<(?P<pri>\d{1,3})>(?P<stamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ?")


def format_line(datagram: bytes, hostname: str) -> bytes:
    """One syslog datagram as a maillog line (RFC 3164 in, rsyslog's file format out)."""
    match = _DATAGRAM.match(datagram)
    if match:
        stamp = match.group("stamp")
        body = datagram[match.end() :]
    else:
        stamp = time.strftime("%b %e %H:%M:%S").encode()
        body = datagram
    body = body.rstrip(b"\n").replace(b"\n", b" ")
    return stamp + b" " + hostname.encode() + b" " + body + b"\n"


_SYSLOG_BODY = re.compile(rb"^(?P<tag>[^\s:\[\]]+)(?:\[(?P<pid>\d+)\])?: ?(?P<message>.*)$",
                          re.DOTALL)
JOURNAL_REMOTE = Path("/lib/systemd/systemd-journal-remote")
READY_TIMEOUT = 10.0
# journald keeps the priority and drops the sender's own time stamp, which is optional.
_PRI_AND_STAMP = re.compile(rb"^<(?P<pri>\d{1,3})>(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ?)?")
_DEFAULT_PRIORITY = 13  # user.notice, what syslog(3) assumes without a <PRI>


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")
    except OSError:
        return "0" * 32


def journal_fields(datagram: bytes, hostname: str, boot_id: str) -> dict[str, bytes]:
    """One syslog datagram as the fields journald would store for it."""
    match = _PRI_AND_STAMP.match(datagram)
    pri = int(match.group("pri")) if match else _DEFAULT_PRIORITY
    body = (datagram[match.end():] if match else datagram).rstrip(b"\n")
    fields = {
        "__REALTIME_TIMESTAMP": str(time.time_ns() // 1000).encode(),
        "__MONOTONIC_TIMESTAMP": str(time.monotonic_ns() // 1000).encode(),
        "_BOOT_ID": boot_id.encode(),
        "_HOSTNAME": hostname.encode(),
        "_TRANSPORT": b"syslog",
        "PRIORITY": str(pri & 7).encode(),
        "SYSLOG_FACILITY": str(pri >> 3).encode(),
    }
    parsed = _SYSLOG_BODY.match(body)
    if parsed:
        fields["SYSLOG_IDENTIFIER"] = parsed.group("tag")
        if parsed.group("pid"):
            fields["SYSLOG_PID"] = fields["_PID"] = parsed.group("pid")
        fields["MESSAGE"] = parsed.group("message")
    else:
        fields["MESSAGE"] = body
    return fields


def export_entry(fields: dict[str, bytes]) -> bytes:
    """The journal export format; MESSAGE in its binary form, so any byte is allowed."""
    out = bytearray()
    for name, value in fields.items():
        if name == "MESSAGE" or b"\n" in value:
            out += name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"
        else:
            out += name.encode() + b"=" + value + b"\n"
    return bytes(out + b"\n")


def _bind(socket_path: Path) -> socket.socket:
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if socket_path.exists():
        socket_path.unlink()
    sink.bind(str(socket_path))
    os.chmod(socket_path, 0o666)
    return sink


def serve(socket_path: Path, output: Path) -> None:
    hostname = socket.gethostname().split(".")[0] or "lab"
    with _bind(socket_path) as sink:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print("ready", flush=True)
        while True:
            datagram = sink.recv(65536)
            with output.open("ab") as log:
                log.write(format_line(datagram, hostname))


def serve_journal(socket_path: Path, output: Path) -> None:
    """Every datagram as a journal entry in `output`, written by systemd-journal-remote.

    The writer reads the export format on its stdin; our exit (SIGTERM) closes that
    pipe, and it finishes the file and exits too.
    """
    hostname = socket.gethostname().split(".")[0] or "lab"
    boot_id = _boot_id()
    output.parent.mkdir(parents=True, exist_ok=True)
    writer = subprocess.Popen(
        [str(JOURNAL_REMOTE), f"--output={output}", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    assert writer.stdin is not None
    with _bind(socket_path) as sink:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            # The file exists once the first entry is in: write one, like journald's own
            # start-up line, so readers find a journal from the start.
            writer.stdin.write(export_entry({**journal_fields(
                b"<46>lab-journald: journal started", hostname, boot_id)}))
            writer.stdin.flush()
            deadline = time.monotonic() + READY_TIMEOUT
            while not output.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            print("ready" if output.exists() else "no journal file", flush=True)
            while True:
                datagram = sink.recv(65536)
                writer.stdin.write(export_entry(journal_fields(datagram, hostname, boot_id)))
                writer.stdin.flush()
        finally:
            writer.stdin.close()
            writer.wait(timeout=10)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[3] == "--journal":
        serve_journal(Path(sys.argv[1]), Path(sys.argv[2]))
    else:
        serve(Path(sys.argv[1]), Path(sys.argv[2]))
