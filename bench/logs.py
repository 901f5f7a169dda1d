"""Logs: counting authdaemond errors in a 1 GB mail log and in a week of rotated logs, and
following a log written at 20k lines/s.

scan: writes a ~1 GiB syslog-format mail log into a fresh directory under /var/tmp
(scaled down, with a note, when the disk has less room) from a ~1 MiB block of
mixed lines written over and over: postfix smtpd/cleanup/qmgr/smtp/pipe, courier
imapd/pop3d, authdaemond debug and start-up lines (not counted) and authdaemond
errors and warnings (counted), plus lines built to catch unanchored matching
(an error text inside a looked-up address, `authdaemond` in another daemon's
line, maildrop's `authdaemon:` errors inside a pipe line). With the page cache
warm it times `count_authdaemond_errors(path)` in this process against
`LC_ALL=C grep -c -E ERE FILE | cat`, where ERE is the non-INFO signature
catalogue translated by hand to POSIX ERE (so grep does the same job, not a
literal search); 3 runs each, alternating who goes first. The pipe to cat
matters: GNU grep stops early when its output is /dev/null. Both counts and
the number the generator put in must agree, else a MISMATCH line is printed.
It also times the floor of any scanner that visits each authdaemond line from
Python (a loop of memory-mapped `find`s that does nothing else), as a ratio to grep.

rotated: a week of rotated logs as Debian leaves them (mail.log and mail.log.1 plain,
mail.log.2.gz … mail.log.6.gz at gzip's default level), 448 MiB of text from the
same mix; `count_with_rotations(mail.log)` against `LC_ALL=C zgrep -c -E ERE FILES |
cat` (the per-file counts summed), same ERE, counts checked the same way.

follow: a separate writer process appends syslog lines (about 1.5% authdaemond
errors) at RATE lines/s for SECONDS to a plain file, in batches every 10 ms
(on a fixed schedule, so a late tick writes a bigger batch). The app runs
headless in this process on that file (`--log-file`-style setting, a socket
path that does not exist, so no daemon is involved), with the Logs pane open.
The pane shows authdaemond lines and maildrop deliveries (about a quarter of
this mix); the writer reports how many of those it wrote, so "all shown" means
every line the pane should show reached it.
Measured: lines handed to the LogView per second (LogView.add wrapped to count),
event-loop lag (a task sleeping 10 ms in the app's loop, how late it wakes), and
this process's memory from /proc/self/smaps_rollup (USS = Private_Clean +
Private_Dirty, and PSS) after the pane opened, at the end and the peak of 1 s
samples. Peak RSS is printed for reference only. Asserts nothing; the
generated files are removed.

    .venv/bin/python bench/logs.py [scan] [rotated] [follow] [--size-mb N] [--rate N] [--seconds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.logs.matcher.regex_parts import group_end, top_level_branches

if TYPE_CHECKING:
    from tui.app.widgets.log_view import ShownEntry

BENCH_DIR = Path("/var/tmp")
SCAN_BYTES = 1 << 30
BLOCK_BYTES = 1 << 20
DISK_HEADROOM = 1 << 30  # leave this much free on the disk after writing the log
SCAN_RUNS = 3
SCAN_TARGET_RATIO = 1.3
FOLLOW_RATE = 20_000
FOLLOW_SECONDS = 30.0
WRITER_TICK = 0.01
SEED_LINES = 20
LAG_TICK = 0.01
LAG_TARGET_MS = 10.0  # p99
LAG_MAX_TARGET_MS = 50.0
USS_GROWTH_TARGET_MIB = 20.0
DRAIN_TIMEOUT = 15.0
SIZE = (100, 30)
HOST = "mx1"

# -- the lines --------------------------------------------------------------------------------
# Each maker returns `tag[pid]: message` and whether count_authdaemond_errors counts it
# (an authdaemond line whose signature is not INFO). The syslog timestamp and host go in front.
Line = tuple[str, bool]
Maker = Callable[[random.Random], Line]

USERS = ("anna", "bob", "carla", "dmitri", "eve", "farid", "greta", "hiro", "info", "sales")
DOMAINS = ("example.com", "example.org", "shop.example.net", "mail.example.de")
SERVICES = ("imap", "pop3", "login", "smtp", "courier")


def _qid(rng: random.Random) -> str:
    return "".join(rng.choices("0123456789ABCDEF", k=10))


def _address(rng: random.Random) -> str:
    return f"{rng.choice(USERS)}@{rng.choice(DOMAINS)}"


def _ip(rng: random.Random) -> str:
    first, second = rng.choice(((198, 51), (203, 0)))
    return f"{first}.{second}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _client(rng: random.Random) -> str:
    return f"mail-{rng.randint(1, 999)}.senders.example[{_ip(rng)}]"


def _pid(rng: random.Random, tag: str) -> str:
    return f"{tag}[{rng.randint(300, 65000)}]"


def _auth(message: str, error: bool = False) -> Maker:
    def make(rng: random.Random) -> Line:
        return f"authdaemond[{rng.randint(70, 99)}]: {message}", error

    return make


def _auth_dynamic(build: Callable[[random.Random], str]) -> Maker:
    def make(rng: random.Random) -> Line:
        return f"authdaemond[{rng.randint(70, 99)}]: {build(rng)}", False

    return make


def _other(build: Callable[[random.Random], str]) -> Maker:
    def make(rng: random.Random) -> Line:
        return build(rng), False

    return make


_SQL = ("SQL query: SELECT id, crypt, clear, name, uid, gid, home, maildir, quota, "
        "options FROM mailbox WHERE id = '{}' AND active = 1")
_USER = ("authpgsql: sysusername=<null>, sysuserid=5000, sysgroupid=5000, "
         "homedir=/home/virtual/{1}, address={0}, fullname={0}, maildir=<null>, "
         "quota=<null>, options=<null>")
_RC = "/etc/courier/authlib/authpgsqlrc"

# (weight per ~1000 lines, maker)
MIX: tuple[tuple[int, Maker], ...] = (
    # postfix and courier-imap: the bulk of a mail log
    (110, _other(lambda r: f"{_pid(r, 'postfix/smtpd')}: connect from {_client(r)}")),
    (90, _other(lambda r: f"{_pid(r, 'postfix/smtpd')}: {_qid(r)}: client={_client(r)}")),
    (110, _other(lambda r: f"{_pid(r, 'postfix/smtpd')}: disconnect from {_client(r)} ehlo=1 "
                           "mail=1 rcpt=1 data=1 quit=1 commands=5")),
    (40, _other(lambda r: f"{_pid(r, 'postfix/smtpd')}: NOQUEUE: reject: RCPT from "
                          f"{_client(r)}: 554 5.7.1 <{_address(r)}>: Relay access denied; "
                          f"from=<{_address(r)}> to=<{_address(r)}> proto=ESMTP "
                          "helo=<senders.example>")),
    (90, _other(lambda r: f"{_pid(r, 'postfix/cleanup')}: {_qid(r)}: "
                          f"message-id=<{r.randint(10**8, 10**9)}.{_qid(r)}@senders.example>")),
    (90, _other(lambda r: f"{_pid(r, 'postfix/qmgr')}: {_qid(r)}: from=<{_address(r)}>, "
                          f"size={r.randint(900, 90000)}, nrcpt=1 (queue active)")),
    (90, _other(lambda r: f"{_pid(r, 'postfix/qmgr')}: {_qid(r)}: removed")),
    (40, _other(lambda r: f"{_pid(r, 'postfix/smtp')}: {_qid(r)}: to=<{_address(r)}>, "
                          f"relay=mx.example.net[{_ip(r)}]:25, delay=0.8, "
                          "delays=0.1/0/0.3/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)")),
    (100, _other(lambda r: f"{_pid(r, 'postfix/pipe')}: {_qid(r)}: to=<{_address(r)}>, "
                           f"relay=vmaildrop, delay=0.{r.randint(1, 9)}, "
                           "delays=0.05/0.01/0/0.04, dsn=2.0.0, "
                           "status=sent (delivered via vmaildrop service)")),
    (10, _other(lambda r: f"{_pid(r, 'postfix/pipe')}: {_qid(r)}: to=<{_address(r)}>, "
                          "relay=vmaildrop, delay=0.12, delays=0.06/0.01/0/0.05, dsn=4.3.0, "
                          "status=deferred (temporary failure. Command output: ERR: "
                          "authdaemon: s_connect() failed: Connection refused "
                          "/usr/bin/maildrop: Temporary authentication failure. )")),
    (60, _other(lambda r: f"imapd: LOGIN, user={_address(r)}, ip=[::ffff:{_ip(r)}], "
                          f"port=[{r.randint(1024, 65000)}], protocol=IMAP")),
    (30, _other(lambda r: f"pop3d: LOGOUT, user={_address(r)}, ip=[::ffff:{_ip(r)}], "
                          "top=0, retr=0, rcvd=12, sent=46, time=1")),
    # `authdaemond` in another daemon's line, with an error text: not counted
    (2, _other(lambda r: f"{_pid(r, 'postfix/smtpd')}: NOQUEUE: reject: RCPT from "
                         f"{_client(r)}: 550 5.1.1 <authdaemond: PGSQL_CONNECTION could not "
                         "be established@example.com>: Recipient address rejected")),
    # authdaemond debug (DEBUG_LOGIN=1) and start-up lines: INFO or no signature, not counted
    (25, _auth_dynamic(lambda r: f"received auth request, service={r.choice(SERVICES)}, "
                                 "authtype=login")),
    (20, _auth("authpgsql: trying this module")),
    (20, _auth_dynamic(lambda r: _SQL.format(_address(r)))),
    (15, _auth_dynamic(lambda r: _USER.format(_address(r), r.choice(USERS)))),
    (15, _auth_dynamic(lambda r: f"Authenticated: sysusername=<null>, sysuserid=5000, "
                                 f"sysgroupid=5000, homedir=/home/virtual/{r.choice(USERS)}, "
                                 f"address={_address(r)}, fullname=<null>, maildir=<null>")),
    (3, _auth_dynamic(lambda r: f"received userid lookup request: {_address(r)}")),
    # an error text inside a looked-up address: the signatures are anchored, not counted
    (1, _auth("received userid lookup request: PGSQL_CONNECTION could not be "
              "established@evil.example")),
    (1, _auth("stopping authdaemond children")),
    (1, _auth('modules="authpgsql", daemons=5')),
    (1, _auth("Installing libauthpgsql")),
    # authdaemond errors and warnings: counted
    (3, _auth("PGSQL_CONNECTION could not be established", True)),
    (2, _auth('connection to server at "127.0.0.1", port 5432 failed: Connection refused',
              True)),
    (2, _auth('connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
              'FATAL:  password authentication failed for user "mail"', True)),
    (1, _auth('ERR: FATAL:  password authentication failed for user "mail"', True)),
    (1, _auth('password authentication failed for user "mail"', True)),
    (1, _auth('WARN: Cannot set character set to "LATIN9", using UTF8', True)),
    (1, _auth("authpgsql: PQstatus failed, connection lost", True)),
    (1, _auth("message repeated 4 times: [ PGSQL_CONNECTION could not be established]", True)),
    (1, _auth(f"marker line not found in {_RC} will try again later", True)),
    (1, _auth(f"Cannot open {_RC}", True)),
    (1, _auth(f"PGSQL_CONNECTION not found in {_RC}", True)),
    (1, _auth("Configuration error - missing 'daemons' setting", True)),
    (1, _auth("fork() failed", True)),
    # more of the catalogue: wrapped, `$`-anchored and prefixed forms grep must also get right
    (1, _auth("could not connect to server: Connection refused", True)),
    (1, _auth('connection to server at "127.0.0.1", port 5432 failed: FATAL:  role "mail" '
              "does not exist", True)),
    (1, _auth("/usr/lib/courier-authlib/libauthpgsql.so: cannot open shared object file: "
              "No such file or directory", True)),
    (1, _auth(f"message repeated 2 times: [ marker line not found in {_RC}]", True)),
    (1, _auth("Cannot allocate memory", True)),
    (1, _auth("/var/lib/courier/authdaemon/socket.tmp: Permission denied", True)),
    (1, _auth("authpgsql: TEMPFAIL - no more modules will be tried", True)),
    (1, _auth("zero rows returned")),
    (1, _auth("authpgsql: REJECT - try next module")),
)


def mail_lines(rng: random.Random, count: int) -> list[Line]:
    weights = [weight for weight, _ in MIX]
    makers = rng.choices([maker for _, maker in MIX], weights=weights, k=count)
    return [make(rng) for make in makers]


def syslog_stamp(moment: float) -> str:
    return time.strftime("%b %e %H:%M:%S", time.localtime(moment))


# -- scan ------------------------------------------------------------------------------------
# grep must do the scan's job: the ERE is the whole non-INFO authdaemond catalogue
# (tui/core/logs/catalogue/), translated from Python's syntax to POSIX ERE (C locale) by
# `to_ere`, with scan.py's header and matcher/text.py's message_text unwrapping (strip,
# `message repeated N times: [ … ]`, an `ERR:`-style prefix). Where a Python `$` stands
# depends on the form: the end of the stripped line, or just before the repeat's `]`. A
# pattern that ends in whitespace cannot end the stripped text, so something non-blank must
# follow it. Exact for ASCII lines; Python's `\s`/strip() also treat \x1c-\x1f and Unicode
# blanks as whitespace, which [[:space:]] in the C locale does not. (A line that an INFO
# signature claims before a warning's pattern would be counted by grep alone: the
# generated lines have none.)
_NB = "[^[:space:]]"
_CLASSES = {"s": "[:space:]", "w": "[:alnum:]_", "d": "0-9"}
_ERE_HEADER = (
    r"^([A-Z][a-z]{2} +[0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T"
    + _NB + "+) " + _NB + r"+ authdaemond(\[[0-9]+\])?: [[:space:]]*"
)
_ERE_PREFIX = "((ERR|WARN|ALERT|CRIT|DEBUG|INFO):[[:space:]]*)?"


def to_ere(pattern: str, end: str) -> str:
    """One signature's Python regex as ERE; `end` replaces `$`. Only the syntax it uses."""
    out: list[str] = []
    index = 0
    in_class = False
    text = pattern.removeprefix("^")
    while index < len(text):
        char = text[index]
        if char == "\\":
            escaped = text[index + 1]
            index += 2
            if escaped in _CLASSES:
                out.append(_CLASSES[escaped] if in_class else f"[{_CLASSES[escaped]}]")
            elif escaped == "S" and not in_class:
                out.append(_NB)
            elif escaped in ".()[]{}*+?|^$\\":
                out.append(escaped if in_class else "\\" + escaped)
            else:
                raise ValueError(f"to_ere: \\{escaped} in {pattern!r}")
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif text.startswith("(?:", index):
            out.append("(")
            index += 3
            continue
        elif text.startswith("(?P<", index):
            out.append("(")
            index = text.index(">", index) + 1
            continue
        elif char == "?" and text[index - 1] in "*+":
            pass  # lazy or greedy: the same lines match
        elif char == "$":
            out.append(end)
        else:
            out.append(char)
        index += 1
    return "".join(out)


def expand(pattern: str) -> list[str]:
    """The pattern as alternatives whose end is plain: a `(?:a|b)` group that holds a `$` or
    ends the pattern is distributed (`x(?:a|b$)` → `xa`, `xb$`), so each alternative either
    ends with `$` or has none, and its last item is known."""
    text = pattern.removeprefix("^")
    index = 0
    while (index := text.find("(?:", index)) >= 0:
        end = group_end(text, index)
        body, rest = text[index + 3:end], text[end + 1:]
        branches = top_level_branches(body)
        last = rest in ("", "$")
        if len(branches) > 1 and ("$" in body or last) and not rest.startswith(("?", "*", "+")):
            return [alternative for branch in branches
                    for alternative in expand(text[:index] + branch + rest)]
        index += 3
    return [text]


def ends_in_blank(alternative: str) -> bool:
    """Whether the alternative's last item matches whitespace (`… in `, `FATAL:\\s+`)."""
    return alternative.endswith((" ", "\\s", "\\s+", "\\s*"))


def error_ere() -> str:
    from tui.core.findings import Severity
    from tui.core.logs.catalogue.registry import SIGNATURES

    alternatives = [alternative for signature in SIGNATURES
                    if signature.severity is not Severity.INFO
                    for alternative in expand(signature.pattern)]
    plain = "|".join(to_ere(a, "[[:space:]]*$") + (f".*{_NB}" if ends_in_blank(a) else "")
                     for a in alternatives)
    wrapped = "|".join(to_ere(a, r"\][[:space:]]*$") + ("" if a.endswith("$") else
                                                         r".*\][[:space:]]*$")
                       for a in alternatives)
    return (f"{_ERE_HEADER}({_ERE_PREFIX}({plain})"
            rf"|message repeated [0-9]+ times: \[ ?{_ERE_PREFIX}({wrapped}))")


def scan_size(directory: Path, wanted: int) -> int:
    """`wanted` bytes, or what fits while leaving DISK_HEADROOM free (a note says so)."""
    free = shutil.disk_usage(directory).free
    if free - wanted >= DISK_HEADROOM:
        return wanted
    size = max(BLOCK_BYTES, free - DISK_HEADROOM)
    print(f"NOTE: {directory} has {free / 2**30:.2f} GiB free; the log is scaled down to "
          f"{size / 2**20:.0f} MiB from {wanted / 2**20:.0f} MiB")
    return size


def write_scan_log(path: Path, size: int) -> tuple[int, int, int, int]:
    """Write ~`size` bytes; (bytes, lines, authdaemond lines, counted error lines)."""
    rng = random.Random(1126)
    start = time.mktime((2025, 11, 26, 3, 0, 0, 0, 0, -1))
    parts: list[str] = []
    length = lines = auth = errors = 0
    while length < min(size, BLOCK_BYTES):
        for text, error in mail_lines(rng, 500):
            line = f"{syslog_stamp(start + lines * 0.05)} {HOST} {text}\n"
            parts.append(line)
            length += len(line)
            lines += 1
            auth += text.startswith("authdaemond")
            errors += error
    block = "".join(parts).encode()
    copies = max(1, size // len(block))
    with path.open("wb") as log:
        for _ in range(copies):
            log.write(block)
    return len(block) * copies, lines * copies, auth * copies, errors * copies


def warm(path: Path) -> None:
    buffer = bytearray(16 << 20)
    with path.open("rb", buffering=0) as log:
        while log.readinto(buffer):
            pass


def time_ours(path: Path) -> tuple[float, int]:
    from tui.core.logs.scan import count_authdaemond_errors

    started = time.perf_counter()
    counts = count_authdaemond_errors(path)
    return time.perf_counter() - started, sum(counts.values())


def time_visits(path: Path) -> tuple[float, int]:
    """The floor of any scanner that looks at each authdaemond line from Python: a loop
    that only finds the next ` authdaemond` (memchr-speed search, nothing else per line)."""
    import mmap

    started = time.perf_counter()
    visits = 0
    with path.open("rb") as log, mmap.mmap(log.fileno(), 0, access=mmap.ACCESS_READ) as data:
        find = data.find
        position = find(b" authdaemond")
        while position >= 0:
            visits += 1
            position = find(b" authdaemond", position + 12)
    return time.perf_counter() - started, visits


def time_grep(command: str) -> tuple[float, int]:
    started = time.perf_counter()
    completed = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True,
                               check=True)
    return time.perf_counter() - started, int(completed.stdout.strip())


def scan(size_mb: int | None) -> None:
    import tui.core.logs.scan  # noqa: F401  (import time is not the scan's)

    directory = Path(tempfile.mkdtemp(prefix="authlib-tui-bench-", dir=BENCH_DIR))
    path = directory / "maillog"
    try:
        size = scan_size(directory, SCAN_BYTES if size_mb is None else size_mb << 20)
        started = time.perf_counter()
        written, lines, auth, expected = write_scan_log(path, size)
        generated = time.perf_counter() - started
        warm(path)
        command = f"LC_ALL=C grep -c -E {shlex.quote(error_ere())} {shlex.quote(str(path))} | cat"
        times: dict[str, list[float]] = {"ours": [], "grep": [], "visits": []}
        counts: dict[str, set[int]] = {"ours": set(), "grep": set(), "visits": set()}
        timers: dict[str, Callable[[], tuple[float, int]]] = {
            "ours": lambda: time_ours(path), "grep": lambda: time_grep(command),
            "visits": lambda: time_visits(path)}
        for index in range(SCAN_RUNS):
            order = ("ours", "grep", "visits") if index % 2 == 0 else ("grep", "ours", "visits")
            for kind in order:
                seconds, count = timers[kind]()
                times[kind].append(seconds)
                counts[kind].add(count)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    ours, grep = statistics.median(times["ours"]), statistics.median(times["grep"])
    ratio = ours / grep
    print(f"scan: {written / 2**20:.0f} MiB, {lines:,} lines ({auth / lines:.1%} authdaemond, "
          f"{expected / lines:.2%} authdaemond errors/warnings), written in {generated:.1f} s, "
          f"page cache warm; median of {SCAN_RUNS}, alternating")
    print(f"  count_authdaemond_errors  {ours:7.3f} s   "
          f"({written / 2**20 / ours:6.0f} MiB/s)   runs: "
          + " ".join(f"{t:.3f}" for t in times["ours"]))
    print(f"  LC_ALL=C grep -c -E ERE   {grep:7.3f} s   "
          f"({written / 2**20 / grep:6.0f} MiB/s)   runs: "
          + " ".join(f"{t:.3f}" for t in times["grep"]))
    print(f"ratio ours / grep = {ratio:.2f}x   (target within {SCAN_TARGET_RATIO:g}x of grep: "
          f"{'met' if ratio <= SCAN_TARGET_RATIO else 'NOT met'})")
    visits = statistics.median(times["visits"])
    print(f"floor: only finding each of the {min(counts['visits']):,} ' authdaemond' from Python "
          f"takes {visits:.3f} s = {visits / grep:.2f}x grep, before any regex or count")
    found = {f"ours {sorted(counts['ours'])}", f"grep {sorted(counts['grep'])}"}
    if counts["ours"] == counts["grep"] == {expected}:
        print(f"counts agree: {expected:,} error lines (ours = grep = generated)")
    else:
        print(f"MISMATCH!!! error line counts differ: generated {expected:,}, "
              + ", ".join(sorted(found)))


# -- rotated: a week of rotated logs ---------------------------------------------------------
ROTATED_DAYS = 7
ROTATED_BYTES = 448 << 20  # the week's uncompressed text, split over the days
ROTATED_TARGET_RATIO = 1.3


def write_week(directory: Path, total: int) -> tuple[list[Path], int, int, int]:
    """Debian's layout after a week: mail.log, mail.log.1, mail.log.2.gz … mail.log.6.gz.

    Returns the files, the uncompressed bytes, the lines and the counted error lines.
    """
    import gzip

    day = max(BLOCK_BYTES, total // ROTATED_DAYS)
    plain = directory / "day.txt"
    written, lines, _auth, errors = write_scan_log(plain, day)
    files = [directory / "mail.log", directory / "mail.log.1"]
    shutil.copyfile(plain, files[0])
    shutil.copyfile(plain, files[1])
    for number in range(2, ROTATED_DAYS):
        target = directory / f"mail.log.{number}.gz"
        with plain.open("rb") as source, gzip.open(target, "wb", compresslevel=6) as out:
            shutil.copyfileobj(source, out, 4 << 20)  # logrotate's gzip default level
        files.append(target)
    plain.unlink()
    return files, written * ROTATED_DAYS, lines * ROTATED_DAYS, errors * ROTATED_DAYS


def time_ours_rotated(live: Path) -> tuple[float, int]:
    from tui.core.logs.scan import count_with_rotations

    started = time.perf_counter()
    counts = count_with_rotations(live)
    return time.perf_counter() - started, sum(counts.values())


def time_zgrep(command: str) -> tuple[float, int]:
    started = time.perf_counter()
    completed = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True,
                               check=True)
    total = sum(int(line.rpartition(":")[2]) for line in completed.stdout.split())
    return time.perf_counter() - started, total


def rotated(size_mb: int | None) -> None:
    import tui.core.logs.scan  # noqa: F401  (import time is not the scan's)

    directory = Path(tempfile.mkdtemp(prefix="authlib-tui-bench-", dir=BENCH_DIR))
    try:
        size = scan_size(directory, ROTATED_BYTES if size_mb is None else size_mb << 20)
        files, written, lines, expected = write_week(directory, size)
        on_disk = sum(file.stat().st_size for file in files)
        for file in files:
            warm(file)
        command = (f"LC_ALL=C zgrep -c -E {shlex.quote(error_ere())} "
                   + " ".join(shlex.quote(str(file)) for file in files) + " | cat")
        times: dict[str, list[float]] = {"ours": [], "zgrep": []}
        counts: dict[str, set[int]] = {"ours": set(), "zgrep": set()}
        for index in range(SCAN_RUNS):
            order = ("ours", "zgrep") if index % 2 == 0 else ("zgrep", "ours")
            for kind in order:
                seconds, count = (time_ours_rotated(files[0]) if kind == "ours"
                                  else time_zgrep(command))
                times[kind].append(seconds)
                counts[kind].add(count)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    ours, zgrep = statistics.median(times["ours"]), statistics.median(times["zgrep"])
    ratio = ours / zgrep
    print(f"rotated: a week, mail.log + mail.log.1 plain, mail.log.2.gz … .{ROTATED_DAYS - 1}.gz; "
          f"{written / 2**20:.0f} MiB of text ({on_disk / 2**20:.0f} MiB on disk), "
          f"{lines:,} lines; page cache warm; median of {SCAN_RUNS}, alternating")
    print(f"  count_with_rotations      {ours:7.3f} s   runs: "
          + " ".join(f"{t:.3f}" for t in times["ours"]))
    print(f"  LC_ALL=C zgrep -c -E ERE  {zgrep:7.3f} s   runs: "
          + " ".join(f"{t:.3f}" for t in times["zgrep"]))
    print(f"ratio ours / zgrep = {ratio:.2f}x   (target within {ROTATED_TARGET_RATIO:g}x: "
          f"{'met' if ratio <= ROTATED_TARGET_RATIO else 'NOT met'})")
    if counts["ours"] == counts["zgrep"] == {expected}:
        print(f"counts agree: {expected:,} error lines (ours = zgrep = generated)")
    else:
        print(f"MISMATCH!!! error line counts differ: generated {expected:,}, ours "
              f"{sorted(counts['ours'])}, zgrep {sorted(counts['zgrep'])}")


# -- follow: the writer process --------------------------------------------------------------
def pane_shows(text: str) -> bool:
    """Whether the Logs pane shows this line: authdaemond, or a pipe line to maildrop."""
    from tui.core.log_sources.log_reader import SHOWN_KINDS
    from tui.core.logs.entry import build_entry
    from tui.core.logs.syslog_line import parse_syslog_line

    line = parse_syslog_line(f"{syslog_stamp(time.time())} {HOST} {text}")
    if line is None:
        return False
    entry = build_entry(message=line.message, tag=line.tag, source="bench",
                        timestamp=line.timestamp, pid=line.pid, cursor=None)
    return entry.kind in SHOWN_KINDS


def writer(path: Path, rate: int, seconds: float) -> None:
    """Append `rate` lines/s for `seconds`, a batch every WRITER_TICK; print what was written."""
    pool = mail_lines(random.Random(2026), 5000)
    bodies = [f" {HOST} {text}\n".encode() for text, _ in pool]
    shows = [pane_shows(text) for text, _ in pool]
    total = int(rate * seconds)
    written = errors = relevant = 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    started = time.monotonic()
    try:
        tick = 0
        while written < total:
            due = min(total, int(rate * (time.monotonic() - started)))
            if due > written:
                stamp = syslog_stamp(time.time()).encode()
                indexes = [(written + i) % len(pool) for i in range(due - written)]
                os.write(fd, b"".join(stamp + bodies[i] for i in indexes))
                errors += sum(pool[i][1] for i in indexes)
                relevant += sum(shows[i] for i in indexes)
                written = due
            tick += 1
            time.sleep(max(0.0, started + tick * WRITER_TICK - time.monotonic()))
    finally:
        os.close(fd)
    elapsed = time.monotonic() - started
    print(json.dumps({"written": written, "seconds": elapsed, "errors": errors,
                      "relevant": relevant}))


# -- follow: the app -------------------------------------------------------------------------
def memory_kib() -> dict[str, int]:
    """USS, PSS and RSS of this process in KiB (smaps_rollup)."""
    fields: dict[str, int] = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            fields[key] = int(value.split()[0])
    return {"uss": fields["Private_Clean"] + fields["Private_Dirty"], "pss": fields["Pss"],
            "rss": fields["Rss"]}


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def mib(kib: float) -> str:
    return f"{kib / 1024:7.1f} MiB"


async def follow_app(path: Path, rate: int, seconds: float) -> None:
    from tui.app.app import AuthlibApp
    from tui.app.widgets.log_view import LogView
    from tui.core.installation import Installation

    shown = 0
    original_add = LogView.add

    def counting_add(view: LogView, batch: Iterable[ShownEntry]) -> None:
        nonlocal shown
        entries = list(batch)
        shown += len(entries)
        original_add(view, entries)

    now = time.time()
    with path.open("w") as log:  # a few recent lines for the backfill: the pane is ready when shown
        seed = mail_lines(random.Random(5), SEED_LINES)
        for text, _ in seed:
            log.write(f"{syslog_stamp(now)} {HOST} {text}\n")
    seed_shown = sum(pane_shows(text) for text, _ in seed)
    LogView.add = counting_add  # type: ignore[method-assign,assignment]
    try:
        installation = Installation.from_flags(
            {"log_files": [str(path)], "socket": "/nonexistent/socket"})
        app = AuthlibApp(installation)
        async with app.run_test(size=SIZE) as pilot:
            loop = asyncio.get_running_loop()
            await pilot.press("2")
            deadline = loop.time() + 15
            while shown < seed_shown and loop.time() < deadline:
                await asyncio.sleep(0.05)
            if shown < seed_shown:
                print(f"WARNING: the pane showed {shown} of {seed_shown} seed lines in 15 s")
            await asyncio.sleep(1.0)  # the follower starts (watchfiles import), first frames
            start_memory = memory_kib()
            samples: list[dict[str, int]] = [start_memory]
            shown_per_second: list[int] = []
            lags: list[float] = []
            running = True

            async def lag_probe() -> None:
                while running:
                    before = loop.time()
                    await asyncio.sleep(LAG_TICK)
                    lags.append(loop.time() - before - LAG_TICK)

            async def sampler() -> None:
                last = shown
                while running:
                    await asyncio.sleep(1.0)
                    samples.append(memory_kib())
                    shown_per_second.append(shown - last)
                    last = shown

            shown_before = shown
            tasks = [asyncio.create_task(lag_probe()), asyncio.create_task(sampler())]
            process = subprocess.Popen(
                [sys.executable, __file__, "--writer", str(path), str(rate), str(seconds)],
                stdout=subprocess.PIPE, text=True,
            )
            write_started = loop.time()
            try:
                while process.poll() is None:
                    await asyncio.sleep(0.05)
            finally:
                if process.poll() is None:  # we were interrupted: do not leave it writing
                    process.kill()
            write_seconds = loop.time() - write_started
            shown_while_writing = shown - shown_before
            lags_writing = list(lags)
            report = json.loads((process.stdout.read() if process.stdout else "").strip())
            written = report["written"]
            relevant = report["relevant"]
            drained_at = loop.time()
            while shown - shown_before < relevant and loop.time() - drained_at < DRAIN_TIMEOUT:
                await asyncio.sleep(0.01)
            drain_seconds = loop.time() - drained_at
            end_memory = memory_kib()
            samples.append(end_memory)
            running = False
            await asyncio.gather(*tasks)
            in_memory = len(app.query_one(LogView).entries)
    finally:
        LogView.add = original_add  # type: ignore[method-assign]

    total_shown = shown - shown_before
    print(f"follow: writer process appends {rate:,} lines/s for {seconds:g} s in "
          f"{WRITER_TICK * 1000:.0f} ms batches; app headless {SIZE[0]}x{SIZE[1]}, Logs pane open")
    print(f"  written  {written:9,} lines in {report['seconds']:.1f} s = "
          f"{written / report['seconds']:8,.0f} lines/s ({report['errors']:,} authdaemond "
          "errors/warnings)")
    per_second = shown_per_second[: max(1, int(write_seconds))]
    print(f"  shown    {shown_while_writing:9,} lines while the writer ran ({write_seconds:.1f} s) "
          f"= {shown_while_writing / write_seconds:8,.0f} lines/s; per 1 s sample min "
          f"{min(per_second, default=0):,} median {statistics.median(per_second or [0]):,.0f} "
          f"max {max(per_second, default=0):,}")
    print(f"           of the {written:,} lines written, {relevant:,} are authdaemond or maildrop "
          f"delivery lines: the ones the pane shows ({relevant / written:.1%}); the rest "
          "(smtpd, qmgr, …) are skipped before parsing")
    if total_shown >= relevant:
        print(f"           all {relevant:,} shown {drain_seconds:.2f} s after the writer stopped; "
              f"{in_memory:,} entries in the view")
    else:
        print(f"           only {total_shown:,} of {relevant:,} shown {DRAIN_TIMEOUT:g} s after "
              f"the writer stopped (shown/relevant = {total_shown / relevant:.3f})")
    lag_ms = [lag * 1000 for lag in lags_writing]
    p99 = percentile(lag_ms, 0.99)
    print(f"  event-loop lag ({LAG_TICK * 1000:.0f} ms sleeper, {len(lag_ms):,} wakes while "
          f"writing): p50 {percentile(lag_ms, 0.5):.1f} ms, p99 {p99:.1f} ms, max "
          f"{max(lag_ms, default=0):.1f} ms")
    worst = max(lag_ms, default=0)
    print(f"lag p99 <= {LAG_TARGET_MS:g} ms: {'met' if p99 <= LAG_TARGET_MS else 'NOT met'}; "
          f"max <= {LAG_MAX_TARGET_MS:g} ms: {'met' if worst <= LAG_MAX_TARGET_MS else 'NOT met'}")
    print(f"  memory (smaps_rollup)  USS start {mib(start_memory['uss'])}  end "
          f"{mib(end_memory['uss'])}  peak {mib(max(s['uss'] for s in samples))}")
    print(f"                         PSS start {mib(start_memory['pss'])}  end "
          f"{mib(end_memory['pss'])}  peak {mib(max(s['pss'] for s in samples))}")
    print(f"  peak RSS (VmHWM) {mib(peak_rss_kib()).strip()}: reference only; the target is "
          "judged on USS/PSS (RSS counts shared and mapped files)")
    growth = (end_memory["uss"] - start_memory["uss"]) / 1024
    print(f"memory growth USS start->end {growth:+.1f} MiB <= +{USS_GROWTH_TARGET_MIB:g} MiB: "
          f"{'met' if growth <= USS_GROWTH_TARGET_MIB else 'NOT met'}")


def follow(rate: int, seconds: float) -> None:
    directory = Path(tempfile.mkdtemp(prefix="authlib-tui-bench-", dir=BENCH_DIR))
    try:  # a directory of its own: the follower watches the whole directory
        asyncio.run(follow_app(directory / "maillog", rate, seconds))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Logs pane benchmarks (see the module doc).")
    # No `choices=` here: argparse rejects an empty list against choices (Python 3.11).
    parser.add_argument("parts", nargs="*", default=[], metavar="{scan,rotated,follow}",
                        help="what to run (default: all three)")
    parser.add_argument("--size-mb", type=int, default=None,
                        help=f"scan: log size in MiB (default {SCAN_BYTES >> 20}); rotated: "
                             f"the week's text (default {ROTATED_BYTES >> 20})")
    parser.add_argument("--rate", type=int, default=FOLLOW_RATE,
                        help=f"follow: lines per second (default {FOLLOW_RATE})")
    parser.add_argument("--seconds", type=float, default=FOLLOW_SECONDS,
                        help=f"follow: how long the writer writes (default {FOLLOW_SECONDS:g})")
    args = parser.parse_args(argv)
    unknown = [part for part in args.parts if part not in ("scan", "rotated", "follow")]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: choose scan, rotated or follow")
    parts = args.parts or ["scan", "rotated", "follow"]
    if "scan" in parts:
        scan(args.size_mb)
    if "rotated" in parts:
        rotated(args.size_mb)
    if "follow" in parts:
        follow(args.rate, args.seconds)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        writer(Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        main(sys.argv[1:])
