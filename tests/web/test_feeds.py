"""Feeds over HTTP: the public .ics URL with ETag, Last-Modified and 304, revocation at
once, and the feed pages with their links, QR code and explanation in both languages."""
from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import icalendar
import pytest
from flask import render_template_string
from werkzeug.http import http_date

from models import Assignment
from scheduler.feeds.tokens import issue_token
from scheduler.week import drafts
from tests.factories import MONDAY
from tests.web.conftest import NOW, login_as
from web.feeds.qr import qr_data_uri

TOKEN_URL = re.compile(r"https?://[^\s\"<]+/feeds/([A-Za-z0-9_-]{43})\.ics")


@pytest.fixture
def published(session, make, world):
    """Person A serves a visit at village A in a published week; their feed has a URL."""
    slot = make.slot(world.village_a, start=NOW + timedelta(days=3), week_start=MONDAY)
    token = issue_token(session, "person", world.person_a.id, now=NOW)

    def publish(*people):
        draft = drafts.get_or_create_draft(session, world.district_a.id, MONDAY, None)
        draft.assignments.clear()
        session.flush()
        draft.assignments.extend(Assignment(slot_id=slot.id, person_id=p.id, line_index=i)
                                 for i, p in enumerate(people))
        session.flush()
        drafts.publish(session, world.district_a.id, MONDAY, None, now=NOW)  # renders the live feeds

    publish(world.person_a)
    return token, slot, publish


def test_the_feed_is_calendar_text_with_cache_validators(client, published):
    token, slot, _ = published
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"].startswith('"') and response.headers["Last-Modified"]
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in response.headers
    cal = icalendar.Calendar.from_ical(response.data)
    assert [int(str(e["UID"]).split("-")[1]) for e in cal.walk("VEVENT")] == [slot.id]


def test_if_none_match_gets_304_and_another_etag_the_feed(client, published):
    token, _, _ = published
    first = client.get(f"/feeds/{token}.ics")
    again = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_if_modified_since_gets_304_only_when_nothing_changed_since(client, published):
    token, _, _ = published
    first = client.get(f"/feeds/{token}.ics")
    same = client.get(f"/feeds/{token}.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert same.status_code == 304
    modified = datetime.strptime(first.headers["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
    earlier = http_date(modified.replace(tzinfo=UTC) - timedelta(seconds=1))
    older = client.get(f"/feeds/{token}.ics", headers={"If-Modified-Since": earlier})
    assert older.status_code == 200 and older.data == first.data


def test_a_published_change_gives_a_new_full_feed(client, published, world):
    token, _, publish = published
    first = client.get(f"/feeds/{token}.ics")
    publish(world.person_a, world.person_b)
    after = client.get(f"/feeds/{token}.ics", headers={
        "If-None-Match": first.headers["ETag"], "If-Modified-Since": first.headers["Last-Modified"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert "李律师" in after.get_data(as_text=True)


def test_unknown_and_replaced_tokens_are_404(client, session, published, world):
    token, _, _ = published
    assert client.get(f"/feeds/{'x' * 43}.ics").status_code == 404
    assert client.get("/feeds/short.ics").status_code == 404
    issue_token(session, "person", world.person_a.id, reset=True, now=NOW)
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_head_answers_like_get_without_a_body(client, published):
    token, _, _ = published
    response = client.head(f"/feeds/{token}.ics")
    assert response.status_code == 200 and response.data == b"" and response.headers["ETag"]


def _links(page: str) -> dict[str, str]:
    return {
        "https": re.search(r'href="(https?://[^"]+\.ics)"', page).group(1),
        "webcal": re.search(r'href="(webcal://[^"]+\.ics)"', page).group(1),
        "qr": re.search(r'src="(data:image/svg\+xml;base64,[^"]+)"', page).group(1),
    }


@pytest.mark.parametrize("lang, words", [
    ("zh", ["订阅", "导入"]),
    ("en", ["Subscribe", "importing the file copies"]),
])
def test_getting_a_link_shows_https_webcal_qr_and_the_explanation(client, world, as_role, lang, words):
    client = as_role("coord_a")
    page = client.get(f"/feeds/site/{world.window_a.id}?lang={lang}").get_data(as_text=True)
    assert ".ics" not in page and "data:image/svg" not in page
    assert all(w in page for w in words)
    response = client.post(f"/feeds/site/{world.window_a.id}?lang={lang}", data={"new": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and all(w in page for w in words)
    links = _links(page)
    token = TOKEN_URL.search(links["https"]).group(1)
    assert links["webcal"] == "webcal://" + links["https"].split("://", 1)[1]
    assert links["qr"] == qr_data_uri(links["https"])
    svg = ElementTree.fromstring(base64.b64decode(links["qr"].split(",", 1)[1]))
    assert svg.tag.endswith("svg")
    assert client.get(f"/feeds/{token}.ics").status_code == 200


def test_the_link_uses_the_configured_public_address(app, world, as_role):
    # SCHEDULER_BASE_URL, read into the settings at start, fills this key; it wins over the
    # address the request came to (here http://localhost).
    app.config["SCHEDULER_BASE_URL"] = "https://paiban.example.gov.cn"
    page = as_role("coord_a").post(f"/feeds/village/{world.village_a.id}", data={"new": "1"}).get_data(as_text=True)
    assert _links(page)["https"].startswith("https://paiban.example.gov.cn/feeds/")


def test_a_new_link_replaces_the_old_and_off_turns_it_off(client, world, as_role):
    client = as_role("provider")
    first = TOKEN_URL.search(client.post(f"/feeds/person/{world.person_a.id}", data={"new": "1"})
                             .get_data(as_text=True)).group(1)
    page = client.get(f"/feeds/person/{world.person_a.id}").get_data(as_text=True)
    assert first not in page  # only a fingerprint is stored: it cannot be shown again
    second = TOKEN_URL.search(client.post(f"/feeds/person/{world.person_a.id}", data={"new": "1"})
                              .get_data(as_text=True)).group(1)
    assert client.get(f"/feeds/{first}.ics").status_code == 404
    assert client.get(f"/feeds/{second}.ics").status_code == 200
    off = client.post(f"/feeds/person/{world.person_a.id}", data={"revoke": "1"})
    assert off.status_code == 302
    assert client.get(f"/feeds/{second}.ics").status_code == 404


def test_providers_and_villages_reach_only_their_own_feed(client, world):
    login_as(client, world.users["provider"])
    assert client.get(f"/feeds/person/{world.person_b.id}").status_code == 404
    assert client.post(f"/feeds/person/{world.person_b.id}", data={"new": "1"}).status_code == 404
    assert client.get(f"/feeds/village/{world.village_a.id}").status_code == 403
    login_as(client, world.users["village"])
    assert client.get(f"/feeds/village/{world.village_b.id}").status_code == 404
    assert client.get(f"/feeds/person/{world.person_a.id}").status_code == 403


def test_a_site_is_not_a_village_nor_a_village_a_site(as_role, world):
    client = as_role("city")
    assert client.get(f"/feeds/village/{world.window_a.id}").status_code == 404
    assert client.get(f"/feeds/site/{world.village_a.id}").status_code == 404


@pytest.mark.parametrize("kind, attr, path", [
    ("person", "person_a", "/feeds/person/"),
    ("village", "village_a", "/feeds/village/"),
    ("site", "window_a", "/feeds/site/"),
])
def test_the_partial_links_a_page_to_its_feed(app, world, kind, attr, path):
    subject_id = getattr(world, attr).id
    with app.test_request_context("/?lang=en"):
        html = render_template_string(
            '{% with feed_kind=k, feed_subject_id=i %}{% include "feeds/_feed_link.html" %}{% endwith %}',
            k=kind, i=subject_id)
    assert f'href="{path}{subject_id}"' in html and "Subscribe" in html
