"""`authlib-tui lab ...`: the built-in real mail chain (Postfix → maildrop → authdaemond →
PostgreSQL) to learn and test on.

    lab up [--dir D]          start a healthy lab (default dir: /var/lib/authlib-tui/labs/lab-up)
    lab up --journal          the same as a journald-only host: a journal, no maillog
    lab send ADDRESS [--count N]  inject mail into the lab's Postfix (sendmail -C)
    lab queue                 the lab's queue (postqueue -p)
    lab flush                 retry the deferred mail now (postqueue -f)
    lab status                what runs where
    lab fault NAME [NAME...]  make the lab have exactly these faults (`healthy` clears them)
    lab faults                list the faults
    lab shell [-- CMD...]     a shell (or CMD) that sees the lab at ApisCP's paths
    lab demo                  up, open the app on it in the ApisCP view, down on exit
    lab down                  stop everything and remove the lab dir
    lab clean                 remove the labs killed runs left (keeps labs in use)

A lab dir must be root's alone (not a symlink, not writable by others, under parents
nobody else can rename): the lab refuses any other, so it never loads, writes into or
removes what another user planted.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tui.cli.exit_codes import EXIT_USAGE
from tui.core.authdaemon.request import address_problem
from tui.lab.apiscp_tools import install_tools
from tui.lab.faults import FAULTS, HEALTHY, validate
from tui.lab.lab import COURIER_WORKERS_FILE, DEFAULT_ROOT, Lab
from tui.lab.lab_dir import LABS_BASE
from tui.lab.namespace import view_command
from tui.lab.process import LabError

EXIT_LAB_ERROR = 1
# The lab's stand-ins for what a platform's fix runs (systemctl start, upcp, cpcmd …).
FIX_ACTIONS = ("start", "restart", "set-workers", "sync-password", "start-db", "bootstrap",
               "setuid-maildrop", "add-maildrop-a", "fix-home", "enable-mailbox")
MAIL_ACTIONS = ("send", "queue", "flush")
# What `make demo` sends, so the panes have deliveries to show.
DEMO_MAIL = ("foo@domain.com", "baz@domain.com", "anyone@catchall.example")


def _faults_text() -> str:
    rows = [f"  {HEALTHY:26} no faults: everything works"]
    rows += [f"  {fault.name:26} {fault.summary}" for fault in FAULTS.values()]
    return "\n".join(rows)


def action_help(action: str) -> str:
    """The help of one action: its lines of the table above, and for `fault` the faults."""
    lines = [line.strip() for line in (__doc__ or "").splitlines()
             if line.startswith(f"    lab {action} ") or line == f"    lab {action}"]
    if not lines:  # a fix action: the lab's stand-in for a platform's command
        lines = [f"lab {action}  the lab's stand-in for the fix the app proposes "
                 "(as `systemctl`, `upcp` or `cpcmd` would do it on a real server)"]
    text = "usage: " + "\n       ".join(f"authlib-tui {line}" for line in lines)
    if action == "fault":
        text += "\n\nfaults (any number at once; `healthy` clears them):\n" + _faults_text()
    return text


class _ActionHelp(argparse.Action):
    """`lab ACTION --help` prints that action's help, `lab --help` the whole page.

    argparse has matched the action word by the time it meets `--help` after it."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show this help (after an action: that action's help)")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        action = getattr(namespace, "action", None)
        if isinstance(action, str):
            print(action_help(action))
        else:
            parser.print_help()
        parser.exit()


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "lab",
        help="run the built-in lab: a real sandboxed authdaemond + PostgreSQL (root)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action=_ActionHelp)
    parser.add_argument(
        "--dir", type=Path, default=None, help=f"lab directory (default {DEFAULT_ROOT})"
    )
    parser.add_argument(
        "--journal", action="store_true",
        help="(up, demo) log like a journald-only host: authdaemond's and Postfix's lines go "
        "to a real journal file, there is no maillog",
    )
    parser.add_argument("action", choices=["up", "down", "status", "fault", "faults", "shell",
                                           "demo", "clean", *FIX_ACTIONS, *MAIL_ACTIONS])
    parser.add_argument("--count", type=int, default=1, help="messages to send (for `send`)")
    parser.add_argument("names", nargs="*", help="fault names (for `fault`), a number (for "
                        "`set-workers`), an address (for `send`) or a command (for `shell`, "
                        "after --)")
    return parser


def take_trailing_names(args: argparse.Namespace, extras: list[str]) -> str | None:
    """Names given after an option (`lab fault --dir D NAME`, `lab shell --dir D -- CMD`).

    argparse fills `names` right after the action, so anything after `--dir D` or
    `--count N` is left over; it is folded back into `names` here. Returns the
    complaint when a left-over is an unknown option instead.
    """
    if extras[:1] == ["--"]:
        args.names = [*args.names, *extras[1:]]  # a command for `shell`, options and all
        return None
    unknown = [extra for extra in extras if extra.startswith("-")]
    if unknown:
        return f"unrecognized arguments: {' '.join(unknown)}"
    args.names = [*args.names, *extras]
    return None


def _root(args: argparse.Namespace) -> Path:
    return Path(args.dir or os.environ.get("AUTHLIB_TUI_LAB_DIR") or DEFAULT_ROOT)


def _log_mode(args: argparse.Namespace) -> str:
    return "journal" if args.journal else "file"


def _print_status(lab: Lab) -> None:
    for key, value in lab.status().items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        print(f"{key:>17}: {shown}")


def _shell_environment(lab: Lab) -> dict[str, str]:
    """PATH with the lab's cpcmd/upcp and our own bin dir first, so both work in the view."""
    tools = install_tools(lab.root, COURIER_WORKERS_FILE)
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{tools}:{bindir}:{os.environ.get('PATH', '')}",
            "AUTHLIB_TUI_IN_LAB": "1"}


def _run_in_view(lab: Lab, command: list[str]) -> int:
    return subprocess.call(view_command(lab.root, command), env=_shell_environment(lab))


def _demo(root: Path, log_mode: str) -> int:
    lab = Lab.create(root, log_mode)

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        print(f"Lab up in {lab.root}: real Postfix, maildrop, authdaemond and PostgreSQL, "
              "seeded like the docs.")
        lab.wait_found()
        for address in DEMO_MAIL:
            lab.send(address)
        print(f"Sent {len(DEMO_MAIL)} messages: {', '.join(DEMO_MAIL)}.")
        print("Break it from another terminal: authlib-tui lab fault daemon-stopped; "
              "authlib-tui lab send foo@domain.com (then 6: the Queue pane).")
        exe = shutil.which("authlib-tui", path=str(Path(sys.executable).parent)) or "authlib-tui"
        if importlib.util.find_spec("tui.app.run") is not None:
            print("Fixes may run from the app here (--allow-fixes): it is a throw-away lab.")
            return _run_in_view(lab, [exe, "--allow-fixes"])
        # Until the app lands: show discovery and the seed's lookups in the ApisCP view.
        script = (
            f"{exe} where; for a in foo@domain.com baz@domain.com postmaster@domain.com; do "
            f'echo; echo "$ authlib-tui lookup $a"; {exe} lookup "$a"; done'
        )
        return _run_in_view(lab, ["/bin/sh", "-c", script])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        lab.down()
        print("Lab down: processes stopped, lab dir removed.")


def _fix(lab: Lab, action: str, names: list[str]) -> int:
    if action == "set-workers":
        if len(names) != 1 or not names[0].isdigit():
            print("authlib-tui: lab set-workers needs one number, e.g. 5", file=sys.stderr)
            return EXIT_USAGE
        lab.fix_set_workers(int(names[0]))
    else:
        {"start": lab.fix_start, "restart": lab.fix_restart,
         "sync-password": lab.fix_sync_password, "start-db": lab.fix_start_db,
         "bootstrap": lab.fix_bootstrap, "setuid-maildrop": lab.fix_setuid_maildrop,
         "add-maildrop-a": lab.fix_add_maildrop_a, "fix-home": lab.fix_home,
         "enable-mailbox": lab.fix_enable_mailbox}[action]()
    _print_status(lab)
    return 0


def _mail(lab: Lab, action: str, names: list[str], count: int) -> int:
    if action == "send":
        if len(names) != 1:
            print("authlib-tui: lab send needs one address, e.g. foo@domain.com", file=sys.stderr)
            return EXIT_USAGE
        if not 1 <= count <= 1000:
            print("authlib-tui: --count must be 1-1000", file=sys.stderr)
            return EXIT_USAGE
        problem = address_problem(names[0])
        if problem is not None:
            print(f"authlib-tui: {problem.message}", file=sys.stderr)
            return EXIT_USAGE
        if any(character.isspace() for character in names[0]):
            # authdaemond would take it, but sendmail's command line splits it in two.
            print("authlib-tui: an address with a space cannot be sent from the lab's command "
                  "line", file=sys.stderr)
            return EXIT_USAGE
        lab.send(names[0], count)
        where = f"the journal {lab.journal_file}" if lab.journal_only else str(lab.maillog)
        print(f"sent {count} message(s) to {names[0]}; Postfix logs the delivery in {where}")
    elif action == "queue":
        print(lab.postfix.queue_text(), end="")
    else:
        lab.postfix.flush()
        print(f"asked the lab's Postfix to retry its deferred mail ({lab.postfix.config_dir})")
    return 0


def _clean() -> int:
    """Take down the labs in the root-owned base that nobody will; name each one refused."""
    kept = 0
    labs, refused = Lab.in_base()
    for refusal in refused:
        print(f"skipped: {refusal}")
    for lab in labs:
        if lab.in_use:
            kept += 1
            why = "the run that started it is alive" if lab.state.owner else "lab up"
            print(f"kept the lab in {lab.root}: in use ({why}); "
                  f"`authlib-tui lab down --dir {lab.root}` removes it")
            continue
        try:
            lab.down()
        except LabError as exc:
            refused.append(str(exc))
            print(f"skipped: {exc}")
        else:
            print(f"removed the lab in {lab.root}")
    print(f"labs left by killed runs in {LABS_BASE} are gone; {kept} lab(s) in use "
          f"kept, {len(refused)} refused.")
    return 0


def run(args: argparse.Namespace) -> int:
    root = _root(args)
    try:
        if args.action == "faults":
            print("\n".join(row[2:] for row in _faults_text().splitlines()))
            return 0
        if args.action == "up":
            started = time.monotonic()
            lab = Lab.create(root, _log_mode(args), kept=True)
            lab.wait_found()
            _print_status(lab)
            print(f"{'ready in':>17}: {time.monotonic() - started:.1f} s (first lookup answered)")
            print(f"\nPoint authlib-tui at it: export AUTHLIB_TUI_CONFIG={lab.settings_file}")
            print("Or see it at ApisCP's paths: authlib-tui lab shell")
            return 0
        if args.action == "clean":
            return _clean()
        if args.action == "demo":
            return _demo(root, _log_mode(args))
        lab = Lab.load(root)
        if args.action == "status":
            _print_status(lab)
        elif args.action == "fault":
            if not args.names:
                print("authlib-tui: name at least one fault (see `lab faults`)", file=sys.stderr)
                return EXIT_USAGE
            lab.apply(validate(args.names))
            _print_status(lab)
        elif args.action in FIX_ACTIONS:
            return _fix(lab, args.action, args.names)
        elif args.action in MAIL_ACTIONS:
            return _mail(lab, args.action, args.names, args.count)
        elif args.action == "shell":
            command = args.names or [os.environ.get("SHELL", "/bin/bash")]
            return _run_in_view(lab, command)
        elif args.action == "down":
            lab.down()
            print(f"Lab in {root} is down; nothing left behind.")
    except ValueError as exc:
        print(f"authlib-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LabError as exc:
        print(f"authlib-tui lab: {exc}", file=sys.stderr)
        return EXIT_LAB_ERROR
    return 0
