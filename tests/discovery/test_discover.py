"""Discovery against fake trees in tmp_path: the four layouts, overrides, ambiguity, access."""

from __future__ import annotations

import argparse
import grp
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tui.cli import where as where_command
from tui.core import settings as settings_module
from tui.core.discovery.discover import (
    Discovery,
    PathState,
    discover,
    probe,
    read_authdaemonvar,
    render_where,
    under,
)
from tui.core.findings import Severity
from tui.core.platforms.layouts import (
    DEBIAN,
    LAYOUTS,
    LAYOUTS_BY_NAME,
    OPENSUSE,
    RHEL_APISCP,
    UPSTREAM_LOCAL,
    Layout,
)
from tui.core.settings import Settings, Sourced, load_settings

NO_FLAGS: dict[str, object | None] = {"conf_dir": None, "socket": None, "config": None}
SECRET = "S3cretPw"


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def install(
    root: Path,
    layout: Layout,
    *,
    authdaemonvar: bool = True,
    socket: bool = True,
    unit: bool = True,
    logs: bool = True,
) -> None:
    """Lay out a fake installation of `layout` under `root`."""
    rc_lines = ['authmodulelist="authpgsql"', "daemons=5"]
    if authdaemonvar:
        rc_lines.append(f"authdaemonvar={layout.socket_dir}")
    touch(under(root, layout.authdaemonrc), "\n".join(rc_lines) + "\n")
    touch(
        under(root, layout.authpgsqlrc),
        f"PGSQL_CONNECTION host=127.0.0.1 dbname=appldb user=postfix password={SECRET}\n",
    )
    if socket:
        touch(under(root, layout.socket))
    if unit and layout.units:
        unit_dir = "lib/systemd/system" if layout is DEBIAN else "usr/lib/systemd/system"
        touch(root / unit_dir / layout.units[0], "[Service]\n")
    if logs:
        for log_file in layout.log_files:
            touch(under(root, log_file), "")


@pytest.fixture
def clean_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "no-such.toml")
    return load_settings(NO_FLAGS, environ={}, home=tmp_path / "home")


def errors(found: Discovery) -> list[str]:
    return [p.id for p in found.problems if p.severity is Severity.ERROR]


# --- the four layouts ------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda lay: lay.name)
def test_each_layout_is_recognised(
    tmp_path: Path, clean_settings: Settings, layout: Layout
) -> None:
    root = tmp_path / "root"
    install(root, layout)

    found = discover(clean_settings, root=root)

    assert found.layout.value is layout
    assert f"{under(root, layout.authdaemonrc)} exists" in found.layout.source
    assert found.conf_dir.value == under(root, layout.conf_dir)
    assert found.conf_dir.source == found.layout.source
    assert found.authdaemonrc == under(root, layout.authdaemonrc)
    assert found.authpgsqlrc == under(root, layout.authpgsqlrc)
    assert found.authdaemonvar == layout.socket_dir
    assert found.socket.value == under(root, layout.socket)
    assert found.socket.source.startswith(f"authdaemonvar={layout.socket_dir} in ")
    if layout.units:
        assert found.unit.value == layout.units[0]
        assert found.unit.source.startswith("unit file ")
        assert found.unit.source.endswith(f"{layout.units[0]} exists")
    else:
        assert found.unit.value is None
    assert found.log_files == tuple(under(root, f) for f in layout.log_files)
    assert found.journal_dirs == ()
    # No /proc in the fake tree: nothing running, and no crash.
    assert found.processes.parent_pid is None and found.processes.worker_pids == ()
    assert found.access == ()
    assert errors(found) == []


def test_layout_table_matches_domain_reference() -> None:
    assert [lay.name for lay in LAYOUTS] == ["debian", "rhel-apiscp", "opensuse", "upstream-local"]
    assert DEBIAN.socket == Path("/run/courier/authdaemon/socket")
    assert Path("/var/run/courier/authdaemon") in DEBIAN.socket_dirs
    assert DEBIAN.log_files == (Path("/var/log/mail.log"),)
    assert DEBIAN.units == ("courier-authdaemon.service",)
    assert RHEL_APISCP.authdaemonrc == Path("/etc/authlib/authdaemonrc")
    assert RHEL_APISCP.socket == Path("/var/spool/authdaemon/socket")
    assert RHEL_APISCP.units == ("courier-authlib.service",)
    assert RHEL_APISCP.log_files == (
        Path(
            "/var/log/maillog",
        ),
    )
    assert RHEL_APISCP.mail_group == "daemon"
    assert OPENSUSE.socket_dir == Path("/run/courier-authlib")
    assert UPSTREAM_LOCAL.conf_dir == Path("/usr/local/etc/authlib")
    assert UPSTREAM_LOCAL.socket_dir == Path("/usr/local/var/spool/authdaemon")
    assert LAYOUTS_BY_NAME["debian"] is DEBIAN


def test_shared_conf_dir_is_resolved_by_authdaemonvar_without_a_finding(
    tmp_path: Path, clean_settings: Settings
) -> None:
    """RHEL/ApisCP and openSUSE both use /etc/authlib; authdaemonvar= tells them apart. Both
    layouts find the one same file: one installation, nothing ambiguous to report."""
    install(tmp_path, OPENSUSE)
    assert under(tmp_path, RHEL_APISCP.authdaemonrc) == under(tmp_path, OPENSUSE.authdaemonrc)

    found = discover(clean_settings, root=tmp_path)

    assert found.layout.value is OPENSUSE
    assert "authdaemonvar= matches" in found.layout.source
    assert [p for p in found.problems if p.id == "discovery.ambiguous-layout"] == []


def test_one_file_reached_by_two_paths_is_one_installation(
    tmp_path: Path, clean_settings: Settings
) -> None:
    """/etc/courier a symlink to /etc/authlib: Debian's and RHEL's paths name one file."""
    install(tmp_path, RHEL_APISCP)
    (tmp_path / "etc" / "courier").symlink_to("authlib")

    found = discover(clean_settings, root=tmp_path)

    assert found.layout.value is RHEL_APISCP
    assert [p for p in found.problems if p.id == "discovery.ambiguous-layout"] == []


def test_a_shared_file_and_a_distinct_one_name_only_the_distinct_layout(
    tmp_path: Path, clean_settings: Settings
) -> None:
    """Debian's own file is a second installation; openSUSE's is RHEL's, so not named."""
    install(tmp_path, RHEL_APISCP)
    install(tmp_path, DEBIAN, authdaemonvar=False, socket=False, unit=False, logs=False)

    found = discover(clean_settings, root=tmp_path)

    assert found.layout.value is RHEL_APISCP
    note = next(p for p in found.problems if p.id == "discovery.ambiguous-layout")
    assert note.message == (f"authdaemonrc found for several layouts; chose {RHEL_APISCP.label} "
                            f"over {DEBIAN.label}.")
    assert note.where == ", ".join(sorted({str(under(tmp_path, DEBIAN.authdaemonrc)),
                                           str(under(tmp_path, RHEL_APISCP.authdaemonrc))}))


def test_ambiguity_prefers_the_layout_whose_socket_exists(
    tmp_path: Path, clean_settings: Settings
) -> None:
    install(tmp_path, DEBIAN, authdaemonvar=False, socket=False, unit=False, logs=False)
    install(tmp_path, RHEL_APISCP, authdaemonvar=False, unit=False, logs=False)

    found = discover(clean_settings, root=tmp_path)

    assert found.layout.value is RHEL_APISCP
    assert "socket exists" in found.layout.source
    assert found.socket.value == under(tmp_path, RHEL_APISCP.socket)
    assert found.socket.source == f"{RHEL_APISCP.label} layout default"
    note = next(p for p in found.problems if p.id == "discovery.ambiguous-layout")
    assert "Debian" in note.message and note.severity is Severity.INFO
    assert "layout =" in note.fix


def test_without_authdaemonvar_the_layout_socket_is_used(
    tmp_path: Path, clean_settings: Settings
) -> None:
    install(tmp_path, DEBIAN, authdaemonvar=False, socket=False)
    touch(tmp_path / "var/run/courier/authdaemon/socket")  # older Debian location only

    found = discover(clean_settings, root=tmp_path)

    assert found.authdaemonvar is None
    assert found.socket.value == tmp_path / "var/run/courier/authdaemon/socket"
    assert found.socket.source == "Debian / Ubuntu layout default"


def test_missing_socket_is_reported_but_still_named(
    tmp_path: Path, clean_settings: Settings
) -> None:
    install(tmp_path, DEBIAN, socket=False)

    found = discover(clean_settings, root=tmp_path)

    assert found.socket.value == under(tmp_path, DEBIAN.socket)
    assert found.socket.source.endswith("(not present now)")
    missing = [p for p in found.problems if p.id == "discovery.socket-missing"]
    assert len(missing) == 1 and missing[0].severity is Severity.WARNING


def test_nothing_installed(tmp_path: Path, clean_settings: Settings) -> None:
    found = discover(clean_settings, root=tmp_path)

    assert found.layout.value is None
    assert "no known layout found" in found.layout.source
    assert found.conf_dir.value is None
    assert found.authdaemonrc is None and found.authpgsqlrc is None
    assert found.socket.value is None
    assert found.unit.value is None
    assert found.log_files == ()
    assert [p.id for p in found.problems] == ["discovery.no-authdaemonrc"]


def test_daemon_binary_alone_suggests_a_layout_but_no_conf_dir(
    tmp_path: Path, clean_settings: Settings
) -> None:
    touch(under(tmp_path, RHEL_APISCP.daemon_binary))

    found = discover(clean_settings, root=tmp_path)

    assert found.layout.value is RHEL_APISCP
    assert "daemon binary exists" in found.layout.source
    assert found.conf_dir.value is None
    assert "discovery.no-authdaemonrc" in [p.id for p in found.problems]


def test_journal_dirs_are_listed(tmp_path: Path, clean_settings: Settings) -> None:
    (tmp_path / "var/log/journal/abc").mkdir(parents=True)
    (tmp_path / "run/log/journal").mkdir(parents=True)
    found = discover(clean_settings, root=tmp_path)
    assert found.journal_dirs == (tmp_path / "var/log/journal", tmp_path / "run/log/journal")


# --- overrides ---------------------------------------------------------------------------


def test_socket_flag_wins_and_keeps_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
    install(tmp_path, DEBIAN)
    lab_socket = touch(tmp_path / "lab/run/socket")
    settings = load_settings({**NO_FLAGS, "socket": str(lab_socket)}, environ={}, home=tmp_path)

    found = discover(settings, root=tmp_path)

    assert found.socket == Sourced(lab_socket, "--socket flag")
    assert found.layout.value is DEBIAN  # the rest is still discovered
    assert "--socket flag" in render_where(found, settings)


def test_conf_dir_from_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
    install(tmp_path, DEBIAN)
    custom = tmp_path / "lab/etc"
    touch(custom / "authdaemonrc", "authdaemonvar=/lab/run  # the lab's socket dir\n")
    touch(custom / "authpgsqlrc")
    touch(tmp_path / "lab/run/socket")
    settings = load_settings(NO_FLAGS, environ={"AUTHLIB_TUI_CONF_DIR": str(custom)}, home=tmp_path)

    found = discover(settings, root=tmp_path)

    assert found.conf_dir == Sourced(custom, "env AUTHLIB_TUI_CONF_DIR")
    assert found.authdaemonrc == custom / "authdaemonrc"
    # authdaemonvar from the chosen authdaemonrc, read under root.
    assert found.authdaemonvar == Path("/lab/run")
    assert found.socket.value == tmp_path / "lab/run/socket"
    assert found.socket.source == f"authdaemonvar=/lab/run in {custom / 'authdaemonrc'}"


def test_conf_dir_matching_a_layout_picks_that_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
    install(tmp_path, DEBIAN)
    install(tmp_path, RHEL_APISCP)
    settings = load_settings(
        {**NO_FLAGS, "conf_dir": str(under(tmp_path, RHEL_APISCP.conf_dir))},
        environ={},
        home=tmp_path,
    )

    found = discover(settings, root=tmp_path)

    assert found.layout.value is RHEL_APISCP
    assert "from --conf-dir flag" in found.layout.source
    assert found.conf_dir.source == "--conf-dir flag"
    assert found.socket.value == under(tmp_path, RHEL_APISCP.socket)


def test_toml_settings_win_over_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
    install(tmp_path, DEBIAN)
    toml = touch(
        tmp_path / "s.toml",
        f'socket = "{tmp_path}/x/socket"\nlayout = "rhel-apiscp"\n',
    )
    settings = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=tmp_path)

    found = discover(settings, root=tmp_path)

    assert found.layout == Sourced(RHEL_APISCP, f"config {toml}")
    assert found.socket == Sourced(tmp_path / "x/socket", f"config {toml}")
    # The forced layout's conf dir is absent from this Debian tree: say so.
    assert "discovery.conf-dir-missing" in errors(found)
    assert f"from config {toml}" in found.conf_dir.source
    assert "discovery.socket-missing" in [p.id for p in found.problems]


def test_explicit_conf_dir_that_does_not_exist(tmp_path: Path, clean_settings: Settings) -> None:
    settings = Settings(conf_dir=Sourced(tmp_path / "nope", "--conf-dir flag"))
    found = discover(settings, root=tmp_path)
    assert found.conf_dir.value == tmp_path / "nope"
    assert errors(found) == ["discovery.conf-dir-missing"]
    missing = next(p for p in found.problems if p.id == "discovery.conf-dir-missing")
    assert "(from --conf-dir flag) does not exist" in missing.message


def test_explicit_conf_dir_without_authdaemonrc(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    settings = Settings(conf_dir=Sourced(tmp_path / "conf", "--conf-dir flag"))
    found = discover(settings, root=tmp_path)
    assert found.authdaemonrc is None
    assert "discovery.authdaemonrc-missing" in errors(found)


def test_missing_group_file_setting_is_a_warning(tmp_path: Path) -> None:
    settings = Settings(group_file=Sourced(tmp_path / "group", "config x.toml"))
    found = discover(settings, root=tmp_path)
    assert "discovery.group-file-missing" in [p.id for p in found.problems]


# --- authdaemonvar parsing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("authdaemonvar=/run/courier/authdaemon\n", Path("/run/courier/authdaemon")),
        ('authdaemonvar="/var/spool/authdaemon" # comment\n', Path("/var/spool/authdaemon")),
        ("authdaemonvar=/a\nauthdaemonvar=/b\n", Path("/b")),  # last one wins
        ("# authdaemonvar=/commented\n", None),
        ("authdaemonvar=relative\n", None),
        ("daemons=5\n", None),
    ],
)
def test_read_authdaemonvar(tmp_path: Path, text: str, expected: Path | None) -> None:
    assert read_authdaemonvar(touch(tmp_path / "authdaemonrc", text)) == expected


def test_read_authdaemonvar_missing_file(tmp_path: Path) -> None:
    assert read_authdaemonvar(tmp_path / "absent") is None


# --- access: simulated for a non-root user ----------------------------------------------


def deny_access(monkeypatch: pytest.MonkeyPatch, denied: set[Path]) -> None:
    """Make os.access answer False for these paths, as it would for an unprivileged user."""
    real_access = os.access

    def fake_access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if Path(str(path)) in denied:
            return False
        return real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", fake_access)


def test_unreadable_config_names_the_group_to_join(
    tmp_path: Path, clean_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, DEBIAN)
    rc = under(tmp_path, DEBIAN.authdaemonrc)
    group = next(g for g in grp.getgrall() if g.gr_gid != 0)
    os.chown(rc, 0, group.gr_gid)
    rc.chmod(0o640)
    pgsql = under(tmp_path, DEBIAN.authpgsqlrc)
    pgsql.chmod(0o600)
    deny_access(monkeypatch, {rc, pgsql})

    found = discover(clean_settings, root=tmp_path)

    by_where = {f.where: f for f in found.access}
    assert by_where[str(rc)].id == "access.config-unreadable"
    assert by_where[str(rc)].fix == f"Run as root or join group {group.gr_name}."
    assert by_where[str(pgsql)].fix == "Run as root."
    # Discovery still completes from what it can see.
    assert found.layout.value is DEBIAN
    assert found.socket.value == under(tmp_path, DEBIAN.socket)


def test_unsearchable_conf_dir_is_recorded_not_raised(
    tmp_path: Path, clean_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ApisCP's /etc/authlib is 0710 daemon:daemon: others cannot even stat the files."""
    install(tmp_path, RHEL_APISCP)
    conf_dir = under(tmp_path, RHEL_APISCP.conf_dir)
    real_stat = Path.stat

    def stat(self: Path, *, follow_symlinks: bool = True) -> os.stat_result:
        if self.parent == conf_dir:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, follow_symlinks=follow_symlinks)

    real_read_text = Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        if self.parent == conf_dir:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "stat", stat)
    monkeypatch.setattr(Path, "read_text", read_text)

    found = discover(clean_settings, root=tmp_path)

    assert probe(conf_dir / "authdaemonrc") is PathState.DENIED
    assert found.layout.value is RHEL_APISCP  # its socket exists; openSUSE's does not
    assert "not checkable" in found.layout.source
    assert found.authdaemonrc == conf_dir / "authdaemonrc"
    assert found.authdaemonvar is None
    assert found.socket.value == under(tmp_path, RHEL_APISCP.socket)
    denied = [f for f in found.access if f.id == "access.config-dir"]
    assert {f.where for f in denied} == {
        str(conf_dir / "authdaemonrc"),
        str(conf_dir / "authpgsqlrc"),
    }
    assert all(f.fix == "Run as root or join group daemon." for f in denied)


def test_unsearchable_socket_dir(
    tmp_path: Path, clean_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, DEBIAN)
    deny_access(monkeypatch, {under(tmp_path, DEBIAN.socket_dir)})

    found = discover(clean_settings, root=tmp_path)

    finding = next(f for f in found.access if f.id == "access.socket-dir")
    assert finding.where == str(under(tmp_path, DEBIAN.socket_dir))
    assert "join group courier" in finding.fix
    assert "Do not loosen" in finding.fix


def test_unreadable_journal_and_log(
    tmp_path: Path, clean_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, DEBIAN)
    system_journal = touch(tmp_path / "var/log/journal/0123abcd/system.journal")
    log = under(tmp_path, DEBIAN.log_files[0])
    deny_access(monkeypatch, {system_journal, log})

    found = discover(clean_settings, root=tmp_path)

    journal = next(f for f in found.access if f.id == "access.journal")
    assert journal.where == str(system_journal)
    assert "systemd-journal or adm" in journal.fix
    log_finding = next(f for f in found.access if f.id == "access.log-unreadable")
    assert log_finding.where == str(log)
    assert found.log_files == (log,)  # still listed: it exists


# --- processes through discovery ---------------------------------------------------------


def fake_proc(proc: Path, entries: list[tuple[int, str, int, int]]) -> None:
    """Minimal procfs: /proc/stat (btime) and <pid>/stat + cmdline per (pid, name, ppid, ticks)."""
    touch(proc / "stat", "cpu  1 2 3\nbtime 1700000000\n")
    for pid, name, ppid, ticks in entries:
        fields = " ".join(["0"] * 17)
        touch(proc / str(pid) / "stat", f"{pid} ({name}) S {ppid} {fields} {ticks} 0 0\n")
        (proc / str(pid) / "cmdline").write_bytes(f"/usr/sbin/{name}\0-x\0".encode())


def test_discovery_finds_the_tree_through_the_pid_file(
    tmp_path: Path, clean_settings: Settings
) -> None:
    install(tmp_path, DEBIAN)
    touch(under(tmp_path, DEBIAN.socket_dir / "pid"), "500\n")
    fake_proc(
        tmp_path / "proc",
        [
            (1, "systemd", 0, 1),
            (500, "courierlogger", 1, 100),
            (501, "authdaemond", 500, 200),
            (502, "authdaemond", 501, 300),
            (503, "authdaemond", 501, 400),
        ],
    )

    found = discover(clean_settings, root=tmp_path)

    ticks = os.sysconf("SC_CLK_TCK")
    assert found.processes.logger_pid == 500
    assert found.processes.parent_pid == 501
    assert found.processes.worker_pids == (502, 503)
    assert found.processes.worker_started[502] == pytest.approx(1700000000 + 300 / ticks)
    report = render_where(found, clean_settings)
    assert "courierlogger 500 → authdaemond parent 501 → 2 worker(s)" in report
    assert "worker 503, started" in report


# --- the `where` report ------------------------------------------------------------------


def test_render_where_explains_every_item_without_file_contents(
    tmp_path: Path, clean_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, DEBIAN)
    (tmp_path / "var/log/journal").mkdir(parents=True)
    pgsql = under(tmp_path, DEBIAN.authpgsqlrc)
    deny_access(monkeypatch, {pgsql})

    found = discover(clean_settings, root=tmp_path)
    report = render_where(found, clean_settings)

    assert "CLI flags > environment > settings file > built-in defaults" in report
    assert "settings file   none found" in report
    assert f"searched: {tmp_path / 'no-such.toml'}" in report
    assert f"Debian / Ubuntu layout: {under(tmp_path, DEBIAN.authdaemonrc)} exists" in report
    assert f"socket          {under(tmp_path, DEBIAN.socket)}" in report
    assert f"authdaemonvar={DEBIAN.socket_dir} in" in report
    assert "courier-authdaemon.service" in report and "unit file" in report
    assert "read timeout    30 s" in report and "built-in default" in report
    assert "no authdaemond process found" in report
    assert "Access:" in report and "fix: Run as root" in report
    assert str(tmp_path / "var/log/journal") in report
    assert SECRET not in report
    assert "authmodulelist" not in report


def test_render_where_shows_settings_problems_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
    toml = touch(tmp_path / "s.toml", "read_timeout = 5\nbogus = 1\n")
    settings = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=tmp_path)

    report = render_where(discover(settings, root=tmp_path), settings)

    assert f"settings file   {toml}" in report
    assert f"from config {toml}" in report
    assert "Unknown setting 'bogus'" in report


# --- access: for real, as `nobody` ----------------------------------------------------------

SYSTEM_PYTHON = Path("/usr/bin/python3")
REPO = Path(__file__).resolve().parents[2]


def _can_run_as_nobody() -> bool:
    if os.geteuid() != 0 or shutil.which("runuser") is None or not SYSTEM_PYTHON.exists():
        return False
    version = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info >= (3, 11))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return version.stdout.strip() == "True"


@pytest.mark.skipif(not _can_run_as_nobody(), reason="needs root, runuser and python3 >= 3.11")
def test_real_permissions_as_nobody() -> None:
    """A Debian tree with the real modes (0640 rc, 0750 socket dir), discovered as nobody."""
    # tmp_path lives under a 0700 root-only dir, so use a world-searchable temp dir.
    root = Path(tempfile.mkdtemp(prefix="authlib-tui-nobody."))
    try:
        root.chmod(0o755)
        install(root, DEBIAN)
        under(root, DEBIAN.authdaemonrc).chmod(0o640)
        under(root, DEBIAN.authpgsqlrc).chmod(0o600)
        under(root, DEBIAN.socket_dir).chmod(0o750)
        script = (
            "import json, sys; from pathlib import Path\n"
            f"sys.path.insert(0, {str(REPO)!r})\n"
            "from tui.core.discovery.discover import discover\n"
            "from tui.core.settings import Settings\n"
            f"found = discover(Settings(), root=Path({str(root)!r}))\n"
            "print(json.dumps({'layout': found.layout.value.name,\n"
            "  'socket': found.socket.source,\n"
            "  'access': sorted([a.id, a.where] for a in found.access)}))\n"
        )
        result = subprocess.run(
            ["runuser", "-u", "nobody", "--", str(SYSTEM_PYTHON), "-B", "-c", script],
            capture_output=True,
            text=True,
            check=False,
            cwd="/",
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["layout"] == "debian"
        assert report["socket"].endswith("(its directory is not searchable, so unchecked)")
        assert report["access"] == sorted(
            [
                ["access.config-unreadable", str(under(root, DEBIAN.authdaemonrc))],
                ["access.config-unreadable", str(under(root, DEBIAN.authpgsqlrc))],
                ["access.socket-dir", str(under(root, DEBIAN.socket_dir))],
            ]
        )
    finally:
        shutil.rmtree(root)


# --- the `where` subcommand ----------------------------------------------------------------


@pytest.fixture
def no_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`where` as run by a user with no settings file anywhere, and none named."""
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", tmp_path / "none.toml")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("AUTHLIB_TUI_CONFIG", raising=False)


@pytest.mark.usefixtures("no_settings_file")
def test_where_command_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(conf_dir=None, socket=str(tmp_path / "sock"), config=None)

    assert where_command.run(args) == 0

    out = capsys.readouterr().out
    assert "precedence" in out
    assert f"socket          {tmp_path / 'sock'}" in out
    assert "from --socket flag" in out
    # Postfix's own answer, as the queue and delivery checks use it.
    assert "postfix dir     /etc/postfix\n                  ↳ postconf -d config_directory" in out


@pytest.mark.usefixtures("no_settings_file")
def test_where_names_the_postfix_dir_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(conf_dir=None, socket=None, config=None,
                              postfix_dir=str(tmp_path / "postfix-b"))

    assert where_command.run(args) == 0

    out = capsys.readouterr().out
    given = tmp_path / "postfix-b"
    assert f"postfix dir     {given}\n                  ↳ from --postfix-dir flag" in out


def test_where_command_rejects_a_missing_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(conf_dir=None, socket=None, config=str(tmp_path / "nope.toml"))

    assert where_command.run(args) == 64

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nope.toml (from --config flag) does not exist." in captured.err


def test_where_subparser_registers_its_name_and_help() -> None:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    sub = where_command.add_parser(subparsers)
    assert sub.prog.endswith(" where")
    assert parser.parse_args(["where"]).command == "where"
    choices = {action.dest: action.help for action in subparsers._choices_actions}
    assert choices["where"] == "print what was discovered and from where"
