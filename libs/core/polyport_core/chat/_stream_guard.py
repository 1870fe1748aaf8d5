"""The output guard of a stream: stop a runaway or endless stream long before it fills memory.

A model asked for ``max_tokens`` cannot honestly send far more events or text
than that: each token is about one event and a few characters. The limits are
deliberately loose (four events and 128 characters per token, plus slack for
role, keep-alive and usage events) so no real stream trips them, while a
server looping forever is stopped within seconds with a clear error.
"""

from __future__ import annotations

from polyport_core.errors import ResponseTooLargeError

__all__ = ["DEFAULT_GUARD_TOKENS", "EVENTS_PER_TOKEN", "StreamGuard"]

EVENTS_PER_TOKEN = 4
CHARS_PER_TOKEN = 128
EVENT_SLACK = 256
CHAR_SLACK = 64 * 1024
DEFAULT_GUARD_TOKENS = 131_072
"""Token budget assumed when the request sets no ``max_tokens`` (the largest common output cap)."""


class StreamGuard:
    """Counts a stream's raw events and output characters; raises past what ``max_tokens`` allows."""

    __slots__ = ("chars", "events", "max_chars", "max_events", "max_tokens", "model", "provider")

    def __init__(self, max_tokens: int | None, *, provider: str, model: str) -> None:
        tokens = max_tokens if max_tokens and max_tokens > 0 else DEFAULT_GUARD_TOKENS
        self.max_tokens = max_tokens
        self.max_events = EVENTS_PER_TOKEN * tokens + EVENT_SLACK
        self.max_chars = CHARS_PER_TOKEN * tokens + CHAR_SLACK
        self.events = 0
        self.chars = 0
        self.provider = provider
        self.model = model

    def _stop(self, what: str, limit: int) -> ResponseTooLargeError:
        cap = f"max_tokens={self.max_tokens}" if self.max_tokens else f"no max_tokens (assumed {DEFAULT_GUARD_TOKENS})"
        return ResponseTooLargeError(
            f"The stream sent more than {limit} {what} for {cap}; a runaway or endless stream was stopped",
            provider=self.provider,
            model=self.model,
        )

    def event(self) -> None:
        """Count one raw stream event."""
        self.events += 1
        if self.events > self.max_events:
            raise self._stop("events", self.max_events)

    def output(self, chars: int) -> None:
        """Count streamed output text (content and tool-call arguments)."""
        self.chars += chars
        if self.chars > self.max_chars:
            raise self._stop("characters of output", self.max_chars)
