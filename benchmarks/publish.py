"""A city-sized first publish: how long the publish itself takes and how long rendering
every calendar feed it touches takes.

    python -m benchmarks.publish [--tokens 25000] [--database-url URL] [--json FILE]

Setup (timed separately): a fresh database (an SQLite file in a temporary folder unless
--database-url names an empty one), one district whose draft staffs every site, and
--tokens live feed URLs (people, villages, other sites: 80 / 16 / 4 per cent, as
`benchmarks.feeds` builds them), none rendered yet; on PostgreSQL, ANALYZE (a live
database has its statistics). Then:

- publish: `scheduler.week.drafts.publish` and its commit, as the publish request runs it;
- feeds: rendering the feeds the publish left to a feed job (`scheduler.feeds.jobs`), run
  here in this process as the app's runner thread would, until none is left.

Reports the seconds and SQL statements of each step, and checks that every feed was
rendered from the new version; exit status 1 when one was not. The target is a first
publish of 25,000 feeds in under 20 s of work with the publish answering at once.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class Step:
    name: str
    seconds: float
    statements: int
    # CPU time of this process (on SQLite that is all the work; PostgreSQL's is its own).
    cpu_seconds: float = 0.0


@dataclass
class Result:
    tokens: int
    database: str
    setup_s: float
    steps: list[Step]
    feeds_rendered: int
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    load_average: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


def run(args: argparse.Namespace) -> Result:
    from sqlalchemy import event, func, select

    from benchmarks.feeds import issue_tokens, seed_world
    from models import FeedRender
    from models.db import make_engine, make_session_factory
    from scheduler.core.clock import FixedClock
    from scheduler.core.database import upgrade
    from scheduler.week import drafts

    with tempfile.TemporaryDirectory(prefix="publish-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        now = datetime.now(UTC)
        began = time.perf_counter()
        with factory.begin() as s:
            district_id, week, subjects = seed_world(s, args.tokens, now)
            issue_tokens(s, subjects, now)
        if engine.dialect.name == "postgresql":
            # Fresh tables have no statistics yet; a city's live database has (autovacuum).
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        setup = time.perf_counter() - began
        counter = Counter()
        event.listen(engine, "before_cursor_execute", counter)
        steps = []
        began, cpu = time.perf_counter(), time.process_time()
        # Before feed jobs, publish had no defer_feeds: it rendered every feed itself.
        defer = {"defer_feeds": True} if "defer_feeds" in inspect.signature(drafts.publish).parameters else {}
        with factory.begin() as s:
            drafts.publish(s, district_id, week, None, now=now, **defer)
        steps.append(Step("publish (the request's work)", round(time.perf_counter() - began, 2), counter.count,
                          round(time.process_time() - cpu, 2)))
        counter.count = 0
        began, cpu = time.perf_counter(), time.process_time()
        try:
            from scheduler.feeds import jobs as feed_jobs
        except ImportError:  # before feed jobs existed, the publish rendered every feed itself
            feed_jobs = None
        if feed_jobs is not None:
            while (job_id := feed_jobs.next_queued(factory)) is not None:
                feed_jobs.run_feed_job(factory, job_id, clock=FixedClock(now))
        steps.append(Step("feeds (the job's work)", round(time.perf_counter() - began, 2), counter.count,
                          round(time.process_time() - cpu, 2)))
        event.remove(engine, "before_cursor_execute", counter)
        with factory() as s:
            rendered = s.scalar(select(func.count()).select_from(FeedRender).where(FeedRender.rendered_at >= now))
        engine.dispose()
    return Result(tokens=len(subjects), database="sqlite" if url.startswith("sqlite") else url.split(":", 1)[0],
                  setup_s=round(setup, 1), steps=steps, feeds_rendered=rendered or 0)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=25_000, help="feed URLs to create (default 25000)")
    parser.add_argument("--database-url", default=None,
                        help="an EMPTY database to fill (default: an SQLite file in a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.tokens < 3:
        parser.error("--tokens must be at least 3")
    return args


def report(result: Result) -> str:
    lines = [f"publish benchmark: first publish with {result.tokens:,} feed URLs on {result.database}, "
             f"{result.cpus} CPU(s), load average {result.load_average} at the end",
             f"  setup (world and tokens, not timed below): {result.setup_s} s"]
    lines += [f"  {s.name}: {s.seconds} s ({s.cpu_seconds} s CPU here), {s.statements:,} SQL statements"
              for s in result.steps]
    lines.append(f"  total work: {sum(s.seconds for s in result.steps):.2f} s "
                 f"({sum(s.cpu_seconds for s in result.steps):.2f} s CPU here); "
                 f"feeds rendered from the new version: {result.feeds_rendered:,} of {result.tokens:,}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if result.feeds_rendered == result.tokens else 1


if __name__ == "__main__":
    sys.exit(main())
