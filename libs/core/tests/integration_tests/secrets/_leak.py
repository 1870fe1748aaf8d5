"""Leak checks shared by the secret tests."""

from __future__ import annotations

import logging
import traceback

import pytest


def assert_no_leak(secret: str, *texts: str) -> None:
    """``secret`` (and its URL-encoded form) appears in none of ``texts``."""
    from urllib.parse import quote

    for text in texts:
        assert secret not in text, f"leaked: ...{text[max(0, text.find(secret) - 120) : text.find(secret) + 40]}..."
        assert quote(secret, safe="") not in text


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as a handler would print it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records)


def formatted(error: BaseException) -> str:
    """The full traceback a user would see, chained causes included."""
    return "".join(traceback.format_exception(error))
