"""The monitor and the subscribers of its stream, as the app wires them together.

Built once, on first use: the app asks for it right after its first frame (so
the modules behind it are not imported before that frame), or earlier if a key
or a message needs it sooner. Every observation reaches each subscriber, once,
in this order: the per-minute counts, the timeline, the recording, the Logs
pane's inbox, then the app itself.
"""

from __future__ import annotations

from tui.app.log_inbox import LogInbox
from tui.core.installation import Installation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.monitor.monitor import Monitor
from tui.core.monitor.stream import ErrorHandler, ObservationStream, Subscriber, counting_logs
from tui.core.recording.tape import Tape
from tui.core.timeline import Timeline
from tui.core.trace.sampled_state import SampledStates


class MonitorWiring:
    def __init__(self, installation: Installation, *, health_interval: float,
                 observed: Subscriber, on_error: ErrorHandler) -> None:
        self.counts = DeferralCounts()  # per minute: the Logs and Workers panes, the x-ray
        self.timeline = Timeline()  # the incident on one axis
        self.tape = Tape()  # the record toggle (R): writes only while recording
        self.log_inbox = LogInbox()  # the lines on their way to the Logs pane
        # The pool and socket as sampled: a trace names them at a failure's moment.
        self.sampled_states = SampledStates()
        self.stream = ObservationStream(on_error=on_error)
        for subscriber in (counting_logs(self.counts), self.timeline.observe, self.tape.observe,
                           self.sampled_states.observe, self.log_inbox.observe, observed):
            self.stream.subscribe(subscriber)
        self.monitor = Monitor(installation, self.stream, counts=self.counts,
                               health_interval=health_interval)
