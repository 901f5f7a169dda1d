"""Chunks produced by a thread a few ahead of their reader.

zlib lets go of the GIL while it decompresses, so a rotated `.gz` is inflated on
one thread while the previous chunk is searched on another (the log scan, the
trace's prefilter).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator


def read_ahead(chunks: Iterable[bytes], ahead: int, thread_name: str) -> Iterator[bytes]:
    """`chunks`, produced by a thread up to `ahead` before they are asked for.

    The reader's error is raised here; closing this generator early lets the thread
    finish at its next chunk.
    """
    ready: queue.Queue[bytes | BaseException | None] = queue.Queue(ahead)
    abandoned = threading.Event()

    def offer(item: bytes | BaseException | None) -> bool:
        """Queue `item` unless the consumer left; False when it did."""
        while not abandoned.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer(chunk):
                    return
            offer(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            offer(exc)

    thread = threading.Thread(target=produce, name=thread_name, daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        abandoned.set()
        thread.join()
