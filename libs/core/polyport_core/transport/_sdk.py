"""The vendor SDK transport: raw bodies through Stainless-generated SDKs (openai 3.x, anthropic 2.x).

The SDK still owns auth, retries, timeouts, platform routing (Azure, Bedrock,
Vertex) and its error classes; the body is sent as-is with
``cast_to=httpx2.Response`` and the reply parsed by the partner, skipping the
typed-params layer and a pydantic object per response or stream event.
``httpx2`` is imported only when a request is sent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

from polyport_core.auth import refresher_for, scrub_exception
from polyport_core.errors import (
    BadResponseError,
    PolyportError,
    ProviderUnavailableError,
    error_for_status,
    parse_retry_after,
)
from polyport_core.errors import TimeoutError as RequestTimeoutError
from polyport_core.transport._limits import (
    aiter_capped_lines,
    aread_capped,
    iter_capped_lines,
    read_capped,
    stream_limit,
)
from polyport_core.wire import aiter_sse, iter_sse

__all__ = [
    "ClientPair",
    "apost_json",
    "astream_sse",
    "client_pair",
    "default_error_message",
    "map_sdk_error",
    "post_json",
    "stream_sse",
]

STREAM_OPTIONS: dict[str, Any] = {"headers": {"X-Stainless-Raw-Response": "stream"}}


class ClientPair:
    """A sync SDK client and one async client per event loop.

    An async connection pool is bound to the loop that opened it; scripts and
    notebooks that call ``asyncio.run`` repeatedly would otherwise reuse a pool
    whose loop is closed ("Event loop is closed").
    """

    __slots__ = ("_async", "_async_factory", "_loop", "sync")

    def __init__(self, sync: Any, async_factory: Callable[[], Any]) -> None:
        self.sync = sync
        self._async_factory = async_factory
        self._async: Any = None
        self._loop: Any = None

    @property
    def async_client(self) -> Any:
        """The async client for the running loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._async is None or self._loop is not loop:
            self._async = self._async_factory()
            self._loop = loop
        return self._async


def client_pair(
    sync_cls: Callable[..., Any],
    async_cls: Callable[..., Any],
    kwargs: dict[str, Any],
    *,
    http_client: Any,
    http_async_client: Any,
    default_async_http_client: Callable[[], Any],
) -> ClientPair:
    """Sync and per-loop async SDK clients from one set of constructor kwargs.

    Without a user-given async HTTP client, each loop gets the SDK's default one
    owned by us: the SDK's own wrapper closes its pool in ``__del__`` on whatever
    loop runs then, which fails loudly once the pool's loop has closed.

    When the key is a token polyport renews (OAuth: client credentials or a saved sign-in),
    its refresh flow goes onto the SDK's HTTP client: every request then carries a fresh
    token and a 401 is retried once with a renewed one, sync, async and streaming alike.
    """
    refresher = refresher_for(kwargs.get("api_key") or kwargs.get("auth_token"))

    def make_async() -> Any:
        client = async_cls(**kwargs, http_client=http_async_client or default_async_http_client())
        return _with_refresh(client, refresher)

    return ClientPair(_with_refresh(sync_cls(**kwargs, http_client=http_client), refresher), make_async)


def _with_refresh(sdk_client: Any, refresher: Any) -> Any:
    """Put ``refresher`` on a Stainless client's HTTP client (``_client``) unless it has auth of its own."""
    http = getattr(sdk_client, "_client", None) if refresher is not None else None
    if http is not None and getattr(http, "auth", None) is None:
        from polyport_core.auth import for_client  # httpx: loads only for a key a refresher issued

        http.auth = for_client(refresher, http)
    return sdk_client


def _streamed(options: dict[str, Any] | None) -> dict[str, Any]:
    """``options`` asking the SDK for the unread body, so we read it under the size cap."""
    merged = dict(options or {})
    merged["headers"] = {**(merged.get("headers") or {}), **STREAM_OPTIONS["headers"]}
    return merged


def post_json(
    client: Any, path: str, body: dict[str, Any], options: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """POST ``body`` through ``client``; return the decoded JSON and the response headers.

    The body is read in chunks up to ``max_response_bytes`` (``ResponseTooLargeError`` past it).
    """
    import httpx2

    response = client.post(path, body=body, cast_to=httpx2.Response, options=_streamed(options))
    try:
        return json.loads(read_capped(response)), response.headers
    finally:
        response.close()


async def apost_json(
    client: Any, path: str, body: dict[str, Any], options: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """Async twin of ``post_json``."""
    import httpx2

    response = await client.post(path, body=body, cast_to=httpx2.Response, options=_streamed(options))
    try:
        return json.loads(await aread_capped(response)), response.headers
    finally:
        await response.aclose()


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
        yield from iter_sse(iter_capped_lines(response, stream_limit(sink)))
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
        async for pair in aiter_sse(aiter_capped_lines(response, stream_limit(sink))):
            yield pair
    finally:
        await response.aclose()


def default_error_message(status: int, body: Any, fallback: str) -> str:
    """``error.message`` from a JSON error body (OpenAI/Anthropic shape), else the SDK's text."""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return fallback


def map_sdk_error(
    error: BaseException,
    sdk: Any,
    *,
    provider: str,
    model: str,
    describe: Callable[[int, Any, str], str] = default_error_message,
) -> BaseException:
    """A Stainless SDK's exception (or an ``httpx2`` transport error) as a polyport error.

    ``sdk`` is the imported SDK module (``openai``, ``anthropic``): both define the same
    ``APIStatusError`` / ``APITimeoutError`` / ``APIConnectionError`` family.
    ``describe(status, body, fallback)`` turns an error body into the message. The SDK
    exception (the mapped error's ``__cause__``) is redacted in place: servers echo keys.
    """
    scrub_exception(error)
    if isinstance(error, PolyportError):
        return error
    if isinstance(error.__cause__, PolyportError):  # raised in the HTTP client (a token renewal), wrapped by the SDK
        return error.__cause__
    import httpx2

    where: dict[str, Any] = {"provider": provider, "model": model}
    if isinstance(error, sdk.APIStatusError):
        response = error.response
        status = int(response.status_code)
        body = error.body
        message = describe(status, body, str(error.message))
        return error_for_status(status, message, retry_after=parse_retry_after(response.headers), body=body, **where)
    if isinstance(error, sdk.APITimeoutError | httpx2.TimeoutException):
        return RequestTimeoutError("The request timed out", **where)
    if isinstance(error, sdk.APIConnectionError | httpx2.TransportError):
        return _transport_error(error, httpx2, where)
    if isinstance(error, json.JSONDecodeError):
        return BadResponseError(f"The server sent invalid JSON: {error}", **where)
    return error


def _transport_error(error: BaseException, httpx2: Any, where: dict[str, Any]) -> PolyportError:
    """A broken connection, named for when it broke: before connecting, before the answer, or
    in the middle of the response body (all retryable: nothing reached the caller yet)."""
    try:
        request = error.request  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when it was never set
        request = None
    host = request.url.host if request is not None else "the server"
    cause = error.__cause__ if isinstance(error.__cause__, httpx2.TransportError) else error
    if isinstance(cause, httpx2.ConnectError) or not isinstance(cause, httpx2.TransportError):
        return ProviderUnavailableError(f"Could not connect to {host}: {error}", **where)
    if "without sending a response" in str(cause) or isinstance(cause, httpx2.WriteError):
        return ProviderUnavailableError(f"{host} closed the connection without answering: {cause}", **where)
    return ProviderUnavailableError(
        f"The response from {host} was cut off before it was complete ({type(cause).__name__}: {cause})",
        **where,
    )
