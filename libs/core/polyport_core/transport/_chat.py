"""The one transport seam of a chat engine: ``ChatTransport``, and its SDK implementation.

An engine hands the lifecycle one object that moves a ``VendorRequest`` — sync and
async, whole answer and stream — and nothing else; validation, governance, usage,
parsing and error mapping stay in the lifecycle, written once for both twins.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from polyport_core.transport._sdk import ClientPair, apost_json, astream_sse, post_json, stream_sse
from polyport_core.wire import RawResponse, StreamState, VendorRequest

__all__ = ["ChatTransport", "SDKChatTransport"]


class ChatTransport(Protocol):
    """How an engine moves one chat request; the lifecycle drives it.

    ``stream`` sets ``state.headers`` when the response opens and reads at most
    ``state.max_response_bytes``; it may set ``state.finished`` on a done sentinel
    (``[DONE]``) that is not itself an event.
    """

    def send(self, request: VendorRequest) -> RawResponse:
        """Send a whole-answer request; its decoded body and headers."""
        ...

    async def asend(self, request: VendorRequest) -> RawResponse:
        """Async twin of ``send``."""
        ...

    def stream(self, request: VendorRequest, state: StreamState) -> Iterator[Any]:
        """Send a streaming request; yield raw vendor events."""
        ...

    def astream(self, request: VendorRequest, state: StreamState) -> AsyncIterator[Any]:
        """Async twin of ``stream``."""
        ...


class SDKChatTransport:
    """``ChatTransport`` through a Stainless SDK client pair (openai, anthropic): POST ``path`` (or the
    request's own ``path``), SSE events decoded from JSON; ``done_data`` (OpenAI's ``[DONE]``) ends the
    stream as complete."""

    __slots__ = ("clients", "done_data", "path")

    def __init__(self, clients: ClientPair, path: str, done_data: str | None = None) -> None:
        self.clients = clients
        self.path = path
        self.done_data = done_data

    def send(self, request: VendorRequest) -> RawResponse:
        """POST the body; the decoded JSON and headers."""
        body, headers = post_json(self.clients.sync, request.path or self.path, request.body)
        return RawResponse(body, headers)

    async def asend(self, request: VendorRequest) -> RawResponse:
        """Async twin of ``send``."""
        body, headers = await apost_json(self.clients.async_client, request.path or self.path, request.body)
        return RawResponse(body, headers)

    def stream(self, request: VendorRequest, state: StreamState) -> Iterator[Any]:
        """Decoded SSE ``data`` objects, until ``done_data`` (which marks the stream complete)."""
        loads, done = json.loads, self.done_data
        events = stream_sse(self.clients.sync, request.path or self.path, request.body, state)
        try:
            for _event, data in events:
                if data == done:
                    state.finished = True
                    return
                yield loads(data)
        finally:
            events.close()

    async def astream(self, request: VendorRequest, state: StreamState) -> AsyncIterator[Any]:
        """Async twin of ``stream``."""
        loads, done = json.loads, self.done_data
        events = astream_sse(self.clients.async_client, request.path or self.path, request.body, state)
        try:
            async for _event, data in events:
                if data == done:
                    state.finished = True
                    return
                yield loads(data)
        finally:
            await events.aclose()
