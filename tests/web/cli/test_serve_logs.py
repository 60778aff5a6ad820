"""`scheduler serve` without --prod (issue 13, row 13): Flask's development server logged every
request line raw, a calendar feed's secret token included. Now its log is masked as the
production one: the app's request line with `/feeds/[token].ics`, in text."""
from __future__ import annotations

from tests.web.cli.served import get, serving

TOKEN = "NotARealToken42"


def test_the_development_server_masks_feed_tokens_in_its_log(committed_factory, tmp_path):
    with serving(committed_factory, tmp_path) as base:
        assert get(f"{base}/feeds/{TOKEN}.ics")[0] == 404
        assert get(f"{base}/feeds/{TOKEN}.ics?x=13812345678")[0] == 404
    text = (tmp_path / "serve.log").read_text()
    assert TOKEN not in text and "13812345678" not in text
    assert "INFO scheduler.request: GET /feeds/[token].ics 404" in text
