"""Migration 0015 creates the skills vocabulary with a row for every skill code in use (people
and village needs here), named for the standard codes and by itself for any other."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from models.db import make_engine
from scheduler.core.database import alembic_config
from tests.factories import Factory


def _to(engine, url, revision):
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_every_skill_in_use_gets_a_row(empty_database_url):
    engine = make_engine(empty_database_url)
    _to(engine, empty_database_url, "0014_feed_jobs")
    with Session(engine) as session:
        make = Factory(session)
        district = make.district()
        make.person(district, skills=("family", "maritime"))
        make.site(district, needs=["salvage", "land"])
        session.commit()
    _to(engine, empty_database_url, "0015_skills_vocabulary")
    with engine.connect() as conn:
        rows = {code: (zh, en) for code, zh, en in conn.execute(text("SELECT code, name_zh, name_en FROM skills"))}
    engine.dispose()
    assert rows["family"] == ("婚姻家庭", "Marriage and family") and rows["land"] == ("土地纠纷", "Land disputes")
    assert rows["maritime"] == ("maritime", "maritime") and rows["salvage"] == ("salvage", "salvage")
    assert rows["dialect_ningbo"] == ("宁波话", "Ningbo dialect")  # standard, though unused here
