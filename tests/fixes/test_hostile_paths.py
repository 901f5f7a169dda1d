"""Every fix command every check offers keeps a hostile path one word, and never runs it as code.

A scratch installation is built whose every path the commands can name (the
config dir and its authdaemonrc, the Postfix config dir, the maildrop master.cf
runs, the lab dir) has spaces, `;`, quotes, backticks, `$(...)` and `#` in it:
authdaemonrc with DEBUG_LOGIN=2 and a bad line, master.cf running a maildrop that
is not setuid without -a, a maillog with maildrop bounces, no socket. Every check
runs on it as on a host; each command of each fix is split as the shell would
split it, and each hostile path must come back as exactly one word.
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import ALL_CHECKS, check_by_id, run_checks
from tui.core.checks.result import CheckResult
from tui.core.fixes.runner import run_fix
from tui.core.installation import Installation
from tui.core.logs.catalogue.postfix_pipe import pipe_line

MARK = "PWNED"  # in every hostile name: a word holding it must be one of the paths
HOSTILE = f"conf x;touch {MARK};# $(touch {MARK}) 'q\" `touch {MARK}` {{workers}}"
# master.cf splits argv at blanks and expands $: its path keeps the rest.
HOSTILE_MAILDROP_DIR = f"md;touch{MARK};'q\"`x`#"
# postconf refuses a config dir with `$` or `{` in it (macro error): Postfix's own
# dir keeps the shell's other metacharacters.
HOSTILE_POSTFIX_DIR = f"pf x;touch {MARK};# 'q\" `touch {MARK}`"
PLATFORMS = ["debian", "rhel", "apiscp", "upstream", "lab"]


@dataclass(frozen=True)
class Tree:
    root: Path
    conf_dir: Path
    postfix_dir: Path
    maildrop: Path
    log: Path
    socket: Path

    @property
    def authdaemonrc(self) -> Path:
        return self.conf_dir / "authdaemonrc"

    @property
    def paths(self) -> set[str]:
        """Every path a command may name, each of which must stay one word."""
        return {str(path) for path in (self.conf_dir, self.authdaemonrc, self.postfix_dir,
                                       self.postfix_dir / "master.cf", self.maildrop,
                                       self.conf_dir.parent, self.socket)}


def _stamp(epoch: float) -> str:
    return time.strftime("%b %d %H:%M:%S", time.localtime(epoch))


def build_tree(root: Path, name: str = HOSTILE,
               postfix_name: str = HOSTILE_POSTFIX_DIR) -> Tree:
    base = root / name
    conf_dir = base / "etc"
    conf_dir.mkdir(parents=True)
    (conf_dir / "authdaemonrc").write_text(
        'authmodulelist="authpam"\nauthmodulelistorig="authpam"\ndaemons=5\n'
        "DEBUG_LOGIN=2\nthis line has no equals sign\n")
    postfix_dir = root / postfix_name / "postfix"
    postfix_dir.mkdir(parents=True)
    maildrop = root / HOSTILE_MAILDROP_DIR / "maildrop"
    maildrop.parent.mkdir()
    maildrop.write_text("#!/bin/sh\nexit 75\n")
    maildrop.chmod(0o755)  # not setuid: the check offers to make it so
    (postfix_dir / "main.cf").write_text(
        "compatibility_level = 3.6\nvirtual_transport = vmaildrop\n"
        "virtual_mailbox_domains = example.test\n")
    (postfix_dir / "master.cf").write_text(
        "vmaildrop unix - n n - - pipe\n"
        f"  flags=DRhu user=nobody argv={maildrop} -d ${{user}}@${{nexthop}}\n")
    log = root / "maillog"
    now = time.time()
    log.write_text("\n".join(
        f"{_stamp(now - 30)} host postfix/pipe[42]: {line}" for line in (
            pipe_line("ERR: authdaemon: s_connect() failed: Connection refused Invalid user "
                      "specified. ", status="bounced"),
            pipe_line("setgid: Operation not permitted ", status="bounced"))) + "\n")
    return Tree(root, conf_dir, postfix_dir, maildrop, log, base / "run" / "socket")


def context_for(tree: Tree, platform: str) -> CheckContext:
    installation = Installation.from_flags({
        "conf_dir": str(tree.conf_dir), "socket": str(tree.socket), "platform": platform,
        "postfix_dir": str(tree.postfix_dir), "log_files": [str(tree.log)],
    })
    return CheckContext(installation, timeout=5.0)


@pytest.fixture
def scratch() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="authlib-tui-hostile-"))
    try:
        yield root
    finally:
        shutil.rmtree(root)


def _fixes(context: CheckContext) -> dict[str, CheckResult]:
    return {result.id: result for result in run_checks(context, ALL_CHECKS)
            if result.fix is not None and result.fix.commands}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_fix_command_keeps_each_hostile_path_one_word(scratch: Path,
                                                            platform: str) -> None:
    tree = build_tree(scratch)
    fixes = _fixes(context_for(tree, platform))
    expected = {"debug-login", "socket-present", "authpgsql-module", "maildrop-setuid",
                "mail-bounced"}
    if platform not in ("apiscp", "lab"):
        expected.add("maildrop-tempfail-flag")
    assert expected <= set(fixes), sorted(fixes)
    for check_id, result in fixes.items():
        assert result.fix is not None
        for command in result.fix.commands:
            words = shlex.split(command)
            hostile = [word for word in words if MARK in word]
            assert all(word in tree.paths for word in hostile), (check_id, command, words)

    debug = shlex.split(fixes["debug-login"].fix.commands[0])  # type: ignore[union-attr]
    assert debug == ["sed", "-i", "s/^DEBUG_LOGIN=.*/DEBUG_LOGIN=0/", "--",
                     str(tree.authdaemonrc)]
    setuid = [shlex.split(c) for c in fixes["maildrop-setuid"].fix.commands]  # type: ignore[union-attr]
    if platform == "lab":
        assert setuid == [[*shlex.split(context_for(tree, platform).commands.lab),
                           "setuid-maildrop"]]
        assert setuid[0][1:4] == ["lab", "--dir", str(tree.conf_dir.parent)]
    else:
        assert setuid == [["chown", "root:mail", "--", str(tree.maildrop)],
                          ["chmod", "4755", "--", str(tree.maildrop)]]
    if "maildrop-tempfail-flag" in expected:
        reload = fixes["maildrop-tempfail-flag"].fix.commands[0]  # type: ignore[union-attr]
        assert shlex.split(reload) == ["postfix", "-c", str(tree.postfix_dir), "reload"]


def test_the_offered_sed_run_by_the_real_runner_runs_nothing_else(scratch: Path) -> None:
    """The old line, `sed -i '…' <dir>/conf x;touch <dir>/PWNED;#/authdaemonrc`, ran touch."""
    conf_dir = Path(f"{scratch}/conf x;touch {scratch}/{MARK};#")
    conf_dir.mkdir(parents=True)
    rc = conf_dir / "authdaemonrc"
    rc.write_text("authmodulelist=\"authpam\"\ndaemons=5\nDEBUG_LOGIN=2\n")
    check = check_by_id("debug-login")
    assert check is not None
    context = CheckContext(Installation.from_flags(
        {"conf_dir": str(conf_dir), "platform": "debian"}), timeout=5.0)
    result = next(run_checks(context, (check,)))
    assert result.fix is not None and result.fix.runnable
    edit = result.fix.commands[0]  # only the edit: the restart would act on this host
    runs = run_fix((edit,), allowed=True, audit_log=scratch / "audit.log", check="debug-login")
    assert [run.ok for run in runs] == [True], runs
    assert "DEBUG_LOGIN=0\n" in rc.read_text()
    assert not (scratch / MARK).exists()
    assert sorted(p.name for p in scratch.iterdir()) == ["audit.log", "conf x;touch "]


def test_a_path_with_a_newline_is_shown_but_never_run(scratch: Path) -> None:
    """Quoted, a newline still makes the line read as two: the fix is refused, and the
    runner refuses such a line whoever hands it over."""
    tree = build_tree(scratch, f"conf\ntouch {MARK}", f"pf\ntouch {MARK}")
    fixes = _fixes(context_for(tree, "debian"))
    named = [result for result in fixes.values() if result.fix is not None
             and any("\n" in command for command in result.fix.commands)]
    assert {"debug-login", "maildrop-tempfail-flag"} <= {result.id for result in named}
    before = tree.authdaemonrc.read_text()
    for result in named:
        assert result.fix is not None
        assert not result.fix.runnable and "control character" in result.fix.refusal
        # Only the lines with the newline: the others (a restart) would act on this host.
        for command in (c for c in result.fix.commands if "\n" in c):
            [run] = run_fix((command,), allowed=True, audit_log=scratch / "audit.log",
                            check=result.id)
            assert run.refused is not None and "control character" in run.refused
    assert tree.authdaemonrc.read_text() == before
    assert not (scratch / MARK).exists() and not (Path.cwd() / MARK).exists()
    assert not (scratch / "audit.log").exists()  # refused before anything was put on record
