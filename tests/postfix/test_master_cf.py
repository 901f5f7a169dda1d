"""master.cf's maildrop transports, read from the files Postfix itself runs with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.postfix.master_cf import maildrop_services, parse_pipe_services
from tui.lab.lab import Lab
from tui.lab.postfix import master_cf_text

# The vmaildrop entry as ApisCP's master.cf has it (the backslash only wraps this line).
APISCP_ENTRY = """\
vmaildrop  unix  -  n  n  -  20  pipe
        -o { export_environment = TZ LANG DELETE_THRESHOLD=${maildrop_delete_threshold} }
        flags=XODRhu user=mail
        argv=/usr/bin/maildrop  -d ${user}@${nexthop} ${extension} ${recipient} \
${user} ${nexthop} ${sender}
"""


def test_the_labs_running_master_cf(healthy_lab: Lab) -> None:
    services = maildrop_services(healthy_lab.postfix.config_dir)
    assert services is not None and [s.name for s in services] == ["vmaildrop"]
    vmaildrop = services[0]
    assert (vmaildrop.user, vmaildrop.flags, vmaildrop.maxproc) == ("mail", "XODRhu", "20")
    assert vmaildrop.delivers_with_d and vmaildrop.tempfail_on_authlib_error
    assert vmaildrop.argv[:3] == ("/usr/bin/maildrop", "-a", "-d")


def test_apiscp_entry_has_no_a_and_braced_options_are_not_argv() -> None:
    (service,) = parse_pipe_services(APISCP_ENTRY)
    assert service.user == "mail" and service.runs_maildrop and service.delivers_with_d
    assert not service.tempfail_on_authlib_error
    assert service.argv[0] == "/usr/bin/maildrop" and "DELETE_THRESHOLD" not in " ".join(
        service.argv)


def test_other_pipes_and_comments_are_not_maildrop() -> None:
    text = "# maildrop unix - n n - - pipe\n" + master_cf_text(tempfail=False)
    services = parse_pipe_services(text)
    assert [s.name for s in services if s.runs_maildrop] == ["vmaildrop"]
    assert not next(s for s in services if s.runs_maildrop).tempfail_on_authlib_error


@pytest.mark.skipif(not Path("/etc/postfix/master.cf").exists(), reason="no Debian master.cf")
def test_debians_stock_master_cf_parses() -> None:
    services = maildrop_services(Path("/etc/postfix"))
    assert services is not None
    assert all(s.argv and s.argv[0].endswith("maildrop") for s in services)


def test_unreadable_master_cf_is_none(tmp_path: Path) -> None:
    assert maildrop_services(tmp_path) is None
