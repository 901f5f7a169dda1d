"""Lookup speed: our in-process client vs spawning authtest vs a bare socket round trip.

All three ask the same lab daemon for the same address, in the same run.
authtest runs inside the lab's mount namespace (its socket path is compiled
in), timed from a loop running there too, so nsenter's own cost is not
counted against it. Prints the medians and the ratios; asserts nothing.

    python bench/lookup.py [N]        (root; starts and removes its own lab)
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time

ADDRESS = "foo@domain.com"


def authtest_loop(count: int) -> list[float]:
    """Run inside the lab namespace: time `count` authtest spawns (ms)."""
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        subprocess.run(["/usr/sbin/authtest", ADDRESS], capture_output=True, check=True)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def bare_round_trip(path: str) -> float:
    started = time.perf_counter()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
        raw.connect(path)
        raw.sendall(f"PRE . login {ADDRESS}\n".encode())
        data = b""
        while not data.endswith(b"\n.\n"):
            chunk = raw.recv(4096)
            if not chunk:
                break
            data += chunk
    return (time.perf_counter() - started) * 1000


def main(count: int) -> None:
    from tui.core.authdaemon.outcome import Outcome
    from tui.lab.lab import Lab

    lab = Lab.create()
    try:
        lab.wait_found()
        client = lab.client()
        path = str(lab.socket_path)
        for _ in range(20):  # warm up every worker's DB connection
            client.lookup(ADDRESS)
        ours, bare = [], []
        for _ in range(count):  # interleaved, so drift hits both alike
            started = time.perf_counter()
            result = client.lookup(ADDRESS)
            ours.append((time.perf_counter() - started) * 1000)
            assert result.outcome is Outcome.FOUND
            bare.append(bare_round_trip(path))
        completed = subprocess.run(
            ["nsenter", "-t", str(lab.state.holder_pid), "-m", "--",
             sys.executable, __file__, "--authtest-loop", str(count)],
            capture_output=True, text=True, check=True,
        )
        spawned = json.loads(completed.stdout)
    finally:
        lab.down()
    m_ours, m_bare, m_authtest = (statistics.median(x) for x in (ours, bare, spawned))
    print(f"lookups: {count} each, address {ADDRESS}, same lab daemon")
    print(f"  authlib-tui client (in-process) median {m_ours:8.3f} ms")
    print(f"  bare socket round trip          median {m_bare:8.3f} ms")
    print(f"  authtest (spawned)              median {m_authtest:8.3f} ms")
    print(f"ratio authtest / ours   = {m_authtest / m_ours:6.1f}x faster   (target >= 5x)")
    print(f"ratio ours / bare socket = {m_ours / m_bare:6.2f}x          (target <= 1.5x)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--authtest-loop":
        print(json.dumps(authtest_loop(int(sys.argv[2]))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
