"""A city's week solved by 1, 2 and 4 Celery solve workers on loopback Redis and PostgreSQL.

    python -m benchmarks.workers [--workers 1,2,4] [--time-limit 10] [--size city] [--seed 1]
                                 [--database-url URL] [--redis-url URL] [--json FILE]

Setup (timed separately): a fresh PostgreSQL database (created next to TEST_POSTGRES_URL's
server and dropped afterwards, unless --database-url names an empty one), migrated, the demo
world of --size loaded, and every district's demand for the week generated. Then for each
worker count N: the week's drafts and jobs are removed, N `scheduler worker` processes
(one job at a time each, SOLVE_WORKERS=1 CP-SAT thread) start on a queue of their own, one
job per district is queued with CeleryRunner, and the wall time until the last job ends is
measured; the workers are then stopped. Every round is bounded (--round-timeout) and every
process it started is stopped, killed if need be; the queue's keys are removed from Redis.

Reports wall time, the sum of the districts' objectives (lower is better: fewer workers than
cores is not the only way to lose; more workers than cores share the CPU and each solve gets
less of it within its time limit) and each job's solver status. Note: the machine this was
written on has 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _week() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def setup(url: str, size: str, seed: int, week: date) -> dict:
    from sqlalchemy import select

    from models import District
    from models.db import make_engine, make_session_factory
    from scheduler.core.database import upgrade
    from scheduler.demand.generate import generate_week
    from scheduler.demo import build_world
    from scheduler.demo.load import load_world

    engine = make_engine(url)
    factory = make_session_factory(engine)
    t0 = time.perf_counter()
    upgrade(engine)
    world = build_world(size, seed, week)
    with factory.begin() as session:
        load_world(session, world, now=datetime.now(UTC))
    loaded = time.perf_counter() - t0
    with factory() as session:
        districts = list(session.execute(select(District.id, District.name)).all())
    for district_id, _ in districts:
        with factory.begin() as session:
            generate_week(session, district_id, week)
    engine.dispose()
    return {"load_s": round(loaded, 1), "demand_s": round(time.perf_counter() - t0 - loaded, 1),
            "districts": len(districts)}


def reset(url: str, week: date) -> None:
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM solve_jobs WHERE week_start = :w"), {"w": week})
        conn.execute(text("DELETE FROM open_places WHERE schedule_id IN "
                          "(SELECT id FROM schedules WHERE week_start = :w AND state = 'draft')"), {"w": week})
        conn.execute(text("DELETE FROM assignments WHERE schedule_id IN "
                          "(SELECT id FROM schedules WHERE week_start = :w AND state = 'draft')"), {"w": week})
        conn.execute(text("DELETE FROM schedules WHERE week_start = :w AND state = 'draft'"), {"w": week})
    engine.dispose()


def start_workers(n: int, env: dict, logdir: Path) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        log = open(logdir / f"worker-{n}-{i}.log", "wb")
        procs.append(subprocess.Popen([sys.executable, "-c", "from scheduler.cli import main; main()", "worker"],
                                      env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                      cwd=ROOT))
        log.close()
    deadline = time.monotonic() + 60
    for i, proc in enumerate(procs):
        path = logdir / f"worker-{n}-{i}.log"
        while "ready" not in path.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_workers(procs)
                raise SystemExit(f"worker {i} did not start:\n{path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def run_round(n: int, url: str, redis_url: str, week: date, time_limit: float, timeout: float, logdir: Path) -> dict:
    from models.db import make_engine, make_session_factory
    from scheduler.core.config import Settings
    from scheduler.jobs import city
    from scheduler.jobs.runners import CeleryRunner

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": redis_url, "CELERY_QUEUE": queue,
           "SOLVE_WORKERS": "1", "LOG_FORMAT": "json", "SCHEDULER_INSTANCE_PATH": str(logdir / "instance")}
    reset(url, week)
    procs = start_workers(n, env, logdir)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    runner = CeleryRunner(Settings(database_url=url, instance_path=logdir, celery_broker_url=redis_url), queue=queue)
    try:
        t0 = time.perf_counter()
        queued = city.queue_city(factory, runner, week, time_limit=time_limit)
        views = city.watch(factory, queued, timeout=timeout, poll=0.2)
        wall = time.perf_counter() - t0
        if any(v.state in city.LIVE for v in views):
            city.cancel_all(factory, queued)
    finally:
        runner.shutdown()
        stop_workers(procs)
        engine.dispose()
        _clean_redis(redis_url, queue)
    objectives = [v.progress.get("objective") for v in views]
    return {
        "workers": n, "wall_s": round(wall, 1), "jobs": len(views),
        "states": city.summary(views),
        "objective_sum": round(sum(o for o in objectives if o is not None), 1),
        "statuses": sorted(str(v.progress.get("status")) for v in views),
        "errors": sorted({v.error for v in views if v.error}),
    }


def _clean_redis(redis_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = [queue, *client.scan_iter(f"{queue}*")]
    client.delete(*keys)
    client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per district")
    parser.add_argument("--size", default="city", choices=("tiny", "district", "city"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a scratch one)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--round-timeout", type=float, default=900.0)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    counts = [int(x) for x in args.workers.split(",")]
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from models.db import make_engine

    admin, name, url = None, None, args.database_url
    if url is None:
        name = f"bench_workers_{uuid.uuid4().hex[:8]}"
        admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    week = _week()
    results: dict = {"size": args.size, "seed": args.seed, "week": week.isoformat(), "time_limit": args.time_limit,
                     "cores": os.cpu_count(), "rounds": []}
    try:
        results["setup"] = setup(url, args.size, args.seed, week)
        print(f"setup: {results['setup']}", flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-workers-") as logdir:
            for n in counts:
                r = run_round(n, url, args.redis_url, week, args.time_limit, args.round_timeout, Path(logdir))
                results["rounds"].append(r)
                print(json.dumps(r, ensure_ascii=False), flush=True)
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"{'workers':>8} {'wall s':>8} {'objective sum':>15}  states")
    for r in results["rounds"]:
        print(f"{r['workers']:>8} {r['wall_s']:>8} {r['objective_sum']:>15,.1f}  {r['states']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
