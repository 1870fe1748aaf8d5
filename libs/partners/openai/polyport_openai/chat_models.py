"""``ChatOpenAI``: OpenAI and every OpenAI-compatible server, on the official SDK."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from langchain_core.messages import BaseMessage
from langchain_core.utils.utils import secret_from_env
from polyport_core.auth import RedactedURL, SecretHeaders, SecretQuery
from polyport_core.chat import ParamRoute, ParsedResponse, ProviderChatModel, StructuredMethod
from polyport_core.transport import SDKChatTransport
from polyport_core.wire import RawResponse, StreamState, VendorRequest
from polyport_core.wire.openai import (
    OPENAI_COMPATIBLE,
    OpenAIStreamState,
    as_forced_call,
    emulate_forced_tool_call,
    messages_to_openai,
    parse_chat_completion,
)
from polyport_core.wire.openai_responses import RESPONSES_PATH, ResponsesStreamState, parse_responses_body
from pydantic import Field, PrivateAttr, SecretStr

from polyport_openai._clients import ClientPair, client_kwargs, connection_options, is_official_openai, make_clients
from polyport_openai._errors import map_openai_error
from polyport_openai._params import CHAT_ROUTES
from polyport_openai._responses import chat_only_fields, responses_request, uses_responses_api

if TYPE_CHECKING:
    from polyport_core.spec import ProviderSpec

__all__ = ["ChatOpenAI"]

_CHAT_PATH = "/chat/completions"
_QUIRKS = (
    "drop_params",
    "developer_as_system",
    "unsupported_tool_choice",
    "send_reasoning",
    "stream_usage",
    "forced_tool_calls",
)
"""Every quirk of a provider spec: this engine implements them all."""


class ChatOpenAI(ProviderChatModel):
    """Chat model for OpenAI and any OpenAI-compatible server (set ``base_url``).

    Beyond langchain-openai it keeps compatible servers honest: reasoning
    (``reasoning_content``/``reasoning``) is surfaced, streams always ask for
    usage and estimate it (marked ``usage_estimated``) when none arrives, and
    request fields a server rejects can be dropped with ``drop_params``.

    Example:
        ```python
        llm = ChatOpenAI(model="gemma", base_url="http://127.0.0.1:8080/v1", max_tokens=64)
        llm.invoke("Hello")
        ```
    """

    api_key: SecretStr | None = Field(
        alias="openai_api_key", default_factory=secret_from_env("OPENAI_API_KEY", default=None)
    )
    base_url: RedactedURL | None = Field(
        alias="openai_api_base",
        default_factory=lambda: os.environ.get("OPENAI_BASE_URL") or None,
        validate_default=True,
    )
    organization: str | None = Field(
        alias="openai_organization", default_factory=lambda: os.environ.get("OPENAI_ORG_ID") or None
    )
    default_headers: SecretHeaders | None = Field(default=None, repr=False)
    """Extra headers on every request; values are secrets (masked in repr, dumps and callbacks)."""
    default_query: SecretQuery | None = Field(default=None, repr=False)
    """Extra query parameters on every request; values are secrets like the headers."""
    http_client: Any = Field(default=None, exclude=True)
    """An ``httpx2.Client`` for the sync SDK client (proxies, transports, fixtures)."""
    http_async_client: Any = Field(default=None, exclude=True)
    """An ``httpx2.AsyncClient`` for the async SDK client."""

    top_p: float | None = None
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    n: int | None = None
    logprobs: bool | None = None
    reasoning_effort: str | None = None
    extra_body: dict[str, Any] | None = None
    """Server-specific request fields (e.g. llama.cpp's ``top_k``), merged into the body."""
    openai_proxy: RedactedURL | None = None
    """Proxy URL for the SDK's HTTP clients (as in langchain-openai); wins over a provider file's
    ``proxy``. Userinfo is masked in repr and dumps."""
    include_response_headers: bool = False
    """Put the HTTP response headers in ``response_metadata["headers"]`` (first chunk when streaming)."""

    # --- OpenAI's Responses API (POST /responses; see the README's "Responses API" section)
    use_responses_api: bool | None = None
    """``True``: every call uses the Responses API; ``False``: never; ``None``: when a call needs it
    (a built-in tool, ``reasoning``, ``include``, ``previous_response_id``, ...), as langchain-openai does."""
    use_previous_response_id: bool = False
    """Send only the turns after the last AI message with a response id, and that id as ``previous_response_id``."""
    reasoning: dict[str, Any] | None = None
    """Responses ``reasoning`` (``{"effort": "low", "summary": "auto"}``); with ``use_responses_api=False``
    only ``effort`` is accepted (sent as ``reasoning_effort``)."""
    include: list[str] | None = None
    """Extra output the Responses API should include (``reasoning.encrypted_content``, ...)."""
    truncation: str | None = None
    """Responses ``truncation`` (``auto`` drops early turns instead of failing on a long context)."""
    context_management: list[dict[str, Any]] | None = None
    """Responses ``context_management`` entries (server-side compaction), sent as they are."""
    store: bool | None = None
    """Whether the server stores the response (both APIs); with ``False`` no stored item id is sent back."""
    verbosity: str | None = None
    """Output verbosity (``low``/``medium``/``high``): top-level on Chat Completions, ``text.verbosity``
    on Responses."""

    # --- compatible-server quirks (a provider spec's ``quirks`` section sets these)
    drop_params: list[str] = Field(default_factory=list)
    """Request fields to remove before sending (e.g. ``parallel_tool_calls``)."""
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] | None = None
    """Name of the output cap field; default ``max_completion_tokens`` for OpenAI, ``max_tokens`` elsewhere."""
    developer_as_system: bool = False
    """Send the ``developer`` role as ``system`` (servers that only know ``system``)."""
    send_reasoning: bool = False
    """Echo an assistant turn's reasoning back (DeepSeek tool calls, some vLLM templates)."""
    unsupported_tool_choice: list[str] = Field(default_factory=list)
    """tool_choice kinds the server rejects (``named``, ``required``); rewritten to the nearest it accepts."""
    forced_tool_calls: Literal["native", "json_schema"] = "native"
    """``json_schema``: emulate forced tool calls with grammar-constrained JSON, for servers
    that accept ``tool_choice`` but do not enforce it (small models on llama.cpp)."""

    _clients: ClientPair | None = PrivateAttr(default=None)
    _param_routes: ClassVar[dict[str, ParamRoute]] = CHAT_ROUTES
    _preferred_structured_method: ClassVar[StructuredMethod] = "json_schema"
    """As the langchain class it replaces: native JSON schema, falling back per declared facts."""

    @classmethod
    def from_spec(cls, spec: ProviderSpec, model: str, **overrides: Any) -> Self:
        """A ``ChatOpenAI`` for ``model`` as the provider spec describes it (``overrides`` win)."""
        from polyport_core.registry import NO_KEY, SpecSettings

        settings = SpecSettings.resolve(spec, model, overrides)
        kwargs = settings.common()
        kwargs.update(settings.quirks_for("openai", _QUIRKS))
        kwargs.update(base_url=settings.base_url, api_key=settings.sdk_key or NO_KEY)
        if settings.headers:
            kwargs["default_headers"] = settings.headers
        if settings.query:
            kwargs["default_query"] = settings.query
        return settings.build(cls, kwargs)

    @property
    def _llm_type(self) -> str:
        return "openai"

    @property
    def _model_provider(self) -> str:
        # Compatible servers add reasoning_content, which only our translator reads.
        return "openai" if self._is_official_openai() else OPENAI_COMPATIBLE

    # ------------------------------------------------------------------ clients
    def _sdk_clients(self) -> ClientPair:
        if self._clients is None:
            self._clients = self._make_clients(client_kwargs(self, self.model_name))
        return self._clients

    def _make_clients(self, kwargs: dict[str, Any]) -> ClientPair:
        return make_clients(kwargs, self.http_client, self.http_async_client, connection_options(self))

    @property
    def root_client(self) -> Any:
        """The underlying ``openai.OpenAI`` client (for endpoints polyport does not wrap)."""
        return self._sdk_clients().sync

    @property
    def root_async_client(self) -> Any:
        """The underlying ``openai.AsyncOpenAI`` client."""
        return self._sdk_clients().async_client

    # ------------------------------------------------------------------ request
    def _output_cap_field(self) -> str:
        if self.max_tokens_param:
            return self.max_tokens_param
        return "max_completion_tokens" if self._is_official_openai() else "max_tokens"

    def _is_official_openai(self) -> bool:
        return is_official_openai(self.base_url)

    def _normalize_tool_choice(self, choice: str | dict[str, Any] | None) -> Any:
        if isinstance(choice, dict):
            return {"type": "function", "function": {"name": choice["name"]}}
        return choice

    def _adapt_tool_choice(self, payload: dict[str, Any]) -> None:
        choice = payload.get("tool_choice")
        if choice is None or not self.unsupported_tool_choice:
            return
        kind = "named" if isinstance(choice, dict) else choice
        if kind not in self.unsupported_tool_choice:
            return
        tools = payload.get("tools") or []
        if kind == "named" and "required" not in self.unsupported_tool_choice:
            payload["tool_choice"] = "required"
        elif kind == "required" and len(tools) == 1 and "named" not in self.unsupported_tool_choice:
            name = tools[0].get("function", tools[0])["name"]
            named = {"name": name} if "input" in payload else {"function": {"name": name}}  # Responses: flat
            payload["tool_choice"] = {"type": "function", **named}
        else:
            payload.pop("tool_choice")

    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": self.model_name}
        optional = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "seed": self.seed,
            "frequency_penalty": self.frequency_penalty,
            "presence_penalty": self.presence_penalty,
            "n": self.n,
            "logprobs": self.logprobs,
            "reasoning_effort": self.reasoning_effort,
            "store": self.store,
            "verbosity": self.verbosity,
            "stop": stop or self.stop,
        }
        for key, value in optional.items():
            if value is not None:
                payload[key] = value
        cap = kwargs.pop("max_tokens", None) or kwargs.pop("max_completion_tokens", None) or self.max_tokens
        if cap is not None:
            payload[self._output_cap_field()] = cap
        if self.model_kwargs:
            payload.update(self.model_kwargs)
        if self.extra_body:
            payload.update(self.extra_body)
        extra_body = kwargs.pop("extra_body", None)
        if extra_body:
            payload.update(extra_body)
        payload.update(kwargs)
        if uses_responses_api(self, payload):
            return responses_request(self, messages, payload, stream)
        chat_only_fields(self, payload)
        payload["messages"] = messages_to_openai(
            messages, send_reasoning=self.send_reasoning, developer_as_system=self.developer_as_system
        )
        if stream:
            payload["stream"] = True
            if self.stream_usage:
                payload["stream_options"] = {"include_usage": True}
        return payload

    def _build_request(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> VendorRequest:
        """The payload with the server's quirks applied: a forced call emulated with a JSON schema
        (its tools travel on the request; Chat Completions only), a rewritten ``tool_choice``, fields
        dropped; a Responses API body goes to ``/responses``."""
        payload = self._build_payload(messages, stop, stream, **kwargs)
        responses = "input" in payload
        emulate = self.forced_tool_calls == "json_schema" and not responses
        forced = emulate_forced_tool_call(payload) if emulate else ()
        if not forced:
            self._adapt_tool_choice(payload)
        for name in self.drop_params:
            payload.pop(name, None)
        return VendorRequest(payload, stream=stream, forced_tools=forced, path=RESPONSES_PATH if responses else None)

    def _max_output_tokens(self, payload: dict[str, Any]) -> int | None:
        value = payload.get("max_output_tokens") or payload.get(self._output_cap_field())
        return int(value) if value else self.max_tokens

    # ------------------------------------------------------------------ transport and parsing
    def _chat_transport(self) -> SDKChatTransport:
        return SDKChatTransport(self._sdk_clients(), _CHAT_PATH, done_data="[DONE]")

    def _parse_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        if request.path == RESPONSES_PATH:
            parsed = parse_responses_body(raw.body, output_version=self.output_version)
        else:
            parsed = parse_chat_completion(raw.body)
        if self.include_response_headers and raw.headers:
            parsed.message.response_metadata["headers"] = dict(raw.headers)
        return as_forced_call(parsed, request.forced_tools) if request.forced_tools else parsed

    def _stream_state(self, request: VendorRequest) -> StreamState:
        if request.path == RESPONSES_PATH:
            return ResponsesStreamState(
                model_provider=self._model_provider,
                output_version=self.output_version,
                headers_wanted=self.include_response_headers,
            )
        return OpenAIStreamState(forced_tools=request.forced_tools, headers_wanted=self.include_response_headers)

    def _map_error(self, error: BaseException) -> BaseException:
        return map_openai_error(error, self.provider, self.model_name)
