"""Solving from the browser: the Solve button starts (or joins) a job, the job page and its
JSON status show progress in the reader's language, Cancel asks the solver to stop, and the
app's runner runs jobs on a thread with the app's own sessions."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, Pairing, Schedule, SolveJob
from scheduler.core.clock import FixedClock
from scheduler.jobs import solve_jobs as jobs
from scheduler.jobs.runners import LoggingThreadRunner
from scheduler.jobs.solve_jobs import request_solve
from scheduler.week.drafts import get_or_create_draft
from tests.factories import Factory
from tests.web.conftest import NOW, build_app, login_as
from web import create_app
from web.solve_runner import SolveRunner, solve_runner

WEEK = date(2026, 11, 30)


def utc(*a):
    return datetime(*a, tzinfo=UTC)


def solve_url(world) -> str:
    return f"/districts/{world.district_a.id}/weeks/2026-11-30/solve"


def test_the_solve_button_queues_one_job_and_a_second_click_joins_it(as_role, session, world):
    client = as_role("coord_a")
    first = client.post(solve_url(world))
    job = session.scalar(select(SolveJob))
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/jobs/{job.id}")
    assert (job.state, job.requested_by_id, job.district_id) == ("queued", world.users["coord_a"].id, world.district_a.id)
    second = client.post(solve_url(world) + "?lang=en")
    assert second.headers["Location"].endswith(f"/jobs/{job.id}")
    assert "This week was already being solved" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert len(session.scalars(select(SolveJob)).all()) == 1


def test_the_time_limit_comes_from_the_configuration(engine, session, tmp_path, monkeypatch, world):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    client = build_app(engine, session, tmp_path, SOLVE_TIME_LIMIT=12).test_client()
    login_as(client, world.users["coord_a"])
    client.post(solve_url(world))
    assert session.scalar(select(SolveJob.time_limit)) == 12


def running_job(session, world, **progress) -> SolveJob:
    job, _ = request_solve(session, world.district_a.id, WEEK, None, time_limit=30)
    job.state, job.started_at = "running", NOW - timedelta(seconds=4)
    job.progress = progress
    session.flush()
    return job


def test_a_running_job_page_polls_with_a_script_and_refreshes_without(as_role, session, world):
    job = running_job(session, world, objective=1234.5, bound=1000.0, solutions=3)
    html = as_role("coord_a").get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert "js/job.js" in html and f'data-status-url="/jobs/{job.id}/status"' in html
    assert "计算中" in html and "1,234.5" in html and "1,000.0" in html and "19.0%" in html
    assert f'action="/jobs/{job.id}/cancel"' in html and f'href="/jobs/{job.id}"' in html


def test_the_status_json_has_figures_and_texts_in_the_readers_language(as_role, session, world):
    job = running_job(session, world, objective=200.0, bound=150.0, solutions=2)
    client = as_role("coord_a")
    info = client.get(f"/jobs/{job.id}/status?lang=en").get_json()
    assert (info["state"], info["live"], info["objective"], info["bound"], info["solutions"]) == (
        "running", True, 200.0, 150.0, 2)
    assert info["gap"] == pytest.approx(0.25) and 3.5 < info["elapsed_s"] < 60
    assert info["display"]["state"] == "Solving" and info["display"]["gap"] == "25.0%"
    assert info["display"]["elapsed"].endswith("s of 30 s")
    assert client.get(f"/jobs/{job.id}/status?lang=zh").get_json()["display"]["state"] == "计算中"


def test_cancel_asks_the_solver_to_stop(as_role, session, world):
    job = running_job(session, world)
    client = as_role("coord_a")
    response = client.post(f"/jobs/{job.id}/cancel?lang=en")
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    session.refresh(job)
    assert job.cancel_requested
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Solving (cancel requested)" in html and "the solver stops within a few seconds" in html
    assert f'action="/jobs/{job.id}/cancel"' not in html


def test_a_finished_job_links_to_the_draft_and_the_review(as_role, session, world):
    job = running_job(session, world, objective=10.0, bound=10.0, solutions=1, status="optimal")
    job.state, job.finished_at = "done", NOW
    session.flush()
    html = as_role("coord_a").get(f"/jobs/{job.id}?lang=en").get_data(as_text=True)
    assert "The draft is ready." in html and "optimal" in html and "0.0%" in html
    week = f"/districts/{world.district_a.id}/weeks/2026-11-30"
    assert f'href="{week}"' in html and f'href="{week}/review"' in html
    assert "job.js" not in html and "refresh" not in html


def test_a_failed_job_says_so_and_shows_the_error(as_role, session, world):
    job = running_job(session, world)
    job.state, job.finished_at, job.error = "failed", NOW, "ValueError: the week cannot be built"
    session.flush()
    html = as_role("coord_a").get(f"/jobs/{job.id}?lang=en").get_data(as_text=True)
    assert "The solve failed; the draft is as it was before." in html
    assert "ValueError: the week cannot be built" in html


def test_the_week_page_points_to_the_running_solve_instead_of_a_solve_button(as_role, session, world):
    job = running_job(session, world)
    html = as_role("coord_a").get(f"/districts/{world.district_a.id}/weeks/2026-11-30?lang=en").get_data(as_text=True)
    assert "This week is being solved right now." in html and f'href="/jobs/{job.id}"' in html
    assert solve_url(world) not in html


def test_an_unknown_runner_is_a_clear_error(engine, session, tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(ValueError, match="SOLVE_RUNNER must be one of auto, thread, inline, queue"):
        build_app(engine, session, tmp_path, SOLVE_RUNNER="celery-ish")


def test_the_inline_runner_solves_before_answering(engine, session, tmp_path, monkeypatch, make, world):
    # The watcher thread must not share the test's connection: it only wakes after the solve.
    monkeypatch.setattr(jobs, "POLL_SECONDS", 600)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = build_app(engine, session, tmp_path, SOLVE_RUNNER="inline", SOLVE_TIME_LIMIT=5)
    assert isinstance(solve_runner(app), SolveRunner) and solve_runner(app).mode == "inline"
    make.slot(world.village_a, start=utc(2026, 12, 1, 1))
    client = app.test_client()
    login_as(client, world.users["coord_a"])
    response = client.post(solve_url(world))
    job = session.scalar(select(SolveJob))
    assert job.state == "done", job.error
    draft = session.get(Schedule, job.schedule_id)
    assert draft.state == "draft" and [a.person_id for a in draft.assignments] == [world.person_a.id]
    assert "草稿已生成" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("mode", ["thread", "auto"])
def test_the_thread_runner_solves_with_the_apps_own_sessions(committed_factory, tmp_path, monkeypatch, password_hash,
                                                             mode):
    """The production wiring: a real database, commits, and a worker thread of the app
    (`auto` without a Celery broker is the thread too)."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    url = committed_factory.kw["bind"].url.render_as_string(hide_password=False)
    with committed_factory.begin() as s:
        make = Factory(s)
        d = make.district()
        village = make.site(d)
        make.person(d, name="毛燕")
        make.slot(village, start=utc(2026, 12, 1, 1))
        user = make.user("coordinator", district_id=d.id, password_hash=password_hash)
        s.expunge_all()
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "SOLVE_RUNNER": mode, "SOLVE_TIME_LIMIT": 5})
    client = app.test_client()
    login_as(client, user)
    try:
        response = client.post(f"/districts/{d.id}/weeks/2026-11-30/solve")
        job_id = int(response.headers["Location"].rsplit("/", 1)[1])
        assert jobs.wait_for(committed_factory, job_id, timeout=60).state == "done"
        assert isinstance(solve_runner(app).runner, LoggingThreadRunner)
        info = client.get(f"/jobs/{job_id}/status").get_json()
        assert info["state"] == "done" and info["live"] is False and info["solver_status"] == "optimal"
        page = client.get(f"/districts/{d.id}/weeks/2026-11-30").get_data(as_text=True)
        assert "毛燕" in page
    finally:
        solve_runner(app).shutdown()


def test_auto_sends_jobs_to_celery_when_a_broker_is_set(engine, session, tmp_path, monkeypatch, world):
    sent = []

    class FakeCelery:
        def __init__(self, settings):
            sent.append(settings.celery_broker_url)

        def submit(self, job_id):
            sent.append(job_id)

    monkeypatch.setattr("scheduler.jobs.runners.CeleryRunner", FakeCelery)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    client = build_app(engine, session, tmp_path, SOLVE_RUNNER="auto").test_client()
    login_as(client, world.users["coord_a"])
    client.post(solve_url(world))
    assert sent == ["redis://127.0.0.1:6379/9", session.scalar(select(SolveJob.id))]


def test_solving_again_keeps_the_locked_places(engine, session, tmp_path, monkeypatch, make, world):
    monkeypatch.setattr(jobs, "POLL_SECONDS", 600)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = build_app(engine, session, tmp_path, SOLVE_RUNNER="inline", SOLVE_TIME_LIMIT=5)
    visit = make.slot(world.village_a, start=utc(2026, 12, 1, 1))
    # Far away and not the village's adviser: the solver alone would pick 王律师.
    stranger = make.person(world.district_a, name="远律师", lat=30.6, lon=122.4)
    draft = get_or_create_draft(session, world.district_a.id, WEEK, world.users["coord_a"])
    draft.assignments = [Assignment(slot_id=visit.id, person_id=stranger.id, line_index=0, locked=True)]
    session.flush()
    client = app.test_client()
    login_as(client, world.users["coord_a"])
    week_page = client.get(f"/districts/{world.district_a.id}/weeks/2026-11-30?lang=en").get_data(as_text=True)
    assert "Solve again around the locked places" in week_page
    client.post(solve_url(world))
    assert session.scalar(select(SolveJob.state)) == "done"
    session.expire_all()
    kept = session.scalars(select(Assignment).where(Assignment.schedule_id == draft.id)).all()
    assert [(a.person_id, a.locked) for a in kept] == [(stranger.id, True)]


def test_without_the_lock_the_solver_prefers_the_adviser(engine, session, tmp_path, monkeypatch, make, world):
    """The counterpart of the test above: the same week unlocked ends with 王律师."""
    monkeypatch.setattr(jobs, "POLL_SECONDS", 600)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = build_app(engine, session, tmp_path, SOLVE_RUNNER="inline", SOLVE_TIME_LIMIT=5)
    visit = make.slot(world.village_a, start=utc(2026, 12, 1, 1))
    stranger = make.person(world.district_a, name="远律师", lat=30.6, lon=122.4)
    draft = get_or_create_draft(session, world.district_a.id, WEEK, world.users["coord_a"])
    draft.assignments = [Assignment(slot_id=visit.id, person_id=stranger.id, line_index=0, locked=False)]
    session.flush()
    client = app.test_client()
    login_as(client, world.users["coord_a"])
    client.post(solve_url(world))
    session.expire_all()
    kept = session.scalars(select(Assignment).where(Assignment.schedule_id == draft.id)).all()
    assert [a.person_id for a in kept] == [world.person_a.id]


# --- no lost edit; jobs whose worker died (issue 13 rows 9 and 18) --------------------------

class PausedSolver:
    """Stands in for the CP-SAT call of `solve_week`: says when the week has been read, waits
    to be let go, then solves for real."""

    def __init__(self, real):
        self.real, self.read, self.go = real, threading.Event(), threading.Event()

    def __call__(self, *args, **kwargs):
        self.read.set()
        assert self.go.wait(60), "the test never let the solver go"
        return self.real(*args, **kwargs)


def test_a_hand_edit_during_a_solve_survives_and_the_pages_say_so(committed_factory, tmp_path, monkeypatch,
                                                                   password_hash):
    """The whole path on a real database: Solve starts a job on the app's thread, the solver
    is held once it has read the week, the coordinator gives the visit to someone by hand,
    then the solver finishes. The hand edit stays (locked) and the pages tell what happened."""
    from scheduler.week import solve as solving

    paused = PausedSolver(solving.solve)
    monkeypatch.setattr(solving, "solve", paused)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    url = committed_factory.kw["bind"].url.render_as_string(hide_password=False)
    with committed_factory.begin() as s:
        make = Factory(s)
        d = make.district()
        village = make.site(d)
        adviser = make.person(d, name="王律师")
        stranger = make.person(d, name="远律师", lat=30.6, lon=122.4)
        s.add(Pairing(site_id=village.id, person_id=adviser.id, valid_from=date(2020, 1, 1)))
        visit = make.slot(village, start=utc(2026, 12, 1, 1))
        user = make.user("coordinator", district_id=d.id, password_hash=password_hash)
        s.expunge_all()
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "SOLVE_RUNNER": "thread", "SOLVE_TIME_LIMIT": 5},
                     clock=FixedClock(NOW))
    client = app.test_client()
    login_as(client, user)
    week = f"/districts/{d.id}/weeks/2026-11-30"
    try:
        job_id = int(client.post(f"{week}/solve").headers["Location"].rsplit("/", 1)[1])
        assert paused.read.wait(60), "the job never read the week"
        page = client.get(f"{week}?lang=en").get_data(as_text=True)
        assert "This week is being solved right now." in page and "You can still edit" in page
        response = client.post(f"{week}/slots/{visit.id}/lines/0/assign?lang=en",
                               data={"person": stranger.id, "lock_version": ""})
        assert response.status_code == 302, response.get_data(as_text=True)
        told = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "远律师 was locked in: the solve cannot take the place away" in told
    finally:
        paused.go.set()
    try:
        assert jobs.wait_for(committed_factory, job_id, timeout=60).state == "discarded"
        with committed_factory() as s:
            kept = s.scalars(select(Assignment)).all()
            assert [(a.person_id, a.source, a.locked) for a in kept] == [(stranger.id, "manual", True)]
        job_en = client.get(f"/jobs/{job_id}?lang=en").get_data(as_text=True)
        assert "Result not stored" in job_en and "so the solver's result was not stored" in job_en
        assert "job.js" not in job_en
        job_zh = client.get(f"/jobs/{job_id}?lang=zh").get_data(as_text=True)
        assert "结果未保存" in job_zh and "计算结果未保存" in job_zh
        status = client.get(f"/jobs/{job_id}/status").get_json()
        assert (status["outcome"], status["live"]) == ("discarded", False)
        week_en = client.get(f"{week}?lang=en").get_data(as_text=True)
        assert "The last solve's result was not stored" in week_en and f'href="/jobs/{job_id}"' in week_en
        assert "上次计算的结果未保存" in client.get(f"{week}?lang=zh").get_data(as_text=True)
    finally:
        solve_runner(app).shutdown()


def lost_job(session, world) -> SolveJob:
    """What a worker killed mid-solve leaves: "running" under a lease that ran out 40 s ago."""
    job = running_job(session, world, objective=50.0, solutions=1)
    job.started_at, job.claimed_by = NOW - timedelta(seconds=70), "dead-host:1:0"
    job.lease_until = NOW - timedelta(seconds=40)
    session.flush()
    return job


def test_a_job_whose_worker_died_is_shown_stopped_and_the_week_can_be_solved_again(as_role, session, world):
    job = lost_job(session, world)
    client = as_role("coord_a")
    info = client.get(f"/jobs/{job.id}/status?lang=en").get_json()
    assert (info["state"], info["outcome"], info["live"]) == ("running", "lost", False)
    assert info["display"]["state"] == "Stopped: its worker died" and info["elapsed_s"] == 30.0
    html = client.get(f"/jobs/{job.id}?lang=en").get_data(as_text=True)
    assert "The process solving this week stopped" in html and "job.js" not in html
    assert f'action="/jobs/{job.id}/cancel"' not in html
    assert "计算本周排班的进程已停止" in client.get(f"/jobs/{job.id}?lang=zh").get_data(as_text=True)
    week = client.get(f"/districts/{world.district_a.id}/weeks/2026-11-30?lang=en").get_data(as_text=True)
    assert "The last solve stopped: the process running it died" in week and solve_url(world) in week
    assert "This week is being solved right now." not in week
    # Solve records it failed and starts a new job.
    response = client.post(solve_url(world))
    session.refresh(job)
    assert job.state == "failed" and job.error.startswith("worker lost")
    assert response.headers["Location"] != f"/jobs/{job.id}"
    assert "已中断" in client.get(f"/jobs/{job.id}?lang=zh").get_data(as_text=True)


def test_a_job_taken_over_by_another_worker_says_which_attempt(as_role, session, world):
    job = running_job(session, world)
    job.claimed_by, job.lease_until, job.attempts = "host:2:1", NOW + timedelta(seconds=15), 2
    session.flush()
    info = as_role("coord_a").get(f"/jobs/{job.id}/status?lang=en").get_json()
    assert info["live"] and info["display"]["state"] == "Solving (attempt 2: another worker took it over)"
