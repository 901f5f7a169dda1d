"""`cpcmd`, `upcp` and `systemctl` stand-ins for the lab's shell: a server's commands, doing
the lab's repair.

A trainee (or the app's wizard, with --allow-fixes) types what they would type on
an ApisCP server; the scripts accept exactly the forms the Authlib page and the
wizard's fixes use, and say so for anything else. The lab has no systemd: its
authdaemond is started and restarted by `authlib-tui lab`.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

CPCMD = """#!/bin/sh
# cpcmd stand-in (authlib-tui lab): records courier_workers for the next upcp.
if [ "$1" = "scope:set" ] && [ "$2" = "cp.bootstrapper" ] && [ "$3" = "courier_workers" ]; then
    case "$4" in
        ''|*[!0-9]*) echo "cpcmd: courier_workers needs a number" >&2; exit 2 ;;
    esac
    echo "$4" > {workers_file}
    echo "cp.bootstrapper courier_workers = $4"
    echo "(applied by: upcp -sb mail/configure-courier-authlib)"
    exit 0
fi
echo "cpcmd (lab stand-in): only 'cpcmd scope:set cp.bootstrapper courier_workers N' is here" >&2
exit 2
"""

UPCP = """#!/bin/sh
# upcp stand-in (authlib-tui lab): runs the Bootstrapper role the Authlib page names.
if [ "$1" = "-sb" ] && [ "$2" = "mail/configure-courier-authlib" ]; then
    echo "Running Bootstrapper role mail/configure-courier-authlib (lab)"
    exec {lab} bootstrap
fi
echo "upcp (lab stand-in): only 'upcp -sb mail/configure-courier-authlib' is here" >&2
exit 2
"""


SYSTEMCTL = """#!/bin/sh
# systemctl stand-in (authlib-tui lab): the daemon's unit, started by the lab.
case "$2" in
    courier-authdaemon|courier-authdaemon.service|courier-authlib|courier-authlib.service) ;;
    *) echo "systemctl (lab stand-in): only the authdaemond unit is here, not '$2'" >&2
       exit 2 ;;
esac
case "$1" in
    start) exec {lab} start ;;
    restart|reload|try-restart) exec {lab} restart ;;
    status|is-active) exec {lab} status ;;
esac
echo "systemctl (lab stand-in): start, restart or status, not '$1'" >&2
exit 2
"""


def install_tools(root: Path, workers_file: str) -> Path:
    """Write the scripts into `<root>/bin` and return that directory (for PATH)."""
    bindir = root / "bin"
    bindir.mkdir(exist_ok=True)
    own = Path(sys.executable).parent / "authlib-tui"
    lab = f"{shlex.quote(str(own))} lab --dir {shlex.quote(str(root))}"
    scripts = {
        "cpcmd": CPCMD.replace("{workers_file}", shlex.quote(str(root / workers_file))),
        "upcp": UPCP.replace("{lab}", lab),
        "systemctl": SYSTEMCTL.replace("{lab}", lab),
    }
    for name, text in scripts.items():
        path = bindir / name
        path.write_text(text)
        path.chmod(0o755)
    return bindir
