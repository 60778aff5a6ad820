"""Commands that serve the app configure the process's logging (`web.serving.development_logging`):
each test here gets the root and werkzeug loggers back as they were."""
from __future__ import annotations

import logging

import pytest


@pytest.fixture(autouse=True)
def _logging_restored():
    root, werkzeug = logging.getLogger(), logging.getLogger("werkzeug")
    handlers, level, werkzeug_level = list(root.handlers), root.level, werkzeug.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    werkzeug.setLevel(werkzeug_level)
