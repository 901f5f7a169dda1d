"""authdaemonrc, read the way authdaemond's own config reader (`readconfig()`) reads it.

The daemon parses the file itself for `authmodulelist` and `daemons`; the start script
sources the same file with `/bin/sh` (`set -a`), which is how `DEBUG_LOGIN`,
`DEFAULTOPTIONS` and `LOGGEROPTS` reach it. We model the daemon's parser exactly and flag
lines the shell would read differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from tui.core.config.errors import decode_config_bytes, read_config_bytes
from tui.core.findings import Finding, Severity

# C isspace() in the "C" locale; Python's str.isspace() is wider (Unicode spaces, \x1c-\x1f).
C_SPACE = " \t\n\v\f\r"
# fgets(buf, BUFSIZ, fp) with glibc's BUFSIZ: at most 8191 bytes of a line are seen.
FGETS_LIMIT = 8191
_ATOI = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")
_UINT_WRAP = 2**32  # `unsigned daemons = atoi(...)`: a negative count wraps around
_SHOWN_TEXT = 80  # how much of an offending line a message quotes

RESTART_FULL = "stop and start authdaemond (systemctl restart); a HUP does not re-read the env"
RESTART_HUP = "authdaemond restart (SIGHUP) is enough"


def c_atoi(text: str) -> int:
    """`atoi()` as libc does it: leading C-whitespace, optional sign, digits; else 0."""
    match = _ATOI.match(text)
    return int(match.group(1)) if match else 0


def _where(path: Path | None, line: int | None = None) -> str:
    name = str(path) if path is not None else "authdaemonrc"
    return f"{name}:{line}" if line is not None else name


def _shown(text: str) -> str:
    text = text.rstrip(C_SPACE)
    return text if len(text) <= _SHOWN_TEXT else text[: _SHOWN_TEXT - 1] + "…"


def _fgets_view(raw_line: str) -> tuple[str, bool]:
    """What `fgets` + C string functions leave of one line, and whether it was cut.

    A NUL ends the C string; bytes past BUFSIZ-1 are read and thrown away.
    """
    line = raw_line.split("\0", 1)[0]
    cut = False
    if len(line) > FGETS_LIMIT // 4:  # cheap pre-check: a char is at most 4 bytes
        encoded = line.encode("utf-8", errors="surrogatepass")
        if len(encoded) > FGETS_LIMIT:
            line = encoded[:FGETS_LIMIT].decode("utf-8", errors="ignore")
            cut = True
    return line, cut


@dataclass(frozen=True)
class AuthdaemonRc:
    """authdaemonrc as authdaemond sees it, plus what is wrong with it."""

    path: Path | None
    # Every KEY=value, as the daemon's parser cuts it; the last occurrence wins.
    values: Mapping[str, str]
    module_list: tuple[str, ...]
    # atoi() of `daemons=` (None: no such line). See `effective_daemons` for what runs.
    daemons: int | None
    authdaemonvar: str | None
    debug_login: int
    default_options: str
    logger_opts: str
    problems: tuple[Finding, ...]
    # Line number of the occurrence that wins, per key (for "where" in the UI).
    key_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def effective_daemons(self) -> int:
        """How many children authdaemond forks: 0/missing becomes 1, negatives wrap (unsigned)."""
        if not self.daemons:
            return 1
        return self.daemons % _UINT_WRAP

    @property
    def starts(self) -> bool:
        """False when a `Bad line` makes authdaemond exit at start-up."""
        return not any(problem.id == "bad-line" for problem in self.problems)

    @property
    def uses_authpgsql(self) -> bool:
        return "authpgsql" in self.module_list


def _check_line_shape(
    number: int, raw_line: str, key: str, path: Path | None, out: list[Finding]
) -> None:
    """Findings about one KEY=value line that the daemon accepts but people trip over."""
    where = _where(path, number)
    if raw_line.endswith("\\") and "#" not in raw_line:
        out.append(
            Finding(
                "continuation-not-allowed",
                Severity.WARNING,
                f"Line {number} ends with a backslash. authdaemond keeps the backslash in the "
                "value, but /bin/sh (which also sources this file) joins the next line onto it.",
                where,
                "Put the whole value on one line; continuation lines are not allowed here.",
            )
        )
    if key != key.strip(C_SPACE) or not key:
        out.append(
            Finding(
                "key-whitespace",
                Severity.WARNING,
                f"Line {number}: the name before '=' is {key!r}. authdaemond compares the whole "
                "text before '=', so spaces make it a different (unused) name, and /bin/sh "
                "treats it as a command.",
                where,
                "Write NAME=value with no spaces around '='.",
            )
        )
    value_part = raw_line.split("=", 1)[1].split("#", 1)[0].strip(C_SPACE)
    if value_part and value_part[0] not in "\"'" and any(c in C_SPACE for c in value_part):
        out.append(
            Finding(
                "shell-unquoted-space",
                Severity.WARNING,
                f"Line {number}: the value of {key.strip(C_SPACE)} contains a space but is not "
                "quoted. authdaemond reads the whole value, but /bin/sh runs the second word as "
                "a command and does not export the variable.",
                where,
                f'Quote it: {key.strip(C_SPACE)}="{value_part}"',
            )
        )


def parse_authdaemonrc(text: str, path: Path | None = None) -> AuthdaemonRc:
    """Parse authdaemonrc text like authdaemond does; content problems become findings."""
    values: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    problems: list[Finding] = []
    shape_problems: list[Finding] = []
    bad_lines: list[Finding] = []
    duplicates: list[Finding] = []
    crlf_lines: list[int] = []

    for number, raw_line in enumerate(text.split("\n"), start=1):
        line, was_cut = _fgets_view(raw_line)
        if line.endswith("\r"):
            crlf_lines.append(number)
        if was_cut:
            shape_problems.append(
                Finding(
                    "line-too-long",
                    Severity.WARNING,
                    f"Line {number} is longer than {FGETS_LIMIT} bytes; authdaemond reads only "
                    "the first part and drops the rest.",
                    _where(path, number),
                    "Shorten the line.",
                )
            )
        content = line.split("#", 1)[0]
        if not content.strip(C_SPACE):
            continue
        if "=" not in content:
            bad_lines.append(
                Finding(
                    "bad-line",
                    Severity.ERROR,
                    f"Line {number} has no '=': {_shown(content)!r}. authdaemond logs "
                    f'"Bad line in {_where(path)}: …" and exits at start-up (the start script '
                    "still reports success; clients then get Connection refused). A daemon "
                    "already running that re-reads it (a reload) keeps its old settings.",
                    _where(path, number),
                    "Make it NAME=value, comment it out with '#', or delete it.",
                )
            )
            continue
        key, _, value = content.partition("=")
        value = value.lstrip(C_SPACE)
        if value.startswith('"'):
            value = value[1:].split('"', 1)[0]
        _check_line_shape(number, line.rstrip("\r"), key, path, shape_problems)
        if key in values:
            duplicates.append(
                Finding(
                    "duplicate-key",
                    Severity.INFO,
                    f"{key.strip(C_SPACE)} is set on line {key_lines[key]} and again on line "
                    f"{number}; the last one (line {number}) is used.",
                    _where(path, number),
                    f"Delete the earlier line {key_lines[key]} to avoid confusion.",
                )
            )
        values[key] = value
        key_lines[key] = number

    problems.extend(bad_lines)
    if crlf_lines:
        problems.append(
            Finding(
                "crlf-line-endings",
                Severity.WARNING,
                f"{len(crlf_lines)} line(s) end with CR (Windows line endings), first at line "
                f"{crlf_lines[0]}. /bin/sh keeps the CR inside values such as LOGGEROPTS.",
                _where(path, crlf_lines[0]),
                "Convert the file to Unix line endings (dos2unix).",
            )
        )
    problems.extend(shape_problems)

    module_text = values.get("authmodulelist")
    module_list = tuple(_c_split(module_text or ""))
    problems.extend(_module_findings(module_text, module_list, path, key_lines))

    daemons = c_atoi(values["daemons"]) if "daemons" in values else None
    problems.extend(_daemons_findings(values.get("daemons"), daemons, path, key_lines))

    debug_login = c_atoi(values.get("DEBUG_LOGIN", ""))
    problems.extend(_debug_findings(debug_login, path, key_lines))

    if "DEFAULTOPTION" in values:
        problems.append(_defaultoption_typo(values, path, key_lines))

    problems.extend(duplicates)
    authdaemonvar = values.get("authdaemonvar")
    return AuthdaemonRc(
        path=path,
        values=MappingProxyType(values),
        module_list=module_list,
        daemons=daemons,
        authdaemonvar=authdaemonvar.strip(C_SPACE) if authdaemonvar is not None else None,
        debug_login=debug_login,
        default_options=values.get("DEFAULTOPTIONS", ""),
        logger_opts=values.get("LOGGEROPTS", ""),
        problems=tuple(problems),
        key_lines=MappingProxyType(key_lines),
    )


def _c_split(text: str) -> list[str]:
    """Split on C whitespace only, like initmodules() does with isspace()."""
    return [word for word in re.split(r"[ \t\n\v\f\r]+", text) if word]


def _module_findings(
    module_text: str | None,
    module_list: tuple[str, ...],
    path: Path | None,
    key_lines: Mapping[str, int],
) -> list[Finding]:
    where = _where(path, key_lines.get("authmodulelist"))
    if not module_list:
        said = "no authmodulelist line" if module_text is None else "authmodulelist is empty"
        logged = '"(none)"' if module_text is None else '""'
        return [
            Finding(
                "modulelist-empty",
                Severity.ERROR,
                f"{said}: authdaemond loads no modules (logs modules={logged}) and answers "
                "FAIL to every lookup, so mail bounces as unknown user.",
                where,
                f'Set authmodulelist="authpgsql", then {RESTART_HUP}.',
            )
        ]
    if "authpgsql" not in module_list:
        return [
            Finding(
                "modulelist-no-pgsql",
                Severity.WARNING,
                f"authmodulelist is {' '.join(module_list)!r}, without authpgsql: the "
                "PostgreSQL module is not loaded and authpgsqlrc is not used.",
                where,
                f"Add authpgsql to authmodulelist if accounts live in PostgreSQL, then "
                f"{RESTART_HUP}.",
            )
        ]
    return []


def _daemons_findings(
    raw: str | None, daemons: int | None, path: Path | None, key_lines: Mapping[str, int]
) -> list[Finding]:
    where = _where(path, key_lines.get("daemons"))
    if raw is None or daemons is None:
        return [
            Finding(
                "daemons-missing",
                Severity.WARNING,
                "No daemons= line: authdaemond logs \"Configuration error - missing 'daemons' "
                'setting, using 1" and runs a single worker, so lookups queue behind each other.',
                where,
                f"Add daemons=5 (ApisCP: courier_workers), then {RESTART_HUP}.",
            )
        ]
    shown = raw.strip(C_SPACE)
    if daemons < 0:
        return [
            Finding(
                "daemons-invalid",
                Severity.ERROR,
                f"daemons={shown!r} is negative; authdaemond stores it unsigned and tries to "
                f"fork {daemons % _UINT_WRAP} children.",
                where,
                "Set a small positive number, e.g. daemons=5.",
            )
        ]
    if daemons == 0:
        return [
            Finding(
                "daemons-invalid",
                Severity.WARNING,
                f'daemons={shown!r} is not a positive number; authdaemond logs "Configuration '
                "error - missing 'daemons' setting, using 1\" and runs a single worker.",
                where,
                "Set a positive number, e.g. daemons=5.",
            )
        ]
    if not re.fullmatch(r"[0-9]+", shown):
        return [
            Finding(
                "daemons-invalid",
                Severity.WARNING,
                f"daemons={shown!r} is not a plain number; authdaemond reads it as {daemons}.",
                where,
                f"Write daemons={daemons}.",
            )
        ]
    return []


def _debug_findings(
    debug_login: int, path: Path | None, key_lines: Mapping[str, int]
) -> list[Finding]:
    where = _where(path, key_lines.get("DEBUG_LOGIN"))
    if debug_login >= 2:
        return [
            Finding(
                "debug-login-passwords",
                Severity.WARNING,
                f"DEBUG_LOGIN={debug_login} writes cleartext passwords and password hashes "
                "(Authenticated: clearpasswd=…, passwd=…) to syslog.",
                where,
                f"Set DEBUG_LOGIN=1 (or 0) and {RESTART_FULL}; consider purging the mail log.",
            )
        ]
    if debug_login == 1:
        return [
            Finding(
                "debug-login-enabled",
                Severity.INFO,
                "DEBUG_LOGIN=1: every lookup is logged at debug level (mail.debug).",
                where,
                f"Set DEBUG_LOGIN=0 when done, then {RESTART_FULL}.",
            )
        ]
    return []


def _defaultoption_typo(
    values: Mapping[str, str], path: Path | None, key_lines: Mapping[str, int]
) -> Finding:
    intended = values["DEFAULTOPTION"]
    in_effect = values.get("DEFAULTOPTIONS", "")
    effect = f"DEFAULTOPTIONS is {in_effect!r}" if in_effect else "no default options apply"
    return Finding(
        "defaultoption-typo",
        Severity.WARNING,
        f"DEFAULTOPTION={intended} (without S) has no effect: authdaemond only reads "
        f"DEFAULTOPTIONS, so {effect}. ApisCP's Bootstrapper writes this misspelt line.",
        _where(path, key_lines.get("DEFAULTOPTION")),
        f'Add DEFAULTOPTIONS="{intended}" if you want these options, then {RESTART_FULL}. '
        "(On ApisCP the role re-adds DEFAULTOPTION on every run; it is harmless.)",
    )


def load_authdaemonrc(path: Path) -> AuthdaemonRc:
    """Read and parse authdaemonrc; raises `ConfigUnreadable` if the bytes cannot be read."""
    data, _info = read_config_bytes(path)
    text, decode_problems = decode_config_bytes(data, path)
    parsed = parse_authdaemonrc(text, path)
    if not decode_problems:
        return parsed
    return replace(parsed, problems=decode_problems + parsed.problems)
