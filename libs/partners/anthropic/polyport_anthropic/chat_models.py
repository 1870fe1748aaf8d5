"""``ChatAnthropic``: Claude and every Anthropic-compatible server, on the official SDK."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from langchain_core.messages import BaseMessage
from langchain_core.utils.utils import secret_from_env
from polyport_core.auth import RedactedURL, SecretHeaders, reveal
from polyport_core.chat import ParamRoute, ParsedResponse, ProviderChatModel, StructuredMethod
from polyport_core.errors import InvalidConfigError
from polyport_core.transport import ClientPair, SDKChatTransport
from polyport_core.wire import RawResponse, VendorRequest
from pydantic import Field, PrivateAttr, SecretStr

from polyport_anthropic import _transport
from polyport_anthropic._clients import NO_KEY, make_clients
from polyport_anthropic._constrained import ConstrainedStreamState, constrained_request, parse_constrained
from polyport_anthropic._errors import map_anthropic_error
from polyport_anthropic._messages import messages_to_anthropic
from polyport_anthropic._params import CHAT_ROUTES
from polyport_anthropic._response import AnthropicStreamState, parse_message
from polyport_anthropic._tools import apply_tools, tools_to_anthropic

if TYPE_CHECKING:
    from polyport_core.spec import ProviderSpec

__all__ = ["ChatAnthropic"]

_DEFAULT_MAX_TOKENS = 4096
"""Output cap when neither the call, the instance nor the model's profile gives one."""


class ChatAnthropic(ProviderChatModel):
    """Chat model for Anthropic's Messages API and Anthropic-compatible servers (``base_url``).

    Tools, extended thinking (signed thinking blocks survive across turns), prompt
    caching (``cache_control`` blocks; cache tokens in ``usage_metadata``), images,
    PDFs and native JSON-schema output.

    Example:
        ```python
        llm = ChatAnthropic(model="claude-sonnet-4-5", max_tokens=256)
        llm.invoke("Hello")
        ```
    """

    api_key: SecretStr | None = Field(
        alias="anthropic_api_key", default_factory=secret_from_env("ANTHROPIC_API_KEY", default=None)
    )
    base_url: RedactedURL | None = Field(
        alias="anthropic_api_url",
        default_factory=lambda: os.environ.get("ANTHROPIC_BASE_URL") or None,
        validate_default=True,
    )
    default_headers: SecretHeaders | None = Field(default=None, repr=False)
    """Extra headers on every request; values are secrets (masked in repr, dumps and callbacks)."""
    http_client: Any = Field(default=None, exclude=True)
    """An ``httpx2.Client`` for the sync SDK client (proxies, transports, fixtures)."""
    http_async_client: Any = Field(default=None, exclude=True)
    """An ``httpx2.AsyncClient`` for the async SDK client."""

    top_k: int | None = None
    top_p: float | None = None
    thinking: dict[str, Any] | None = None
    """Extended thinking, e.g. ``{"type": "enabled", "budget_tokens": 2048}``."""
    betas: list[str] | None = None
    """Beta features, sent as the ``anthropic-beta`` header."""
    count_tokens_api: bool = True
    """Count prompt tokens with ``/v1/messages/count_tokens``; offline estimate if that fails."""
    anthropic_proxy: RedactedURL | None = None
    """Proxy URL for the SDK's HTTP clients (as in langchain-anthropic); wins over a provider file's
    ``proxy``. Userinfo is masked in repr and dumps."""
    forced_tool_calls: Literal["native", "json_schema"] = "native"
    """``json_schema`` (a compatible-server quirk, e.g. llama.cpp): a call that forces a tool or asks
    for JSON-schema output goes to the same server's ``/v1/chat/completions`` with grammar-enforced
    JSON, because its ``/v1/messages`` ignores ``tool_choice`` and ``output_config``."""

    _param_routes: ClassVar[dict[str, ParamRoute]] = CHAT_ROUTES

    _clients: ClientPair | None = PrivateAttr(default=None)

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """A ``ChatAnthropic`` for ``model`` as the provider spec describes it (``overrides`` win).

        The key goes to the SDK (which sends it itself) unless the spec declares a header of its
        own for it; ``base_url`` is the server root
        (a trailing ``/v1`` is removed: the SDK adds it). The one quirk is ``forced_tool_calls``;
        no query parameters.
        """
        from polyport_core.registry import SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        quirks = settings.quirks_for("anthropic", ("forced_tool_calls",))
        settings.reject_query("anthropic")
        kwargs = settings.common()
        kwargs.update(quirks)
        # sdk_key: a key the spec places in a header of its own is not also sent as the SDK's auth
        kwargs.update(base_url=settings.base_url.removesuffix("/v1"), api_key=settings.sdk_key)
        if settings.headers:
            kwargs["default_headers"] = settings.headers
        return settings.build(cls, kwargs)

    @property
    def _llm_type(self) -> str:
        return "anthropic"

    # ------------------------------------------------------------------ clients
    def _headers(self) -> dict[str, str] | None:
        headers = reveal(self.default_headers) or {}
        if self.betas:
            headers["anthropic-beta"] = ",".join(self.betas)
        return headers or None

    def _sdk_clients(self) -> ClientPair:
        if self._clients is None:
            self._clients = self._make_clients()
        return self._clients

    def _make_clients(self) -> ClientPair:
        key = self.api_key.get_secret_value() if self.api_key is not None else None
        if key is None:
            if not self.base_url:
                raise InvalidConfigError(
                    "No API key: pass api_key= or set ANTHROPIC_API_KEY",
                    provider=self.provider,
                    model=self.model_name,
                )
            key = NO_KEY
        return make_clients(self, {"api_key": key, "base_url": self.base_url})

    @property
    def _sse(self) -> bool:
        """Whether the platform streams plain SSE (Bedrock uses AWS event streams)."""
        return True

    # ------------------------------------------------------------------ request
    def _default_max_tokens(self) -> int:
        profile = self.profile or {}
        return int(profile.get("max_output_tokens") or _DEFAULT_MAX_TOKENS)

    def _normalize_tool_choice(self, choice: str | dict[str, Any] | None) -> Any:
        return choice  # converted with the tools in ``_build_payload``

    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        system, converted = messages_to_anthropic(messages)
        payload: dict[str, Any] = {
            "model": self.model_name,
            "max_tokens": kwargs.pop("max_tokens", None) or self.max_tokens or self._default_max_tokens(),
            "messages": converted,
        }
        if system:
            payload["system"] = system
        optional = {
            "temperature": self.temperature,
            "top_k": self.top_k,
            "top_p": self.top_p,
            "thinking": self.thinking,
            "stop_sequences": stop or self.stop,
        }
        for key, value in optional.items():
            if value is not None:
                payload[key] = value
        if self.model_kwargs:
            payload.update(self.model_kwargs)
        parallel = kwargs.pop("parallel_tool_calls", None)
        if "stop_sequences" in kwargs and kwargs["stop_sequences"] is None:
            kwargs.pop("stop_sequences")
        payload.update(kwargs)
        if "tools" in payload or "tool_choice" in payload:
            apply_tools(payload, parallel)
        if stream:
            payload["stream"] = True
        return payload

    def _build_request(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> VendorRequest:
        """The Messages request, or with the ``forced_tool_calls`` quirk on, a call that forces a
        tool or asks for JSON-schema output as a grammar-constrained Chat Completions request."""
        payload = self._build_payload(messages, stop, stream, **kwargs)
        if self.forced_tool_calls == "json_schema":
            constrained = constrained_request(messages, payload, stream)
            if constrained is not None:
                return constrained
        return VendorRequest(payload, stream=stream)

    def _structured_output_kwargs(
        self, schema: dict[str, Any], method: StructuredMethod, strict: bool | None
    ) -> dict[str, Any]:
        """Native JSON output (``output_config.format``); Anthropic has no schemaless JSON mode,
        so ``json_mode`` sends the given schema too (or a bare object schema)."""
        if method == "json_mode" and not schema:
            return {"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}}
        from anthropic import transform_schema

        return {"output_config": {"format": {"type": "json_schema", "schema": transform_schema(schema)}}}

    # ------------------------------------------------------------------ transport and parsing
    def _chat_transport(self) -> SDKChatTransport:
        return _transport.messages_transport(self._sdk_clients(), sse=self._sse)

    def _parse_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        return parse_constrained(raw.body, request) if request.path else parse_message(raw.body)

    def _stream_state(self, request: VendorRequest) -> AnthropicStreamState | ConstrainedStreamState:
        if request.path:
            return ConstrainedStreamState(forced_tools=request.forced_tools)
        return AnthropicStreamState(provider=self.provider, model=self.model_name)

    def _map_error(self, error: BaseException) -> BaseException:
        return map_anthropic_error(error, self.provider, self.model_name)

    # ------------------------------------------------------------------ token counting
    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Prompt tokens from the API's count endpoint; the offline estimate when it is unavailable."""
        if self.count_tokens_api:
            system, converted = messages_to_anthropic(messages)
            body: dict[str, Any] = {"model": self.model_name, "messages": converted}
            if system:
                body["system"] = system
            if tools:
                from polyport_core.chat import format_tools

                body["tools"] = tools_to_anthropic(format_tools(list(tools)))
            try:
                return _transport.count_tokens(self._sdk_clients().sync, body)
            except Exception:
                pass
        return super().get_num_tokens_from_messages(messages, tools)
