"""Lean transport through Stainless-generated SDKs (openai 3.x, anthropic 2.x).

The SDK still owns auth, retries, timeouts, platform routing (Azure, Bedrock,
Vertex) and its error classes; the body is sent as-is with
``cast_to=httpx2.Response`` and the reply parsed by the partner, skipping the
typed-params layer and a pydantic object per response or stream event.
``httpx2`` is imported only when a request is sent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Generator
from typing import Any

from polyport_core.adapters._sse import aiter_sse, iter_sse

__all__ = ["apost_json", "astream_sse", "post_json", "stream_sse"]

STREAM_OPTIONS: dict[str, Any] = {"headers": {"X-Stainless-Raw-Response": "stream"}}


def post_json(
    client: Any, path: str, body: dict[str, Any], options: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """POST ``body`` through ``client``; return the decoded JSON and the response headers."""
    import httpx2

    response = client.post(path, body=body, cast_to=httpx2.Response, options=options or {})
    return json.loads(response.content), response.headers


async def apost_json(
    client: Any, path: str, body: dict[str, Any], options: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """Async twin of ``post_json``."""
    import httpx2

    response = await client.post(path, body=body, cast_to=httpx2.Response, options=options or {})
    return json.loads(response.content), response.headers


def stream_sse(
    client: Any, path: str, body: dict[str, Any], sink: Any = None
) -> Generator[tuple[str, str], None, None]:
    """POST a streaming request; yield raw ``(event, data)`` SSE pairs.

    ``sink`` (e.g. a ``StreamState``) gets the response headers as ``sink.headers``.
    """
    import httpx2

    response = client.post(path, body=body, cast_to=httpx2.Response, options=STREAM_OPTIONS)
    if sink is not None:
        sink.headers = response.headers
    try:
        yield from iter_sse(response.iter_lines())
    finally:
        response.close()


async def astream_sse(
    client: Any, path: str, body: dict[str, Any], sink: Any = None
) -> AsyncGenerator[tuple[str, str], None]:
    """Async twin of ``stream_sse``."""
    import httpx2

    response = await client.post(path, body=body, cast_to=httpx2.Response, options=STREAM_OPTIONS)
    if sink is not None:
        sink.headers = response.headers
    try:
        async for pair in aiter_sse(response.aiter_lines()):
            yield pair
    finally:
        await response.aclose()
