"""maildrop's TIMEOUT_* variables, read from the Postfix files that hand them to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.authdaemon.client_timeouts import (
    DEFAULT_SOURCE,
    ClientTimeouts,
    atoi_seconds,
    delivery_timeouts,
)

# ApisCP's vmaildrop transport, with TIMEOUT_READ added to its export_environment.
APISCP_MASTER_CF = """\
vmaildrop  unix  -  n  n  -  20  pipe
        -o { export_environment = TZ LANG DELETE_THRESHOLD=${threshold} TIMEOUT_READ=60 }
        flags=XODRhu user=mail
        argv=/usr/bin/maildrop  -d ${user}@${nexthop} ${extension} ${recipient}
localmaildrop  unix  -  n  n  -  20  pipe
        -o export_environment=TZ,TIMEOUT_READ=5
        flags=XODRhu user=mail argv=/usr/bin/maildrop -d ${user}
relay  unix  -  -  n  -  -  smtp -o export_environment=TIMEOUT_SOCK=1
"""


def test_no_postfix_files_means_the_library_defaults(tmp_path: Path) -> None:
    timeouts = delivery_timeouts(tmp_path)
    assert timeouts == ClientTimeouts(10.0, 30.0, 10.0, DEFAULT_SOURCE)
    assert not timeouts.changed


def test_the_vmaildrop_override_is_read_inside_braces(tmp_path: Path) -> None:
    (tmp_path / "master.cf").write_text(APISCP_MASTER_CF)
    (tmp_path / "main.cf").write_text("export_environment = TZ TIMEOUT_WRITE=3\n")
    timeouts = delivery_timeouts(tmp_path)
    # master.cf's -o replaces main.cf's list whole, so TIMEOUT_WRITE=3 does not reach maildrop.
    assert (timeouts.sock, timeouts.read, timeouts.write) == (10.0, 60.0, 10.0)
    assert "TIMEOUT_READ=60" in timeouts.source and "master.cf" in timeouts.source


def test_main_cf_counts_when_the_pipe_has_no_override(tmp_path: Path) -> None:
    (tmp_path / "master.cf").write_text(
        "vmaildrop unix - n n - 20 pipe\n  flags=R user=mail argv=/usr/bin/maildrop -d x\n"
    )
    (tmp_path / "main.cf").write_text(
        "# comment\nexport_environment = TZ,\n    TIMEOUT_SOCK=2 TIMEOUT_WRITE=4s\n"
    )
    timeouts = delivery_timeouts(tmp_path)
    assert (timeouts.sock, timeouts.read, timeouts.write) == (2.0, 30.0, 4.0)
    assert "main.cf" in timeouts.source


@pytest.mark.parametrize(
    ("text", "seconds"), [("60", 60.0), ("7s", 7.0), (" 3", 3.0), ("0", None), ("-4", None),
                          ("abc", None), ("", None)]
)
def test_values_are_read_like_atoi_and_only_positive_ones_count(
    text: str, seconds: float | None
) -> None:
    assert atoi_seconds(text) == seconds
