"""Calendar feeds under load: the app served by waitress on 127.0.0.1, hit with a mix of
conditional and unconditional requests for many secret feed URLs.

    python -m benchmarks.feeds [--tokens 25000] [--requests 20000] [--seconds 30] [--rate 150]
                               [--clients 8] [--threads 8] [--database-url URL] [--json FILE]
                               [--pool-sizes 5,10]

Setup (timed separately): a fresh database (an SQLite file in a temporary folder unless
--database-url names an empty one), one district whose week is published, and --tokens feed
URLs for people, villages and other sites (80 / 16 / 4 per cent), each rendered by
`scheduler.feeds.render.refresh_feeds` as publishing does. Then a waitress subprocess serves
`web.create_app()` on a free loopback port and --clients threads send requests over
keep-alive connections: 45 % with If-None-Match and 20 % with If-Modified-Since from an
earlier answer (should be 304), 33 % unconditional (200), 2 % unknown tokens (404).

Two phases: capacity (each client sends again as soon as it is answered) and paced (--rate
requests per second in all, latency counted from when each request was due, so queueing is
not hidden). Each phase stops after --requests requests or --seconds seconds, whichever
comes first; then the server it started is stopped and its files removed. Reports
requests/s, latency p50/p95/p99, the 304 rate and every status seen; exit status 1 on any
unexpected answer. The target is >= 150 req/s with p95 < 50 ms on 2 cores.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
MIX = (("etag", 0.45), ("since", 0.20), ("plain", 0.33), ("unknown", 0.02))


@dataclass
class Feed:
    token: str
    etag: str
    last_modified: str


@dataclass
class Phase:
    name: str
    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rate_304: float
    statuses: dict[str, int]
    unexpected: int


@dataclass
class Result:
    tokens: int
    setup_s: float
    database: str
    clients: int
    server_threads: int
    phases: list[Phase]
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    load_average: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))


# ---------------------------------------------------------------- the world

def seed_world(s, tokens: int, now: datetime) -> tuple[int, object, list[tuple[str, int]]]:
    """One district whose week has a draft staffing every site, with people, villages and
    other sites for `tokens` feeds (80 / 16 / 4 per cent); returns the district id, the week
    and the feed subjects (kind, id). Nothing is published yet."""
    from sqlalchemy import insert, select

    from models import Assignment, District, Person, PersonRole, Site, Slot, SlotLine
    from scheduler.core.weeks import monday_of, to_local
    from scheduler.week import drafts

    people_n = max(1, tokens * 80 // 100)
    villages_n = max(1, tokens * 16 // 100)
    windows_n = max(1, tokens - people_n - villages_n)
    people_n = tokens - villages_n - windows_n
    week = monday_of(to_local(now).date())
    week_begin = datetime.combine(week, datetime.min.time(), tzinfo=UTC)
    district = District(code="BENCH", name="基准区")
    s.add(district)
    s.flush()
    site_rows = [{"external_id": f"B-V{i:05d}", "district_id": district.id, "kind": "village",
                  "name": f"基准村{i}", "lat": 29.8, "lon": 121.5, "address": f"基准村{i}村委会"}
                 for i in range(villages_n)]
    site_rows += [{"external_id": f"B-W{i:05d}", "district_id": district.id, "kind": "window",
                   "name": f"基准镇{i}司法所窗口", "lat": 29.8, "lon": 121.5} for i in range(windows_n)]
    s.execute(insert(Site), site_rows)
    s.execute(insert(Person), [{"external_id": f"B-L{i:05d}", "district_id": district.id,
                                "name": f"律师{i}", "lat": 29.8, "lon": 121.5} for i in range(people_n)])
    sites = s.execute(select(Site.id, Site.kind).where(Site.district_id == district.id)
                      .order_by(Site.id)).all()
    people = list(s.scalars(select(Person.id).where(Person.district_id == district.id).order_by(Person.id)))
    s.execute(insert(PersonRole), [{"person_id": p, "role": "lawyer"} for p in people])
    # Every site gets slots through the week; every person serves two of them.
    slot_count = max(len(sites), people_n)
    slot_rows = []
    for i in range(slot_count):
        site_id, kind = sites[i % len(sites)]
        start = week_begin + timedelta(days=i % 7, hours=1 + (i // 7) % 6)
        slot_rows.append({"external_id": f"B-S{i:06d}", "district_id": district.id, "week_start": week,
                          "site_id": site_id, "kind": "visit" if kind == "village" else "shift",
                          "start_at": start, "end_at": start + timedelta(hours=2)})
    s.execute(insert(Slot), slot_rows)
    slots = list(s.scalars(select(Slot.id).where(Slot.district_id == district.id).order_by(Slot.id)))
    s.execute(insert(SlotLine), [{"slot_id": sid, "idx": 0, "roles": ["lawyer"], "count": 2, "skills": []}
                                 for sid in slots])
    draft = drafts.get_or_create_draft(s, district.id, week, None)
    pairs = {(slots[i % len(slots)], p) for i, p in enumerate(people)}
    pairs |= {(slots[(i + 1) % len(slots)], p) for i, p in enumerate(people)}
    s.execute(insert(Assignment), [{"schedule_id": draft.id, "slot_id": sl, "person_id": p,
                                    "line_index": 0, "source": "solver"} for sl, p in sorted(pairs)])
    s.expire(draft)
    subjects = [("person", p) for p in people]
    subjects += [("village" if kind == "village" else "site", sid) for sid, kind in sites]
    return district.id, week, subjects


def issue_tokens(s, subjects: list[tuple[str, int]], now: datetime) -> dict[tuple[str, int], str]:
    """A live feed token for each subject, inserted in bulk (nothing rendered)."""
    from sqlalchemy import insert

    from models import FeedToken
    from scheduler.feeds.urls import TOKEN_BYTES, hash_token

    plain = {subject: secrets.token_urlsafe(TOKEN_BYTES) for subject in subjects}
    s.execute(insert(FeedToken), [{"subject_kind": k, "subject_id": i, "token_hash": hash_token(t),
                                   "created_at": now} for (k, i), t in plain.items()])
    return plain


def build(url: str, tokens: int) -> list[Feed]:
    """A published week and `tokens` live feeds, rendered; returns each feed's URL secret
    and the validators a client would hold from an earlier fetch."""
    from sqlalchemy import select
    from werkzeug.http import http_date

    from models import FeedRender
    from models.db import make_engine, make_session_factory
    from scheduler.core.database import upgrade
    from scheduler.feeds.render import refresh_feeds
    from scheduler.week import drafts

    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with make_session_factory(engine).begin() as s:
        district_id, week, subjects = seed_world(s, tokens, now)
        drafts.publish(s, district_id, week, None, now=now)
        plain = issue_tokens(s, subjects, now)
        refresh_feeds(s, district_id, week, now)
        validators = {(r.subject_kind, r.subject_id): (r.etag, r.last_modified) for r in s.execute(
            select(FeedRender.subject_kind, FeedRender.subject_id, FeedRender.etag, FeedRender.last_modified))}
    engine.dispose()
    missing = set(plain) - set(validators)
    if missing:
        raise RuntimeError(f"{len(missing)} feeds were not rendered at publish, e.g. {sorted(missing)[:3]}")
    return [Feed(t, f'"{validators[k][0]}"', http_date(validators[k][1])) for k, t in plain.items()]


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, threads: int, instance: Path, pool_size: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_INSTANCE_PATH": str(instance),
           "SCHEDULER_CONFIG": "production", "SECRET_KEY": secrets.token_hex(16),
           "SCHEDULER_BASE_URL": f"http://{HOST}:{port}"}
    if pool_size is not None:
        env["DATABASE_POOL_SIZE"] = str(pool_size)
    server = subprocess.Popen(
        [sys.executable, "-m", "waitress", f"--host={HOST}", f"--port={port}", f"--threads={threads}",
         "--connection-limit=200", "--call", "web:create_app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{server.stderr.read()}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start listening within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ---------------------------------------------------------------- the clients

def one_request(conn: http.client.HTTPConnection, feed: Feed, how: str) -> tuple[int, int]:
    """(status, expected status) of one request of kind `how`."""
    headers = {}
    path, expected = f"/feeds/{feed.token}.ics", 200
    if how == "etag":
        headers["If-None-Match"], expected = feed.etag, 304
    elif how == "since":
        headers["If-Modified-Since"], expected = feed.last_modified, 304
    elif how == "unknown":
        path, expected = f"/feeds/{secrets.token_urlsafe(32)}.ics", 404
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, expected


def load(port: int, feeds: list[Feed], clients: int, requests: int, seconds: float, seed: int,
         rate: float | None = None) -> tuple[list[float], dict[int, int], int, float]:
    """Send up to `requests` requests for at most `seconds`. Without `rate` each client sends
    its next request as soon as the last is answered (capacity); with `rate` the requests are
    paced to that many per second in total, and a latency counts from the moment a request
    was due, so a slow answer that delays the next ones is not hidden (open loop)."""
    kinds, weights = zip(*MIX)
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    unexpected = [0]
    began = time.perf_counter()
    deadline = began + seconds
    interval = clients / rate if rate else 0.0

    def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        wrong = 0
        due = began + interval * n / clients
        while time.perf_counter() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            how = rng.choices(kinds, weights)[0]
            if rate:
                time.sleep(max(0.0, due - time.perf_counter()))
                started = due
                due += interval
            else:
                started = time.perf_counter()
            try:
                status, expected = one_request(conn, rng.choice(feeds), how)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                status, expected = -1, 0
            mine.append(time.perf_counter() - started)
            seen[status] = seen.get(status, 0) + 1
            wrong += status != expected
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v
            unexpected[0] += wrong

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, unexpected[0], time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def phase(name: str, latencies: list[float], statuses: dict[int, int], unexpected: int, elapsed: float) -> Phase:
    done = len(latencies)
    return Phase(
        name=name, requests=done, seconds=round(elapsed, 2),
        requests_per_s=round(done / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(latencies, 50) * 1000, 2), p95_ms=round(percentile(latencies, 95) * 1000, 2),
        p99_ms=round(percentile(latencies, 99) * 1000, 2),
        rate_304=round(statuses.get(304, 0) / done, 3) if done else 0.0,
        statuses={str(k): v for k, v in sorted(statuses.items())}, unexpected=unexpected,
    )


def run(args: argparse.Namespace) -> Result:
    with tempfile.TemporaryDirectory(prefix="feeds-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        began = time.perf_counter()
        feeds = build(url, args.tokens)
        setup = time.perf_counter() - began
        phases = []
        # One server per pool size in turn, on the same database: a comparison in one run.
        for size in args.pool_sizes or [None]:
            port = args.port or free_port()
            server = start_server(url, port, args.threads, Path(tmp) / "instance", size)
            named = f" (pool of {size})" if size is not None else ""
            try:
                # Warm up: imports, connection pools, the database's page cache.
                load(port, feeds, args.clients, min(200, args.requests), args.seconds, args.seed + 1)
                phases.append(phase("capacity" + named, *load(port, feeds, args.clients, args.requests,
                                                              args.seconds, args.seed)))
                if args.rate:
                    phases.append(phase(f"paced at {args.rate:g} req/s{named}", *load(
                        port, feeds, args.clients, args.requests, args.seconds, args.seed + 2, rate=args.rate)))
            finally:
                stop_server(server)
    return Result(tokens=len(feeds), setup_s=round(setup, 1), clients=args.clients, server_threads=args.threads,
                  database="sqlite" if url.startswith("sqlite") else url.split(":", 1)[0], phases=phases)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.feeds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=25_000, help="feed URLs to create (default 25000)")
    parser.add_argument("--requests", type=int, default=20_000, help="stop each phase after this many requests")
    parser.add_argument("--seconds", type=float, default=30.0, help="stop each phase after this many seconds")
    parser.add_argument("--rate", type=float, default=150.0,
                        help="requests per second of the paced phase (0: capacity phase only)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive client connections")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--port", type=int, default=None, help="loopback port (default: a free one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=None,
                        help="an EMPTY database to fill (default: an SQLite file in a temporary folder)")
    parser.add_argument("--pool-sizes", default="",
                        help="DATABASE_POOL_SIZE values (5,10): the phases run once per value, on a server each")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [v.strip() for v in args.pool_sizes.split(",") if v.strip()]
    if not all(v.isdigit() and int(v) >= 1 for v in sizes):
        parser.error("--pool-sizes takes whole numbers of at least 1, e.g. 5,10")
    args.pool_sizes = [int(v) for v in sizes]
    for name in ("tokens", "requests", "clients", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be between 0 and 3600")
    if args.rate < 0:
        parser.error("--rate must be 0 or more")
    return args


def report(result: Result) -> str:
    lines = [
        f"feeds benchmark: {result.tokens:,} feed URLs on {result.database}, waitress with "
        f"{result.server_threads} threads on {HOST}, {result.clients} clients, {result.cpus} CPU(s), "
        f"load average {result.load_average} at the end",
        f"  setup (publish + render every feed): {result.setup_s} s",
    ]
    for p in result.phases:
        lines += [
            f"  {p.name}: {p.requests:,} requests in {p.seconds} s = {p.requests_per_s} req/s; "
            f"latency p50 {p.p50_ms} ms, p95 {p.p95_ms} ms, p99 {p.p99_ms} ms",
            f"    304 rate {p.rate_304:.1%}; statuses {p.statuses}; unexpected {p.unexpected}",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    bad = any(p.unexpected or not p.requests for p in result.phases)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
