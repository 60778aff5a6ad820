"""The public village page (issue 16) on the demo district, against /healthz in the same run.

    python -m benchmarks.portal [--requests 400] [--seed 1] [--size district] [--database-url URL]
                                [--json FILE]

Setup (timed separately): a fresh database (an SQLite file in a temporary folder unless
--database-url names an empty one), the demo district (`scheduler demo-data --size
district`: about 300 villages), next week's slots generated and each village visit given to
the village's standing adviser, published. Then, in one process with Flask's test client
(no network, so the figures are the app's own work): --requests GETs of `/v/<village>` for
villages drawn at random (unconditional: 200 and the page), as many with the ETag of an
earlier answer (304), and as many of `/healthz` as the baseline. Reports p50/p95 per kind,
the ratio of the page's p50 to the baseline's, and the SQL statements per page; exit status 1
when the page's p95 is 50 ms or more (the issue's target) or an answer is unexpected.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from models import Assignment, District, Pairing, Site, Slot
from models.db import make_engine
from scheduler.core.clock import FixedClock
from scheduler.core.config import Settings
from scheduler.core.database import upgrade
from scheduler.core.weeks import monday_of
from scheduler.demand.generate import generate_week
from scheduler.demo.load import load_world
from scheduler.demo.world import build_world
from scheduler.week.drafts import get_or_create_draft, publish

TARGET_P95_MS = 50.0
NOW = datetime(2026, 12, 7, 2, tzinfo=UTC)


@dataclass
class Kind:
    name: str
    requests: int
    p50_ms: float
    p95_ms: float


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return round(cuts[49] * 1000, 2), round(cuts[94] * 1000, 2)


def setup(url: str, seed: int, size: str = "district") -> tuple[list[str], int]:
    """The demo district with next week published; returns the villages' external ids and
    how many visits were published."""
    engine = make_engine(url)
    upgrade(engine)
    week = monday_of(NOW.date() + timedelta(days=7))
    with Session(engine) as session, session.begin():
        load_world(session, build_world(size, seed, week), now=NOW)
        district_id = session.scalar(select(District.id))
        generate_week(session, district_id, week)
        advisers = {s: p for s, p in session.execute(
            select(Pairing.site_id, Pairing.person_id).where(Pairing.valid_to.is_(None)))}
        draft = get_or_create_draft(session, district_id, week, None)
        visits = session.execute(select(Slot.id, Slot.site_id).join(Site, Site.id == Slot.site_id)
                                 .where(Slot.week_start == week, Slot.kind == "visit", Site.kind == "village")).all()
        rows = [Assignment(schedule_id=draft.id, slot_id=slot_id, person_id=advisers[site_id], line_index=0)
                for slot_id, site_id in visits if site_id in advisers]
        session.add_all(rows)
        session.flush()
        publish(session, district_id, week, None, now=NOW)
        villages = list(session.scalars(select(Site.external_id).where(Site.kind == "village", Site.active)))
    engine.dispose()
    return villages, len(rows)


def arguments(doc: str) -> argparse.ArgumentParser:
    """The options of the demo-district benchmarks (this one and `benchmarks.api`)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, choices=range(1, 100_001), metavar="1..100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", choices=("tiny", "district"), default="district",
                        help="the demo world (tiny: a smoke run)")
    parser.add_argument("--database-url")
    parser.add_argument("--json")
    parser.add_argument("--no-target", action="store_true",
                        help="report only: exit 1 for unexpected answers, not for missing the target (smoke runs)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__).parse_args(argv)
    from web import create_app
    from web.db import database

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        started = time.perf_counter()
        villages, visits = setup(url, args.seed, args.size)
        setup_s = time.perf_counter() - started
        settings = Settings.from_env({"DATABASE_URL": url, "SCHEDULER_INSTANCE_PATH": tmp})
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, settings=settings, clock=FixedClock(NOW))
        statements = [0]
        with app.app_context():
            event.listen(database(app).engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(
                0, statements[0] + 1))
        client = app.test_client()
        rng = random.Random(args.seed)
        timings: dict[str, list[float]] = {"village page": [], "village page, 304": [], "/healthz": []}
        unexpected, per_page = 0, []
        for village in villages[:20]:  # warm-up: templates compiled, connections open
            client.get(f"/v/{village}")
        for _ in range(args.requests):
            village = rng.choice(villages)
            before, t0 = statements[0], time.perf_counter()
            answer = client.get(f"/v/{village}")
            timings["village page"].append(time.perf_counter() - t0)
            per_page.append(statements[0] - before)
            etag = answer.headers.get("ETag", "")
            unexpected += answer.status_code != 200
            t0 = time.perf_counter()
            again = client.get(f"/v/{village}", headers={"If-None-Match": etag})
            timings["village page, 304"].append(time.perf_counter() - t0)
            unexpected += again.status_code != 304
            t0 = time.perf_counter()
            unexpected += client.get("/healthz").status_code != 200
            timings["/healthz"].append(time.perf_counter() - t0)
        app.extensions.clear()
    kinds = [Kind(name, len(samples), *_percentiles(samples)) for name, samples in timings.items()]
    page, baseline = kinds[0], kinds[2]
    ratio = page.p50_ms / baseline.p50_ms if baseline.p50_ms else float("inf")
    print(f"database: {url.split(':', 1)[0]}   setup (demo district, {len(villages)} villages, "
          f"{visits} published visits): {setup_s:.1f} s")
    print(f"{'request':<20}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}")
    for k in kinds:
        print(f"{k.name:<20}{k.requests:>6}{k.p50_ms:>9.2f}{k.p95_ms:>9.2f}")
    print(f"village page p50 / healthz p50: {ratio:.1f}x   SQL statements per page: "
          f"{min(per_page)}-{max(per_page)}   (target p95 < {TARGET_P95_MS:.0f} ms)")
    if args.json:
        Path(args.json).write_text(json.dumps({"kinds": [asdict(k) for k in kinds], "ratio": ratio,
                                               "statements": [min(per_page), max(per_page)],
                                               "setup_s": setup_s}, indent=1), encoding="utf-8")
    if (page.p95_ms >= TARGET_P95_MS and not args.no_target) or unexpected:
        print(f"FAIL: p95 {page.p95_ms} ms or {unexpected} unexpected answers", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
