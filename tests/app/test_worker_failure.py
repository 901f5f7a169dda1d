"""The one worker-failure handler: a failed worker of a widget's groups is toasted and shown
where its result goes; another group's failure or a success is left to its owner."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.app.conftest import until
from tui.app.worker_failure import SaysWorkerFailures


class Pane(SaysWorkerFailures, Static):
    failing_groups = ("pane",)

    def __init__(self) -> None:
        super().__init__("waiting")
        self.failed: list[tuple[str, str]] = []

    def worker_failed(self, group: str, sentence: str) -> None:
        self.failed.append((group, sentence))

    @work(thread=True, group="pane-fix", exit_on_error=False, description="Running the fix")
    def fix(self) -> None:
        raise PermissionError("the audit log is not ours")

    @work(thread=True, group="other", exit_on_error=False, description="Someone else's job")
    def other(self) -> None:
        raise ValueError("not this pane's")

    @work(thread=True, group="pane", exit_on_error=False)
    def fine(self) -> str:
        return "done"


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Pane()


async def test_a_failed_worker_of_its_groups_is_said_once_in_a_toast_and_on_the_pane() -> None:
    app = Host()
    async with app.run_test() as pilot:
        pane = app.query_one(Pane)
        workers = [pane.fine(), pane.other(), pane.fix()]
        await until(lambda: all(worker.is_finished for worker in workers))
        await until(lambda: pane.failed)  # the state changes arrive as messages
        await pilot.pause()  # and any further one with them
        sentence = "Running the fix failed: the audit log is not ours (PermissionError)."
        assert pane.failed == [("pane-fix", sentence)]
        assert [n.message for n in app._notifications] == [sentence]
