"""`where` and the report's Discovery/Configuration sections with hostile names in them.

A local user names the files discovery reports on: a name with an OSC 52 (clipboard
write), a screen clear, a CR that rewrites the line, markup and invalid UTF-8 must reach
the terminal (or the ticket) as visible escapes, never as bytes the terminal obeys.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from tests.discovery.test_discover import install, no_settings_file, touch  # noqa: F401
from tui.cli import where as where_command
from tui.core.checks.ticket_report import _config_summary
from tui.core.installation import Installation
from tui.core.platforms.layouts import DEBIAN

HOSTILE = "\x1b]52;c;aGVsbG8=\x07[bold]x[/bold][link=http://e.test]y[/link]\x1b[2J\rfake"
INVALID_UTF8 = os.fsdecode(b"bad\xffname")  # a file name that is not UTF-8


def _no_terminal_bytes(text: str) -> None:
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in text), repr(text)
    assert "\x7f" not in text and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


@pytest.mark.usefixtures("no_settings_file")
def test_where_prints_a_hostile_socket_path_as_visible_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    socket = touch(tmp_path / f"{HOSTILE}{INVALID_UTF8}" / "socket")
    args = argparse.Namespace(conf_dir=None, socket=str(socket), config=None)

    assert where_command.run(args) == 0

    out = capsys.readouterr().out
    _no_terminal_bytes(out)
    assert "\\x1b]52;c;aGVsbG8=\\x07[bold]x[/bold]" in out  # shown, literally
    assert "\\x1b[2J\\x0dfake" in out and "bad\\udcffname" in out


@pytest.mark.usefixtures("no_settings_file")
def test_the_reports_configuration_section_escapes_what_authdaemonrc_says(
    tmp_path: Path
) -> None:
    install(tmp_path, DEBIAN)
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "authdaemonrc").write_text(
        f'authmodulelist="authpgsql {HOSTILE}"\ndaemons=5\n', encoding="utf-8")
    installation = Installation.from_flags({"conf_dir": str(conf_dir), "socket": None,
                                            "config": None})

    lines = _config_summary(installation)

    text = "\n".join(lines)
    _no_terminal_bytes(text)
    assert "authmodulelist=`authpgsql \\x1b]52;c;aGVsbG8=\\x07[bold]x[/bold]" in text
