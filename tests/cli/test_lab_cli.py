"""`authlib-tui lab ...` as the README and `lab --help` write it: options before the names."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.cli import lab as lab_command
from tui.cli.main import build_parser, main
from tui.lab.lab import Lab


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["lab", "fault", "--dir", "/tmp/x", "db-down", "db-password-wrong"],
         ["db-down", "db-password-wrong"]),
        (["lab", "send", "--count", "3", "foo@domain.com"], ["foo@domain.com"]),
        (["lab", "shell", "--dir", "/tmp/x", "--", "authlib-tui", "lookup", "--json", "a@b"],
         ["authlib-tui", "lookup", "--json", "a@b"]),
        (["lab", "--dir", "/tmp/x", "shell", "--", "ls", "-l"], ["ls", "-l"]),
    ],
)
def test_names_after_an_option_are_still_the_names(argv: list[str], names: list[str]) -> None:
    args, extras = build_parser().parse_known_args(argv)
    if extras:
        assert lab_command.take_trailing_names(args, extras) is None
    assert args.names == names


def test_an_unknown_option_after_the_action_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "fault", "--dir", "/tmp/x", "--no-such-flag", "db-down"]) == 64
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err
    assert main(["lookup", "foo@domain.com", "extra-word"]) == 64


def test_an_actions_help_is_that_actions_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`lab fault --help` says how to name faults and lists them, not the whole lab page."""
    assert main(["lab", "fault", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: authlib-tui lab fault NAME [NAME...]")
    assert "db-password-wrong" in out and "healthy" in out
    assert "lab demo" not in out  # not the page of every action
    assert main(["lab", "--help"]) == 0
    whole = capsys.readouterr().out
    assert "lab demo" in whole and "lab fault NAME" in whole


def test_a_fix_actions_help_says_what_it_stands_in_for(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "start-db", "-h"]) == 0
    assert capsys.readouterr().out.startswith("usage: authlib-tui lab start-db")


def test_lab_shell_with_dir_runs_the_command_in_the_view(healthy_lab: Lab) -> None:
    """`lab shell --dir D -- authlib-tui lookup --json a=b@domain.com`: the `=` mailbox answers."""
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "lab", "shell", "--dir", str(healthy_lab.root),
         "--", "authlib-tui", "lookup", "--json", "a=b@domain.com"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["outcome"], answer["authenticated_as"]) == ("found", "bar@domain.com")
