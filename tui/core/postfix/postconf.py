"""Postfix's own answers about its configuration: `postconf`, run with a timeout.

The config directory is what `postconf -d config_directory` says unless the
admin named one (`--postfix-dir`, `postfix_dir`); every other value is read
with `postconf -c DIR`, so a multi-instance or lab Postfix is read the way
Postfix itself reads it, defaults and `$name` expansion included.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.core.settings import DEFAULT_SOURCE, Settings

POSTCONF = "postconf"
POSTCONF_TIMEOUT = 5.0
FALLBACK_CONFIG_DIR = Path("/etc/postfix")


@dataclass(frozen=True)
class ConfigDir:
    path: Path
    source: str  # where the path came from, for `where` and evidence


def run_postconf(args: Sequence[str], timeout: float = POSTCONF_TIMEOUT) -> dict[str, str] | None:
    """`postconf ARGS` as {name: value}; None when postconf is missing, fails or hangs."""
    try:
        completed = subprocess.run(
            [POSTCONF, *args], capture_output=True, text=True, timeout=timeout, check=False,
            errors="replace",
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    values: dict[str, str] = {}
    for line in completed.stdout.splitlines():
        name, sep, value = line.partition(" = ")
        if sep:
            values[name.strip()] = value.strip()
        elif line.rstrip().endswith(" ="):
            values[line.rstrip()[:-2].strip()] = ""
    return values


def discover_config_dir(settings: Settings, timeout: float = POSTCONF_TIMEOUT) -> ConfigDir:
    """The named Postfix config dir, else Postfix's compiled-in default, else /etc/postfix."""
    named = settings.postfix_dir
    if named.source != DEFAULT_SOURCE:
        return ConfigDir(named.value, named.source)
    values = run_postconf(["-d", "config_directory"], timeout)
    if values and values.get("config_directory"):
        return ConfigDir(Path(values["config_directory"]), "postconf -d config_directory")
    return ConfigDir(FALLBACK_CONFIG_DIR, "default (postconf did not answer)")


def main_cf_values(config_dir: Path, names: Sequence[str],
                   timeout: float = POSTCONF_TIMEOUT) -> dict[str, str] | None:
    """These main.cf parameters as Postfix sees them (`postconf -c DIR -x NAME...`); None when
    postconf cannot answer.

    A dir without main.cf is known before asking: postconf would only fail, and Postfix holds
    each fatal error a second before it exits.
    """
    try:
        os.lstat(config_dir / "main.cf")
    except FileNotFoundError:
        return None
    except OSError:
        pass  # not ours to look at: postconf may still read it
    return run_postconf(["-c", str(config_dir), "-x", *names], timeout)
