"""Holding Python's cyclic garbage collector off for one burst of allocation.

A suggestion for a mediator's place builds some forty thousand short-lived objects (a
district's mediators as the solver's people, their times, one priced option each). None of
them form cycles: reference counting frees them all. But they trip the collector's
thresholds, and every second answer paid for a full collection of the whole process heap
(about 80 ms on the demo district, a third of the answer; measured with `gc.callbacks`, see
docs/benchmarks.md). Collection resumes when the burst ends, and anything cyclic made
meanwhile is collected then.

The switch is process-wide and a worker serves several threads: the collector is turned
back on when the last of the overlapping bursts ends, and only if it was on before the first.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
