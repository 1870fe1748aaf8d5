"""Send requests through the SDK (auth, retries, Azure routing) but skip its typed layer.

The SDK's per-call cost is mostly building typed params and pydantic response
objects (one per stream chunk). Here the body is sent as-is with
``cast_to=httpx2.Response`` and parsed leanly by polyport_core's OpenAI wire
helpers; retries, timeouts, headers and error classes stay the SDK's.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from polyport_core.adapters import aiter_sse, iter_sse
from polyport_core.chat import StreamState

__all__ = ["apost_json", "astream_events", "post_json", "stream_events"]

_STREAM_OPTIONS = {"headers": {"X-Stainless-Raw-Response": "stream"}}


def post_json(client: Any, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """POST ``body``; return the decoded JSON and the response headers."""
    import httpx2

    response = client.post(path, body=body, cast_to=httpx2.Response)
    return json.loads(response.content), response.headers


async def apost_json(client: Any, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Async twin of ``post_json``."""
    import httpx2

    response = await client.post(path, body=body, cast_to=httpx2.Response)
    return json.loads(response.content), response.headers


def stream_events(client: Any, path: str, body: dict[str, Any], state: StreamState) -> Iterator[dict[str, Any]]:
    """POST a streaming request; yield each decoded SSE ``data`` object until ``[DONE]``."""
    import httpx2

    response = client.post(path, body=body, cast_to=httpx2.Response, options=_STREAM_OPTIONS)
    state.headers = response.headers
    loads = json.loads
    try:
        for _event, data in iter_sse(response.iter_lines()):
            if data == "[DONE]":
                state.finished = True
                return
            yield loads(data)
    finally:
        response.close()


async def astream_events(
    client: Any, path: str, body: dict[str, Any], state: StreamState
) -> AsyncIterator[dict[str, Any]]:
    """Async twin of ``stream_events``."""
    import httpx2

    response = await client.post(path, body=body, cast_to=httpx2.Response, options=_STREAM_OPTIONS)
    state.headers = response.headers
    loads = json.loads
    try:
        async for _event, data in aiter_sse(response.aiter_lines()):
            if data == "[DONE]":
                state.finished = True
                return
            yield loads(data)
    finally:
        await response.aclose()
