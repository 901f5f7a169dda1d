"""master.cf's maildrop transports: the pipe(8) services that run `maildrop -d`.

What matters for authlib is read straight from the entry: the user maildrop
runs as (`user=`), the pipe flags, and maildrop's own argv. Debian's maildrop
treats an authlib failure (authdaemond unreachable, a database error) as
temporary only with `-a` before `-d`; without it the lookup falls back to the
password file, finds no such user and the mail bounces. ApisCP's RPM build has
that behaviour compiled in, so a missing `-a` is a problem on Debian-built
maildrops only; the check says which it assumes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MASTER_CF = "master.cf"
_ATTRIBUTE = re.compile(r"(?:^|\s)(?P<name>flags|user)=(?P<value>\S+)")


@dataclass(frozen=True)
class PipeService:
    """One pipe(8) entry of master.cf."""

    name: str
    line: int  # where the entry starts, 1-based
    maxproc: str
    user: str  # "" when user= is missing (pipe then refuses to run)
    flags: str
    argv: tuple[str, ...]

    @property
    def runs_maildrop(self) -> bool:
        return bool(self.argv) and Path(self.argv[0]).name == "maildrop"

    @property
    def maildrop_options(self) -> tuple[str, ...]:
        """maildrop's options before `-d` (what it parses as its own)."""
        options = []
        for word in self.argv[1:]:
            if word == "-d" or not word.startswith("-"):
                break
            options.append(word)
        return tuple(options)

    @property
    def delivers_with_d(self) -> bool:
        """`maildrop -d USER`: delivery mode, the mode that asks authlib."""
        return "-d" in self.argv[1:]

    @property
    def tempfail_on_authlib_error(self) -> bool:
        """`-a` given: an authlib failure defers the mail instead of bouncing it."""
        return "-a" in self.maildrop_options

    @property
    def text(self) -> str:
        """The entry as one line, for evidence."""
        return (f"{self.name} … pipe flags={self.flags} user={self.user} "
                f"argv={' '.join(self.argv)}")


def _entries(text: str) -> list[tuple[int, str]]:
    """(first line, the entry joined to one line): continuation lines start with blanks."""
    entries: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace() and entries:
            entries[-1] = (entries[-1][0], f"{entries[-1][1]} {line.strip()}")
        elif not line[0].isspace():
            entries.append((number, line.strip()))
    return entries


def parse_pipe_services(text: str) -> tuple[PipeService, ...]:
    services = []
    for number, entry in _entries(text):
        fields = entry.split(None, 7)
        if len(fields) < 8 or fields[7].split(None, 1)[0] != "pipe":
            continue
        arguments = fields[7].split(None, 1)[1] if " " in fields[7] else ""
        before, _, argv = arguments.partition("argv=")
        attributes = {m.group("name"): m.group("value") for m in _ATTRIBUTE.finditer(before)}
        services.append(PipeService(
            name=fields[0], line=number, maxproc=fields[6], user=attributes.get("user", ""),
            flags=attributes.get("flags", ""), argv=tuple(argv.split()),
        ))
    return tuple(services)


def maildrop_services(config_dir: Path) -> tuple[PipeService, ...] | None:
    """The pipe services in DIR/master.cf that run maildrop; None when it cannot be read."""
    try:
        text = (config_dir / MASTER_CF).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return tuple(service for service in parse_pipe_services(text) if service.runs_maildrop)
