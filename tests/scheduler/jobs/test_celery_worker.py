"""A real `scheduler worker` (a subprocess) on the local Redis solves jobs from a real
database, honours cancel requests, and takes a city's districts from `solve-city`."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import select

from models import Schedule, SolveJob
from scheduler.cli import main
from scheduler.core.config import Settings
from scheduler.jobs.runners import CeleryRunner
from scheduler.jobs.solve_jobs import cancel, request_solve
from tests.factories import Factory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WEEK = date(2026, 11, 30)
STARTUP_S = 60


def seed_district(factory, name: str) -> int:
    with factory.begin() as session:
        make = Factory(session)
        d = make.district(name=name)
        village = make.site(d)
        make.person(d)
        make.slot(village, start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        return d.id


@pytest.fixture
def broker():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({exc}). Start it (.ci/run does) or point "
                    "TEST_REDIS_URL at one.", pytrace=False)
    queue = f"solve-test-{uuid.uuid4().hex[:8]}"
    yield queue
    # Leave nothing behind in the shared Redis: this test's queue and its task results.
    keys = [queue, *client.scan_iter(f"{queue}*")]
    client.delete(*keys)
    client.close()


@pytest.fixture
def worker(committed_factory, broker, tmp_path):
    """`scheduler worker` in its own process group, stopped (and if need be killed) afterwards."""
    url = committed_factory.kw["bind"].url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": REDIS_URL, "CELERY_QUEUE": broker,
           "SOLVE_WORKERS": "1", "LOG_FORMAT": "json", "SCHEDULER_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("CELERY_RESULT_BACKEND", None)
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", "from scheduler.cli import main; main()", "worker"],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(proc, log_path)
        yield Settings(database_url=url, instance_path=tmp_path, celery_broker_url=REDIS_URL), broker, log_path
    finally:
        _stop(proc)


def _wait_ready(proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the worker exited with {proc.returncode}:\n{log_path.read_text()}")
        if "ready" in log_path.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker was not ready after {STARTUP_S} s:\n{log_path.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    # Warm shutdown first (finish the job at hand), then no mercy for the whole group.
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def job_lines(log_path: Path) -> list[dict]:
    lines = []
    for line in log_path.read_text().splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if doc.get("event") == "job":
            lines.append(doc)
    return lines


def test_a_worker_solves_and_cancels_jobs_and_a_city_in_parallel(worker, committed_factory, monkeypatch):
    settings, queue, log_path = worker
    solved = seed_district(committed_factory, "甲区")
    cancelled = seed_district(committed_factory, "乙区")
    with committed_factory.begin() as session:
        job, _ = request_solve(session, solved, WEEK, None, time_limit=10)
        stopped, _ = request_solve(session, cancelled, WEEK, None, time_limit=10)
        cancel(session, stopped.id)
    runner = CeleryRunner(settings, queue=queue)
    try:
        first, second = runner.submit(stopped.id), runner.submit(job.id)
        assert first.result(timeout=60) == "cancelled"
        assert second.result(timeout=60) == "done"
    finally:
        runner.shutdown()
    with committed_factory() as session:
        done = session.get(SolveJob, job.id)
        assert done.state == "done" and done.progress["status"] == "optimal"
        assert len(session.get(Schedule, done.schedule_id).assignments) == 1
        assert session.get(SolveJob, stopped.id).state == "cancelled"
    logged = {line["job_id"]: line for line in job_lines(log_path)}
    assert logged[job.id]["state"] == "done" and logged[job.id]["runner"] == "celery"
    assert logged[stopped.id]["state"] == "cancelled"

    # The same worker takes the city's week: one job per district, then publish. (Fresh
    # districts: solving 甲区's week again would hit the re-solve bug reported to the lead.)
    seed_district(committed_factory, "丙区")
    seed_district(committed_factory, "丁区")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CELERY_BROKER_URL", REDIS_URL)
    monkeypatch.setenv("CELERY_QUEUE", queue)
    result = CliRunner().invoke(main, ["solve-city", "--week", "2026-12-01", "--district", "丙区", "--district", "丁区",
                                       "--time-limit", "10",
                                       "--timeout", "90", "--publish"])
    assert result.exit_code == 0, result.output
    assert "2 district jobs on Celery workers" in result.output
    assert "丙区: done" in result.output and "丁区: done" in result.output
    with committed_factory() as session:
        published = session.scalars(select(Schedule).where(Schedule.state == "published")).all()
        assert len(published) == 2


def test_a_redelivered_task_takes_over_the_job_a_killed_worker_left_running(worker, committed_factory):
    """A worker killed mid-solve leaves its job "running" under a lease nobody renews, and its
    message comes back (acks are late). The worker that gets it takes the job over and solves
    it, instead of returning at once because the job is no longer queued."""
    settings, queue, _ = worker
    district_id = seed_district(committed_factory, "戊区")
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)  # the worker's clock is the system's: the lease ran out
    with committed_factory.begin() as session:
        job, _ = request_solve(session, district_id, WEEK, None, time_limit=10)
        job.state, job.started_at, job.claimed_by, job.attempts = "running", long_ago, "killed-host:1:0", 1
        job.lease_until = long_ago + timedelta(seconds=20)
    runner = CeleryRunner(settings, queue=queue)
    try:
        assert runner.submit(job.id).result(timeout=60) == "done"
    finally:
        runner.shutdown()
    with committed_factory() as session:
        taken = session.get(SolveJob, job.id)
        assert (taken.state, taken.attempts, taken.progress["attempt"]) == ("done", 2, 2)
        assert taken.claimed_by != "killed-host:1:0" and len(session.get(Schedule, taken.schedule_id).assignments) == 1
