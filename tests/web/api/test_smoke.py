from __future__ import annotations


def test_me(client, bearer):
    got = client.get("/api/v1/me", headers=bearer("provider"))
    assert got.status_code == 200, got.get_data(as_text=True)
    assert got.json["role"] == "provider"


def test_openapi(client):
    got = client.get("/api/v1/openapi.json")
    assert got.status_code == 200
    assert got.json["openapi"] == "3.1.0"


def test_no_token(client):
    got = client.get("/api/v1/me/assignments")
    assert got.status_code == 401, got.get_data(as_text=True)
    assert got.mimetype == "application/problem+json"
    print(got.json)


def test_public(client, world):
    for path in ("/api/v1/public/services", "/api/v1/public/sites", f"/api/v1/public/sites/{world.window_a.id}",
                 f"/api/v1/public/villages?district_id={world.district_a.id}",
                 f"/api/v1/public/villages/{world.village_a.id}", "/api/v1/public/referrals"):
        got = client.get(path)
        assert got.status_code == 200, (path, got.get_data(as_text=True)[:500])
        assert client.get(path, headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
