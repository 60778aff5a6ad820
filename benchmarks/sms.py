"""SMS from the outbox: --count SMS notices sent by `send_pending` through the real Alibaba
Cloud SDK to the loopback fake of tests/fakes/sms_server.py, by 1 sender and by --senders
senders in parallel (threads, each with its own channels and database sessions; the outbox's
claim keeps them from sending a message twice).

    python -m benchmarks.sms [--count 5000] [--senders 4] [--batch 200] [--database-url URL] [--json FILE]

For each phase, a fresh batch of --count notices (kinds change, cancellation and reminder,
each with its template parameters) is written to the outbox in one transaction (an SQLite
file in a temporary folder unless --database-url names an empty PostgreSQL or SQLite
database), then the senders run until the outbox is empty. Checks, exit status 1 when one
fails: the fake was sent each notice's dedupe key (its OutId) exactly once, every request's
signature was right, every row is `sent` after one attempt. Reports messages per second per
phase and their ratio. The target is >= 50 messages/s.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

KINDS = ("change", "cancellation", "reminder")


@dataclass
class Phase:
    senders: int
    messages: int
    seconds: float
    messages_per_s: float
    lost: int
    doubled: int
    bad_signatures: int
    not_sent_rows: int


@dataclass
class Result:
    count: int
    database: str
    phases: list[Phase]
    ratio: float  # messages/s of the parallel phase over the single sender's
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    load_average: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))

    @property
    def ok(self) -> bool:
        return all(p.lost == p.doubled == p.bad_signatures == p.not_sent_rows == 0 for p in self.phases)


def enqueue(factory, prefix: str, count: int, now: datetime) -> list[str]:
    from sqlalchemy import insert

    from models import Notification

    keys = [f"{prefix}:slot {i // 3}:person {i}" for i in range(count)]
    rows = [{"channel": "sms", "recipient": f"+86 139 {i // 10000 % 10000:04d} {i % 10000:04d}",
             "subject": "【走访时间变更】基准村 / Visit moved", "body": "基准村您好：\n\n走访时间变更。\n",
             "kind": KINDS[i % 3], "dedupe_key": key, "status": "pending", "attempts": 0, "next_attempt_at": now,
             "created_at": now, "audience": f"person:{i}",
             "params": json.dumps({"day": "12月3日（周四）", "time": "14:00–16:00", "place": f"基准村{i}村委会"},
                                  ensure_ascii=False)}
            for i, key in enumerate(keys)]
    with factory.begin() as session:
        for start in range(0, len(rows), 1000):
            session.execute(insert(Notification), rows[start:start + 1000])
    return keys


def run_phase(factory, settings, fake, prefix: str, count: int, senders: int, batch: int) -> Phase:
    from sqlalchemy import func, select

    from models import Notification
    from scheduler.notices.outbox import channels_from_settings, send_pending

    now = datetime.now(UTC)
    keys = enqueue(factory, prefix, count, now)
    errors: list[BaseException] = []

    def sender() -> None:
        channels = channels_from_settings(settings)  # clients of its own
        try:
            while True:
                report = send_pending(factory, channels, now=now, limit=batch)
                if report.sent + report.retrying + report.failed == 0:
                    return
        except BaseException as exc:  # reported after the phase
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    arrived = Counter(r.out_id for r in fake.received if r.out_id.startswith(prefix + ":") and r.answered == "OK")
    bad = sum(1 for r in fake.received if r.out_id.startswith(prefix + ":") and not r.signature_ok)
    with factory() as session:
        not_sent = session.scalar(select(func.count()).select_from(Notification).where(
            Notification.dedupe_key.startswith(prefix + ":"),
            (Notification.status != "sent") | (Notification.attempts != 1)))
    return Phase(senders, count, round(seconds, 2), round(count / seconds, 1), lost=len(set(keys) - set(arrived)),
                 doubled=sum(n - 1 for n in arrived.values() if n > 1), bad_signatures=bad, not_sent_rows=not_sent)


def run(count: int, senders: int, batch: int, database_url: str | None) -> Result:
    from models.db import make_engine, make_session_factory
    from scheduler.core.config import Settings
    from scheduler.core.database import upgrade
    from tests.fakes.sms_server import ACCESS_KEY_ID, ACCESS_KEY_SECRET, fake_sms

    with tempfile.TemporaryDirectory() as folder, fake_sms() as fake:
        url = database_url or f"sqlite:///{folder}/sms-bench.sqlite"
        engine = make_engine(url, pool_size=senders + 2) if url.startswith("postgresql") else make_engine(url)
        upgrade(engine)
        settings = Settings.from_env({
            "SMS_ACCESS_KEY_ID": ACCESS_KEY_ID, "SMS_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
            "SMS_SIGN_NAME": "宁波公共法律服务", "SMS_ENDPOINT": fake.url, "SMS_TEMPLATE_CHANGE": "SMS_1",
            "SMS_TEMPLATE_CANCELLATION": "SMS_2", "SMS_TEMPLATE_REMINDER": "SMS_3"})
        factory = make_session_factory(engine)
        try:
            stamp = datetime.now(UTC).strftime("%H%M%S%f")
            phases = [run_phase(factory, settings, fake, f"bench {stamp} x{n}", count, n, batch)
                      for n in sorted({1, senders})]
        finally:
            engine.dispose()
    return Result(count, engine.dialect.name, phases,
                  ratio=round(phases[-1].messages_per_s / phases[0].messages_per_s, 2))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="notices per phase (1-100000)")
    parser.add_argument("--senders", type=int, default=4, help="senders of the parallel phase (1-16)")
    parser.add_argument("--batch", type=int, default=200, help="messages per send_pending call (1-10000)")
    parser.add_argument("--database-url", help="an empty database (default: an SQLite file in a temporary folder)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    for name, low, high in (("count", 1, 100_000), ("senders", 1, 16), ("batch", 1, 10_000)):
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name} must be between {low} and {high}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args.count, args.senders, args.batch, args.database_url)
    for p in result.phases:
        print(f"{p.senders} sender(s): {p.messages} SMS in {p.seconds} s = {p.messages_per_s} msg/s; "
              f"lost {p.lost}, doubled {p.doubled}, bad signatures {p.bad_signatures}, rows not sent once "
              f"{p.not_sent_rows}")
    print(f"{result.database}, {result.cpus} cores, load {result.load_average}; ratio {result.ratio}; "
          f"{'OK' if result.ok else 'FAILED'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({**asdict(result), "ok": result.ok}, out, ensure_ascii=False, indent=2)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
