"""Overview: the latest authdaemond errors, what the config linter finds, what was discovered.

Each finding is a line you can select: Enter takes you to the pane that deals with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.app.formatting import age
from tui.app.messages import HopChosen, ShowPane
from tui.app.panes.pane import PaneBase, PaneHost
from tui.app.text import plain, styled
from tui.app.text_roles import (
    ACCENT,
    DIM,
    LABEL,
    NOTE,
    OK,
    SEVERITY_ROLE,
)
from tui.app.widgets.stale_line import StaleLine
from tui.app.widgets.xray_chain import XrayChain
from tui.app.worker_failure import SaysWorkerFailures
from tui.core.findings import Finding

if TYPE_CHECKING:  # the rest is imported by the worker and the handlers that use it
    from collections.abc import Callable

    from tui.core.installation import Installation
    from tui.core.log_sources.recent_errors import RecentErrors
    from tui.core.monitor.observations import Observation

# Which pane deals with a finding, by id prefix; the wizard by default.
_PANE_FOR_PREFIX = (
    ("access.", "overview"),
    ("discovery.", "overview"),
    ("settings.", "overview"),
    ("authdaemonrc-unreadable", "overview"),
    ("authpgsqlrc-unreadable", "overview"),
    ("daemons", "workers"),
    ("debug-", "logs"),
    ("line-too-long", "logs"),
)


NEWLINE = Content("\n")
RECENT_SHOWN = 5  # the newest errors listed under the chain


def pane_for(finding: Finding) -> str:
    for prefix, pane in _PANE_FOR_PREFIX:
        if finding.id.startswith(prefix):
            return pane
    return "wizard"


@dataclass(frozen=True)
class OverviewData:
    installation: Installation
    findings: list[Finding]
    log_setup: str


class OverviewPane(PaneBase, SaysWorkerFailures, VerticalScroll):
    """Recent errors, config findings and discovery; filled by a background worker."""

    components = ("health",)
    # The health run's read of the log (the strip's last error is its newest entry, so both
    # say the same); each new read redraws the list.
    recent: var[RecentErrors | None] = var(None, always_update=True, init=False)

    @dataclass
    class Loaded(Message):
        """The worker read discovery, the configs and the log set-up."""

        data: OverviewData

    def __init__(self, installation: Installation,
                 installation_now: Callable[[bool], Installation] | None = None) -> None:
        super().__init__(classes="pane-body", id="overview-pane")
        self.installation = installation
        # Where a reload reads the installation: the monitor's, in the app.
        self._installation_now = installation_now or (lambda _fresh: installation.refreshed())
        self._fresh = False  # the next load reads it again (r)
        self._findings: list[Finding] = []
        self.stale = StaleLine(id="overview-stale")  # what failed (health, overview)

    @classmethod
    def build(cls, host: PaneHost) -> OverviewPane:
        return cls(host.installation, host.installation_now)

    @classmethod
    def observes(cls) -> tuple[type[Observation], ...]:
        from tui.core.monitor.observations import ChecksRan, HealthSampled

        return (HealthSampled, ChecksRan)

    def take(self, observation: Observation) -> None:
        from tui.core.monitor.observations import ChecksRan, HealthSampled

        if isinstance(observation, HealthSampled):
            self.recent = observation.snapshot.recent
        elif isinstance(observation, ChecksRan):
            self.query_one(XrayChain).hops = observation.hops

    def compose(self) -> ComposeResult:
        yield self.stale
        yield Static(styled(("The chain", LABEL), ("  (← → a hop, enter: its evidence)",
                                                      DIM)), classes="section-title",
                     id="xray-title")
        yield XrayChain(id="xray")
        # Then what authdaemond just complained about.
        yield Static(styled(("Latest authdaemond errors", LABEL)), classes="section-title")
        yield Static("…", id="overview-errors")
        yield Static(styled(("Config and access findings", LABEL),
                            ("  (enter: go to the pane that deals with it)", DIM)),
                     classes="section-title")
        yield OptionList(id="overview-findings")
        yield Static(styled(("Discovered", LABEL)), classes="section-title")
        yield Static("…", id="overview-discovered")

    def mounted(self) -> None:
        self._draw_recent()
        self.call_after_refresh(self._load)  # the first frame first (see AuthlibApp.on_mount)

    def reload(self) -> None:
        """Read it all again (r): the installation too, not the monitor's latest."""
        self._fresh = True
        self._load()

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False,
          description="Reading discovery, configs and logs")
    def _load(self) -> None:
        from tui.core.log_sources.sources import log_setup_of

        fresh, self._fresh = self._fresh, False
        installation = self._installation_now(fresh)
        findings = [*installation.discovery.access, *installation.config_findings(),
                    *installation.settings.problems, *installation.discovery.problems]
        logs = log_setup_of(installation)  # probes the journal: here, not on the UI thread
        self.post_message(self.Loaded(OverviewData(installation, findings, logs)))

    failing_groups = ("overview",)

    def worker_failed(self, group: str, sentence: str) -> None:
        self.show_failure("overview", sentence)

    def show_failure(self, component: str, sentence: str | None) -> None:
        """Say what failed above the chain; None clears it (the component worked again)."""
        self.stale.set(component, sentence)

    def on_overview_pane_loaded(self, message: Loaded) -> None:
        self._show(message.data)

    def _show(self, data: OverviewData) -> None:
        self.show_failure("overview", None)
        self.installation = data.installation
        discovery = data.installation.discovery
        layout = discovery.layout.value
        rc = data.installation.authdaemonrc
        modules = " ".join(rc.module_list) if rc else "?"
        daemons = rc.daemons if rc and rc.daemons is not None else "?"
        processes = discovery.processes
        running = (
            f"{len(processes.worker_pids)} workers (parent {processes.parent_pid})"
            if processes.running else "no authdaemond process"
        )
        rows = [
            ("layout", layout.label if layout else "unknown", discovery.layout.source),
            ("config dir", discovery.conf_dir.value or "not found", discovery.conf_dir.source),
            ("socket", discovery.socket.value or "not found", discovery.socket.source),
            ("unit", discovery.unit.value or "none", discovery.unit.source),
            ("logs", data.log_setup, ""),
            ("modules", modules, "authmodulelist"),
            ("daemons=", daemons, running),
        ]
        lines = [
            styled((f"{label:>11} ", LABEL), value, (f"  ({source})" if source else "", DIM))
            for label, value, source in rows
        ]
        self.query_one("#overview-discovered", Static).update(NEWLINE.join(lines))
        self._findings = data.findings
        options = self.query_one("#overview-findings", OptionList)
        options.clear_options()
        if not data.findings:
            options.add_option(Option(styled(("✓ no findings", OK)), disabled=True))
        for index, finding in enumerate(data.findings):
            options.add_option(Option(
                styled((f"{finding.severity.value.upper():7} ", SEVERITY_ROLE[finding.severity]),
                       finding.message, (f"  [{finding.where}]" if finding.where else "", DIM),
                       (f" Fix: {finding.fix}" if finding.fix else "", NOTE),
                       (f"  → {pane_for(finding)}", ACCENT)),
                id=f"finding-{index}",
            ))

    def watch_recent(self) -> None:
        self._draw_recent()

    def _draw_recent(self) -> None:
        recent = self.recent
        if recent is None:
            return  # "…" until the first health run
        errors = recent.errors[-RECENT_SHOWN:]
        if errors:
            text = NEWLINE.join([
                styled((f"{age(error.line.timestamp) if error.line.timestamp else '?':>7} ago  ",
                        DIM), (f"{error.signature.id}: ", LABEL), error.line.message)
                for error in errors
            ])
        elif recent.unreadable:
            text = NEWLINE.join([plain(f"{path}: {reason}")
                                 for path, reason in recent.unreadable.items()])
        else:
            text = plain("none in " + (recent.read_from or "any log"))
        self.query_one("#overview-errors", Static).update(text)

    def home_widget(self) -> Widget:
        return self.query_one("#overview-findings", OptionList)

    def on_xray_chain_sampled(self, message: XrayChain.Sampled) -> None:
        when = f"  sampled {age(message.sampled_at)} ago" if message.sampled_at else ""
        self.query_one("#xray-title", Static).update(styled(
            ("The chain", LABEL), (f"{when} (← → a hop, enter: its evidence)", DIM)))

    def on_hop_chosen(self, message: HopChosen) -> None:
        from tui.app.screens.hop_screen import HopScreen
        from tui.core.xray import hop_of_step

        recent = self.recent.errors if self.recent is not None else []
        lines = [f"{error.signature.id}: {error.line.message}" for error in recent
                 if hop_of_step(error.signature.wizard_step) == message.hop.id]
        self.app.push_screen(HopScreen(message.hop, lines))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id and event.option_id.startswith("finding-"):
            finding = self._findings[int(event.option_id.removeprefix("finding-"))]
            self.post_message(ShowPane(pane_for(finding)))
