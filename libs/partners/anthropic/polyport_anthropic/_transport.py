"""Messages API calls through the SDK client, parsed leanly (plain dicts, no pydantic per event)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from polyport_core.chat import StreamState
from polyport_core.transport import apost_json, astream_sse, post_json, stream_sse

__all__ = ["apost_message", "astream_message", "count_tokens", "post_message", "stream_message"]

_PATH = "/v1/messages"
_COUNT_PATH = "/v1/messages/count_tokens"


def post_message(client: Any, payload: dict[str, Any]) -> tuple[Any, Any]:
    """A non-streaming Messages call: ``(body, headers)``."""
    return post_json(client, _PATH, payload)


async def apost_message(client: Any, payload: dict[str, Any]) -> tuple[Any, Any]:
    """Async twin of ``post_message``."""
    return await apost_json(client, _PATH, payload)


def _sdk_stream(client: Any, payload: dict[str, Any]) -> Any:
    # Platforms whose stream is not SSE (Bedrock's AWS event stream): the SDK's own decoder,
    # with events left as dicts (``cast_to=object``).
    return client.post(
        _PATH, body=payload, cast_to=object, stream=True, stream_cls=client._default_stream_cls
    )


def stream_message(client: Any, payload: dict[str, Any], state: StreamState, *, sse: bool) -> Iterator[Any]:
    """Decoded stream events (dicts) of a streaming Messages call."""
    if not sse:
        yield from _sdk_stream(client, payload)
        return
    loads = json.loads
    for _event, data in stream_sse(client, _PATH, payload, state):
        yield loads(data)


async def astream_message(
    client: Any, payload: dict[str, Any], state: StreamState, *, sse: bool
) -> AsyncIterator[Any]:
    """Async twin of ``stream_message``."""
    if not sse:
        async for event in await _sdk_stream(client, payload):
            yield event
        return
    loads = json.loads
    async for _event, data in astream_sse(client, _PATH, payload, state):
        yield loads(data)


def count_tokens(client: Any, body: dict[str, Any]) -> int:
    """``input_tokens`` from the count endpoint (no retries: the caller falls back offline)."""
    result, _headers = post_json(client, _COUNT_PATH, body, {"max_retries": 0})
    return int(result["input_tokens"])
