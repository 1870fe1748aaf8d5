"""Stream bodies (SSE or NDJSON lines) → decoded events, shared by every hand-rolled adapter.

Each event is the JSON value of one SSE ``data:`` field or one NDJSON line;
data that is not JSON (OpenAI's ``[DONE]``) is passed on as the raw string so
the adapter's event parser can treat it as a done signal.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Literal

from polyport_core.wire._sse import aiter_sse, iter_sse

__all__ = ["StreamFormat", "aiter_events", "decode_event", "iter_events"]

StreamFormat = Literal["sse", "ndjson"]


def decode_event(data: str) -> Any:
    """JSON value of ``data``, or the stripped text when it is not JSON (``[DONE]``)."""
    try:
        return json.loads(data)
    except ValueError:
        return data.strip()


def iter_events(lines: Iterable[str], fmt: StreamFormat) -> Iterator[Any]:
    """Decoded events from the lines of a streamed body."""
    if fmt == "sse":
        for _event, data in iter_sse(lines):
            yield decode_event(data)
        return
    for line in lines:
        if line.strip():
            yield decode_event(line)


async def aiter_events(lines: AsyncIterator[str], fmt: StreamFormat) -> AsyncIterator[Any]:
    """Async twin of ``iter_events``."""
    if fmt == "sse":
        async for _event, data in aiter_sse(lines):
            yield decode_event(data)
        return
    async for line in lines:
        if line.strip():
            yield decode_event(line)
