"""A feed's address: the secret token in it, the base URL feeds are served under, the URL's
https and webcal forms, and the domain of the feeds' event UIDs.

Tokens carry 256 random bits and only their SHA-256 is stored (`hash_token`), so a URL can be
shown once, when it is made. `scheduler.feeds.tokens` issues and revokes them;
`scheduler.feeds.render` serves the feed a token opens.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class FeedUrls:
    https: str
    webcal: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def base_url() -> str:
    url = (os.environ.get("SCHEDULER_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ValueError(f"SCHEDULER_BASE_URL {url!r} is not an http(s) URL such as https://paiban.example.gov.cn")
    return url


def feed_urls(base: str, token: str) -> FeedUrls:
    https = f"{base.rstrip('/')}/feeds/{token}.ics"
    return FeedUrls(https=https, webcal="webcal://" + https.split("://", 1)[1])


def uid_domain() -> str:
    return urlsplit(base_url()).hostname or "localhost"

