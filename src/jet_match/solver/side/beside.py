"""`Beside`: a pure computation run on a second thread while the caller works on.

What it computes depends on its arguments alone, so when it runs changes the time a solve
takes, never its answer. numpy and the flow's C++ release the GIL for their long loops:
national, 3 % couples and a cap, indexing the usable pairs (0.4-0.7 s) beside the flow
relaxation (1.1-1.4 s) takes the two from 1.8-2.3 s to 1.2-1.5 s alone, and brings a
solve's first plan about 0.25 s sooner (the relaxation slows while both threads share
the memory bus; benchmarks/README.md, "The pairs prepared on both cores").
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Beside(Generic[T]):
    """`work()` on a thread of its own from now; `result()` waits for it (and raises what
    it raised). A result never asked for is dropped with the (daemon) thread."""

    def __init__(self, name: str, work: Callable[[], T]) -> None:
        self._box: list[T] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name=name, daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], T]) -> None:
        try:
            self._box.append(work())
        except BaseException as error:  # raised again by `result`, in the caller's thread
            self._error = error

    def result(self) -> T:
        """The work's value, once it is done."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._box[0]
