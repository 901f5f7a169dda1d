"""A diagnosis for machines: the monitoring-plugin line, JSON and Prometheus textfile format.

The formats follow what fleets already run: Nagios/Icinga read the exit code
and the first line (`AUTHLIB CRITICAL - …`), node_exporter's textfile collector
reads `*.prom` files. Nothing here prints a secret: findings and evidence were
masked where they were made.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from enum import IntEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tui.core.authdaemon.outcome import Outcome
from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import HEALTHY, Diagnosis
from tui.core.checks.result import CheckResult, Status
from tui.core.safe_files import PRIVATE_FILE_MODE, write_file
from tui.core.safe_text import safe_text


class PluginStatus(IntEnum):
    """The monitoring-plugin exit codes."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


_CHECK_VALUE = {Status.OK: 0, Status.SKIP: 0, Status.WARN: 1, Status.FAIL: 2}


def package_version() -> str:
    try:
        return version("authlib-tui")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class CheckRun:
    """A finished `check`: the diagnosis, or why there is none (`unknown`)."""

    diagnosis: Diagnosis | None
    context: CheckContext
    seconds: float
    unknown: str = ""  # why the run could not finish (e.g. a hanging daemon)

    @property
    def status(self) -> PluginStatus:
        if self.diagnosis is None:
            return PluginStatus.UNKNOWN
        if self.diagnosis.status is Status.FAIL:
            return PluginStatus.CRITICAL
        if self.diagnosis.status is Status.WARN:
            return PluginStatus.WARNING
        return PluginStatus.OK

    @property
    def diagnosis_id(self) -> str:
        return self.diagnosis.id if self.diagnosis is not None else "unknown"

    @property
    def results(self) -> tuple[CheckResult, ...]:
        return self.diagnosis.results if self.diagnosis is not None else ()


def summary_line(run: CheckRun) -> str:
    if run.diagnosis is None:
        return f"AUTHLIB UNKNOWN - {run.unknown}"
    if run.diagnosis.id == HEALTHY:
        return f"AUTHLIB OK - healthy: every check passed ({run.seconds:.1f} s)"
    return f"AUTHLIB {run.status.name} - {run.diagnosis.id}: {run.diagnosis.headline}"


def as_text(run: CheckRun) -> str:
    """For a terminal: log-derived evidence may carry escape sequences, so all is sanitised."""
    lines = [summary_line(run)]
    for result in run.results:
        lines.append(f"[{result.status.value.upper():4}] {result.id}: {result.finding}")
    fix = run.diagnosis.fix if run.diagnosis is not None else None
    if fix is not None:
        lines.append(f"fix: {fix.why}")
        lines += [f"  $ {command}" for command in fix.commands]
        if fix.refusal:
            lines.append(f"  (not to be run as it is: {fix.refusal})")
        lines += [f"  {line}" for line in fix.diff.splitlines()]
    return "\n".join(safe_text(line, 2000) for line in lines) + "\n"


def _result_json(result: CheckResult) -> dict[str, object]:
    fix = result.fix
    return {
        "id": result.id,
        "status": result.status.value,
        "finding": result.finding,
        "evidence": list(result.evidence),
        "fix": None if fix is None else {"why": fix.why, "commands": list(fix.commands),
                                         "diff": fix.diff},
    }


@dataclass(frozen=True)
class QueueFigures:
    """The mail side of a run: None where the run could not see it (no Postfix, no log)."""

    deferred_authlib: int | None
    oldest_seconds: float | None
    bounced_last_hour: int | None


def queue_figures(context: CheckContext) -> QueueFigures:
    """What the delivery checks measured; never measures anything itself."""
    postfix = context.measured_postfix
    if postfix is None:
        return QueueFigures(None, None, None)
    measured = postfix.__dict__  # cached_property values: only what a check already read
    queue = measured.get("queue")
    bounces = measured.get("bounces")
    deferred = queue.deferred_authlib if queue is not None and queue.ok else None
    oldest = (queue.oldest_seconds or 0.0) if deferred is not None and queue is not None else None
    bounced = bounces.count if bounces is not None and bounces.known else None
    return QueueFigures(deferred, oldest, bounced)


def as_json(run: CheckRun) -> str:
    figures = queue_figures(run.context)
    document = {
        "status": run.status.name,
        "diagnosis": run.diagnosis_id,
        "summary": summary_line(run),
        "checks": [_result_json(result) for result in run.results],
        "queue": {"deferred_authlib": figures.deferred_authlib,
                  "oldest_seconds": figures.oldest_seconds,
                  "bounced_last_hour": figures.bounced_last_hour},
        "host": socket.gethostname(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "version": package_version(),
    }
    return json.dumps(document, indent=2) + "\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def as_prometheus(run: CheckRun) -> str:
    """node_exporter textfile format; gauges only, each with HELP and TYPE."""
    metrics: list[tuple[str, str, list[tuple[str, float]]]] = []
    context = run.context
    probe = context.measured_probe  # only what the run measured: never measure here
    pool = context.measured_pool
    up = 1.0 if probe is not None and probe.outcome in (Outcome.FOUND, Outcome.NOT_FOUND) else 0.0
    metrics.append(("authlib_up", "1 if authdaemond answered a lookup", [("", up)]))
    metrics.append(("authlib_status", "monitoring-plugin status: 0 OK, 1 WARNING, 2 CRITICAL, "
                    "3 UNKNOWN", [("", float(run.status))]))
    metrics.append(("authlib_diagnosis", "1 for the diagnosis of this run",
                    [(f'diagnosis="{_label(run.diagnosis_id)}"', 1.0)]))
    if pool is not None:
        if pool.configured is not None:
            metrics.append(("authlib_workers_configured", "daemons= in authdaemonrc",
                            [("", float(pool.configured))]))
        metrics.append(("authlib_workers_alive", "authdaemond worker processes",
                        [("", float(pool.alive))]))
        if pool.busy is not None:
            metrics.append(("authlib_workers_busy", "workers holding a client connection",
                            [("", float(pool.busy))]))
        if pool.queued is not None:
            metrics.append(("authlib_queue_depth", "connections waiting for a worker",
                            [("", float(pool.queued))]))
    figures = queue_figures(context)
    if figures.deferred_authlib is not None:
        metrics.append(("authlib_queue_deferred",
                        "messages deferred with a maildrop/authlib reason (postqueue -j)",
                        [("", float(figures.deferred_authlib))]))
        metrics.append(("authlib_queue_oldest_seconds",
                        "age of the oldest such message, 0 when there is none",
                        [("", figures.oldest_seconds or 0.0)]))
    if figures.bounced_last_hour is not None:
        metrics.append(("authlib_bounced_last_hour",
                        "messages the maildrop transport bounced in the last hour (lost mail)",
                        [("", float(figures.bounced_last_hour))]))
    if probe is not None:
        metrics.append(("authlib_probe_latency_seconds", "one lookup of the probe address",
                        [("", probe.latency_ms / 1000)]))
    metrics.append(("authlib_check_status", "per check: 0 ok or skipped, 1 warning, 2 failed",
                    [(f'check="{_label(r.id)}"', float(_CHECK_VALUE[r.status]))
                     for r in run.results]))
    metrics.append(("authlib_check_duration_seconds", "how long this run took",
                    [("", run.seconds)]))
    lines: list[str] = []
    for name, help_text, samples in metrics:
        if not samples:
            continue
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        lines += [f"{name}{{{labels}}} {value:g}" if labels else f"{name} {value:g}"
                  for labels, value in samples]
    return "\n".join(lines) + "\n"


# A textfile collector (node_exporter) reads `check -o` as its own user, not as root.
COLLECTOR_FILE_MODE = 0o644


def write_atomically(path: Path, text: str, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write next to `path`, then rename: a reader never sees a half-written file.

    Private (0600) unless the caller passes a mode, whatever the umask; a destination
    that is a symbolic link is refused, never written through (see safe_files).
    """
    write_file(path, text, mode=mode)
