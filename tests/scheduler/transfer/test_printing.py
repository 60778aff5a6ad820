"""Printed notices: the window roster and the village poster, as HTML and as PDF (whose
text is read back with pypdf)."""
from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from models import AuditEntry
from scheduler.core.access import NotVisible
from scheduler.transfer.exports import NothingPublished
from scheduler.transfer.printing import Link, render_html, render_pdf, village_poster, window_roster
from scheduler.transfer.printing.qr import qr_data_uri
from tests.scheduler.published import WEEK, published_week

BEFORE = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def pub(session, make):
    return published_week(session, make)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def line_segments(data: bytes) -> int:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return page.get_contents().get_data().count(b" l\n")


def flat(text: str) -> str:
    return "".join(text.split())


def test_window_roster_pdf_names_who_serves_when_with_role_office_phone_and_hotline(session, pub):
    roster = window_roster(session, None, pub.window.id, WEEK)
    text = flat(pdf_text(render_pdf([roster], title="值班表")))
    for expected in ("下应司法所窗口值班表", "03月02日周一", "08:30–12:00", "王明", "律师", "甬正律师事务所",
                     "0574-87001234", "李华", "公证员", "待安排1人", "法律咨询：12348", "投诉监督：12348"):
        assert expected in text, expected
    assert "13812341234" not in text and "138****1234" not in text


def test_roster_needs_a_published_week_and_a_window_in_scope(session, pub, make):
    with pytest.raises(NothingPublished):
        window_roster(session, None, pub.window.id, WEEK.replace(day=9))
    with pytest.raises(NotVisible):
        window_roster(session, None, pub.village.id, WEEK)
    with pytest.raises(NotVisible):
        window_roster(session, make.user("coordinator"), pub.window.id, WEEK)


def test_village_poster_pdf_shows_adviser_next_visits_hotline_and_qr(session, pub):
    poster = village_poster(session, None, pub.village.id, feed_url="https://x.example/feeds/abc.ics", now=BEFORE,
                            base_url="https://x.example/")
    # The QR code opens the village's public page; the calendar link is printed as text.
    assert poster.page_url == "https://x.example/v/JQ-V1" and poster.qr == qr_data_uri(poster.page_url)
    data = render_pdf([poster], title="公示")
    text = flat(pdf_text(data))
    for expected in ("村（社区）法律顾问公示", "湾底村", "结对法律顾问", "王明", "甬正律师事务所", "138****1234",
                     "03月04日周三", "09:30–11:30", "12348", "扫码查看本村法律顾问和来访安排", "订阅来访日历",
                     "照片"):
        assert expected in text, expected
    # The QR code is drawn as vector paths: hundreds of line segments a poster without it lacks.
    plain = render_pdf([village_poster(session, None, pub.village.id, now=BEFORE)], title="公示")
    assert line_segments(data) > line_segments(plain) + 100


def test_poster_without_a_feed_link_has_no_qr_and_full_phone_is_audited(session, pub, make):
    coordinator = make.user("coordinator", district_id=pub.district.id)
    poster = village_poster(session, coordinator, pub.village.id, full_phones=True, now=BEFORE)
    html = render_html([poster], title="公示", stylesheet="/notices.css", toolbar=[Link("/back", "返回")])
    assert "13812341234" in html and "data:image/svg+xml" not in html and "本村服务页面二维码" in html
    assert '<link rel="stylesheet" href="/notices.css">' in html and 'href="/back"' in html
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "print.full_phones"))
    assert entry.user_id == coordinator.id and entry.object_id == "JQ-V1"


def test_visits_already_over_leave_the_poster(session, pub):
    poster = village_poster(session, None, pub.village.id, now=datetime(2026, 3, 5, tzinfo=UTC))
    assert poster.visits == ()
    assert "暂无已发布的来访安排" in render_html([poster], title="x")


def test_several_notices_print_one_per_page(session, pub, make):
    other = make.site(pub.district, external_id="JQ-V2", name="新村")
    posters = [village_poster(session, None, s.id, now=BEFORE) for s in (pub.village, other)]
    reader = PdfReader(io.BytesIO(render_pdf(posters, title="公示")))
    assert len(reader.pages) == 2 and "法律顾问待确定" in flat(reader.pages[1].extract_text())
