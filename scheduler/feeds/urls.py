"""A feed's address: the secret token in it and the URL's https and webcal forms. The base URL
feeds are served under and the domain of their event UIDs are settings: one rule,
`scheduler.core.config.public_base_url`, and `Settings.feed_domain`.

Tokens carry 256 random bits and only their SHA-256 is stored (`hash_token`), so a URL can be
shown once, when it is made. `scheduler.feeds.tokens` issues and revokes them;
`scheduler.feeds.render` serves the feed a token opens.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from scheduler.core.config import DEFAULT_FEED_DOMAIN, public_base_url

__all__ = ["DEFAULT_FEED_DOMAIN", "TOKEN_BYTES", "TOKEN_SHAPE", "FeedUrls", "feed_urls", "hash_token",
           "public_base_url"]

TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class FeedUrls:
    https: str
    webcal: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_urls(base: str, token: str) -> FeedUrls:
    https = f"{base.rstrip('/')}/feeds/{token}.ics"
    return FeedUrls(https=https, webcal="webcal://" + https.split("://", 1)[1])


