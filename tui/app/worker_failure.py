"""One sentence for a worker that raised: shown on its pane (stale) and in a notification."""

from __future__ import annotations

from textual.worker import Worker


def worker_failure(worker: Worker[object]) -> str:
    error = worker.error
    what = worker.description or worker.name or "A background job"
    detail = str(error) or type(error).__name__ if error is not None else "unknown error"
    kind = f" ({type(error).__name__})" if error is not None else ""
    return f"{what} failed: {detail}{kind}."
