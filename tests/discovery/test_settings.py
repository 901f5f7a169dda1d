"""Settings precedence (flag > env > TOML > default), sources, and tolerant TOML handling."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import NOBODY_GID, NOBODY_UID, run_as_nobody
from tui.core import settings as settings_module
from tui.core.findings import Severity
from tui.core.settings import (
    DEFAULT_CONFIG_PATHS,
    Settings,
    SettingsError,
    load_settings,
)

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own and chown files")
NO_FLAGS: dict[str, object | None] = {"conf_dir": None, "socket": None, "config": None}


@pytest.fixture(autouse=True)
def no_system_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point /etc/authlib-tui.toml into tmp_path so the real machine never leaks in."""
    system = tmp_path / "etc" / "authlib-tui.toml"
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_PATH", system)
    return system


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_given(home: Path, no_system_config: Path) -> None:
    result = load_settings(NO_FLAGS, environ={}, home=home)

    assert result.conf_dir.value is None and result.conf_dir.source == "default"
    assert result.socket.value is None
    assert result.group_file.value is None
    assert result.virtual_root.value == Path("/home/virtual")
    assert result.connect_timeout.value == 10.0
    assert result.read_timeout.value == 30.0
    assert result.layout.value is None
    assert result.config_file is None
    assert result.config_searched == (
        no_system_config,
        home / ".config" / "authlib-tui" / "config.toml",
    )
    assert result.problems == ()


def test_settings_constructs_with_all_defaults() -> None:
    built = Settings()
    assert built.read_timeout.value == 30.0
    assert built.virtual_root.source == "default"


def test_flag_beats_env_beats_toml(home: Path) -> None:
    toml = write(
        home / ".config" / "authlib-tui" / "config.toml",
        'socket = "/toml/socket"\nconf_dir = "/toml/conf"\n',
    )
    environ = {"AUTHLIB_TUI_SOCKET": "/env/socket", "AUTHLIB_TUI_CONF_DIR": "/env/conf"}

    flagged = load_settings({**NO_FLAGS, "socket": "/flag/socket"}, environ=environ, home=home)
    assert flagged.socket.value == Path("/flag/socket")
    assert flagged.socket.source == "--socket flag"
    assert flagged.conf_dir.value == Path("/env/conf")
    assert flagged.conf_dir.source == "env AUTHLIB_TUI_CONF_DIR"

    from_env = load_settings(NO_FLAGS, environ=environ, home=home)
    assert from_env.socket.value == Path("/env/socket")
    assert from_env.socket.source == "env AUTHLIB_TUI_SOCKET"

    from_file = load_settings(NO_FLAGS, environ={}, home=home)
    assert from_file.socket.value == Path("/toml/socket")
    assert from_file.socket.source == f"config {toml}"
    assert from_file.config_file == toml


def test_conf_dir_flag_source_names_the_flag(home: Path) -> None:
    result = load_settings({**NO_FLAGS, "conf_dir": "/etc/authlib"}, environ={}, home=home)
    assert result.conf_dir.value == Path("/etc/authlib")
    assert result.conf_dir.source == "--conf-dir flag"


def test_empty_env_and_flag_values_count_as_unset(home: Path) -> None:
    result = load_settings(
        {**NO_FLAGS, "socket": ""}, environ={"AUTHLIB_TUI_SOCKET": "  "}, home=home
    )
    assert result.socket.value is None
    assert result.socket.source == "default"


def test_all_toml_keys_are_read_with_their_types(tmp_path: Path, home: Path) -> None:
    toml = write(
        tmp_path / "s.toml",
        "\n".join(
            [
                'conf_dir = "/etc/authlib"',
                'socket = "/var/spool/authdaemon/socket"',
                'group_file = "/srv/lab/group"',
                'virtual_root = "/srv/virtual"',
                "connect_timeout = 3",
                "read_timeout = 4.5",
                'layout = "rhel-apiscp"',
            ]
        ),
    )
    result = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=home)

    assert result.problems == ()
    assert result.conf_dir.value == Path("/etc/authlib")
    assert result.group_file.value == Path("/srv/lab/group")
    assert result.virtual_root.value == Path("/srv/virtual")
    assert result.connect_timeout.value == 3.0 and isinstance(result.connect_timeout.value, float)
    assert result.read_timeout.value == 4.5
    assert result.layout.value == "rhel-apiscp"
    assert {result.layout.source, result.read_timeout.source} == {f"config {toml}"}
    assert result.config_searched == (toml,)


def test_relative_paths_in_toml_are_relative_to_the_file(tmp_path: Path, home: Path) -> None:
    toml = write(tmp_path / "lab" / "s.toml", 'group_file = "group"\n')
    result = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=home)
    assert result.group_file.value == tmp_path / "lab" / "group"


def test_config_from_env_var(tmp_path: Path, home: Path) -> None:
    toml = write(tmp_path / "env.toml", "read_timeout = 7\n")
    result = load_settings(NO_FLAGS, environ={"AUTHLIB_TUI_CONFIG": str(toml)}, home=home)
    assert result.config_file == toml
    assert result.read_timeout.value == 7.0


def test_config_flag_beats_config_env(tmp_path: Path, home: Path) -> None:
    flag_file = write(tmp_path / "flag.toml", "read_timeout = 1\n")
    env_file = write(tmp_path / "env.toml", "read_timeout = 2\n")
    result = load_settings(
        {**NO_FLAGS, "config": str(flag_file)},
        environ={"AUTHLIB_TUI_CONFIG": str(env_file)},
        home=home,
    )
    assert result.config_file == flag_file
    assert result.read_timeout.value == 1.0


def test_system_file_is_preferred_over_user_file(home: Path, no_system_config: Path) -> None:
    write(no_system_config, 'layout = "debian"\n')
    write(home / ".config" / "authlib-tui" / "config.toml", 'layout = "opensuse"\n')
    result = load_settings(NO_FLAGS, environ={}, home=home)
    assert result.config_file == no_system_config
    assert result.layout.value == "debian"


def test_xdg_config_home_is_respected(tmp_path: Path, home: Path) -> None:
    xdg = tmp_path / "xdg"
    toml = write(xdg / "authlib-tui" / "config.toml", 'virtual_root = "/v"\n')
    result = load_settings(NO_FLAGS, environ={"XDG_CONFIG_HOME": str(xdg)}, home=home)
    assert result.config_file == toml
    assert result.virtual_root.value == Path("/v")


def test_default_config_paths_helper(home: Path, no_system_config: Path) -> None:
    assert DEFAULT_CONFIG_PATHS({}, home) == (
        no_system_config,
        home / ".config" / "authlib-tui" / "config.toml",
    )
    # The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    relative = DEFAULT_CONFIG_PATHS({"XDG_CONFIG_HOME": "rel"}, home)
    assert relative[1] == home / ".config" / "authlib-tui" / "config.toml"
    assert DEFAULT_CONFIG_PATHS({"XDG_CONFIG_HOME": "/x"}, home)[1] == Path(
        "/x/authlib-tui/config.toml"
    )


def test_explicit_config_missing_is_an_error(tmp_path: Path, home: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError, match=r"nope\.toml \(from --config flag\) does not exist"):
        load_settings({**NO_FLAGS, "config": str(missing)}, environ={}, home=home)
    with pytest.raises(SettingsError, match="env AUTHLIB_TUI_CONFIG"):
        load_settings(NO_FLAGS, environ={"AUTHLIB_TUI_CONFIG": str(missing)}, home=home)


def test_explicit_config_directory_is_an_error(tmp_path: Path, home: Path) -> None:
    with pytest.raises(SettingsError, match="is a directory"):
        load_settings({**NO_FLAGS, "config": str(tmp_path)}, environ={}, home=home)


def _nobody_readable_dir() -> Path:
    """A directory nobody may enter (tmp_path's parents are root's 0700)."""
    directory = Path(tempfile.mkdtemp(prefix="authlib-tui-settings."))
    directory.chmod(0o755)
    return directory


@needs_root
def test_explicit_config_unreadable_is_an_error(home: Path) -> None:
    directory = _nobody_readable_dir()
    try:
        toml = write(directory / "locked.toml", "read_timeout = 1\n")
        toml.chmod(0o600)

        def load() -> str:
            try:
                load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=home)
            except SettingsError as exc:
                return str(exc)
            return "read"

        assert "not readable by uid 65534" in run_as_nobody(load)
    finally:
        shutil.rmtree(directory)


@needs_root
def test_unreadable_default_file_is_skipped_with_a_warning(home: Path) -> None:
    directory = _nobody_readable_dir()
    try:
        system = write(directory / "etc" / "authlib-tui.toml", 'layout = "debian"\n')
        system.chmod(0o600)
        user = write(directory / "user" / "authlib-tui" / "config.toml", 'layout = "opensuse"\n')
        os.chown(user, NOBODY_UID, NOBODY_GID)

        def load() -> tuple[Path | None, str | None, list[tuple[str, str | None]]]:
            settings_module.SYSTEM_CONFIG_PATH = system
            result = load_settings(
                NO_FLAGS, environ={"XDG_CONFIG_HOME": str(directory / "user")}, home=home
            )
            return (result.config_file, result.layout.value,
                    [(p.id, p.where) for p in result.problems])

        assert run_as_nobody(load) == (
            user, "opensuse", [("settings.file-unreadable", str(system))]
        )
    finally:
        shutil.rmtree(directory)


# --- as root, only root's settings (sudo -E hands root the caller's XDG_CONFIG_HOME) --------


def _user_config(tmp_path: Path, text: str = 'socket = "/planted/socket"\n') -> Path:
    return write(tmp_path / "xdg" / "authlib-tui" / "config.toml", text)


def _load_xdg(tmp_path: Path, home: Path) -> Settings:
    return load_settings(NO_FLAGS, environ={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, home=home)


def _where_settings_block(settings: Settings) -> str:
    from tui.core.discovery.discover import discover, render_where

    text = render_where(discover(settings), settings)
    return text.split("\nDiscovered\n")[0]


@needs_root
def test_root_ignores_a_config_owned_by_another_user_and_where_says_why(
    tmp_path: Path, home: Path
) -> None:
    config = _user_config(tmp_path)
    os.chown(config, NOBODY_UID, NOBODY_GID)

    result = _load_xdg(tmp_path, home)

    assert result.socket.value is None and result.config_file is None
    assert result.config_ignored == ((config, "owned by uid 65534"),)
    assert [p.id for p in result.problems] == ["settings.file-ignored"]
    block = _where_settings_block(result)
    assert f"ignored         {config}\n" in block
    assert "not read: it is owned by uid 65534" in block


@needs_root
def test_root_ignores_a_group_writable_config_of_its_own(tmp_path: Path, home: Path) -> None:
    config = _user_config(tmp_path)
    config.chmod(0o664)

    result = _load_xdg(tmp_path, home)

    assert result.socket.value is None
    assert result.config_ignored == ((config, "group-writable"),)
    assert "not read: it is group-writable" in _where_settings_block(result)


@needs_root
def test_root_ignores_a_config_in_a_directory_someone_else_owns(
    tmp_path: Path, home: Path
) -> None:
    config = _user_config(tmp_path)
    os.chown(config.parent, NOBODY_UID, NOBODY_GID)

    result = _load_xdg(tmp_path, home)

    assert result.socket.value is None
    assert result.config_ignored == ((config, f"in {config.parent}, owned by uid 65534"),)


@needs_root
def test_root_does_not_follow_a_link_even_to_its_own_config(tmp_path: Path, home: Path) -> None:
    """Decided: a link is refused, not judged by its target (the target's directory is a
    second place whose owner would matter)."""
    target = write(tmp_path / "root-only" / "real.toml", 'socket = "/planted/socket"\n')
    link = tmp_path / "xdg" / "authlib-tui" / "config.toml"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)

    result = _load_xdg(tmp_path, home)

    assert result.socket.value is None
    assert result.config_ignored == ((link, "a symbolic link"),)


@needs_root
def test_root_reads_its_own_0644_config(tmp_path: Path, home: Path) -> None:
    config = _user_config(tmp_path)
    config.chmod(0o644)

    result = _load_xdg(tmp_path, home)

    assert result.socket.value == Path("/planted/socket")
    assert result.config_file == config and result.config_ignored == ()
    assert "ignored" not in _where_settings_block(result)


@needs_root
def test_root_refuses_an_explicit_config_owned_by_another_user(tmp_path: Path, home: Path) -> None:
    config = write(tmp_path / "named.toml", 'socket = "/planted/socket"\n')
    os.chown(config, NOBODY_UID, NOBODY_GID)
    with pytest.raises(SettingsError, match="was not read: it is owned by uid 65534; as root"):
        load_settings(NO_FLAGS, environ={"AUTHLIB_TUI_CONFIG": str(config)}, home=home)


@needs_root
def test_a_user_still_reads_their_own_config(home: Path) -> None:
    directory = _nobody_readable_dir()
    try:
        config = write(directory / "xdg" / "authlib-tui" / "config.toml",
                       'socket = "/mine/socket"\n')
        for path in (config, config.parent, directory / "xdg"):
            os.chown(path, NOBODY_UID, NOBODY_GID)
        config.chmod(0o664)  # a user private group's umask: still theirs
        environ = {"XDG_CONFIG_HOME": str(directory / "xdg")}

        def load() -> tuple[Path | None, tuple[tuple[Path, str], ...]]:
            result = load_settings(NO_FLAGS, environ=environ, home=home)
            return result.socket.value, result.config_ignored

        assert run_as_nobody(load) == (Path("/mine/socket"), ())

        os.chown(config, 1, 1)  # daemon's file in nobody's directory: not theirs, not root's
        assert run_as_nobody(load) == (None, ((config, "owned by uid 1"),))
    finally:
        shutil.rmtree(directory)


def test_bad_toml_is_a_problem_not_an_exception(tmp_path: Path, home: Path) -> None:
    toml = write(tmp_path / "bad.toml", "socket = /no/quotes\n")
    result = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=home)

    assert result.config_file == toml
    assert result.socket.value is None
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.id == "settings.bad-toml"
    assert problem.severity is Severity.ERROR
    assert problem.where == str(toml)


def test_non_utf8_toml_is_a_problem(tmp_path: Path, home: Path) -> None:
    toml = tmp_path / "latin1.toml"
    toml.write_bytes(b'layout = "d\xe9bian"\n')
    result = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=home)
    assert [p.id for p in result.problems] == ["settings.bad-toml"]
    assert "UTF-8" in result.problems[0].message


def test_unknown_keys_and_wrong_types_are_reported_and_ignored(tmp_path: Path, home: Path) -> None:
    toml = write(
        tmp_path / "s.toml",
        "\n".join(
            [
                "sockett = '/typo'",
                "socket = 5",
                'connect_timeout = "fast"',
                "read_timeout = -1",
                "connect_timeout_extra = true",
                'layout = "gentoo"',
                'conf_dir = ""',
                "[section]",
                "x = 1",
            ]
        ),
    )
    result = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=home)

    ids = sorted(p.id for p in result.problems)
    assert ids == sorted(["settings.unknown-key"] * 3 + ["settings.bad-value"] * 5), [
        p.message for p in result.problems
    ]
    messages = " ".join(p.message for p in result.problems)
    assert "'sockett'" in messages and "'section'" in messages
    assert "gentoo" in messages
    # Every bad value fell back to its default.
    assert result.socket.value is None
    assert result.connect_timeout.value == 10.0 and result.connect_timeout.source == "default"
    assert result.read_timeout.value == 30.0
    assert result.layout.value is None
    assert result.conf_dir.value is None
    unknown = next(p for p in result.problems if p.id == "settings.unknown-key")
    assert unknown.severity is Severity.WARNING
    assert "conf_dir" in unknown.fix


def test_boolean_is_not_a_timeout(tmp_path: Path, home: Path) -> None:
    toml = write(tmp_path / "s.toml", "read_timeout = true\n")
    result = load_settings({**NO_FLAGS, "config": str(toml)}, environ={}, home=home)
    assert result.read_timeout.value == 30.0
    assert [p.id for p in result.problems] == ["settings.bad-value"]


def test_extra_setting_flags_are_accepted(home: Path) -> None:
    """The lab passes its own group file as a flag-level override."""
    result = load_settings(
        {**NO_FLAGS, "group_file": "/srv/lab/group", "read_timeout": 3}, environ={}, home=home
    )
    assert result.group_file.value == Path("/srv/lab/group")
    assert result.group_file.source == "--group-file flag"
    assert result.read_timeout.value == 3.0


def test_bad_flag_value_is_an_error(home: Path) -> None:
    with pytest.raises(SettingsError, match="--layout flag"):
        load_settings({**NO_FLAGS, "layout": "gentoo"}, environ={}, home=home)


def test_platform_probe_address_and_interval_from_toml_and_env(home: Path) -> None:
    config = home / "s.toml"
    config.write_text(
        'platform = "apiscp"\nprobe_address = "probe@example.org"\nsample_interval = 2\n'
    )
    loaded = load_settings({**NO_FLAGS, "config": str(config)}, environ={}, home=home)
    assert loaded.platform.value == "apiscp"
    assert loaded.probe_address.value == "probe@example.org"
    assert loaded.sample_interval.value == 2.0
    from_env = load_settings(
        {**NO_FLAGS, "config": str(config)}, environ={"AUTHLIB_TUI_PLATFORM": "debian"}, home=home
    )
    assert from_env.platform.value == "debian"
    assert from_env.platform.source == "env AUTHLIB_TUI_PLATFORM"


def test_a_probe_address_that_could_inject_a_command_is_refused(home: Path) -> None:
    config = home / "s.toml"
    config.write_text('probe_address = "x@y.z\\nENUMERATE"\nplatform = "windows"\n')
    loaded = load_settings({**NO_FLAGS, "config": str(config)}, environ={}, home=home)
    assert loaded.probe_address.value == Settings().probe_address.value
    assert loaded.platform.value is None
    messages = " ".join(problem.message for problem in loaded.problems)
    assert "probe_address" in messages and "line feed" in messages
    assert "platform" in messages and "apiscp" in messages
