"""A worker that raised is said, never silent: one sentence, in a toast and where its result goes.

Every pane (and the app) whose workers can fail takes `SaysWorkerFailures` and says
which worker groups are its own and what showing a failure means for it; the
sentence, the toast and the filtering are written once, here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual.dom import DOMNode

    _Node = DOMNode
else:
    # A plain mixin at run time: a second DOMNode in a widget's bases changes how Textual
    # reads its CSS type names and defaults; the type checker still sees `self.app`.
    _Node = object


def worker_failure(worker: Worker[object]) -> str:
    error = worker.error
    what = worker.description or worker.name or "A background job"
    detail = str(error) or type(error).__name__ if error is not None else "unknown error"
    kind = f" ({type(error).__name__})" if error is not None else ""
    return f"{what} failed: {detail}{kind}."


class SaysWorkerFailures(_Node):
    """Says a failed worker of `failing_groups` (groups starting so; all when empty)."""

    failing_groups: ClassVar[tuple[str, ...]] = ()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        group = event.worker.group
        if self.failing_groups and not group.startswith(self.failing_groups):
            return
        sentence = worker_failure(event.worker)
        self.app.notify(sentence, severity="error", timeout=10, markup=False)
        self.worker_failed(group, sentence)

    def worker_failed(self, group: str, sentence: str) -> None:
        """Show `sentence` where the worker's result would have been (the toast is said)."""
