"""The web app under gunicorn, loaded page by page: calendar feeds, the week view and the other
pages a coordinator opens on a Monday morning (issue 17), on PostgreSQL or SQLite.

    python -m benchmarks.web_load [--database postgresql|sqlite] [--web-workers 4]
                                  [--concurrency 1,8] [--requests 300] [--seconds 15]
                                  [--pages week,published,...] [--feeds 300] [--database-url URL]
                                  [--json FILE]

Setup (timed separately): a scratch database (PostgreSQL: created next to TEST_POSTGRES_URL's
server and dropped afterwards, unless --database-url names an empty one; SQLite: a file in a
temporary folder), migrated, the demo district loaded, its next week solved (--time-limit) and
published (the draft stays, continuing from it), and --feeds person feed URLs issued. Then
`scheduler serve --prod --workers N` (gunicorn, production configuration) starts on a free
loopback port, a coordinator signs in through the login form, and one phase runs per page and
per concurrency in --concurrency:

    healthz     GET /healthz (the baseline: the app's least work, measured in the same run)
    feeds       GET /feeds/<token>.ics for random tokens (unconditional: 200 with the body)
    week        the district's week, draft (the full page; its grid kept by the process after the
                first answer, as when several coordinators open an unchanged week)
    cold        the same page at a new URL each time, so the grid is read and rendered anew
                (the first opening of a week after a change)
    published   the same week, published version
    revalidate  the draft week again with the ETag of an earlier answer (304)
    review      the week's review page (changes, who will be told)
    district    the district's dashboard
    dashboard   the coordinator's start page
    people      the people list
    sites       the sites list
    reports     the reports page

Each phase has that many client threads on keep-alive connections and stops after --requests
requests or --seconds seconds, whichever comes first. Reports requests/s, p50/p95/p99 latency,
the p50 over the baseline's p50, and the statuses seen; exit status 1 on any unexpected status.
Client and server share the machine's 2 cores.
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
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def setup(url: str, week: date, feeds: int, time_limit: float) -> dict:
    from sqlalchemy import select, update

    from models import District, Person, User
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
        # Coordinators sign in with a second factor: enrol one the benchmark can answer.
        session.execute(update(User).where(User.username == coordinator_username(world.districts[0].prefix))
                        .values(totp_secret=TOTP_SECRET))
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
    proc = subprocess.Popen([sys.executable, "-c", "from web.cli import main; main()", "serve", "--prod",
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


def _form(conn: http.client.HTTPConnection, path: str, cookie: str, fields: dict) -> tuple[int, str, str]:
    """GET the form at `path`, POST it back with its CSRF token; (status, cookie)."""
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _cookie(response) or cookie
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urlencode({"csrf_token": csrf.group(1) if csrf else "", **fields})
    conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                   "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.status, _cookie(response) or cookie, response.getheader("Location") or ""


def login(port: int, username: str) -> str:
    """Signs in through the forms (password, then the second factor's code); returns the
    session cookie."""
    import pyotp

    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    status, cookie, where = _form(conn, "/login", "", {"username": username, "password": PASSWORD})
    if status == 302 and where.endswith("/login/code"):
        status, cookie, where = _form(conn, "/login/code", cookie, {"code": pyotp.TOTP(TOTP_SECRET).now()})
    conn.close()
    if status != 302 or "/login" in where:
        raise SystemExit(f"sign-in failed: {status} -> {where}")
    return cookie


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


PAGES = {
    "feeds": None,  # filled with the feed URLs
    "week": "/districts/{d}/weeks/{w}",
    "cold": "/districts/{d}/weeks/{w}?n={n}",
    "published": "/districts/{d}/weeks/{w}?view=published",
    "revalidate": "/districts/{d}/weeks/{w}",
    "review": "/districts/{d}/weeks/{w}/review",
    "district": "/districts/{d}",
    "dashboard": "/dashboard",
    "people": "/people/?district={d}",
    "sites": "/sites/?district={d}",
    "reports": "/reports/",
}
SIGNED_IN = set(PAGES) - {"feeds"}


def _visit(port: int, path: str, cookie: str) -> tuple[str, str]:
    """Open a page once as a browser would: (its ETag, the session cookie as the page left it:
    the first page a session renders adds the form token to it)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.getheader("ETag") or "", _cookie(response) or cookie


def _scratch(database: str, url: str | None, folder: Path):
    """(url, cleanup) of an empty database of the kind asked for."""
    from sqlalchemy import text

    from models.db import make_engine

    if url is not None:
        return url, lambda: None
    if database == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite'}", lambda: None
    name = f"bench_web_{uuid.uuid4().hex[:8]}"
    admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--concurrency", default="1,8", help="client threads of each phase, comma-separated")
    parser.add_argument("--requests", type=int, default=300, help="per phase")
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--pages", default=",".join(["healthz", *PAGES]),
                        help=f"which phases (healthz,{','.join(PAGES)})")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds for the week's solve")
    parser.add_argument("--database-url", help="an empty database (default: a scratch one)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    pages = [p for p in args.pages.split(",") if p]
    unknown = set(pages) - {"healthz", *PAGES}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    concurrency = [int(c) for c in args.concurrency.split(",")]
    today = date.today()
    week = today + timedelta(days=7 - today.weekday())
    results: dict = {"database": args.database, "web_workers": args.web_workers, "cores": os.cpu_count(),
                     "phases": []}
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        url, cleanup = _scratch(args.database, args.database_url, Path(folder))
        try:
            ready = setup(url, week, args.feeds, args.time_limit)
            results["setup_s"], results["feeds"] = ready["setup_s"], len(ready["tokens"])
            print(f"setup: {ready['setup_s']} s, {ready['assignments']} assignments, "
                  f"{len(ready['tokens'])} feed URLs", flush=True)
            port = free_port()
            proc = start_server(url, port, args.web_workers, Path(folder))
            try:
                cookie = login(port, ready["username"])
                _, cookie = _visit(port, "/dashboard", cookie)
                for name in pages:
                    template = PAGES.get(name) or "/healthz"
                    if name == "feeds":
                        paths = [f"/feeds/{t}.ics" for t in ready["tokens"]]
                    elif name == "cold":
                        paths = [template.format(d=ready["district_id"], w=week.isoformat(), n=n)
                                 for n in range(100_000)]
                    else:
                        paths = [template.format(d=ready["district_id"], w=week.isoformat())]
                    headers = {"Cookie": cookie} if name in SIGNED_IN else {}
                    if name == "revalidate":
                        headers["If-None-Match"] = _visit(port, paths[0], cookie)[0]
                    # Untimed: each worker compiles its templates and opens its connections first.
                    phase("warm-up", port, paths, headers, 2, 4 * args.web_workers, args.seconds, 0)
                    for clients in concurrency:
                        result = phase(name, port, paths, headers, clients, args.requests, args.seconds,
                                       304 if name == "revalidate" else 200)
                        result["clients"] = clients
                        results["phases"].append(result)
                        print(json.dumps(result), flush=True)
            finally:
                stop_server(proc)
        finally:
            cleanup()
    base = {p["clients"]: p["p50_ms"] for p in results["phases"] if p["phase"] == "healthz"}
    print(f"database: {args.database}, gunicorn workers: {args.web_workers}")
    print(f"{'phase':>10} {'clients':>7} {'req':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'p50/base':>9}  statuses")
    for p in results["phases"]:
        ratio = p["p50_ms"] / base[p["clients"]] if base.get(p["clients"]) else float("nan")
        p["p50_over_healthz"] = round(ratio, 1)
        print(f"{p['phase']:>10} {p['clients']:>7} {p['requests']:>6} {p['requests_per_s']:>8} {p['p50_ms']:>8} "
              f"{p['p95_ms']:>8} {p['p99_ms']:>8} {ratio:>8.1f}x  {p['statuses']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 1 if any(p["unexpected"] for p in results["phases"]) else 0


if __name__ == "__main__":
    sys.exit(main())
