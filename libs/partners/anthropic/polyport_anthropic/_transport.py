"""Messages API transport: the core SDK transport on SSE platforms, the SDK's own decoder on
Bedrock's AWS event streams, and the token count endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from polyport_core.chat import StreamState, VendorRequest
from polyport_core.transport import ClientPair, SDKChatTransport, post_json

__all__ = ["EventStreamTransport", "count_tokens", "messages_transport"]

_PATH = "/v1/messages"
_COUNT_PATH = "/v1/messages/count_tokens"


def messages_transport(clients: ClientPair, *, sse: bool) -> SDKChatTransport:
    """The Messages API transport of a client pair (``sse=False``: Bedrock's event streams)."""
    # ``[DONE]`` ends the Chat Completions stream of a constrained request (``_constrained``);
    # Messages API streams never send it.
    return SDKChatTransport(clients, _PATH, done_data="[DONE]") if sse else EventStreamTransport(clients, _PATH)


def _sdk_stream(client: Any, path: str, payload: dict[str, Any]) -> Any:
    # The SDK's own stream decoder, with events left as dicts (``cast_to=object``).
    return client.post(path, body=payload, cast_to=object, stream=True, stream_cls=client._default_stream_cls)


class EventStreamTransport(SDKChatTransport):
    """Platforms whose stream is not SSE (Bedrock's AWS event stream): whole answers as on the
    Anthropic API, streams through the SDK's own decoder."""

    __slots__ = ()

    def stream(self, request: VendorRequest, state: StreamState) -> Iterator[Any]:
        """Decoded stream events (dicts)."""
        yield from _sdk_stream(self.clients.sync, self.path, request.body)

    async def astream(self, request: VendorRequest, state: StreamState) -> AsyncIterator[Any]:
        """Async twin of ``stream``."""
        async for event in await _sdk_stream(self.clients.async_client, self.path, request.body):
            yield event


def count_tokens(client: Any, body: dict[str, Any]) -> int:
    """``input_tokens`` from the count endpoint (no retries: the caller falls back offline)."""
    result, _headers = post_json(client, _COUNT_PATH, body, {"max_retries": 0})
    return int(result["input_tokens"])
