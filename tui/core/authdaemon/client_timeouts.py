"""How long the delivery side waits for authdaemond: TIMEOUT_SOCK, TIMEOUT_READ, TIMEOUT_WRITE.

libcourierauth, the client library inside maildrop, gives the connect 10 s, each
write 10 s and the whole reply 30 s. Positive whole numbers in its environment
variables `TIMEOUT_SOCK`, `TIMEOUT_WRITE` and `TIMEOUT_READ` replace those. Postfix
starts maildrop with a cleaned environment: only what `export_environment` lists
reaches it, either in main.cf or as `-o export_environment=…` on the pipe service
in master.cf. So the timeouts maildrop really uses are read from there, and a slow
lookup is judged against them rather than against the defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOCK_SECONDS = 10.0
DEFAULT_READ_SECONDS = 30.0
DEFAULT_WRITE_SECONDS = 10.0
DEFAULT_SOURCE = "libcourierauth's defaults (maildrop's environment sets no TIMEOUT_*)"

_VARIABLES = ("TIMEOUT_SOCK", "TIMEOUT_READ", "TIMEOUT_WRITE")
_LEADING_DIGITS = re.compile(r"^\s*[+-]?\d+")
_BRACED_START = re.compile(r"-o\s+{\s*export_environment\s*=")
_PLAIN = re.compile(r"(?:^|\s)-o\s+export_environment=(\S*)")


@dataclass(frozen=True, slots=True)
class ClientTimeouts:
    """Seconds for the connect, the reply and each write, and where those numbers come from."""

    sock: float = DEFAULT_SOCK_SECONDS
    read: float = DEFAULT_READ_SECONDS
    write: float = DEFAULT_WRITE_SECONDS
    source: str = DEFAULT_SOURCE

    @property
    def changed(self) -> bool:
        """True when the delivery side sets any of the three."""
        return self.source != DEFAULT_SOURCE


def atoi_seconds(text: str) -> float | None:
    """The value as the C library reads it (leading digits, like atoi); None unless positive."""
    match = _LEADING_DIGITS.match(text)
    if match is None:
        return None
    number = int(match.group(0))
    return float(number) if number > 0 else None


def _logical_lines(text: str) -> list[str]:
    """Postfix config lines: a line starting with whitespace continues the one before."""
    lines: list[str] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0].isspace() and lines:
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw.strip())
    return lines


def _assignments(value: str) -> dict[str, str]:
    """NAME=value entries of an export_environment list (names alone carry no value here)."""
    found: dict[str, str] = {}
    for item in re.split(r"[\s,]+", value.strip()):
        name, sep, setting = item.partition("=")
        if sep and name in _VARIABLES:
            found[name] = setting
    return found


def _from_main_cf(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, str] = {}
    for line in _logical_lines(text):
        key, sep, value = line.partition("=")
        if sep and key.strip() == "export_environment":
            found = _assignments(value.strip().strip("{}"))  # the last setting wins
    return found


def _from_master_cf(path: Path) -> dict[str, str] | None:
    """The export_environment override of the maildrop pipe (None: it has none).

    ApisCP has two maildrop pipes; `vmaildrop` delivers to the virtual mailboxes that
    authlib resolves, so it is preferred. An override replaces main.cf's list whole.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    services = [
        line for line in _logical_lines(text)
        if len(line.split()) >= 8 and line.split()[7] == "pipe" and "maildrop" in line
    ]
    services.sort(key=lambda line: line.split()[0] != "vmaildrop")
    for line in services[:1]:
        lists = [match.group(1) for match in _PLAIN.finditer(line)]
        lists += [_until_closing_brace(line, m.end()) for m in _BRACED_START.finditer(line)]
        if lists:
            return _assignments(lists[-1])
    return None


def _until_closing_brace(line: str, start: int) -> str:
    """The text up to the `}` that closes `-o { … }`; `${name}` inside it has its own pair."""
    depth = 1
    for index in range(start, len(line)):
        if line[index] == "{":
            depth += 1
        elif line[index] == "}":
            depth -= 1
            if depth == 0:
                return line[start:index]
    return line[start:]


def delivery_timeouts(postfix_dir: Path) -> ClientTimeouts:
    """The timeouts maildrop runs with under this Postfix (master.cf's override, else main.cf)."""
    main_cf, master_cf = postfix_dir / "main.cf", postfix_dir / "master.cf"
    path, found = master_cf, _from_master_cf(master_cf)
    if found is None:
        path, found = main_cf, _from_main_cf(main_cf)
    values = {name: text for name, text in found.items() if atoi_seconds(text) is not None}
    if not values:
        return ClientTimeouts()

    def seconds(name: str, default: float) -> float:
        parsed = atoi_seconds(values[name]) if name in values else None
        return parsed if parsed is not None else default

    names = ", ".join(f"{name}={text}" for name, text in values.items())
    return ClientTimeouts(
        sock=seconds("TIMEOUT_SOCK", DEFAULT_SOCK_SECONDS),
        read=seconds("TIMEOUT_READ", DEFAULT_READ_SECONDS),
        write=seconds("TIMEOUT_WRITE", DEFAULT_WRITE_SECONDS),
        source=f"{names} in the export_environment of {path}",
    )
