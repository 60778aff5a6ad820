"""WeCom (企业微信) application messages: a notice goes as a text message from the city's
application (corp id, secret, agent id) to one member's user id.

Two documented HTTPS calls: `gettoken` (corpid + corpsecret -> access_token, expires_in) and
`message/send?access_token=...`. The token is kept until `TOKEN_MARGIN` before it expires and
fetched again at once when WeCom answers 40014 (invalid) or 42001 (expired), once per message.
`api_base` (WECOM_API_BASE) points both calls elsewhere, e.g. at a fake on loopback.

Not wechatpy's `WeChatClient`: its enterprise client fetches the token from the public host
whatever its API base says, without a timeout, and retries token errors without a bound.

errcode 0 is sent (unless the member is listed as invalid); -1 (busy), 45009 and 45033
(limits), the network and a refused set-up (corp id, secret, agent) are tried again later;
a member WeCom does not know (60111, 81013, 40003, 82001) fails the message for good.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from scheduler.notices.outbox import DeliveryError, Outgoing
from scheduler.notices.text import one_line

API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"
TOKEN_MARGIN = 300.0  # seconds before expires_in when a token is no longer used
TOKEN_ERRORS = frozenset({40014, 42001})  # invalid or expired access_token: fetch again, once
UNKNOWN_MEMBER = frozenset({40003, 60111, 81013, 82001})  # permanent
CONTENT_BYTES = 2048  # WeCom's limit of a text message
_USER_ID = re.compile(r"[A-Za-z0-9_.@\-]{1,64}")


def content(message: Outgoing) -> str:
    """The subject on its own line, then the body, cut to `CONTENT_BYTES` of UTF-8 on a
    character's boundary."""
    text = f"{one_line(message.subject)}\n\n{message.body}".strip()
    data = text.encode()
    return text if len(data) <= CONTENT_BYTES else data[:CONTENT_BYTES - 3].decode(errors="ignore") + "…"


class WecomChannel:
    name = "wecom"

    def __init__(self, corp_id: str, secret: str, agent_id: int, *, api_base: str = API_BASE, timeout: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.corp_id, self.agent_id, self.timeout = corp_id, agent_id, timeout
        self.api_base = api_base.rstrip("/") + "/"
        self._secret, self._clock = secret, clock
        self._http = requests.Session()
        self._token: str | None = None
        self._token_until = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WecomChannel(corp_id={self.corp_id!r}, agent_id={self.agent_id}, api_base={self.api_base!r})"

    def _call(self, method: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, self.api_base + endpoint, timeout=self.timeout, **kwargs)
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise DeliveryError(f"WeCom {endpoint} failed: {exc.__class__.__name__}: {exc}") from exc
        if not isinstance(answer, dict):
            raise DeliveryError(f"WeCom {endpoint} answered something else than a JSON object")
        return answer

    def access_token(self, *, refresh: bool = False) -> str:
        """The cached token, or a new one from `gettoken` when there is none, it is about to
        expire, or `refresh` (WeCom refused the one we had)."""
        with self._lock:
            if refresh or self._token is None or self._clock() >= self._token_until:
                answer = self._call("GET", "gettoken", params={"corpid": self.corp_id, "corpsecret": self._secret})
                if answer.get("errcode", 0) != 0 or not answer.get("access_token"):
                    # The corp id or secret refused: the set-up is wrong, not the message.
                    raise DeliveryError(f"WeCom gettoken: {answer.get('errcode')} {answer.get('errmsg')}")
                self._token = str(answer["access_token"])
                expires_in = float(answer.get("expires_in") or 7200)
                self._token_until = self._clock() + max(expires_in - TOKEN_MARGIN, expires_in / 2)
            return self._token

    def send(self, message: Outgoing) -> None:
        user = message.recipient.strip()
        if not _USER_ID.fullmatch(user):
            raise DeliveryError(f"not a WeCom user id (不是企业微信成员账号): {one_line(user)[:64]!r}", permanent=True)
        payload = {"touser": user, "msgtype": "text", "agentid": self.agent_id,
                   "text": {"content": content(message)}, "safe": 0}
        answer = self._send(payload, self.access_token())
        if answer.get("errcode") in TOKEN_ERRORS:
            answer = self._send(payload, self.access_token(refresh=True))
        code = int(answer.get("errcode", -1))
        if code == 0:
            if user in str(answer.get("invaliduser") or "").split("|"):
                raise DeliveryError(f"WeCom: member {user!r} unknown or out of the application's range", permanent=True)
            return
        raise DeliveryError(f"WeCom {code}: {answer.get('errmsg')}", permanent=code in UNKNOWN_MEMBER)

    def _send(self, payload: dict[str, Any], token: str) -> dict[str, Any]:
        return self._call("POST", "message/send", params={"access_token": token}, json=payload)
