"""``HTTPAdapter``: the base for hand-rolled providers over httpx.

A vendor without an SDK is one subclass: say how a ``ChatRequest`` becomes the
vendor's JSON (``transform_request``) and how its JSON becomes LangChain
messages (``transform_response`` / ``transform_event``). Moving the bytes
(clients, auth, SSE/NDJSON streams, size caps, error mapping) is the inherited
``transport.HTTPClient``. ``AdapterChatModel`` then turns the adapter into a
full ``ProviderChatModel``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from langchain_core.messages import AIMessageChunk

from polyport_core.adapters._types import ChatRequest
from polyport_core.transport import DEFAULT_TIMEOUT, HTTPClient, RawResponse
from polyport_core.wire import ParsedResponse, StreamState

__all__ = ["DEFAULT_TIMEOUT", "AdapterStreamState", "HTTPAdapter", "RawResponse"]


class HTTPAdapter(HTTPClient):
    """Wire conversion of one HTTP provider on the httpx transport; subclass and override the hooks.

    Override: ``transform_request``, ``transform_response``, ``transform_event``
    (chat), optionally ``prepare``/``aprepare`` (I/O before sending, e.g. prompt
    rendering), ``authenticate``, ``transform_models``, the embedding pair,
    ``chat_path`` and ``stream_format``.
    """

    chat_path: ClassVar[str] = "/chat"
    models_path: ClassVar[str | None] = "/models"
    embeddings_path: ClassVar[str | None] = None
    max_tokens_key: ClassVar[str] = "max_tokens"
    """Body field of the output cap (budget reservations read it)."""
    tool_calling: Literal["native", "prompted", "none"] = "native"
    """``native``: ``transform_request`` maps tools itself; ``prompted``: tools are described in
    the prompt and forced calls constrained by ``structured_output_kwargs`` (adapters/_prompted_tools);
    ``none``: ``bind_tools`` refuses (``no_tools_reason`` says why)."""

    def no_tools_reason(self) -> str:
        """Why this adapter cannot call tools (shown when ``bind_tools`` refuses)."""
        return "its wire has no tool calling"

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

    def stream_state(self) -> StreamState:
        """A fresh state for one stream; by default each event goes to ``transform_event``.

        An adapter reading OpenAI chunks returns ``polyport_core.wire.openai.OpenAIStreamState()``;
        one that keeps more per stream returns its own ``StreamState`` subclass.
        """
        return AdapterStreamState(adapter=self)

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


@dataclass(kw_only=True)
class AdapterStreamState(StreamState):
    """The default state of an adapter's stream: events are read by ``adapter.transform_event``."""

    adapter: HTTPAdapter = field(repr=False)

    def parse(self, event: Any) -> AIMessageChunk | None:
        """``transform_event`` of the adapter."""
        return self.adapter.transform_event(event, self)
