"""Follow: a line's way from the writer to the follower, ours against `tail -F`.

Each round appends one syslog line to a plain file and takes the time until our
FileFollower (on its own thread, as the app runs it) delivers it and until `tail -F -n0`
(GNU coreutils, inotify too) prints it, read from its pipe on a thread of this process.
Both see the same line, so drift and load hit both. Then both sit idle for a few
seconds and their CPU time is read: the follower thread's own clock, tail's
/proc/PID/stat. Prints the median and p95 of each, their ratios, and whether the goals
are met. Asserts nothing; the file is removed.

    .venv/bin/python bench/follow.py [ROUNDS] [--idle SECONDS]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.core.logs.entry import LogEntry
from tui.core.logs.file_source import FileFollower

# inotify wakes both; ours then waits for the write burst to end (watchfiles' step) so
# that a burst is read at once, which tail does not. The goal: p95 no more than 100 ms
# behind tail, about what a person still sees as at once.
P95_TARGET_EXTRA_MS = 100.0
IDLE_TARGET_MS_PER_S = 5.0  # CPU an idle follower may use per second
TICK_S = os.sysconf("SC_CLK_TCK")


def _line(round_no: int) -> bytes:
    return f"Dec  7 10:00:00 mx authdaemond: bench round {round_no}\n".encode()


class Arrivals:
    """When each round's line arrived at one reader."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.ready = threading.Condition()

    def arrived(self, text: str) -> None:
        if "bench round " not in text:
            return
        number = int(text.rsplit("bench round ", 1)[1].split()[0])
        with self.ready:
            self.at.setdefault(number, time.monotonic())
            self.ready.notify_all()

    def wait(self, number: int, timeout: float = 10.0) -> float:
        with self.ready:
            if not self.ready.wait_for(lambda: number in self.at, timeout):
                raise SystemExit(f"round {number}: the line never arrived")
            return self.at[number]


def _tail_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S  # utime, stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=60)
    parser.add_argument("--idle", type=float, default=5.0, help="idle seconds measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="authlib-tui-follow-") as directory:
        log = Path(directory) / "maillog"
        log.write_bytes(b"")
        ours, theirs = Arrivals(), Arrivals()
        follower = FileFollower(log)
        follower.start_at_end()
        stop = threading.Event()

        def deliver(entries: list[LogEntry]) -> None:
            for entry in entries:
                ours.arrived(entry.message)

        thread = threading.Thread(target=follower.follow, args=(deliver, stop), daemon=True)
        thread.start()
        tail = subprocess.Popen(["tail", "-F", "-n0", str(log)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        assert tail.stdout is not None
        stdout = tail.stdout

        def read_tail() -> None:
            for raw in iter(stdout.readline, b""):
                theirs.arrived(raw.decode(errors="replace"))

        threading.Thread(target=read_tail, daemon=True).start()
        # Warm-up: both are watching once a line reaches both.
        with log.open("ab", buffering=0) as writer:
            writer.write(_line(0))
            ours.wait(0)
            theirs.wait(0)
            lag_ours: list[float] = []
            lag_tail: list[float] = []
            for number in range(1, args.rounds + 1):
                written = time.monotonic()
                writer.write(_line(number))
                lag_ours.append((ours.wait(number) - written) * 1000)
                lag_tail.append((theirs.wait(number) - written) * 1000)
                time.sleep(0.02)  # pacing between rounds, outside what is measured
        assert thread.ident is not None
        thread_clock = time.pthread_getcpuclockid(thread.ident)
        ours_before, tail_before = time.clock_gettime(thread_clock), _tail_cpu_s(tail.pid)
        time.sleep(args.idle)  # the idle period itself is what is measured
        ours_idle = (time.clock_gettime(thread_clock) - ours_before) * 1000 / args.idle
        tail_idle = (_tail_cpu_s(tail.pid) - tail_before) * 1000 / args.idle
        stopped = time.monotonic()
        stop.set()
        thread.join(timeout=5)
        stop_ms = (time.monotonic() - stopped) * 1000
        tail.kill()
        tail.wait()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]

    o50, t50 = statistics.median(lag_ours), statistics.median(lag_tail)
    print(f"follow latency over {args.rounds} lines (ms): ours p50 {o50:.1f} p95 "
          f"{p95(lag_ours):.1f}; tail -F p50 {t50:.1f} p95 {p95(lag_tail):.1f}")
    print(f"ratio ours / tail -F: p50 {o50 / max(t50, 0.01):.1f}x, p95 "
          f"{p95(lag_ours) / max(p95(lag_tail), 0.01):.1f}x")
    extra = p95(lag_ours) - p95(lag_tail)
    print(f"p95 behind tail -F by {extra:.1f} ms <= {P95_TARGET_EXTRA_MS:g} ms: "
          f"{'met' if extra <= P95_TARGET_EXTRA_MS else 'NOT met'}")
    print(f"idle CPU: ours {ours_idle:.2f} ms/s, tail -F {tail_idle:.2f} ms/s (tick "
          f"{1000 / TICK_S:g} ms); ours <= {IDLE_TARGET_MS_PER_S:g} ms/s: "
          f"{'met' if ours_idle <= IDLE_TARGET_MS_PER_S else 'NOT met'}")
    print(f"stop: follow returned {stop_ms:.0f} ms after stop was set")


if __name__ == "__main__":
    main()
