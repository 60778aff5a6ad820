"""PostgreSQL engines keep a pool as large as the threads that serve requests, so a busy
server does not open (and fork) a new database connection per request."""
from __future__ import annotations

from models.db import PG_MAX_OVERFLOW, PG_POOL_SIZE, make_engine

URL = "postgresql://nobody@127.0.0.1:1/none"  # never connected to: engines connect lazily


def test_a_postgresql_engine_keeps_ten_connections_and_waitress_eight_threads_fit():
    engine = make_engine(URL)
    assert engine.pool.size() == PG_POOL_SIZE == 10 and engine.pool._max_overflow == PG_MAX_OVERFLOW
    assert engine.pool._pre_ping
    assert PG_POOL_SIZE >= 8  # benchmarks.feeds serves with waitress's 8 threads


def test_a_caller_may_still_choose_its_own_pool_size():
    engine = make_engine(URL, pool_size=3, max_overflow=0)
    assert engine.pool.size() == 3 and engine.pool._max_overflow == 0

