"""A tiny syslog daemon for the lab: the datagrams on the lab's /dev/log, as a maillog file.

Inside the lab's mount namespace courierlogger writes to /dev/log like on a
real server; this sink turns each datagram into the traditional file format
(`Nov 26 23:21:00 host authdaemond: message`) that rsyslog writes to
/var/log/maillog. It opens the file for every line, so `mv` + new file (log
rotation) works without a signal. Run as `python -m tui.lab.syslog_sink SOCKET FILE`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
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


def serve(socket_path: Path, output: Path) -> None:
    hostname = socket.gethostname().split(".")[0] or "lab"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sink:
        if socket_path.exists():
            socket_path.unlink()
        sink.bind(str(socket_path))
        os.chmod(socket_path, 0o666)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print("ready", flush=True)
        while True:
            datagram = sink.recv(65536)
            with output.open("ab") as log:
                log.write(format_line(datagram, hostname))


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]))
