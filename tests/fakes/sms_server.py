"""A fake of Alibaba Cloud SMS's SendSms on loopback, for the real SDK pointed at it through
SMS_ENDPOINT: it checks every request's ACS3-HMAC-SHA256 signature with the test secret
(recomputed from what arrived, as the provider does), keeps every request, and answers as
scripted per phone number: OK, throttled N times then OK, or refused for good."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

from tests.fakes.loopback import Answer, Request, serve

ACCESS_KEY_ID = "LTAI5tTestKeyId"
ACCESS_KEY_SECRET = "test-secret-不要用在生产"
THROTTLED = "isv.BUSINESS_LIMIT_CONTROL"


@dataclass(frozen=True)
class SmsSent:
    """One SendSms request as it arrived."""

    request: Request
    signature_ok: bool
    answered: str  # the Code answered: "OK", a refusal, or the HTTP error's code

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    @property
    def phone(self) -> str:
        return self.query.get("PhoneNumbers", "")

    @property
    def template(self) -> str:
        return self.query.get("TemplateCode", "")

    @property
    def sign_name(self) -> str:
        return self.query.get("SignName", "")

    @property
    def params(self) -> dict[str, str]:
        return json.loads(self.query.get("TemplateParam") or "{}")

    @property
    def out_id(self) -> str:
        return self.query.get("OutId", "")


def canonical_request(request: Request) -> tuple[str, str]:
    """(the canonical request of Alibaba Cloud's V3 signature, its signed header names)."""
    auth = request.headers.get("authorization", "")
    signed = dict(part.split("=", 1) for part in auth.partition(" ")[2].split(",") if "=" in part)
    names = signed.get("SignedHeaders", "").split(";")
    query = request.query
    canonical_query = "&".join(f"{k}={quote(query[k], safe='~')}" for k in sorted(query))
    headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in names)
    payload = hashlib.sha256(request.body).hexdigest()
    return "\n".join([request.method, request.path or "/", canonical_query, headers, ";".join(names), payload]), \
        signed.get("SignedHeaders", "")


def signature_ok(request: Request, access_key_id: str, secret: str) -> bool:
    """Whether the request is signed (ACS3-HMAC-SHA256) with `secret` for `access_key_id`,
    over its method, path, query, the headers it names (host and the x-acs-* ones at least)
    and its body's hash."""
    auth = request.headers.get("authorization", "")
    algorithm, _, rest = auth.partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(",") if "=" in part)
    canonical, signed_headers = canonical_request(request)
    needed = {"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce"}
    if algorithm != "ACS3-HMAC-SHA256" or fields.get("Credential") != access_key_id \
            or not needed <= set(signed_headers.split(";")) \
            or request.headers.get("x-acs-content-sha256") != hashlib.sha256(request.body).hexdigest():
        return False
    to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("Signature", ""))


@dataclass
class FakeSms:
    endpoint: str = ""  # 127.0.0.1:PORT
    access_key_id: str = ACCESS_KEY_ID
    secret: str = ACCESS_KEY_SECRET
    received: list[SmsSent] = field(default_factory=list)
    # phone -> codes to answer first, one per request (then OK); "refuse" answers always.
    script: dict[str, list[str]] = field(default_factory=dict)
    refuse: dict[str, str] = field(default_factory=dict)  # phone -> code, every time
    http_errors: dict[str, tuple[int, str]] = field(default_factory=dict)  # phone -> (status, code)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    def throttle(self, phone: str, times: int) -> None:
        self.script[phone] = [THROTTLED] * times

    def sent(self) -> list[SmsSent]:
        """The requests answered OK."""
        return [r for r in self.received if r.answered == "OK"]

    def handle(self, request: Request) -> Answer:
        ok = signature_ok(request, self.access_key_id, self.secret)
        phone = request.query.get("PhoneNumbers", "")
        with self.lock:
            status = 200
            if request.headers.get("x-acs-action") != "SendSms":
                status, code = 404, "InvalidAction.NotFound"
            elif not ok:
                status, code = 400, "SignatureDoesNotMatch"
            elif phone in self.http_errors:
                status, code = self.http_errors[phone]
            else:
                code = self.refuse.get(phone) or (self.script[phone].pop(0) if self.script.get(phone) else "OK")
            self.received.append(SmsSent(request, ok, code))
        if status != 200:
            return _json(status, {"Code": code, "Message": f"fake {code}", "RequestId": "fake"})
        return _json(200, {"Code": code, "Message": "OK" if code == "OK" else f"fake {code}",
                           "BizId": "fake-biz" if code == "OK" else None, "RequestId": "fake"})


def _json(status: int, value: dict) -> Answer:
    return Answer(status, json.dumps(value, ensure_ascii=False).encode())


@contextmanager
def fake_sms() -> Iterator[FakeSms]:
    fake = FakeSms()
    with serve(fake.handle) as endpoint:
        fake.endpoint = endpoint
        yield fake
