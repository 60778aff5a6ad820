"""Choosing the runner from the settings, the in-process path of `solve-city`, and the
worker's refusal to start without a broker."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from models import Schedule, SolveJob
from scheduler.cli import main
from scheduler.core.clock import FixedClock
from scheduler.core.config import Settings, SettingsError
from scheduler.jobs.runners import CeleryRunner, LoggingThreadRunner, make_runner
from scheduler.jobs.solve_jobs import request_solve
from tests.factories import Factory

WEEK = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 27, 2, tzinfo=UTC))


def settings(broker: str | None) -> Settings:
    return Settings(database_url="sqlite://", instance_path=None, celery_broker_url=broker)  # type: ignore[arg-type]


def seed(factory, name: str) -> int:
    with factory.begin() as session:
        make = Factory(session)
        d = make.district(name=name)
        make.person(d)
        make.slot(make.site(d), start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        return d.id


def test_a_broker_url_means_celery_and_none_means_a_thread():
    celery = make_runner(settings("redis://127.0.0.1:6379/15"), None, clock=CLOCK)
    try:
        assert isinstance(celery, CeleryRunner)
        assert celery.app.conf.broker_url == "redis://127.0.0.1:6379/15"
        # The result store defaults to the broker; jobs are acknowledged when done.
        assert celery.app.conf.result_backend == "redis://127.0.0.1:6379/15"
        assert celery.app.conf.task_acks_late and celery.app.conf.worker_prefetch_multiplier == 1
    finally:
        celery.shutdown()
    local = make_runner(settings(None), None, clock=CLOCK)
    assert isinstance(local, LoggingThreadRunner)
    local.shutdown()


def test_a_message_whose_worker_died_comes_back_soon():
    """A worker process killed mid-solve gives its message back at once, a whole worker killed
    after minutes, not Celery's default hour: the job's lease decides who then runs it."""
    from scheduler.jobs.celery_app import VISIBILITY_TIMEOUT_S

    celery = make_runner(settings("redis://127.0.0.1:6379/15"), None, clock=CLOCK)
    try:
        assert celery.app.conf.task_reject_on_worker_lost is True
        assert celery.app.conf.broker_transport_options == {"visibility_timeout": VISIBILITY_TIMEOUT_S}
        assert VISIBILITY_TIMEOUT_S <= 600
    finally:
        celery.shutdown()


def test_the_thread_runner_logs_one_structured_line_per_job(committed_factory, caplog):
    district_id = seed(committed_factory, "甲区")
    with committed_factory.begin() as session:
        job, _ = request_solve(session, district_id, WEEK, None, time_limit=5)
    runner = make_runner(settings(None), committed_factory, clock=CLOCK)
    with caplog.at_level(logging.INFO, logger="scheduler.jobs.solve_jobs"):
        assert runner.submit(job.id).result(timeout=60) == "done"
    runner.shutdown()
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "job"]
    assert (record.job_id, record.state, record.runner, record.district_id) == (job.id, "done", "thread", district_id)
    assert record.status == "optimal" and record.seconds >= 0


def _env(monkeypatch, factory) -> None:
    monkeypatch.setenv("DATABASE_URL", factory.kw["bind"].url.render_as_string(hide_password=False))
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


def test_solve_city_without_a_broker_solves_every_district_in_this_process(committed_factory, monkeypatch):
    _env(monkeypatch, committed_factory)
    seed(committed_factory, "甲区")
    seed(committed_factory, "乙区")
    result = CliRunner().invoke(main, ["solve-city", "--week", "2026-12-02", "--time-limit", "5", "--publish"])
    assert result.exit_code == 0, result.output
    assert "2 district jobs on this process" in result.output
    assert "甲区: done" in result.output and "Published 乙区 version 1." in result.output
    with committed_factory() as session:
        assert len(session.scalars(select(Schedule).where(Schedule.state == "published")).all()) == 2


def test_solve_city_gives_up_at_its_timeout_and_cancels(committed_factory, monkeypatch):
    _env(monkeypatch, committed_factory)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")  # nobody will ever run the jobs
    seed(committed_factory, "甲区")
    from scheduler.jobs import runners
    monkeypatch.setattr(runners.CeleryRunner, "submit", lambda self, job_id: None)
    result = CliRunner().invoke(main, ["solve-city", "--week", "2026-12-02", "--timeout", "1.5"])
    assert result.exit_code == 1
    assert "Timed out" in result.output and "are the workers running?" in result.output
    with committed_factory() as session:
        assert session.scalar(select(SolveJob.cancel_requested)) is True


def test_an_unknown_district_is_named(committed_factory, monkeypatch):
    _env(monkeypatch, committed_factory)
    seed(committed_factory, "甲区")
    result = CliRunner().invoke(main, ["solve-city", "--district", "无此区"])
    assert result.exit_code == 1 and "无此区" in result.output


def test_the_worker_refuses_to_start_without_a_broker(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code == 1
    assert "CELERY_BROKER_URL is not set" in result.output


def test_a_bad_solve_workers_setting_is_refused(monkeypatch):
    with pytest.raises(SettingsError, match="SOLVE_WORKERS"):
        Settings.from_env({"CELERY_BROKER_URL": "redis://x", "SOLVE_WORKERS": "0"})
    monkeypatch.setenv("SOLVE_WORKERS", "none")
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code == 1 and "SOLVE_WORKERS must be a positive whole number" in result.output
