"""Fix commands built from paths and names on the system stay one argument each.

A config dir with a space, a `;`, quotes, `$(...)` or braces in its name must give
a command that, run by the real /bin/sh, edits exactly that file and does nothing
else: no second command, no file elsewhere, no other file changed.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tui.core.checks.database_checks import _grant_select
from tui.core.platforms.platform import Platform, commands_for
from tui.lab.configs import render_authdaemonrc

AWKWARD_DIRS = [
    "my authlib",
    "a;touch pwned;b",
    "it's",
    "$(touch pwned)",
    "`touch pwned`",
    "{workers} and {0}",
    "semi; colon & amp | pipe > out",
]


@pytest.mark.parametrize("name", AWKWARD_DIRS)
def test_resize_edits_exactly_the_config_in_an_awkward_dir(tmp_path: Path, name: str) -> None:
    conf_dir = tmp_path / "etc" / name
    conf_dir.mkdir(parents=True)
    rc = conf_dir / "authdaemonrc"
    original = render_authdaemonrc(frozenset())  # the lab's real authdaemonrc, daemons=2
    rc.write_text(original)
    bystander = tmp_path / "etc" / "authdaemonrc"  # what a split path could hit instead
    bystander.write_text(original)
    work = tmp_path / "work"
    work.mkdir()

    edit, restart = commands_for(Platform.DEBIAN, rc, "courier-authdaemon.service").resize(7)
    subprocess.run(["/bin/sh", "-c", edit], cwd=work, check=True, timeout=30)

    assert rc.read_text() == original.replace("daemons=2\n", "daemons=7\n")
    assert "daemons=7\n" in rc.read_text()
    assert bystander.read_text() == original
    assert list(work.iterdir()) == []  # nothing was created beside it (no `pwned`, no `out`)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etc", "work"]
    assert shlex.split(edit)[-1] == str(rc)
    assert shlex.split(restart) == ["systemctl", "restart", "courier-authdaemon"]


@pytest.mark.parametrize("unit", ["my unit.service", "x;reboot.service"])
def test_a_unit_name_is_one_argument(unit: str) -> None:
    commands = commands_for(Platform.RHEL, Path("/etc/authlib/authdaemonrc"), unit)
    name = unit.removesuffix(".service")
    assert shlex.split(commands.start) == ["systemctl", "start", name]
    assert shlex.split(commands.restart) == ["systemctl", "restart", name]
    assert shlex.split(commands.resize(3)[1]) == ["systemctl", "restart", name]


def test_the_lab_dir_is_one_argument() -> None:
    rc = Path("/tmp/lab {x}; dir/etc/authdaemonrc")
    commands = commands_for(Platform.LAB, rc, None)
    for command, verb in ((commands.start, ["start"]), (commands.resize(5)[0],
                                                         ["set-workers", "5"])):
        words = shlex.split(command)
        assert words[1:4] == ["lab", "--dir", "/tmp/lab {x}; dir"]
        assert words[4:] == verb


def test_the_grant_names_are_sql_identifiers_in_one_shell_word() -> None:
    command = _grant_select("mail db", 'uids"; DROP TABLE x; --', "postfix")
    assert shlex.split(command) == [
        "runuser", "-u", "postgres", "--", "psql", "-d", "mail db", "-c",
        'GRANT SELECT ON "uids""; DROP TABLE x; --" TO "postfix"',
    ]
