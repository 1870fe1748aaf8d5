"""``/api/chat`` through the ollama SDK: its transport and errors, plain dicts back.

``Client._request(dict, ...)`` keeps the SDK's HTTP client, headers and error
classes but returns plain dicts instead of a pydantic object per response and
per streamed line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from polyport_core.chat import RawResponse, StreamState, VendorRequest

__all__ = ["OllamaTransport"]

_CHAT_PATH = "/api/chat"


class OllamaTransport:
    """The ``ChatTransport`` of ``ChatOllama``: a sync and an async ollama SDK client."""

    __slots__ = ("async_client", "sync")

    def __init__(self, sync: Any, async_client: Any) -> None:
        self.sync = sync
        self.async_client = async_client

    def send(self, request: VendorRequest) -> RawResponse:
        """One whole answer (the SDK exposes no headers)."""
        return RawResponse(self.sync._request(dict, "POST", _CHAT_PATH, json=request.body, stream=False))

    async def asend(self, request: VendorRequest) -> RawResponse:
        """Async twin of ``send``."""
        return RawResponse(await self.async_client._request(dict, "POST", _CHAT_PATH, json=request.body, stream=False))

    def stream(self, request: VendorRequest, state: StreamState) -> Iterator[Any]:
        """The streamed lines, decoded."""
        yield from self.sync._request(dict, "POST", _CHAT_PATH, json=request.body, stream=True)

    async def astream(self, request: VendorRequest, state: StreamState) -> AsyncIterator[Any]:
        """Async twin of ``stream``."""
        async for part in await self.async_client._request(dict, "POST", _CHAT_PATH, json=request.body, stream=True):
            yield part
