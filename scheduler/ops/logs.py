"""Structured logs: one JSON object per line, with feed tokens and mobile numbers masked.

Every entry point that runs in production (gunicorn, `scheduler worker`) calls
`configure_logging`; the web app and the solve runners only log through named loggers with
`extra` fields, so the format is chosen in one place. Redaction sits on the handler, so it
covers every logger that reaches the root, libraries included.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

MASK_PHONE = "[mobile]"
MASK_TOKEN = "[token]"
FORMATS = ("json", "text")

# A mainland mobile number (1[3-9] and nine more digits), optionally with the country code
# and the usual separators, but never a slice of a longer run of digits (ids, timestamps).
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
# A calendar feed URL carries its secret in the path; the feed pages (/feeds/person/12) do not.
_FEED_TOKEN = re.compile(r"(/feeds/)(?!(?:person|village|site)/)[^/\s?#\"'<>]+(\.ics)")

# Attributes every LogRecord has; anything else came in through `extra`.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}
_HANDLER_MARK = "scheduler_handler"


def redact(text: str) -> str:
    return _FEED_TOKEN.sub(rf"\g<1>{MASK_TOKEN}\g<2>", _MOBILE.sub(MASK_PHONE, text))


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(v) for v in value]
    return value


class RedactFilter(logging.Filter):
    """Masks the message, its arguments and every `extra` field before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD:
                setattr(record, key, _redact_value(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the `extra` fields and any
    traceback as a single string (masked too: exception texts can quote user input)."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in doc:
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(doc, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def make_handler(fmt: str = "json", stream: TextIO | None = None) -> logging.Handler:
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactFilter())
    setattr(handler, _HANDLER_MARK, True)
    return handler


def configure_logging(fmt: str = "json", level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every log record to one masked handler on the root logger (stderr by default), in
    `fmt` (json, text) from `level` up: the settings' LOG_FORMAT and LOG_LEVEL. Calling it
    again replaces the handler instead of adding a second one."""
    fmt = fmt.strip().lower()
    handler = make_handler(fmt, stream)
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, _HANDLER_MARK, False)]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # The app logs each request itself (masked); the development server's own access
    # lines would repeat them with the raw path.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
