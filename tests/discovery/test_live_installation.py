"""The monitor's one installation: every reader sees the same value until a config changes."""

from __future__ import annotations

from pathlib import Path

from tui.core.installation import Installation, LiveInstallation

AUTHPGSQLRC = """##NAME: MARKER:0
PGSQL_CONNECTION host=localhost dbname=mail user=mail password={password}
PGSQL_USER_TABLE users
"""


def _conf_dir(tmp_path: Path) -> Path:
    conf = tmp_path / "courier"
    conf.mkdir()
    (conf / "authdaemonrc").write_text('authmodulelist="authpgsql"\ndaemons=5\n')
    (conf / "authpgsqlrc").write_text(AUTHPGSQLRC.format(password="first"))
    return conf


def _installation(conf: Path) -> Installation:
    return Installation.from_flags({"conf_dir": str(conf), "socket": None, "config": None})


def _password(installation: Installation) -> str:
    config = installation.authpgsqlrc
    assert config is not None and config.connection is not None
    assert config.connection.password is not None
    return config.connection.password.reveal()


def test_readers_share_one_value_until_a_config_changes(tmp_path: Path) -> None:
    conf = _conf_dir(tmp_path)
    live = LiveInstallation(_installation(conf))
    first = live.current()  # the first reader reads the files afresh
    assert live.current() is first and live.latest is first
    assert _password(first) == "first"
    rc = conf / "authpgsqlrc"
    rc.write_text(AUTHPGSQLRC.format(password="second-and-longer"))  # a fix's new password
    changed = live.current()
    assert changed is not first and _password(changed) == "second-and-longer"
    assert live.current() is changed


def test_refresh_reads_again_for_every_reader(tmp_path: Path) -> None:
    live = LiveInstallation(_installation(_conf_dir(tmp_path)))
    first = live.current()
    again = live.refresh()
    assert again is not first and live.current() is again


def test_a_value_older_than_the_limit_is_read_again(tmp_path: Path) -> None:
    """A stalled health loop must not leave the sampler on a discovery of long ago."""
    live = LiveInstallation(_installation(_conf_dir(tmp_path)), rediscover_after=0.0)
    first = live.current()
    assert live.current() is not first
