"""``AdapterChatModel``: any ``HTTPAdapter`` as a full ``ProviderChatModel``.

Governance, usage (estimated when the server sends none), cost, stream
integrity, tools and structured output come from the core lifecycle; the
adapter only converts. Register the subclass under the ``polyport.engines``
entry-point group and spec files can use it as their ``engine``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

import httpx
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable
from pydantic import Field, PrivateAttr, SecretStr

from polyport_core.adapters._http import AdapterStreamState, HTTPAdapter
from polyport_core.adapters._prompted_tools import PromptedTools, plan_prompted_tools, read_answer
from polyport_core.adapters._types import ChatRequest
from polyport_core.auth import RedactedURL, SecretHeaders, SecretQuery
from polyport_core.chat import ParsedResponse, ProviderChatModel, StructuredMethod
from polyport_core.errors import InvalidConfigError
from polyport_core.transport import tls_verify
from polyport_core.wire import RawResponse, StreamState, VendorRequest
from polyport_core.wire.openai import forced_tool_chunk

if TYPE_CHECKING:
    from polyport_core.registry import SpecSettings
    from polyport_core.spec import ProviderSpec

__all__ = ["AdapterChatModel", "AdapterSettings"]


class AdapterSettings(ProviderChatModel):
    """Connection fields every adapter-backed model shares (spec files fill them)."""

    base_url: RedactedURL
    api_key: SecretStr | None = None
    default_headers: SecretHeaders | None = Field(default=None, repr=False)
    """Extra headers on every request; values are secrets (masked in repr, dumps and callbacks)."""
    default_query: SecretQuery | None = Field(default=None, repr=False)
    """Extra query parameters on every request; values are secrets like the headers."""
    http_auth: httpx.Auth | None = Field(default=None, exclude=True, repr=False)
    """An httpx auth flow run after ``authenticate`` (e.g. OAuth2 with refresh)."""
    transport: httpx.BaseTransport | None = Field(default=None, exclude=True, repr=False)
    """Custom sync transport (proxies, ``httpx.MockTransport`` in tests)."""
    async_transport: httpx.AsyncBaseTransport | None = Field(default=None, exclude=True, repr=False)


class AdapterChatModel(AdapterSettings):
    """A chat model whose vendor calls go through ``adapter_class``.

    Example:
        ```python
        class ChatAcme(AdapterChatModel):
            adapter_class = AcmeAdapter

        ChatAcme(model="acme-1", base_url="https://api.acme.test", api_key="...").invoke("hi")
        ```
    """

    adapter_class: ClassVar[type[HTTPAdapter]] = HTTPAdapter
    spec_quirks: ClassVar[tuple[str, ...]] = ()
    """Quirks of a provider spec this engine implements (others are refused by ``from_spec``)."""

    _adapter: HTTPAdapter | None = PrivateAttr(default=None)

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """This engine for ``model`` as the provider spec describes it (``overrides`` win).

        Subclasses with settings of their own extend ``_spec_kwargs``.
        """
        from polyport_core.registry import SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        return settings.build(cls, cls._spec_kwargs(settings))

    @classmethod
    def _spec_kwargs(cls, settings: SpecSettings) -> dict[str, Any]:
        """Constructor arguments from a resolved ``SpecSettings`` (before defaults and overrides)."""
        kwargs: dict[str, Any] = settings.common()
        kwargs.update(settings.quirks_for(settings.spec.engine, cls.spec_quirks))
        kwargs.update(settings.adapter_connection())
        return kwargs

    @property
    def _llm_type(self) -> str:
        return self.adapter_class.name

    def _adapter_kwargs(self) -> dict[str, Any]:
        """Constructor arguments of the adapter (subclasses add their own settings)."""
        return {
            "api_key": self.api_key,
            "headers": self.default_headers,
            "query": self.default_query,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "http_auth": self.http_auth,
            "provider": self.provider,
            "model": self.model_name,
            "transport": self.transport,
            "async_transport": self.async_transport,
            "verify": tls_verify(self.tls, provider=self.provider),
            "proxy": self.proxy,
        }

    @property
    def adapter(self) -> HTTPAdapter:
        """The adapter (created on first use, then reused with its connection pool)."""
        if self._adapter is None:
            self._adapter = self.adapter_class(self.base_url, **self._adapter_kwargs())
        return self._adapter

    # ------------------------------------------------------------------ request
    def _request_params(self) -> dict[str, Any]:
        """Model-level settings passed to ``transform_request`` as ``params`` (subclasses extend)."""
        return dict(self.model_kwargs)

    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        return self._build_request(messages, stop, stream, **kwargs).body

    def _build_request(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> VendorRequest:
        params = {**self._request_params(), **kwargs}
        max_tokens = params.pop("max_tokens", None) or self.max_tokens
        temperature = params.pop("temperature", self.temperature)
        tools, tool_choice = params.pop("tools", None), params.pop("tool_choice", None)
        plan: PromptedTools | None = None
        if tools and self.adapter.tool_calling == "prompted":
            params.pop("parallel_tool_calls", None)
            messages, plan = plan_prompted_tools(messages, tools, tool_choice)
            if plan is not None and plan.schema is not None:  # a forced call: the adapter's JSON-schema field
                params.update(self._structured_output_kwargs(plan.schema, "json_schema", None))
            tools = tool_choice = None
        request = ChatRequest(
            messages=messages,
            model=params.pop("model", self.model_name),
            stream=stream,
            max_tokens=max_tokens,
            temperature=temperature,
            stop=stop or self.stop,
            tools=tools,
            tool_choice=tool_choice,
            params=params,
        )
        return _AdapterRequest(self.adapter.transform_request(request), stream=stream, prompted=plan)

    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Runnable[Any, AIMessage]:
        """Bind tools; an engine whose wire cannot call tools refuses here, not at the first call."""
        if self.adapter.tool_calling == "none":
            raise InvalidConfigError(
                f"engine {self._llm_type!r} cannot call tools: {self.adapter.no_tools_reason()}",
                provider=self.provider,
                model=self.model_name,
            )
        return super().bind_tools(tools, tool_choice=tool_choice, **kwargs)

    def _max_output_tokens(self, payload: dict[str, Any]) -> int | None:
        value = payload.get(self.adapter_class.max_tokens_key)
        return int(value) if isinstance(value, int) and value > 0 else self.max_tokens

    def _structured_output_kwargs(
        self, schema: dict[str, Any], method: StructuredMethod, strict: bool | None
    ) -> dict[str, Any]:
        custom = self.adapter.structured_output_kwargs(schema, method, strict)
        return custom if custom is not None else super()._structured_output_kwargs(schema, method, strict)

    # ------------------------------------------------------------------ transport and parsing
    def _chat_transport(self) -> _AdapterTransport:
        return _AdapterTransport(self.adapter)

    def _parse_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        parsed = self.adapter.transform_response(raw.body)
        plan = request.prompted if isinstance(request, _AdapterRequest) else None
        if plan is not None:
            call = read_answer(str(parsed.message.content), plan, parsed.message.id, parsed.finish_reason)
            if call is not None:
                parsed.message = call
                if call.tool_calls and parsed.finish_reason in (None, "stop"):
                    parsed.finish_reason = "tool_calls"
        return parsed

    def _stream_state(self, request: VendorRequest) -> StreamState:
        plan = request.prompted if isinstance(request, _AdapterRequest) else None
        if plan is not None:
            return _PromptedStreamState(adapter=self.adapter, plan=plan)
        return self.adapter.stream_state()

    def _map_error(self, error: BaseException) -> BaseException:
        return self.adapter.map_error(error)

    # ------------------------------------------------------------------ models
    def list_models(self) -> list[dict[str, Any]]:
        """Models the server reports, as it describes them."""
        return self.adapter.list_models()

    async def alist_models(self) -> list[dict[str, Any]]:
        """Async twin of ``list_models``."""
        return await self.adapter.alist_models()


class _AdapterTransport:
    """An ``HTTPAdapter``'s chat calls as the model's ``ChatTransport`` (the adapter keeps its
    body-level API: ``chat``, ``chat_stream`` and their async twins)."""

    __slots__ = ("adapter",)

    def __init__(self, adapter: HTTPAdapter) -> None:
        self.adapter = adapter

    def send(self, request: VendorRequest) -> RawResponse:
        return self.adapter.chat(request.body)

    async def asend(self, request: VendorRequest) -> RawResponse:
        return await self.adapter.achat(request.body)

    def stream(self, request: VendorRequest, state: StreamState) -> Iterator[Any]:
        return self.adapter.chat_stream(request.body, state)

    def astream(self, request: VendorRequest, state: StreamState) -> AsyncIterator[Any]:
        return self.adapter.achat_stream(request.body, state)


@dataclass(slots=True)
class _AdapterRequest(VendorRequest):
    """An adapter's request, with the prompted-tools plan when tools are described in the prompt."""

    prompted: PromptedTools | None = None


@dataclass(kw_only=True)
class _PromptedStreamState(AdapterStreamState):
    """A stream while tools are bound: the text is held, and at the end becomes one call chunk
    (or stays text when it is no call)."""

    plan: PromptedTools
    text: list[str] = field(default_factory=list)

    def parse(self, event: Any) -> AIMessageChunk | None:
        chunk = self.adapter.transform_event(event, self)
        if chunk is None:
            return None
        if isinstance(chunk.content, str) and chunk.content:
            self.text.append(chunk.content)
        finish = chunk.response_metadata.get("finish_reason")
        if not finish and not self.finished:
            return None
        text = "".join(self.text)
        metadata = {k: v for k, v in chunk.response_metadata.items() if k != "finish_reason"}
        if self.plan.forced or read_answer(text, self.plan, chunk.id, finish) is not None:
            call = forced_tool_chunk(
                text, chunk.id, names=self.plan.names, finish_reason=finish, usage=chunk.usage_metadata
            )
            call.response_metadata.update(metadata)
            return call
        return AIMessageChunk(
            content=text,
            id=chunk.id,
            usage_metadata=chunk.usage_metadata,
            response_metadata=dict(chunk.response_metadata),
        )
