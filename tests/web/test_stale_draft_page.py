"""A draft conflict that no route caught (found at flush: two editors at the same moment)
answers 409 with the reason in the reader's language, not a 500 (issue 13)."""
from __future__ import annotations

import pytest

from scheduler.week.drafts import StaleDraft


@pytest.mark.parametrize("lang, words", [("zh", "草稿"), ("en", "Someone else changed this week")])
def test_an_uncaught_stale_draft_is_a_409_in_the_readers_language(app, as_role, lang, words):
    def clash():
        raise StaleDraft("the draft was changed by another editor at the same moment")

    app.add_url_rule("/test-only/stale", "test_only_stale", clash, methods=["POST"])
    client = as_role("coord_a")
    client.get(f"/?lang={lang}")
    response = client.post(f"/test-only/stale?lang={lang}")
    assert response.status_code == 409
    assert words in response.get_data(as_text=True)
