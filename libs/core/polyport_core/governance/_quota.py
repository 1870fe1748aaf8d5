"""Quota snapshots: vendors' rate-limit headers in one normalized shape.

OpenAI-style ``x-ratelimit-{limit,remaining,reset}-{requests,tokens}`` (reset
as a duration like ``6m0s`` or ``20ms``) and Anthropic's
``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}``
(reset as an RFC 3339 time) both become ``QuotaWindow(limit, remaining, reset_at)``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "QuotaSnapshot",
    "QuotaWindow",
    "parse_duration",
    "parse_quota_headers",
    "retry_after_from_headers",
]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_OPENAI = re.compile(r"^x-ratelimit-(limit|remaining|reset)-(.+)$")
_ANTHROPIC = re.compile(r"^anthropic-ratelimit-(.+)-(limit|remaining|reset)$")


@dataclass(frozen=True, slots=True)
class QuotaWindow:
    """One vendor window (``requests``, ``tokens``, ``input-tokens``…)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    """Epoch seconds when the window refills (None if not sent)."""


@dataclass(frozen=True, slots=True)
class QuotaSnapshot:
    """What the vendor said about our quota at ``taken_at``."""

    provider: str
    model: str
    taken_at: float
    windows: dict[str, QuotaWindow] = field(default_factory=dict)

    def blocked_for(self, now: float | None = None) -> float:
        """Seconds until an exhausted window (remaining 0) resets; 0 if none is exhausted."""
        now = time.time() if now is None else now
        waits = [
            w.reset_at - now
            for w in self.windows.values()
            if w.remaining == 0 and w.reset_at is not None and w.reset_at > now
        ]
        return max(waits, default=0.0)


def parse_duration(text: str) -> float | None:
    """``1s``, ``6m0s``, ``20ms``, ``1h2m`` or a bare number → seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _reset_at(value: str, now: float) -> float | None:
    seconds = parse_duration(value)
    if seconds is not None:
        return now + seconds
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def parse_quota_headers(
    headers: Mapping[str, str] | None, provider: str, model: str, now: float | None = None
) -> QuotaSnapshot | None:
    """A snapshot from response headers, or None when they carry no rate-limit fields."""
    if not headers:
        return None
    fields: dict[str, dict[str, str]] = {}
    for raw_key, value in headers.items():
        key = raw_key.lower()
        if "ratelimit" not in key:
            continue  # most responses carry none: no clock read, no dicts
        if match := _OPENAI.match(key):
            fields.setdefault(match.group(2), {})[match.group(1)] = value
        elif match := _ANTHROPIC.match(key):
            fields.setdefault(match.group(1), {})[match.group(2)] = value
    if not fields:
        return None
    now = time.time() if now is None else now
    windows = {
        name: QuotaWindow(
            limit=_int(parts.get("limit")),
            remaining=_int(parts.get("remaining")),
            reset_at=_reset_at(parts["reset"], now) if "reset" in parts else None,
        )
        for name, parts in fields.items()
    }
    return QuotaSnapshot(provider, model, now, windows)


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(float(value))
    except ValueError:
        return None


def retry_after_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait: ``retry-after-ms``, ``retry-after``, else the latest exhausted ``*-reset``."""
    if not headers:
        return None
    from polyport_core.errors import parse_retry_after

    lowered = {k.lower(): v for k, v in headers.items()}
    hinted = parse_retry_after(lowered)
    if hinted is not None:
        return hinted
    snapshot = parse_quota_headers(lowered, "", "")
    if snapshot is None:
        return None
    exhausted = snapshot.blocked_for(snapshot.taken_at)
    if exhausted > 0:
        return exhausted
    resets = [w.reset_at - snapshot.taken_at for w in snapshot.windows.values() if w.reset_at is not None]
    return max(resets) if resets else None
