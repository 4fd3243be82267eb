"""Runs batch-building tasks ahead on background threads and hands their
results back in order. The native reads release the GIL and decode on every
core, so the next batches are read while the training step runs; at most
``depth`` batches are in flight, which bounds the memory used."""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")


def run_ahead(tasks: Iterable[Callable[[], T]], depth: int, threads: int) -> Iterator[T]:
    """Yields ``task()`` for each task, in order, computing up to ``depth``
    of them ahead on ``threads`` threads (inline when ``depth`` is 0)."""
    if depth < 1:
        for task in tasks:
            yield task()
        return
    pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="geobatch-prefetch")
    pending: deque = deque()
    started = False
    try:
        for task in tasks:
            pending.append(pool.submit(task))
            if not started:
                # The first batch is built alone, with every core, before the
                # ones behind it start competing for them: time to first batch.
                pending[0].result()
                started = True
            if len(pending) > depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
