"""The priced bound (`solver.model.priced_bound`) computed while CP-SAT works: in a process
of its own where one can be started, else in a thread."""
from __future__ import annotations

import multiprocessing
import queue
import threading
import time

from solver.model.index import ProblemIndex
from solver.model.priced_bound import priced_bound


def _in_child(problem, columns, deadline: float, queue) -> None:
    stats: dict = {}
    try:
        priced_bound(ProblemIndex(problem), columns, deadline, stats,
                     on_round=lambda value: queue.put(("round", value)))
    finally:
        queue.put(("done", stats))


class PricedThread:
    """`priced_bound` while CP-SAT works; `value` is None until the first complete round
    (every round's bound is valid, so the best so far can be read at any time).

    The work runs in a process of its own when one can be started: as a thread it would
    share the interpreter lock with the solve's own Python (building and polishing models)
    and, measured on a city week, completed one round in 108 s instead of five. Where no
    child process may be started (a daemonic worker process), it runs in a thread."""

    def __init__(self, ix: ProblemIndex, columns, deadline: float) -> None:
        self.value: float | None = None
        self.stats: dict = {}
        self.seconds = 0.0
        self._done = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ix, list(columns), deadline), daemon=True)
        self._thread.start()

    def _run(self, ix, columns, deadline) -> None:
        started = time.monotonic()
        try:
            if not self._in_process(ix.problem, columns, deadline):
                priced_bound(ix, columns, deadline, self.stats, on_round=self._found)
        finally:
            self.seconds = time.monotonic() - started
            self._done.set()

    def _in_process(self, problem, columns, deadline) -> bool:
        context = multiprocessing.get_context("spawn")
        messages = context.Queue()
        try:
            child = context.Process(target=_in_child, args=(problem, columns, deadline, messages), daemon=True)
            child.start()
        except (AssertionError, OSError):  # "daemonic processes are not allowed to have children"
            return False
        try:
            while not self._closed.is_set() and time.monotonic() < deadline + 5.0:
                try:
                    kind, payload = messages.get(timeout=0.2)
                except queue.Empty:
                    if not child.is_alive():
                        break
                    continue
                if kind == "round":
                    self._found(payload)
                else:
                    self.stats.update(payload)
                    break
        finally:
            child.terminate()
            child.join(2.0)
        return True

    def _found(self, value: float) -> None:
        self.value = value if self.value is None else max(self.value, value)

    def result(self, wait: float) -> float | None:
        self._done.wait(timeout=max(0.0, wait))
        return self.value

    def close(self) -> None:
        """Stop the work (a stopped solve); what was found stays in `value`."""
        self._closed.set()
