"""The pane protocol: what a pane takes from the monitor, what it needs to be built, its keys.

A pane says which observation kinds it takes (`observes`) and which monitor
components' failures it shows (`components`); the app hands it every such
observation with `show`, at any time: before the pane is mounted, while a modal
is in front, or while the app closes. Before the pane is mounted the latest of
each kind waits here and is applied, in the order it came, once the pane is
(after the pane's own `mounted`: its tables have their columns by then), so no
pane keeps its own "drawn yet?" flag.

The base is a plain mixin at run time (see `worker_failure._Node`): a second
DOMNode among a widget's bases would change its CSS type names.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.css.query import NoMatches

if TYPE_CHECKING:
    from typing import Self

    from textual.app import App, SystemCommand
    from textual.widget import Widget

    from tui.app.log_inbox import LogInbox
    from tui.core.installation import Installation
    from tui.core.logs.deferral_counts import DeferralCounts
    from tui.core.monitor.monitor import Monitor
    from tui.core.monitor.observations import Observation
    from tui.core.monitor.stream import ObservationStream
    from tui.core.timeline import Timeline
    from tui.core.trace.sampled_state import SampledStates
    from tui.core.trace.trace import TraceReport

    _Node = Widget
else:
    _Node = object


class PaneHost(Protocol):
    """What the live app offers a pane it builds (the monitor's parts are built on first use)."""

    installation: Installation
    allow_fixes: bool
    last_trace: TraceReport | None  # the trace the user saw end last (Lookup pane or enter)

    @property
    def monitor(self) -> Monitor: ...

    @property
    def stream(self) -> ObservationStream: ...

    @property
    def counts(self) -> DeferralCounts: ...

    @property
    def timeline(self) -> Timeline: ...

    @property
    def sampled_states(self) -> SampledStates: ...

    @property
    def log_inbox(self) -> LogInbox: ...

    def installation_now(self, fresh: bool = False) -> Installation:
        """The monitor's installation (read again first with `fresh`): any thread."""
        ...


def component_state(observation: Observation) -> tuple[str, str | None] | None:
    """(component, its failure or None once it recovered), for those two kinds; else None."""
    from tui.core.monitor.observations import ComponentFailed, ComponentRecovered

    if isinstance(observation, ComponentFailed):
        return observation.component, observation.sentence
    if isinstance(observation, ComponentRecovered):
        return observation.component, None
    return None


def observation_key(observation: Observation) -> Hashable:
    """What a newer observation replaces: one of the same kind, or the same component's state."""
    state = component_state(observation)
    if state is not None:  # a failure and the recovery after it are one state
        return ("component", state[0])
    kind: type = type(observation)
    return kind


class PaneBase(_Node):
    """A pane of the live app (see the module docstring); the replay's panes declare only keys."""

    # Monitor components whose failure this pane shows (`show_failure`).
    components: ClassVar[tuple[str, ...]] = ()
    # Keys handled by the pane's widgets rather than by a binding of its own, for `?`.
    widget_keys: ClassVar[tuple[tuple[str, str], ...]] = ()

    @classmethod
    def build(cls, host: PaneHost) -> Self:
        """The pane, made with what it needs from the app."""
        raise NotImplementedError(cls.__name__)

    @classmethod
    def observes(cls) -> tuple[type[Observation], ...]:
        """The observation kinds this pane takes (imported in here: they load after the first
        frame)."""
        return ()

    @classmethod
    def palette_commands(cls, app: App[Any]) -> Iterable[SystemCommand]:
        """Entries of this pane in the command palette, beyond the app's own."""
        return ()

    def takes(self, observation: Observation) -> bool:
        state = component_state(observation)
        if state is not None:
            return state[0] in self.components
        return isinstance(observation, self.observes())

    @property
    def pane_mounted(self) -> bool:
        """True from the end of the pane's `on_mount` (Textual's `is_mounted` comes later)."""
        return bool(self.__dict__.get("_pane_mounted", False))

    def show(self, observation: Observation) -> None:
        """Apply `observation` now if the pane is mounted, else keep it (the latest of its kind)."""
        if self.pane_mounted:
            self._apply(observation)
            return
        waiting: dict[Hashable, Observation] = self.__dict__.setdefault("_pane_waiting", {})
        key = observation_key(observation)
        waiting.pop(key, None)  # kept in arrival order: the newest goes last
        waiting[key] = observation

    def activated(self) -> None:
        """Its tab was brought forward, or it was built into the tab already in front.

        The app calls this: Textual's Show event was seen missing for a pane mounted into
        the tab in front, and a pane waiting for it then never started its sampling."""

    def mounted(self) -> None:
        """The pane's own start once mounted (its tables' columns, its timers): override
        this, not `on_mount`, so that a pane built as the app closes does nothing."""

    def on_mount(self) -> None:
        try:
            self.mounted()
        except NoMatches:
            if self.app.is_running:
                raise
            return  # built as the app closed: its children were pruned under it
        self.__dict__["_pane_mounted"] = True
        waiting: dict[Hashable, Observation] = self.__dict__.pop("_pane_waiting", {})
        for observation in waiting.values():
            self._apply(observation)

    def _apply(self, observation: Observation) -> None:
        state = component_state(observation)
        if state is not None:
            self.show_failure(*state)
        else:
            self.take(observation)

    def take(self, observation: Observation) -> None:
        """Draw `observation` (one of `observes()`; the pane is mounted)."""

    def show_failure(self, component: str, sentence: str | None) -> None:
        """Mark the pane stale for `component` with `sentence`; None clears it."""

    def home_widget(self) -> Widget:
        """The widget that takes the focus when the pane is shown."""
        return self
