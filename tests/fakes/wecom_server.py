"""A fake of WeCom's (企业微信) API on loopback, for the channel pointed at it through
WECOM_API_BASE: `gettoken` hands out numbered tokens for the test corp id and secret,
`message/send` checks the token and keeps every message, and answers as scripted per user:
sent, busy N times then sent, unknown member, or "token expired" for the current token."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.fakes.loopback import Answer, Request, serve

CORP_ID = "ww0123456789abcdef"
SECRET = "test-wecom-secret"
AGENT_ID = 1000002


@dataclass(frozen=True)
class WecomSent:
    token: str
    payload: dict
    answered: int  # errcode

    @property
    def user(self) -> str:
        return self.payload.get("touser", "")

    @property
    def text(self) -> str:
        return self.payload.get("text", {}).get("content", "")


@dataclass
class FakeWecom:
    base: str = ""  # http://127.0.0.1:PORT/cgi-bin/
    expires_in: int = 7200
    token_requests: list[dict[str, str]] = field(default_factory=list)
    received: list[WecomSent] = field(default_factory=list)
    script: dict[str, list[int]] = field(default_factory=dict)  # user -> errcodes to answer first
    refuse: dict[str, int] = field(default_factory=dict)  # user -> errcode, every time
    expire_tokens: int = 0  # answer 42001 to this many sends (the current token "expired")
    tokens_issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def current_token(self) -> str:
        return f"token-{self.tokens_issued}"

    def sent(self) -> list[WecomSent]:
        return [m for m in self.received if m.answered == 0]

    def handle(self, request: Request) -> Answer:
        with self.lock:
            if request.path == "/cgi-bin/gettoken":
                query = request.query
                self.token_requests.append(query)
                if (query.get("corpid"), query.get("corpsecret")) != (CORP_ID, SECRET):
                    return _json({"errcode": 40001, "errmsg": "invalid credential"})
                self.tokens_issued += 1
                return _json({"errcode": 0, "errmsg": "ok", "access_token": self.current_token,
                              "expires_in": self.expires_in})
            if request.path != "/cgi-bin/message/send" or request.method != "POST":
                return Answer(404, b"not found", "text/plain")
            token, payload = request.query.get("access_token", ""), json.loads(request.body or b"{}")
            user = payload.get("touser", "")
            if token != self.current_token:
                code = 40014
            elif self.expire_tokens:
                self.expire_tokens -= 1
                code = 42001
            elif payload.get("agentid") != AGENT_ID:
                code = 301002
            else:
                code = self.refuse.get(user) or (self.script[user].pop(0) if self.script.get(user) else 0)
            self.received.append(WecomSent(token, payload, code))
            return _json({"errcode": code, "errmsg": "ok" if code == 0 else f"fake {code}"})


def _json(value: dict) -> Answer:
    return Answer(200, json.dumps(value, ensure_ascii=False).encode())


@contextmanager
def fake_wecom() -> Iterator[FakeWecom]:
    fake = FakeWecom()
    with serve(fake.handle) as address:
        fake.base = f"http://{address}/cgi-bin/"
        yield fake
