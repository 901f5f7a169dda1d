"""authdaemonrc parsing: the daemon's readconfig() rules and the linter's findings."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.conftest import run_as_nobody
from tui.core.config.authdaemonrc import AuthdaemonRc, load_authdaemonrc, parse_authdaemonrc
from tui.core.config.errors import ConfigUnreadable
from tui.core.findings import Finding, Severity

SAMPLES = Path(__file__).parent / "samples"
MINIMAL = 'authmodulelist="authpgsql"\ndaemons=5\n'


def ids(rc: AuthdaemonRc) -> list[str]:
    return [problem.id for problem in rc.problems]


def only(rc: AuthdaemonRc, finding_id: str) -> Finding:
    matches = [problem for problem in rc.problems if problem.id == finding_id]
    assert len(matches) == 1, ids(rc)
    return matches[0]


def test_debian_sample_reads_like_the_daemon() -> None:
    rc = parse_authdaemonrc((SAMPLES / "debian-authdaemonrc").read_text(), Path("/x/authdaemonrc"))
    assert rc.module_list == ("authpam",)
    assert rc.daemons == 5
    assert rc.authdaemonvar == "/run/courier/authdaemon"
    assert rc.debug_login == 0
    assert rc.default_options == ""
    assert rc.logger_opts == ""
    # The quoted value is cut at the closing quote; the commented LDAPTLS_* lines are ignored.
    assert rc.values["authmodulelistorig"].split()[0] == "authuserdb"
    assert not any(key.startswith("LDAPTLS") for key in rc.values)
    assert ids(rc) == ["modulelist-no-pgsql"]
    where = only(rc, "modulelist-no-pgsql").where
    assert where == f"/x/authdaemonrc:{rc.key_lines['authmodulelist']}"
    assert rc.starts and not rc.uses_authpgsql


def test_apiscp_sample_flags_the_defaultoption_typo() -> None:
    rc = parse_authdaemonrc((SAMPLES / "apiscp-authdaemonrc").read_text())
    assert rc.module_list == ("authpgsql",)
    assert rc.daemons == 2 and rc.effective_daemons == 2
    assert rc.authdaemonvar == "/var/spool/authdaemon"
    assert rc.default_options == ""
    assert rc.values["DEFAULTOPTION"] == "disablewebmail=1,disableimap=1"
    assert ids(rc) == ["defaultoption-typo"]
    typo = only(rc, "defaultoption-typo")
    assert typo.severity is Severity.WARNING
    assert "DEFAULTOPTIONS" in typo.fix and "disablewebmail=1,disableimap=1" in typo.fix


def test_hash_starts_a_comment_anywhere_even_inside_quotes() -> None:
    rc = parse_authdaemonrc(MINIMAL + 'daemons=3 # three workers\nDEFAULTOPTIONS="a=1#b=2"\n')
    assert rc.daemons == 3
    # The daemon cuts at '#' first, so the quote never closes and the value runs to the cut.
    assert rc.default_options == "a=1"


def test_quoted_value_is_cut_at_the_next_quote() -> None:
    rc = parse_authdaemonrc(MINIMAL + 'LOGGEROPTS="-facility=local0" ignored tail\n')
    assert rc.logger_opts == "-facility=local0"


def test_unquoted_value_keeps_trailing_blanks_but_not_leading() -> None:
    rc = parse_authdaemonrc(MINIMAL + "authdaemonvar=   /run/x  \n")
    assert rc.values["authdaemonvar"] == "/run/x  "
    assert rc.authdaemonvar == "/run/x"


def test_last_occurrence_wins_and_is_reported() -> None:
    rc = parse_authdaemonrc("authmodulelist=authpam\ndaemons=5\nauthmodulelist=authpgsql\n")
    assert rc.module_list == ("authpgsql",)
    assert rc.key_lines["authmodulelist"] == 3
    duplicate = only(rc, "duplicate-key")
    assert duplicate.severity is Severity.INFO
    assert "line 1" in duplicate.message and "(line 3) is used" in duplicate.message


def test_line_without_equals_stops_the_daemon() -> None:
    rc = parse_authdaemonrc(MINIMAL + "\ngarbage here\n", Path("/etc/courier/authdaemonrc"))
    bad = only(rc, "bad-line")
    assert bad.severity is Severity.ERROR
    assert "Line 4" in bad.message and "garbage here" in bad.message
    assert bad.where == "/etc/courier/authdaemonrc:4"
    assert not rc.starts
    # Everything else is still parsed, so the other panes keep working.
    assert rc.daemons == 5


def test_equals_only_inside_a_comment_is_still_a_bad_line() -> None:
    rc = parse_authdaemonrc(MINIMAL + "oops # a=b\n")
    assert "bad-line" in ids(rc)


def test_blank_and_comment_lines_are_not_bad_lines() -> None:
    rc = parse_authdaemonrc("\n   \n\t# comment\n" + MINIMAL)
    assert ids(rc) == []


def test_daemons_missing() -> None:
    rc = parse_authdaemonrc('authmodulelist="authpgsql"\n')
    assert rc.daemons is None and rc.effective_daemons == 1
    assert only(rc, "daemons-missing").severity is Severity.WARNING


@pytest.mark.parametrize(
    ("raw", "daemons", "effective", "severity"),
    [
        ("abc", 0, 1, Severity.WARNING),
        ("0", 0, 1, Severity.WARNING),
        ("3x", 3, 3, Severity.WARNING),
        ("-1", -1, 2**32 - 1, Severity.ERROR),
    ],
)
def test_daemons_invalid(raw: str, daemons: int, effective: int, severity: Severity) -> None:
    rc = parse_authdaemonrc(f'authmodulelist="authpgsql"\ndaemons={raw}\n')
    assert rc.daemons == daemons
    assert rc.effective_daemons == effective
    assert only(rc, "daemons-invalid").severity is severity


def test_daemons_with_spaces_is_read_by_atoi() -> None:
    rc = parse_authdaemonrc('authmodulelist="authpgsql"\ndaemons= 7 \n')
    assert rc.daemons == 7
    assert "daemons-invalid" not in ids(rc)


def test_modulelist_missing_and_empty() -> None:
    missing = parse_authdaemonrc("daemons=5\n")
    assert missing.module_list == ()
    assert '"(none)"' in only(missing, "modulelist-empty").message
    empty = parse_authdaemonrc('authmodulelist=""\ndaemons=5\n')
    assert only(empty, "modulelist-empty").severity is Severity.ERROR
    assert "empty" in only(empty, "modulelist-empty").message


def test_modulelist_splits_on_whitespace_in_order() -> None:
    rc = parse_authdaemonrc('authmodulelist="authpam\tauthpgsql  authuserdb"\ndaemons=5\n')
    assert rc.module_list == ("authpam", "authpgsql", "authuserdb")
    assert "modulelist-no-pgsql" not in ids(rc)


@pytest.mark.parametrize(
    ("level", "finding_id"), [(2, "debug-login-passwords"), (1, "debug-login-enabled")]
)
def test_debug_login(level: int, finding_id: str) -> None:
    rc = parse_authdaemonrc(MINIMAL + f"DEBUG_LOGIN={level}\n")
    assert rc.debug_login == level
    assert ids(rc) == [finding_id]
    if level == 2:
        assert "password" in only(rc, finding_id).message.lower()
        assert "stop" in only(rc, finding_id).fix  # env vars need stop+start, not HUP


def test_continuation_is_flagged() -> None:
    rc = parse_authdaemonrc(MINIMAL + 'DEFAULTOPTIONS="a=1,\\\nb=2"\n')
    finding = only(rc, "continuation-not-allowed")
    assert "Line 3" in finding.message
    # The daemon keeps the backslash and never sees the second line as part of the value.
    assert rc.default_options == "a=1,\\"


def test_spaces_around_equals_make_another_name() -> None:
    rc = parse_authdaemonrc('authmodulelist="authpgsql"\ndaemons = 5\n')
    assert rc.daemons is None
    assert {"key-whitespace", "daemons-missing"} <= set(ids(rc))


def test_unquoted_value_with_space_breaks_the_shell() -> None:
    rc = parse_authdaemonrc("authmodulelist=authpgsql authpam\ndaemons=5\n")
    assert rc.module_list == ("authpgsql", "authpam")
    assert '"authpgsql authpam"' in only(rc, "shell-unquoted-space").fix


def test_crlf_lines_parse_and_are_flagged() -> None:
    rc = parse_authdaemonrc('authmodulelist="authpgsql"\r\ndaemons=4\r\n')
    assert rc.daemons == 4 and rc.module_list == ("authpgsql",)
    assert "line 1" in only(rc, "crlf-line-endings").message


def test_nul_ends_the_line_like_a_c_string() -> None:
    rc = parse_authdaemonrc('authmodulelist="authpgsql"\ndaemons=6\0garbage without equals\n')
    assert rc.daemons == 6
    assert ids(rc) == []


def test_overlong_line_is_cut_like_fgets() -> None:
    rc = parse_authdaemonrc(MINIMAL + "LOGGEROPTS=" + "x" * 9000 + "\n")
    assert len(rc.logger_opts) == 8191 - len("LOGGEROPTS=")
    assert "line-too-long" in ids(rc)


def test_load_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "authdaemonrc"
    path.write_text(MINIMAL)
    rc = load_authdaemonrc(path)
    assert rc.path == path and rc.daemons == 5 and rc.problems == ()


def test_load_invalid_utf8_does_not_raise(tmp_path: Path) -> None:
    path = tmp_path / "authdaemonrc"
    path.write_bytes(MINIMAL.encode() + b'DEFAULTOPTIONS="caf\xe9"\n')
    rc = load_authdaemonrc(path)
    assert rc.daemons == 5
    assert rc.default_options == "caf\ufffd"
    finding = only(rc, "not-utf8")
    offset = len(MINIMAL) + len('DEFAULTOPTIONS="caf')
    assert f"byte {offset}" in finding.message and "line 3" in finding.message


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigUnreadable) as caught:
        load_authdaemonrc(tmp_path / "nope")
    assert caught.value.reason == "no such file"
    assert caught.value.path == tmp_path / "nope"
    assert str(caught.value) == f"Cannot read {tmp_path / 'nope'}: no such file."


def test_load_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigUnreadable, match="directory"):
        load_authdaemonrc(tmp_path)


def test_load_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ConfigUnreadable, match="not a regular file"):
        load_authdaemonrc(fifo)


def test_permission_denied_names_the_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ConfigUnreadable) as caught:
        load_authdaemonrc(Path("/etc/courier/authdaemonrc"))
    assert caught.value.reason.startswith("permission denied")
    assert "courier (Debian)" in caught.value.reason and "daemon (ApisCP)" in caught.value.reason


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
def test_permission_denied_for_real(tmp_path: Path) -> None:
    path = tmp_path / "authdaemonrc"
    path.write_text(MINIMAL)
    path.chmod(0o600)

    def try_load() -> str:
        try:
            load_authdaemonrc(path)
        except ConfigUnreadable as exc:
            return exc.reason
        return "read it"

    assert run_as_nobody(try_load).startswith("permission denied")
