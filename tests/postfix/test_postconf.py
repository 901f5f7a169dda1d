"""Asking the real postconf about main.cf: never for a config dir that has none."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from tui.core.checks.headless import run_check
from tui.core.installation import Installation
from tui.core.postfix import postconf
from tui.lab.lab import Lab


@pytest.fixture
def postconf_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every argv given to postconf, while the real postconf still answers each."""
    calls: list[list[str]] = []
    real = postconf.run_postconf

    def recording(args: Sequence[str], timeout: float = postconf.POSTCONF_TIMEOUT
                  ) -> dict[str, str] | None:
        calls.append(list(args))
        return real(args, timeout)

    monkeypatch.setattr(postconf, "run_postconf", recording)
    return calls


def test_a_dir_without_main_cf_is_not_asked(tmp_path: Path,
                                            postconf_calls: list[list[str]]) -> None:
    assert shutil.which(postconf.POSTCONF), "postconf is part of the lab's packages"

    assert postconf.main_cf_values(tmp_path, ["mail_owner"]) is None
    assert postconf_calls == []


def test_a_dir_with_main_cf_is_asked(tmp_path: Path, postconf_calls: list[list[str]]) -> None:
    (tmp_path / "main.cf").write_text("mail_owner = postfix\nmyhostname = lab.invalid\n")

    assert postconf.main_cf_values(tmp_path, ["myhostname"]) == {"myhostname": "lab.invalid"}
    assert postconf_calls == [["-c", str(tmp_path), "-x", "myhostname"]]


def test_check_asks_no_postconf_about_a_dir_without_main_cf(
        healthy_lab: Lab, tmp_path: Path, postconf_calls: list[list[str]]) -> None:
    installation = Installation.from_flags({"config": str(healthy_lab.settings_file),
                                            "postfix_dir": str(tmp_path)})

    run_check(installation)

    assert [args for args in postconf_calls if "-c" in args] == []
