"""The API's docs page in Chromium: Swagger UI draws every operation of the OpenAPI document
from the app's own files, with no request to another host and no error in the console."""
from __future__ import annotations

from urllib.parse import urlsplit


def test_the_docs_page_lists_every_operation_from_local_assets(live_app, new_page):
    page = new_page()
    hosts, errors = set(), []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    spec = page.request.get(f"{live_app.url}/api/v1/openapi.json").json()
    operations = sum(len(item) for item in spec["paths"].values())
    page.goto(f"{live_app.url}/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == operations
    assert page.get_by_text("OAS 3.1").count() == 1
    assert hosts == {urlsplit(live_app.url).netloc}
    assert errors == []
