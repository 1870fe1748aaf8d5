"""``HTTPAdapter``: the base for hand-rolled providers over httpx.

A vendor without an SDK is one subclass: say how a ``ChatRequest`` becomes the
vendor's JSON (``transform_request``) and how its JSON becomes LangChain
messages (``transform_response`` / ``transform_event``). Transport, auth,
SSE/NDJSON streaming, error mapping and client reuse live here, once.
``AdapterChatModel`` then turns the adapter into a full ``ProviderChatModel``.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from typing import Any, ClassVar

import httpx
from langchain_core.messages import AIMessageChunk
from pydantic import SecretStr

from polyport_core.adapters._types import ChatRequest, RawResponse
from polyport_core.auth import is_secret_name, protect, redact_url, reveal
from polyport_core.chat import ParsedResponse, StreamState
from polyport_core.errors import BadResponseError, PolyportError, ProviderUnavailableError
from polyport_core.transport import (
    aiter_capped_lines,
    aread_capped,
    error_from_response,
    iter_capped_lines,
    map_http_error,
    read_capped,
)
from polyport_core.wire import StreamFormat, aiter_events, iter_events

__all__ = ["DEFAULT_TIMEOUT", "HTTPAdapter"]

DEFAULT_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
"""Generous read timeout: local CPU servers can take minutes on long prompts."""
_RETRYABLE = (httpx.RemoteProtocolError, httpx.ConnectError)
_NO_KEY = "polyport-no-key"  # what init_chat_model passes when a spec declares no auth


class _AdapterAuth(httpx.Auth):
    """Runs ``adapter.authenticate`` on every request, then an inner flow (OAuth2 refresh)."""

    def __init__(self, adapter: HTTPAdapter, inner: httpx.Auth | None) -> None:
        self.adapter = adapter
        self.inner = inner

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.adapter.authenticate(request)
        if self.inner is None:
            yield request
        else:
            yield from self.inner.auth_flow(request)


class HTTPAdapter:
    """Transport and wire conversion of one HTTP provider; subclass and override the hooks.

    Clients are created on first use and reused (the async one per event loop,
    since an httpx ``AsyncClient`` must not cross loops). Override:
    ``transform_request``, ``transform_response``, ``transform_event`` (chat),
    optionally ``prepare``/``aprepare`` (I/O before sending, e.g. prompt
    rendering), ``authenticate``, ``transform_models``, the embedding pair,
    ``chat_path`` and ``stream_format``.
    """

    name: ClassVar[str] = "http"
    """Engine id (``_llm_type`` and ``model_provider`` of the chat model)."""
    chat_path: ClassVar[str] = "/chat"
    models_path: ClassVar[str | None] = "/models"
    embeddings_path: ClassVar[str | None] = None
    stream_format: ClassVar[StreamFormat] = "sse"
    max_tokens_key: ClassVar[str] = "max_tokens"
    """Body field of the output cap (budget reservations read it)."""

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
        self._auth = _AdapterAuth(self, http_auth)
        self._transport = transport
        self._async_transport = async_transport
        self._verify = verify
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
            transport = self._transport or httpx.HTTPTransport(verify=self._verify)
            self._client = httpx.Client(transport=transport, **self._client_kwargs())
        return self._client

    @property
    def async_client(self) -> httpx.AsyncClient:
        """The async client of the running event loop (one per loop, reused)."""
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            transport = self._async_transport or httpx.AsyncHTTPTransport(verify=self._verify)
            client = httpx.AsyncClient(transport=transport, **self._client_kwargs())
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
            yield from self.parse_stream(iter_capped_lines(response, state.max_response_bytes))
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
            async for event in self.aparse_stream(aiter_capped_lines(response, state.max_response_bytes)):
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

    # ------------------------------------------------------------------ chat
    def chat_route(self, body: dict[str, Any], stream: bool) -> str:
        """Path of the chat request (override for per-model or streaming routes)."""
        return self.chat_path

    def prepare(self, body: dict[str, Any]) -> dict[str, Any]:
        """Last step before sending, allowed to do I/O (render a prompt, upload a file)."""
        return body

    async def aprepare(self, body: dict[str, Any]) -> dict[str, Any]:
        """Async twin of ``prepare``."""
        return body

    def chat(self, body: dict[str, Any]) -> RawResponse:
        """Send a non-streaming chat request."""
        body = self.prepare(body)
        return self.request_json("POST", self.chat_route(body, False), body)

    async def achat(self, body: dict[str, Any]) -> RawResponse:
        """Async twin of ``chat``."""
        body = await self.aprepare(body)
        return await self.arequest_json("POST", self.chat_route(body, False), body)

    def chat_stream(self, body: dict[str, Any], state: StreamState) -> Iterator[Any]:
        """Send a streaming chat request; yield decoded events."""
        body = self.prepare(body)
        yield from self.stream_json(self.chat_route(body, True), body, state)

    async def achat_stream(self, body: dict[str, Any], state: StreamState) -> AsyncIterator[Any]:
        """Async twin of ``chat_stream``."""
        body = await self.aprepare(body)
        async for event in self.astream_json(self.chat_route(body, True), body, state):
            yield event

    def transform_request(self, request: ChatRequest) -> dict[str, Any]:
        """The vendor JSON body for one chat call."""
        raise NotImplementedError(f"{type(self).__name__} does not implement chat")

    def transform_response(self, body: Any) -> ParsedResponse:
        """A non-streaming vendor body as a ``ParsedResponse`` (message, usage, finish reason)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement chat")

    def transform_event(self, event: Any, state: StreamState) -> AIMessageChunk | None:
        """One stream event as a chunk; set ``state.finished`` on the final one."""
        raise NotImplementedError(f"{type(self).__name__} does not implement streaming")

    def structured_output_kwargs(
        self, schema: dict[str, Any], method: str, strict: bool | None
    ) -> dict[str, Any] | None:
        """Call kwargs for JSON mode / JSON schema output; None keeps the OpenAI default."""
        return None

    # ------------------------------------------------------------------ models
    def transform_models(self, body: Any) -> list[dict[str, Any]]:
        """The model list of a ``models_path`` body (OpenAI ``data`` or Ollama ``models``)."""
        items = body if isinstance(body, list) else (body.get("data") or body.get("models") or [])
        return [item if isinstance(item, dict) else {"id": str(item)} for item in items]

    def list_models(self) -> list[dict[str, Any]]:
        """Models the server reports (GET ``models_path``)."""
        if self.models_path is None:
            raise NotImplementedError(f"{type(self).__name__} cannot list models")
        try:
            return self.transform_models(self.request_json("GET", self.models_path).body)
        except Exception as error:
            raise self.map_error(error) from error

    async def alist_models(self) -> list[dict[str, Any]]:
        """Async twin of ``list_models``."""
        if self.models_path is None:
            raise NotImplementedError(f"{type(self).__name__} cannot list models")
        try:
            return self.transform_models((await self.arequest_json("GET", self.models_path)).body)
        except Exception as error:
            raise self.map_error(error) from error

    # ------------------------------------------------------------------ embeddings
    def transform_embeddings_request(self, texts: list[str], model: str) -> dict[str, Any]:
        """The embeddings body; default OpenAI-shaped ``{"model", "input"}``."""
        return {"model": model, "input": texts}

    def transform_embeddings_response(self, body: Any) -> list[list[float]]:
        """Vectors in input order; default OpenAI-shaped ``data[].embedding``."""
        items = sorted(body["data"], key=lambda item: item.get("index", 0))
        return [list(item["embedding"]) for item in items]

    def _embeddings_path(self) -> str:
        if self.embeddings_path is None:
            raise NotImplementedError(f"{type(self).__name__} does not implement embeddings")
        return self.embeddings_path

    def embed(self, texts: list[str], model: str) -> list[list[float]]:
        """Embed one batch in one request."""
        body = self.transform_embeddings_request(texts, model)
        return self.transform_embeddings_response(self.request_json("POST", self._embeddings_path(), body).body)

    async def aembed(self, texts: list[str], model: str) -> list[list[float]]:
        """Async twin of ``embed``."""
        body = self.transform_embeddings_request(texts, model)
        raw = await self.arequest_json("POST", self._embeddings_path(), body)
        return self.transform_embeddings_response(raw.body)
