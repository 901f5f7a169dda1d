"""Trace: one recipient's story from a week of a busy server's rotated logs, against zgrep.

Builds (once; reused between runs) a week of logs as Debian's logrotate leaves
them under /var/tmp/authlib-tui-bench-trace-<MiB>/: mail.log plain, mail.log.1
… mail.log.6 gzipped at gzip's default level (six of seven files `.gz`),
about 1 GiB of text in all. Each day is a busy server's mix in time order:
whole Postfix message flows (smtpd connect/client/disconnect, cleanup's
message-id, qmgr's from and removed, a pipe to maildrop or an smtp relay),
smtpd rejects, courier imapd/pop3d logins and authdaemond's debug lines, each
message with a queue ID of its own. The traced recipient gets a few messages a
day among many thousands; one of them is deferred by a wrong database
password (authdaemond's two lines in the same second), then delivered after
the fix.

With the page cache warm it times, in a child process each run, the trace of
that recipient (`trace_history` over the rotation set, as `authlib-tui trace`
reads it) against `zgrep -F RECIPIENT FILES | cat` on the same files (the pipe
to cat: grep stops early when its output is /dev/null); 3 runs each,
alternating who goes first. The trace's child reports its USS and PSS
(/proc/self/smaps_rollup, Private_Clean + Private_Dirty, and Pss) before the
trace and the peak of 10 ms samples while it runs: flat memory means the peak
does not grow with the logs (try --size-mb 64 against the default). Asserts
nothing; prints whether the ratio meets the goal and whether the trace found
the story (every message, both attempts of the deferred one, its cause).

    .venv/bin/python bench/trace.py [--size-mb N] [--clean]

--clean removes the generated logs (of that size) and exits.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path("/var/tmp")
DEFAULT_MIB = 1024
DAYS = 7
RUNS = 3
TARGET_RATIO = 1.3
RECIPIENT = "info@customer-shop.example"
PER_DAY = 4  # messages to the traced recipient each day
HOST = "mx1"
READY = "ready"  # the marker file: the week was written whole
USERS = 20_000
DOMAINS = ("example.com", "example.org", "shop.example.net", "mail.example.de",
           "hosting.example", "customer.example")


def _qid(rng: random.Random) -> str:
    return "".join(rng.choices("0123456789ABCDEF", k=11))


def _address(rng: random.Random) -> str:
    return f"user{rng.randrange(USERS)}@{rng.choice(DOMAINS)}"


def _ip(rng: random.Random) -> str:
    return f"203.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _stamp(moment: float) -> str:
    return time.strftime("%b %e %H:%M:%S", time.localtime(moment))


def _flow(rng: random.Random, moment: float, recipient: str, *,
          deferred_by_password: bool = False) -> list[tuple[float, str]]:
    """One message's lines, from smtpd's connect to qmgr's removed."""
    qid, client, sender = _qid(rng), f"mail-{rng.randint(1, 999)}.senders.example[{_ip(rng)}]", \
        _address(rng)
    smtpd, cleanup, qmgr = (f"postfix/{name}[{rng.randint(300, 65000)}]"
                            for name in ("smtpd", "cleanup", "qmgr"))
    pipe = f"postfix/pipe[{rng.randint(300, 65000)}]"
    lines = [
        (moment, f"{smtpd}: connect from {client}"),
        (moment, f"{smtpd}: {qid}: client={client}"),
        (moment + 0.1, f"{cleanup}: {qid}: message-id=<{rng.randrange(10**12)}.{qid}"
                       "@senders.example>"),
        (moment + 0.1, f"{qmgr}: {qid}: from=<{sender}>, size={rng.randint(900, 90000)}, "
                       "nrcpt=1 (queue active)"),
        (moment + 0.2, f"{smtpd}: disconnect from {client} ehlo=1 mail=1 rcpt=1 data=1 quit=1 "
                       "commands=5"),
    ]
    local = rng.random() < 0.7 or recipient == RECIPIENT
    if deferred_by_password:
        lines += [
            (moment + 0.2, "authdaemond: PGSQL_CONNECTION could not be established"),
            (moment + 0.2, 'authdaemond: connection to server at "127.0.0.1", port 5432 '
                           'failed: FATAL:  password authentication failed for user "mail"'),
            (moment + 0.2, f"{pipe}: {qid}: to=<{recipient}>, relay=vmaildrop, delay=0.1, "
                           "delays=0.05/0.01/0/0.04, dsn=4.3.0, status=deferred (temporary "
                           "failure. Command output: /usr/bin/maildrop: Temporary "
                           "authentication failure. )"),
            (moment + 900, f"{qmgr}: {qid}: from=<{sender}>, size=4000, nrcpt=1 (queue active)"),
            (moment + 900, f"{pipe}: {qid}: to=<{recipient}>, relay=vmaildrop, delay=900, "
                           "delays=900/0/0/0.04, dsn=2.0.0, status=sent (delivered via "
                           "vmaildrop service)"),
            (moment + 900, f"{qmgr}: {qid}: removed"),
        ]
        return lines
    if local:
        lines.append((moment + 0.3, f"{pipe}: {qid}: to=<{recipient}>, relay=vmaildrop, "
                                    f"delay=0.{rng.randint(1, 9)}, delays=0.05/0.01/0/0.04, "
                                    "dsn=2.0.0, status=sent (delivered via vmaildrop service)"))
    else:
        lines.append((moment + 0.8, f"postfix/smtp[{rng.randint(300, 65000)}]: {qid}: "
                                    f"to=<{recipient}>, relay=mx.example.net[{_ip(rng)}]:25, "
                                    "delay=0.8, delays=0.1/0/0.3/0.4, dsn=2.0.0, status=sent "
                                    "(250 2.0.0 Ok)"))
    lines.append((moment + 1.0, f"{qmgr}: {qid}: removed"))
    return lines


def _noise(rng: random.Random, moment: float) -> tuple[float, str]:
    """A line that is not a message's: rejects, IMAP/POP logins, authdaemond's debug lines."""
    pick = rng.random()
    if pick < 0.3:
        return moment, (f"postfix/smtpd[{rng.randint(300, 65000)}]: NOQUEUE: reject: RCPT from "
                        f"unknown[{_ip(rng)}]: 554 5.7.1 <{_address(rng)}>: Relay access "
                        f"denied; from=<{_address(rng)}> to=<{_address(rng)}> proto=ESMTP "
                        "helo=<senders.example>")
    if pick < 0.6:
        return moment, (f"imapd: LOGIN, user={_address(rng)}, ip=[::ffff:{_ip(rng)}], "
                        f"port=[{rng.randint(1024, 65000)}], protocol=IMAP")
    if pick < 0.8:
        return moment, (f"pop3d: LOGOUT, user={_address(rng)}, ip=[::ffff:{_ip(rng)}], top=0, "
                        "retr=0, rcvd=12, sent=46, time=1")
    return moment, f"authdaemond: received userid lookup request: {_address(rng)}"


def write_day(path: Path, start: float, size: int, rng: random.Random, *,
              deferral_day: bool) -> tuple[int, int]:
    """One day's log of about `size` bytes; (bytes, messages to the traced recipient)."""
    average_flow = 980  # bytes of a flow and its share of noise, measured on this mix
    flows = max(PER_DAY * 2, size // average_flow)
    step = 86400.0 / flows
    ours = set(rng.sample(range(flows), PER_DAY))
    deferred = min(ours) if deferral_day else -1
    written = traced = 0
    with path.open("wb") as out:
        pending: list[tuple[float, str]] = []  # later lines of flows, in time order
        for index in range(flows):
            moment = start + index * step
            recipient = RECIPIENT if index in ours else _address(rng)
            traced += recipient == RECIPIENT
            lines = _flow(rng, moment, recipient, deferred_by_password=index == deferred)
            lines.append(_noise(rng, moment + 0.5))
            pending.extend(lines)
            pending.sort(key=lambda line: line[0])
            due = [line for line in pending if line[0] <= moment + step]
            pending = pending[len(due):]
            block = "".join(f"{_stamp(at)} {HOST} {text}\n" for at, text in due).encode()
            out.write(block)
            written += len(block)
        block = "".join(f"{_stamp(at)} {HOST} {text}\n" for at, text in pending).encode()
        out.write(block)
        written += len(block)
    return written, traced


def week_dir(size_mib: int) -> Path:
    return BENCH_DIR / f"authlib-tui-bench-trace-{size_mib}"


def build_week(size_mib: int) -> tuple[list[Path], int, int]:
    """The week's files (live first), written unless a whole earlier run left them."""
    directory = week_dir(size_mib)
    files = [directory / "mail.log", *(directory / f"mail.log.{n}{'.gz' if n else ''}"
                                       for n in range(1, DAYS))]
    marker = directory / READY
    if marker.exists():
        written, traced = (int(word) for word in marker.read_text().split())
        return files, written, traced
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    rng = random.Random(2026)
    first_day = time.mktime((2026, 11, 23, 0, 0, 0, 0, 0, -1))
    written = traced = 0
    started = time.monotonic()
    for day in range(DAYS):  # oldest first: mail.log.6.gz is day 0
        number = DAYS - 1 - day
        plain = directory / f"day{day}.txt"
        size, ours = write_day(plain, first_day + day * 86400, (size_mib << 20) // DAYS, rng,
                               deferral_day=day == DAYS - 2)
        written, traced = written + size, traced + ours
        if number == 0:
            plain.rename(files[0])
            continue
        with plain.open("rb") as source, gzip.open(files[number], "wb", compresslevel=6) as out:
            shutil.copyfileobj(source, out, 4 << 20)
        plain.unlink()
    marker.write_text(f"{written} {traced}\n")
    print(f"wrote the week in {time.monotonic() - started:.0f} s")
    return files, written, traced


def warm(files: list[Path]) -> None:
    for path in files:
        with path.open("rb", buffering=0) as handle:
            while handle.read(16 << 20):
                pass


def time_zgrep(files: list[Path]) -> tuple[float, int]:
    command = (f"zgrep -F {shlex.quote(RECIPIENT)} "
               + " ".join(shlex.quote(str(path)) for path in files) + " | cat")
    started = time.perf_counter()
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, check=True)
    return time.perf_counter() - started, done.stdout.count(b"\n")


_CHILD = r"""
import json, sys, threading, time
from pathlib import Path

def memory():
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            fields[key] = int(value.split()[0])
    return fields["Private_Clean"] + fields["Private_Dirty"], fields["Pss"]

from tui.core.trace.history import HistoryStart, file_history, merged
from tui.core.trace.prefilter import Prefilter
from tui.core.trace.query import parse_query
from tui.core.trace.retry_clock import RetryRules
from tui.core.trace.trace import trace_history

before = memory()
peak = list(before)
running = True
def sample():
    while running:
        uss, pss = memory()
        peak[0], peak[1] = max(peak[0], uss), max(peak[1], pss)
        time.sleep(0.01)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
started = time.perf_counter()
query = parse_query(sys.argv[2])
prefilter = Prefilter(query) if sys.argv[3] == "prefilter" else None
lines = merged([file_history(Path(sys.argv[1]), lambda p, e: None, prefilter)], HistoryStart())
traced = trace_history(query, lines, queue=None, rules=RetryRules())
seconds = time.perf_counter() - started
running = False
sampler.join()
print(json.dumps({
    "seconds": seconds, "uss_before": before[0], "pss_before": before[1],
    "uss_peak": peak[0], "pss_peak": peak[1], "messages": len(traced),
    "statuses": [[a.status for a in item.attempts] for item in traced],
    "causes": [[a.cause for a in item.attempts if a.cause] for item in traced],
    "states": [item.verdict.state for item in traced],
}))
"""


def time_trace(live: Path, how: str = "prefilter") -> dict[str, object]:
    """The trace in a child of its own (memory measured alone); `how`: "prefilter", as
    `authlib-tui trace` reads files, or "every-line" (each line parsed)."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(live), RECIPIENT, how],
                          capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def mib(kib: object) -> str:
    return f"{float(kib) / 1024:6.1f} MiB"  # type: ignore[arg-type]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="trace against zgrep (see the module doc)")
    parser.add_argument("--size-mb", type=int, default=DEFAULT_MIB,
                        help=f"the week's text in MiB (default {DEFAULT_MIB})")
    parser.add_argument("--clean", action="store_true", help="remove the generated logs")
    args = parser.parse_args(argv)
    if args.clean:
        shutil.rmtree(week_dir(args.size_mb), ignore_errors=True)
        print(f"removed {week_dir(args.size_mb)}")
        return
    files, written, traced = build_week(args.size_mb)
    on_disk = sum(path.stat().st_size for path in files)
    warm(files)
    times: dict[str, list[float]] = {"trace": [], "zgrep": []}
    results: list[dict[str, object]] = []
    grep_lines: set[int] = set()
    for index in range(RUNS):
        for kind in (("trace", "zgrep") if index % 2 == 0 else ("zgrep", "trace")):
            if kind == "trace":
                result = time_trace(files[0])
                results.append(result)
                times["trace"].append(float(result["seconds"]))  # type: ignore[arg-type]
            else:
                seconds, count = time_zgrep(files)
                times["zgrep"].append(seconds)
                grep_lines.add(count)
    ours, zgrep = statistics.median(times["trace"]), statistics.median(times["zgrep"])
    ratio = ours / zgrep
    print(f"trace: a week, mail.log plain + mail.log.1 … .{DAYS - 1}.gz; "
          f"{written / 2**20:.0f} MiB of text ({on_disk / 2**20:.0f} MiB on disk); "
          f"{traced} messages to {RECIPIENT}; page cache warm; median of {RUNS}, alternating")
    print("  trace_history             " + f"{ours:7.3f} s   runs: "
          + " ".join(f"{t:.3f}" for t in times["trace"]))
    print("  zgrep -F RECIPIENT | cat  " + f"{zgrep:7.3f} s   runs: "
          + " ".join(f"{t:.3f}" for t in times["zgrep"]) + f"   ({sorted(grep_lines)} lines)")
    print(f"ratio trace / zgrep = {ratio:.2f}x   (goal <= {TARGET_RATIO:g}x: "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})")
    last = results[-1]
    print(f"  memory of the trace's process: USS {mib(last['uss_before'])} before, peak "
          f"{mib(last['uss_peak'])}; PSS {mib(last['pss_before'])} before, peak "
          f"{mib(last['pss_peak'])}")
    statuses = last["statuses"]
    assert isinstance(statuses, list)
    both = [s for s in statuses if s == ["deferred", "sent"]]
    causes = [c for c in last["causes"] if c]  # type: ignore[attr-defined]
    story = (last["messages"] == traced and len(both) == 1
             and causes == [["db-password-wrong"]])
    print(f"story: {last['messages']} messages traced of {traced}; deferred then delivered: "
          f"{len(both)}; causes {causes}: {'whole' if story else 'WRONG'}")


if __name__ == "__main__":
    main(sys.argv[1:])
