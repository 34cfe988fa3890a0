"""Long work that stops when its client goes away.

`until_disconnected(request, work)` runs `work(stop)` in the thread pool and, meanwhile,
asks the server every `POLL_S` seconds whether the client is still connected. Once it is
not (or the request is cancelled: the server shutting down), `stop()` turns True; the
work checks it between its steps and raises `errors.Abandoned` before writing anything
(an import: services/records/imports.py). Without it a client that gives up on a big
import would leave the server parsing, validating and committing for no one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

T = TypeVar("T")

#: Seconds between two checks of the connection while the work runs.
POLL_S = 0.05


async def until_disconnected(request: Request, work: Callable[[Callable[[], bool]], T]) -> T:
    """`work(stop)`'s result; `stop()` is True once the client has gone away."""
    gone = threading.Event()
    task = asyncio.ensure_future(run_in_threadpool(work, gone.is_set))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=POLL_S)
            if done:
                return task.result()
            if not gone.is_set() and await request.is_disconnected():
                gone.set()  # the work notices at its next check and stops
    finally:
        gone.set()  # cancelled (shutdown): the thread stops too
        if not task.done():  # its outcome (Abandoned, most likely) is for no one
            task.add_done_callback(lambda ended: ended.cancelled() or ended.exception())
