"""``HTTPClient``: the plain-httpx transport of one HTTP provider.

Client reuse (one async client per event loop), credentials on every request,
a retry for keep-alive sockets the server dropped, bodies and streams read
under the response size cap, SSE/NDJSON framing and HTTP failures mapped to
polyport errors — once, for every hand-rolled adapter (``HTTPAdapter`` builds
on it) and for any code that needs plain HTTP with polyport's rules.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from polyport_core.auth import is_secret_name, protect, redact_url, reveal
from polyport_core.errors import BadResponseError, InvalidConfigError, PolyportError, ProviderUnavailableError
from polyport_core.transport._http_errors import error_from_response, map_http_error
from polyport_core.transport._limits import (
    aiter_capped_lines,
    aread_capped,
    iter_capped_lines,
    read_capped,
    stream_limit,
)
from polyport_core.wire import RawResponse, StreamFormat, StreamState, aiter_events, iter_events

__all__ = ["DEFAULT_TIMEOUT", "HTTPClient", "RawResponse"]

DEFAULT_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
"""Generous read timeout: local CPU servers can take minutes on long prompts."""
_RETRYABLE = (httpx.RemoteProtocolError, httpx.ConnectError)
_NO_KEY = "polyport-no-key"  # what init_chat_model passes when a spec declares no auth


class _ClientAuth(httpx.Auth):
    """Runs ``client.authenticate`` on every request, then an inner flow (OAuth2 refresh)."""

    def __init__(self, client: HTTPClient, inner: httpx.Auth | None) -> None:
        self.client = client
        self.inner = inner

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.client.authenticate(request)
        if self.inner is None:
            yield request
        else:
            yield from self.inner.auth_flow(request)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Async twin: the inner flow's own async path, so a token renewal never blocks the event loop."""
        self.client.authenticate(request)
        if self.inner is None:
            yield request
            return
        flow = self.inner.async_auth_flow(request)
        response = yield await flow.__anext__()
        while True:
            try:
                request = await flow.asend(response)
            except StopAsyncIteration:
                return
            response = yield request


class HTTPClient:
    """Plain-httpx transport of one HTTP provider: JSON requests and event streams.

    Clients are created on first use and reused (the async one per event loop,
    since an httpx ``AsyncClient`` must not cross loops). Subclasses may override
    ``authenticate`` and ``stream_format`` (or ``parse_stream`` for other framings).
    """

    name: ClassVar[str] = "http"
    """Engine id (an adapter's: ``_llm_type`` and ``model_provider`` of the chat model)."""
    stream_format: ClassVar[StreamFormat] = "sse"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: SecretStr | None = None,
        headers: Mapping[str, str | SecretStr] | None = None,
        query: Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 0,
        http_auth: httpx.Auth | None = None,
        provider: str = "",
        model: str = "",
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
        proxy: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.headers = reveal(headers) or {}
        self.query = reveal(query) or {}
        protect(api_key, *self.secrets())
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self.max_retries = max_retries
        self.provider = provider or self.name
        self.model = model
        self._auth = _ClientAuth(self, http_auth)
        self._transport = transport
        self._async_transport = async_transport
        if proxy and (transport is not None or async_transport is not None):
            raise InvalidConfigError(
                "a proxy cannot be combined with transport/async_transport; set the proxy on that transport",
                provider=self.provider,
            )
        self._options: dict[str, Any] = {} if verify is True else {"verify": verify}
        if proxy:
            self._options["proxy"] = str.__str__(proxy)
        self._client: httpx.Client | None = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={redact_url(self.base_url)!r}, provider={self.provider!r})"

    # ------------------------------------------------------------------ clients
    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "headers": self.headers,
            "params": self.query,
            "timeout": self.timeout,
            "auth": self._auth,
        }

    @property
    def client(self) -> httpx.Client:
        """The shared sync client (created on first use)."""
        if self._client is None:
            # no transport given: httpx builds its own from verify/proxy (HTTP(S)_PROXY apply when no proxy is set)
            self._client = httpx.Client(transport=self._transport, **self._options, **self._client_kwargs())
        return self._client

    @property
    def async_client(self) -> httpx.AsyncClient:
        """The async client of the running event loop (one per loop, reused)."""
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(transport=self._async_transport, **self._options, **self._client_kwargs())
            self._async_clients[loop] = client
        return client

    def close(self) -> None:
        """Close the sync client (async clients close with their loop)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ auth & errors
    def authenticate(self, request: httpx.Request) -> None:
        """Add credentials to an outgoing request; default: ``Authorization: Bearer <api_key>``.

        Skipped when a header already authorizes (spec ``headers``/``auth`` sent one)
        or when the provider needs no key.
        """
        key = self.api_key.get_secret_value() if self.api_key is not None else ""
        if key and key != _NO_KEY and "authorization" not in request.headers:
            request.headers["Authorization"] = f"Bearer {key}"

    def secrets(self) -> list[str]:
        """Secret values to scrub from error messages."""
        values = [self.api_key.get_secret_value()] if self.api_key is not None else []
        values += [v for k, v in self.headers.items() if is_secret_name(k)]
        values += [str(v) for k, v in self.query.items() if is_secret_name(k)]
        return values

    def error_from_response(self, response: httpx.Response) -> PolyportError:
        """The polyport error for a failed response (status, body message, Retry-After)."""
        return error_from_response(response, provider=self.provider, model=self.model, secrets=self.secrets())

    def map_error(self, error: BaseException) -> BaseException:
        """Any exception from a call as a polyport error (transport, timeout, bad JSON)."""
        return map_http_error(error, base_url=self.base_url, provider=self.provider, model=self.model)

    # ------------------------------------------------------------------ raw calls
    def _decode(self, response: httpx.Response) -> RawResponse:
        if response.status_code >= 400:
            raise self.error_from_response(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise BadResponseError(
                f"{response.request.url.path} answered with invalid JSON", provider=self.provider, model=self.model
            ) from exc
        return RawResponse(body=body, headers=dict(response.headers))

    def _send(self, method: str, path: str, body: Any, stream: bool) -> httpx.Response:
        """Send, retrying (up to ``max_retries``) a request the server dropped before answering:
        servers close idle keep-alive sockets, and nothing was processed in that case."""
        request = self.client.build_request(method, path, json=body)
        for attempt in range(self.max_retries + 1):
            try:
                return self.client.send(request, stream=stream)
            except _RETRYABLE:
                if attempt >= self.max_retries:
                    raise
        raise AssertionError("unreachable")

    async def _asend(self, method: str, path: str, body: Any, stream: bool) -> httpx.Response:
        client = self.async_client
        request = client.build_request(method, path, json=body)
        for attempt in range(self.max_retries + 1):
            try:
                return await client.send(request, stream=stream)
            except _RETRYABLE:
                if attempt >= self.max_retries:
                    raise
        raise AssertionError("unreachable")

    def _cut(self, error: httpx.TransportError, what: str) -> ProviderUnavailableError:
        """The server answered, then the connection broke: say so (not "could not reach")."""
        return ProviderUnavailableError(
            f"The {what} from {self.provider} was cut off before it was complete ({type(error).__name__})",
            provider=self.provider,
            model=self.model,
        )

    def request_json(self, method: str, path: str, body: Any = None) -> RawResponse:
        """One JSON request; raises the mapped error on a status >= 400.

        The body is read in chunks up to the model's ``max_response_bytes``.
        """
        response = self._send(method, path, body, stream=True)
        try:
            read_capped(response)
        except httpx.TimeoutException:
            raise
        except httpx.TransportError as error:
            raise self._cut(error, "response") from error
        finally:
            response.close()
        return self._decode(response)

    async def arequest_json(self, method: str, path: str, body: Any = None) -> RawResponse:
        """Async twin of ``request_json``."""
        response = await self._asend(method, path, body, stream=True)
        try:
            await aread_capped(response)
        except httpx.TimeoutException:
            raise
        except httpx.TransportError as error:
            raise self._cut(error, "response") from error
        finally:
            await response.aclose()
        return self._decode(response)

    def stream_json(self, path: str, body: Any, state: StreamState) -> Iterator[Any]:
        """POST ``body`` and yield decoded stream events (``parse_stream``), at most
        ``state.max_response_bytes`` of them."""
        response = self._send("POST", path, body, stream=True)
        try:
            if response.status_code >= 400:
                read_capped(response, state.max_response_bytes)
                raise self.error_from_response(response)
            state.headers = dict(response.headers)
            yield from self.parse_stream(iter_capped_lines(response, stream_limit(state)))
        except httpx.TimeoutException:
            raise
        except httpx.TransportError as error:
            raise self._cut(error, "stream") from error
        finally:
            response.close()

    async def astream_json(self, path: str, body: Any, state: StreamState) -> AsyncIterator[Any]:
        """Async twin of ``stream_json``."""
        response = await self._asend("POST", path, body, stream=True)
        try:
            if response.status_code >= 400:
                await aread_capped(response, state.max_response_bytes)
                raise self.error_from_response(response)
            state.headers = dict(response.headers)
            async for event in self.aparse_stream(aiter_capped_lines(response, stream_limit(state))):
                yield event
        except httpx.TimeoutException:
            raise
        except httpx.TransportError as error:
            raise self._cut(error, "stream") from error
        finally:
            await response.aclose()

    def parse_stream(self, lines: Iterator[str]) -> Iterator[Any]:
        """Stream lines → events per ``stream_format`` (SSE ``data:`` or NDJSON)."""
        return iter_events(lines, self.stream_format)

    def aparse_stream(self, lines: AsyncIterator[str]) -> AsyncIterator[Any]:
        """Async twin of ``parse_stream``."""
        return aiter_events(lines, self.stream_format)
