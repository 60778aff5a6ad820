"""The web app under gunicorn on PostgreSQL, loaded with calendar feeds and the week view.

    python -m benchmarks.web_load [--web-workers 4] [--clients 8] [--requests 3000] [--seconds 20]
                                  [--feeds 300] [--database-url URL] [--json FILE]

Setup (timed separately): a scratch PostgreSQL database (created next to TEST_POSTGRES_URL's
server and dropped afterwards, unless --database-url names an empty one), migrated, the demo
district loaded, its week solved (--time-limit) and published, and --feeds person feed URLs
issued. Then `scheduler serve --prod --workers N` (gunicorn, production configuration) starts
on a free loopback port, a coordinator signs in through the login form, and two phases run:

    feeds   GET /feeds/<token>.ics for random tokens (unconditional: 200 with the body)
    week    GET /districts/<id>/weeks/<week> as the signed-in coordinator (the full page)

Each phase has --clients threads on keep-alive connections and stops after --requests
requests or --seconds seconds, whichever comes first; then the server is stopped (killed if
need be) and the database dropped. Reports requests/s, p50/p95/p99 latency and the statuses
seen; exit status 1 on any unexpected status. Client and server share the machine's 2 cores.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-123"


def setup(url: str, week: date, feeds: int, time_limit: float) -> dict:
    from sqlalchemy import select

    from models import District, Person
    from models.db import make_engine, make_session_factory
    from scheduler.core.clock import SystemClock
    from scheduler.core.database import upgrade
    from scheduler.demo import build_world
    from scheduler.demo.load import coordinator_username, load_world
    from scheduler.feeds.tokens import issue_token
    from scheduler.week.drafts import publish
    from scheduler.week.solve import solve_week

    clock = SystemClock()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    t0 = time.perf_counter()
    upgrade(engine)
    world = build_world("district", 1, week)
    with factory.begin() as session:
        load_world(session, world, PASSWORD, now=clock.now())
    with factory() as session:
        district_id = session.scalar(select(District.id))
    solved = solve_week(factory, district_id, week, None, clock=clock, time_limit=time_limit)
    with factory.begin() as session:
        publish(session, district_id, week, None, now=clock.now())
    with factory.begin() as session:
        people = session.scalars(select(Person.id).where(Person.district_id == district_id)
                                 .order_by(Person.id).limit(feeds)).all()
        tokens = [issue_token(session, "person", pid, reset=True, now=clock.now()) for pid in people]
    engine.dispose()
    return {"setup_s": round(time.perf_counter() - t0, 1), "district_id": district_id, "tokens": tokens,
            "username": coordinator_username(world.districts[0].prefix),
            "assignments": len(solved.solution.assignments)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int, logdir: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_INSTANCE_PATH": str(logdir / "instance"),
           "SECRET_KEY": uuid.uuid4().hex, "SCHEDULER_CONFIG": "production", "LOG_LEVEL": "WARNING",
           "SCHEDULER_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("CELERY_BROKER_URL", None)
    log = open(logdir / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-c", "from scheduler.cli import main; main()", "serve", "--prod",
                             "--port", str(port), "--workers", str(workers)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{(logdir / 'server.log').read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("server not ready after 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def login(port: int, username: str) -> str:
    """Signs in through the form (CSRF token included); returns the session cookie."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _cookie(response)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urlencode({"csrf_token": csrf.group(1) if csrf else "", "username": username, "password": PASSWORD})
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                       "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 302:
        raise SystemExit(f"sign-in failed: {response.status}")
    return _cookie(response) or cookie


def _cookie(response: http.client.HTTPResponse) -> str:
    return "; ".join(h.split(";", 1)[0] for h in response.headers.get_all("Set-Cookie") or [])


def phase(name: str, port: int, paths: list[str], headers: dict, clients: int, max_requests: int,
          seconds: float, expect: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    sent = [0]
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", rnd.choice(paths), headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                status = 0
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    return {"phase": name, "requests": len(latencies), "seconds": round(wall, 1),
            "requests_per_s": round(len(latencies) / wall, 1), "p50_ms": round(q[49], 1),
            "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1), "statuses": statuses,
            "unexpected": sum(n for s, n in statuses.items() if s != expect)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3000, help="per phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds for the week's solve")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a scratch one)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from models.db import make_engine

    admin, name, url = None, None, args.database_url
    if url is None:
        name = f"bench_web_{uuid.uuid4().hex[:8]}"
        admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    today = date.today()
    week = today + timedelta(days=7 - today.weekday())
    results: dict = {"web_workers": args.web_workers, "clients": args.clients, "cores": os.cpu_count(), "phases": []}
    proc = None
    try:
        ready = setup(url, week, args.feeds, args.time_limit)
        results["setup_s"], results["feeds"] = ready["setup_s"], len(ready["tokens"])
        print(f"setup: {ready['setup_s']} s, {ready['assignments']} assignments, {len(ready['tokens'])} feed URLs",
              flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-web-") as logdir:
            port = free_port()
            proc = start_server(url, port, args.web_workers, Path(logdir))
            try:
                feeds = [f"/feeds/{t}.ics" for t in ready["tokens"]]
                results["phases"].append(phase("feeds", port, feeds, {}, args.clients, args.requests,
                                               args.seconds, 200))
                print(json.dumps(results["phases"][-1]), flush=True)
                cookie = login(port, ready["username"])
                week_page = [f"/districts/{ready['district_id']}/weeks/{week.isoformat()}"]
                results["phases"].append(phase("week", port, week_page, {"Cookie": cookie}, args.clients,
                                               args.requests, args.seconds, 200))
                print(json.dumps(results["phases"][-1]), flush=True)
            finally:
                stop_server(proc)
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"{'phase':>6} {'req':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for p in results["phases"]:
        print(f"{p['phase']:>6} {p['requests']:>6} {p['requests_per_s']:>8} {p['p50_ms']:>8} {p['p95_ms']:>8} "
              f"{p['p99_ms']:>8}  {p['statuses']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 1 if any(p["unexpected"] for p in results["phases"]) else 0


if __name__ == "__main__":
    sys.exit(main())
