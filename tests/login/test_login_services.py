"""Discovery of Courier IMAP/POP3 in fake trees, and Dovecot said to be not authlib's."""

from __future__ import annotations

from pathlib import Path

from tui.core.discovery.login_services import find_login_services
from tui.core.logs.login_line import LOGIN_TAGS
from tui.core.platforms.platform import Platform
from tui.core.settings import load_settings


def _file(root: Path, path: str) -> Path:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# config\n")
    return target


def test_debian_courier_imap_and_pop_are_found_and_followed(tmp_path: Path) -> None:
    imapd = _file(tmp_path, "/etc/courier/imapd")
    pop3d = _file(tmp_path, "/etc/courier/pop3d-ssl")
    found = find_login_services(Platform.DEBIAN, tmp_path)
    assert found.configs == (("imapd", imapd), ("pop3d-ssl", pop3d))
    assert found.log_tags == LOGIN_TAGS and "imapd" in found.log_tags
    assert str(imapd) in found.said and not found.dovecot


def test_the_rpm_layout_is_found(tmp_path: Path) -> None:
    imapd = _file(tmp_path, "/usr/lib/courier-imap/etc/imapd")
    assert find_login_services(Platform.RHEL, tmp_path).configs == (("imapd", imapd),)


def test_on_apiscp_logins_are_dovecots(tmp_path: Path) -> None:
    _file(tmp_path, "/etc/dovecot/dovecot.conf")
    found = find_login_services(Platform.APISCP, tmp_path)
    assert found.dovecot and not found.installed and found.log_tags == ()
    assert "Dovecot" in found.said and "not authlib's" in found.said


def test_nothing_installed_is_said(tmp_path: Path) -> None:
    found = find_login_services(Platform.DEBIAN, tmp_path)
    assert not found.installed and found.log_tags == ()
    assert "no Courier IMAP/POP3 config found" in found.said


def test_configs_named_in_the_settings_are_taken_with_their_source(tmp_path: Path) -> None:
    settings_file = tmp_path / "authlib-tui.toml"
    settings_file.write_text('login_configs = ["/opt/courier/etc/imapd"]\n')
    settings = load_settings({"config": str(settings_file)})
    found = find_login_services(Platform.APISCP, tmp_path, settings.login_configs)
    assert found.configs == (("imapd", Path("/opt/courier/etc/imapd")),)
    assert found.installed and str(settings_file) in found.said
