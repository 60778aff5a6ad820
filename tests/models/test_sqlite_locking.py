"""SQLite with two connections: a read-then-write transaction waits for the other writer
instead of failing with "database is locked"."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from models.db import make_engine


def test_read_then_write_waits_for_a_concurrent_writer(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/lock.sqlite")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (0)"))
    started = threading.Event()

    def other_writer():
        with engine.begin() as conn:
            conn.execute(text("UPDATE t SET n = n + 1"))
            started.set()
            time.sleep(0.5)  # holds the write lock a while, like a job storing a draft

    thread = threading.Thread(target=other_writer)
    thread.start()
    started.wait(5)
    with engine.begin() as conn:  # reads, then writes: must wait, not fail
        n = conn.execute(text("SELECT n FROM t")).scalar_one()
        conn.execute(text("UPDATE t SET n = :n"), {"n": n + 10})
    thread.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalar_one() == 11
    engine.dispose()
