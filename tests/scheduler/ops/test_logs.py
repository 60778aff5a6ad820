"""Structured logs: one JSON object per line, and no feed token or mobile number in them."""
from __future__ import annotations

import io
import json
import logging

import pytest

from scheduler.ops.logs import MASK_PHONE, MASK_TOKEN, JsonFormatter, RedactFilter, configure_logging, redact


@pytest.mark.parametrize("text, expected", [
    ("call 13812345678 now", f"call {MASK_PHONE} now"),
    ("+86 13812345678", MASK_PHONE),
    ("8613812345678", MASK_PHONE),
    ("138-1234-5678 or 138 1234 5678", f"{MASK_PHONE} or {MASK_PHONE}"),
    ("GET /feeds/Zx-9_aB.ics 200", f"GET /feeds/{MASK_TOKEN}.ics 200"),
    ("webcal://example.org/feeds/abcDEF123.ics?x=1", f"webcal://example.org/feeds/{MASK_TOKEN}.ics?x=1"),
])
def test_redact_masks_mobiles_and_feed_tokens(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "job 12345678901234 done",     # longer digit runs are ids, not phones
    "order 1234567890",            # ten digits
    "landline 0574-87654321",      # not a mobile
    "/feeds/person/12",            # a feed page, not a secret URL
    "12812345678",                 # 12x is no mobile prefix
])
def test_redact_leaves_other_text_alone(text):
    assert redact(text) == text


def _logger_with(stream: io.StringIO) -> logging.Logger:
    logger = logging.getLogger("tests.logs")
    logger.handlers[:] = []
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_the_filter_masks_message_arguments_and_extra_fields():
    stream = io.StringIO()
    logger = _logger_with(stream)
    logger.info("sms to %s", "13912345678", extra={"path": "/feeds/secretTOKEN.ics", "phone": "15012345678",
                                                  "nested": {"to": ["18612345678"]}})
    line = stream.getvalue()
    assert line.count("\n") == 1
    doc = json.loads(line)
    assert doc["msg"] == f"sms to {MASK_PHONE}"
    assert doc["path"] == f"/feeds/{MASK_TOKEN}.ics"
    assert doc["phone"] == MASK_PHONE and doc["nested"] == {"to": [MASK_PHONE]}
    assert "secretTOKEN" not in line and "1391234" not in line


def test_a_traceback_stays_on_one_line_and_is_masked():
    stream = io.StringIO()
    logger = _logger_with(stream)
    try:
        raise ValueError("bad number 13712345678")
    except ValueError:
        logger.exception("failed")
    line = stream.getvalue()
    assert line.count("\n") == 1
    doc = json.loads(line)
    assert doc["level"] == "ERROR" and "ValueError" in doc["exc"]
    assert "13712345678" not in line


def test_configure_logging_installs_one_json_handler_on_the_root(capsys):
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging("json", stream=None)
        configure_logging("json", stream=None)  # idempotent: still one handler of ours
        ours = [h for h in root.handlers if getattr(h, "scheduler_handler", False)]
        assert len(ours) == 1
        logging.getLogger("tests.rootlogging").warning("reach me at 13612345678")
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert json.loads(err)["msg"] == f"reach me at {MASK_PHONE}"
    finally:
        root.handlers[:] = before
        root.setLevel(level)


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        configure_logging("xml")
