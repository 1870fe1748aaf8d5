"""Chat Completions transport: the shared Stainless-SDK path plus OpenAI's ``[DONE]`` sentinel."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from polyport_core.chat import StreamState
from polyport_core.transport import apost_json, astream_sse, post_json, stream_sse

__all__ = ["apost_json", "astream_events", "post_json", "stream_events"]


def stream_events(
    client: Any, path: str, body: dict[str, Any], state: StreamState
) -> Iterator[dict[str, Any]]:
    """Decoded SSE ``data`` objects until ``[DONE]`` (which marks the stream complete)."""
    loads = json.loads
    events = stream_sse(client, path, body, state)
    try:
        for _event, data in events:
            if data == "[DONE]":
                state.finished = True
                return
            yield loads(data)
    finally:
        events.close()


async def astream_events(
    client: Any, path: str, body: dict[str, Any], state: StreamState
) -> AsyncIterator[dict[str, Any]]:
    """Async twin of ``stream_events``."""
    loads = json.loads
    events = astream_sse(client, path, body, state)
    try:
        async for _event, data in events:
            if data == "[DONE]":
                state.finished = True
                return
            yield loads(data)
    finally:
        await events.aclose()
