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
