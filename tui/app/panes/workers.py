"""Workers: is the authdaemond pool saturated, and why.

The app's monitor measures (the pool every interval, the probe lookup and the
mail role's database sessions each in their own loop, so a probe stuck for its
timeout never delays the pool graph); this pane draws the snapshots it is handed
and asks, the first time it is shown, for the sampling to start: the probe is a
real lookup and the sessions a real database connection, so neither runs unless
someone looks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import var

from tui.app.messages import OpenWizard, ProbingWanted, SamplingWanted
from tui.app.panes.pane import PaneBase, PaneHost
from tui.app.widgets.stale_line import StaleLine
from tui.app.widgets.workers_view import WorkersView
from tui.core.monitor.observations import Observation, PoolSampled
from tui.core.workers.sampler import WorkersSnapshot
from tui.core.workers.verdict import WIZARD_STEP_OF_STATE

if TYPE_CHECKING:
    from textual.app import App, SystemCommand

class WorkersPane(PaneBase, VerticalScroll):
    """Verdict, fix, gauge, sparklines and the database side of the worker pool."""

    components = ("pool", "probe", "sessions")

    BINDINGS = [
        Binding("p", "toggle_probe", "Probe on/off",
                tooltip="Pause or resume the probe lookup (one per interval)"),
        Binding("w", "open_wizard", "Wizard",
                tooltip="Open the wizard at the step for this verdict"),
    ]

    # What the pane shows, set from the monitor's observations; each change redraws it.
    snapshot: var[WorkersSnapshot | None] = var(None, always_update=True, init=False)
    probing: var[bool] = var(True, init=False)

    def __init__(self, probe_address: str) -> None:
        super().__init__(classes="pane-body", id="workers-pane", can_focus=True)
        self.probe_address = probe_address
        self.stale = StaleLine(id="workers-stale")  # component → its failure, until it samples

    @classmethod
    def build(cls, host: PaneHost) -> WorkersPane:
        return cls(host.installation.settings.probe_address.value)

    @classmethod
    def observes(cls) -> tuple[type[Observation], ...]:
        return (PoolSampled,)

    def compose(self) -> ComposeResult:
        yield self.stale
        yield WorkersView()

    def activated(self) -> None:
        """Ask for the sampling once the pane is in front, not when it is built."""
        self.post_message(SamplingWanted())

    # -- what the monitor hands down (the pane is mounted: `PaneBase.show`) -------------------
    def take(self, observation: Observation) -> None:
        if isinstance(observation, PoolSampled) and observation.snapshot is not None:
            self.show_snapshot(observation.snapshot)

    def show_snapshot(self, snapshot: WorkersSnapshot) -> None:
        self.snapshot = snapshot

    def watch_snapshot(self) -> None:
        self._draw()

    def watch_probing(self) -> None:
        self._draw()

    def show_failure(self, component: str, sentence: str | None) -> None:
        """Mark the pane stale with `sentence`; None clears that component's mark."""
        self.stale.set(component, sentence)

    def _probe_note(self) -> str | None:
        if not self.probing:
            return "paused (p resumes)"
        pool = self.snapshot.pool if self.snapshot is not None else None
        if pool is not None and pool.probe_in_flight:
            return "waiting for an answer…"
        return None

    def _draw(self) -> None:
        if self.snapshot is not None:
            self.query_one(WorkersView).show(self.snapshot, self.probe_address,
                                             self._probe_note())

    # -- keys ----------------------------------------------------------------------------
    def action_toggle_probe(self) -> None:
        self.probing = not self.probing
        self.post_message(ProbingWanted(self.probing))
        self.app.notify("Probe resumed." if self.probing else
                        "Probe paused: no more lookups from this pane.", timeout=3)

    def action_open_wizard(self) -> None:
        verdict = self.snapshot.verdict if self.snapshot is not None else None
        step = WIZARD_STEP_OF_STATE.get(verdict.state, "") if verdict is not None else ""
        if verdict is None or not step:
            self.app.notify("Nothing to diagnose: the pool looks fine.", timeout=3)
            return
        self.post_message(OpenWizard(step, verdict.headline))

    @classmethod
    def palette_commands(cls, app: App[Any]) -> Iterable[SystemCommand]:
        from textual.app import SystemCommand

        async def toggle() -> None:
            await app.run_action("show_pane('workers')")
            for pane in app.query(WorkersPane):
                pane.action_toggle_probe()

        yield SystemCommand("Pause or resume the probe", "p in the Workers pane", toggle)
