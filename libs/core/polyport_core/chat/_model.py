"""``ProviderChatModel``: the one request lifecycle every partner inherits.

A call goes: build the vendor request (partner) → check it against the declared
facts → governance ``before_call`` → send through the partner's one
``ChatTransport`` → parse into ``AIMessage`` / chunks (partner) → usage, metadata,
stream integrity, error mapping and governance ``after_call``. Partners write
conversion, not plumbing; the sync and async twins differ only by the awaited I/O.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, ClassVar, Literal, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput, ModelProfile
from langchain_core.language_models.chat_models import agenerate_from_stream, generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from polyport_core.auth import RedactedURL
from polyport_core.catalog import catalog_entry, profile_from_facts
from polyport_core.chat._kwargs import move_unknown_kwargs
from polyport_core.chat._run_scope import carry_run_scope, take_run_scope
from polyport_core.chat._stream_tracker import SHAPE_ERRORS, StreamTracker
from polyport_core.chat._streamed import areported, reported
from polyport_core.chat._structured import build_structured_output, resolve_method
from polyport_core.chat._tools import ToolLike, format_tools, normalize_tool_choice
from polyport_core.chat._validation import RequestValidator
from polyport_core.errors import BadResponseError, PolyportError, with_origin
from polyport_core.governance import CallHooks, CallInfo, CallOutcome
from polyport_core.spec import TLSSpec
from polyport_core.tokens import count_message_tokens, count_text_tokens
from polyport_core.transport import DEFAULT_MAX_RESPONSE_BYTES, ChatTransport, response_size_limit
from polyport_core.wire import ParsedResponse, RawResponse, StreamState, VendorRequest

__all__ = ["ProviderChatModel", "StructuredMethod"]

StructuredMethod = Literal["function_calling", "json_mode", "json_schema"]


def _ended(call: CallInfo, error: BaseException, partial: CallOutcome | None) -> CallOutcome:
    """The outcome of a call that ended without a result: what a broken stream delivered
    (``partial``), else just its latency; with the error."""
    outcome = partial or CallOutcome(latency_s=time.perf_counter() - call.started_at)
    outcome.error = error
    return outcome


class ProviderChatModel(BaseChatModel):
    """Base class of every polyport chat model.

    Subclasses implement the partner hooks (``_build_payload``, ``_chat_transport``,
    ``_parse_response``, ``_stream_state``, ``_map_error``) and inherit sync/async/streaming calls,
    usage accounting (estimated and marked so when a server omits it), stream
    integrity checks, tools, structured output and the governance seam.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model_name: str = Field(alias="model")
    """Model id as the provider knows it."""
    provider: str = ""
    """Provider id (the spec's ``id``); keys limits, budgets, records and metrics. Defaults to ``_llm_type``."""
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, alias="max_completion_tokens")
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    timeout: float | None = Field(default=None, alias="request_timeout")
    max_retries: int = 2
    stream_usage: bool = True
    """Ask for usage on streams; when the server sends none, estimate it."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra request fields passed through as-is."""
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    """Largest response body (non-stream) or stream accepted, in bytes; past it the call fails with
    ``ResponseTooLargeError`` instead of reading an endless body into memory."""
    call_hooks: CallHooks | None = Field(default=None, exclude=True)
    """Governance seam (limits, budget, ledger, metrics); see ``polyport_core.governance``."""
    streaming: bool = False
    """``invoke`` streams under the hood (callbacks get ``on_llm_new_token`` per chunk)."""
    _preferred_structured_method: ClassVar[StructuredMethod] = "function_calling"
    """``with_structured_output``'s default method (the replaced langchain-* class's default)."""
    facts_source: str | None = Field(default=None, exclude=True)
    """Where the declared facts in ``profile`` come from (a spec file, ``preset:<file>``);
    named when a call is refused for contradicting them."""
    params_schema: dict[str, Any] | None = Field(default=None, exclude=True)
    """Call options the model accepts (a spec's ``params``: option → JSON Schema); a value
    outside its schema is refused before sending."""
    tls: TLSSpec | None = Field(default=None, exclude=True)
    """TLS of the connection (a spec's ``tls``): certificate checks, minimum version, CA bundle;
    the partner's transport turns it into an ``ssl.SSLContext`` (``transport.tls_verify``)."""
    proxy: RedactedURL | None = Field(default=None, exclude=True)
    """HTTP(S) proxy of every request (a spec's ``proxy``; userinfo masked in repr). The partner's
    transport passes it with ``tls`` through ``transport.http_options``; langchain's ``openai_proxy`` /
    ``anthropic_proxy`` set on the same model win over it."""

    _request_validator: RequestValidator | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _unknown_kwargs(cls, values: Any) -> Any:
        """An unknown keyword warns and moves into ``model_kwargs`` (never silently dropped)."""
        return move_unknown_kwargs(cls, values)

    # ----------------------------------------------------------- identity
    @model_validator(mode="after")
    def _default_provider(self) -> Self:
        """``provider`` defaults to the engine id (``_llm_type``), so one id keys limits, records and metrics."""
        if not self.provider:
            self.provider = self._llm_type
        return self

    @property
    def _model_provider(self) -> str:
        """``response_metadata["model_provider"]``: selects langchain-core's content-block translator."""
        return self._llm_type

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "provider": self.provider}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> Any:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = self.provider
        params["ls_model_name"] = kwargs.get("model", self.model_name)
        params["ls_model_type"] = "chat"
        if self.temperature is not None:
            params["ls_temperature"] = self.temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        facts = catalog_entry(self.model_name, self.provider)
        return profile_from_facts(facts) if facts else None

    # ----------------------------------------------------------- partner hooks
    @abstractmethod
    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        """The vendor request body for these messages and call-time kwargs."""

    def _build_request(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> VendorRequest:
        """What the transport sends: ``_build_payload``'s body, and what travels beside it.

        Override to attach request metadata (OpenAI's emulated forced tools).
        """
        return VendorRequest(self._build_payload(messages, stop, stream, **kwargs), stream=stream)

    @abstractmethod
    def _chat_transport(self) -> ChatTransport:
        """The one object that moves this engine's requests: sync and async, whole answer and stream."""

    @abstractmethod
    def _parse_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        """The whole answer to ``request`` as a ``ParsedResponse`` (headers default to the raw ones)."""

    @abstractmethod
    def _stream_state(self, request: VendorRequest) -> StreamState:
        """A fresh state for one stream of ``request``: the engine's ``StreamState``, whose ``parse``
        turns each raw event into a chunk."""

    @abstractmethod
    def _map_error(self, error: BaseException) -> BaseException:
        """A vendor SDK error as a ``polyport_core.errors`` error (others unchanged)."""

    def _max_output_tokens(self, payload: dict[str, Any]) -> int | None:
        """Output cap of this request (for budget reservations)."""
        value = payload.get("max_tokens") or payload.get("max_completion_tokens")
        return int(value) if value else self.max_tokens

    # ----------------------------------------------------------- lifecycle helpers
    def _validate_request(self, messages: list[BaseMessage], payload: dict[str, Any], kwargs: dict[str, Any]) -> None:
        """Refuse a call that contradicts the declared facts or params; nothing is sent or recorded."""
        cached = self._request_validator
        validator = RequestValidator.for_model(self, cached)
        if validator is not cached:
            self._request_validator = validator
        validator.check(self, messages, payload, kwargs)

    def _call_info(
        self, messages: list[BaseMessage], payload: dict[str, Any], stream: bool, run: Any = None
    ) -> CallInfo:
        """What the hooks see; ``run`` (the run manager) carries the run config's tags and metadata (scopes)."""
        return CallInfo(
            provider=self.provider,
            model=self.model_name,
            payload=payload,
            estimate_input_tokens=lambda: self._estimate_input(messages, payload),
            max_output_tokens=self._max_output_tokens(payload),
            stream=stream,
            tags=run.tags if run is not None else (),
            metadata=run.metadata if run is not None else {},
        )

    def _estimate_input(self, messages: list[BaseMessage], payload: dict[str, Any]) -> int:
        return count_message_tokens(messages, self.model_name, payload.get("tools"))

    def _base_metadata(self, model_name: str | None) -> dict[str, Any]:
        return {
            "model_provider": self._model_provider,
            "provider": self.provider,
            "model_name": model_name or self.model_name,
        }

    def _named_error(self, error: BaseException) -> BaseException:
        """The partner's mapping of ``error``, with this model's provider and name filled in."""
        return with_origin(self._map_error(error), self.provider, self.model_name)

    # ----------------------------------------------------------- the hooks' I/O (sync and async)
    def _before(self, call: CallInfo) -> None:
        """Governance before sending: quota wait, rate limits, budget reserve (may refuse)."""
        if self.call_hooks is not None:
            self.call_hooks.before_call(call)

    async def _abefore(self, call: CallInfo) -> None:
        """Async twin of ``_before``."""
        if self.call_hooks is not None:
            await self.call_hooks.abefore_call(call)

    def _settle(self, call: CallInfo, outcome: CallOutcome) -> CallOutcome:
        """Governance after a result: settle the real cost and record; ``outcome`` back."""
        if self.call_hooks is not None:
            self.call_hooks.after_call(call, outcome)
        return outcome

    async def _asettle(self, call: CallInfo, outcome: CallOutcome) -> CallOutcome:
        """Async twin of ``_settle``."""
        if self.call_hooks is not None:
            await self.call_hooks.aafter_call(call, outcome)
        return outcome

    def _abandon(self, call: CallInfo, error: BaseException, partial: CallOutcome | None = None) -> None:
        """Tell the hooks a call ended without a result (failure, cancelled task, stream closed early).

        ``partial`` carries what a broken stream already delivered (usage, estimated), so it is
        recorded and charged like any other output.
        """
        if self.call_hooks is not None:
            self.call_hooks.after_call(call, _ended(call, error, partial))

    async def _aabandon(self, call: CallInfo, error: BaseException, partial: CallOutcome | None = None) -> None:
        """Async twin of ``_abandon``."""
        if self.call_hooks is not None:
            await self.call_hooks.aafter_call(call, _ended(call, error, partial))

    def _fail(self, call: CallInfo, error: BaseException) -> BaseException:
        mapped = self._named_error(error)
        self._abandon(call, mapped)
        return mapped

    async def _afail(self, call: CallInfo, error: BaseException) -> BaseException:
        mapped = self._named_error(error)
        await self._aabandon(call, mapped)
        return mapped

    # ----------------------------------------------------------- everything else, once for both twins
    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, run: Any, kwargs: dict[str, Any], stream: bool
    ) -> tuple[VendorRequest, CallInfo]:
        """The request, checked against the declared facts (nothing is sent or recorded on a refusal),
        and what the hooks see of the call (``run``: the run manager, else the scope ``stream`` carried)."""
        scope = take_run_scope(kwargs)
        kwargs.pop("stream", None)  # invoke(..., stream=False): langchain's per-call opt-out
        request = self._build_request(messages, stop, stream, **kwargs)
        self._validate_request(messages, request.body, kwargs)
        return request, self._call_info(messages, request.body, stream=stream, run=run or scope)

    def _read_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        """``_parse_response``, with a body of the wrong shape reported as ``BadResponseError``."""
        try:
            parsed = self._parse_response(raw, request)
        except SHAPE_ERRORS as error:
            if isinstance(error, PolyportError):
                raise
            raise self._unreadable(error) from error
        if parsed.headers is None and raw.headers:
            parsed.headers = raw.headers
        return parsed

    def _outcome(self, call: CallInfo, parsed: ParsedResponse) -> CallOutcome:
        return CallOutcome(
            usage=parsed.usage, latency_s=time.perf_counter() - call.started_at, response_headers=parsed.headers
        )

    def _open_stream(self, request: VendorRequest, call: CallInfo) -> StreamTracker:
        state = self._stream_state(request)
        state.max_response_bytes = self.max_response_bytes
        return StreamTracker(self, call, state)

    def _unreadable(self, error: Exception) -> BadResponseError:
        return BadResponseError(
            f"The provider's response does not have the expected shape ({type(error).__name__}: "
            f"{str(error)[:120]}); is base_url pointing at a {self._llm_type}-compatible server?",
            provider=self.provider,
            model=self.model_name,
        )

    def _result(self, parsed: ParsedResponse, outcome: CallOutcome, call: CallInfo) -> ChatResult:
        message = parsed.message
        metadata = self._base_metadata(parsed.model_name)
        metadata["finish_reason"] = parsed.finish_reason
        metadata.update(parsed.metadata)
        if self.call_hooks is not None:
            metadata.update(self.call_hooks.response_metadata(call, outcome))
        message.response_metadata = {**message.response_metadata, **metadata}
        if parsed.usage is not None:
            message.usage_metadata = parsed.usage
        generation_info = {"finish_reason": parsed.finish_reason}
        return ChatResult(
            generations=[ChatGeneration(message=message, generation_info=generation_info)],
            llm_output={"model_name": metadata["model_name"], "token_usage": parsed.usage},
        )

    # ----------------------------------------------------------- non-streaming
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming and self._should_stream(async_api=False, run_manager=run_manager, **kwargs):
            return generate_from_stream(reported(self._stream(messages, stop, run_manager, **kwargs), run_manager))
        request, call = self._prepare(messages, stop, run_manager, kwargs, stream=False)
        self._before(call)
        try:
            with response_size_limit(self.max_response_bytes):
                raw = self._chat_transport().send(request)
            parsed = self._read_response(raw, request)
        except Exception as error:
            raise self._fail(call, error) from error
        except BaseException as error:  # cancelled or closed early: free limits and budget holds
            self._abandon(call, error)
            raise
        return self._result(parsed, self._settle(call, self._outcome(call, parsed)), call)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming and self._should_stream(async_api=True, run_manager=run_manager, **kwargs):
            stream = self._astream(messages, stop, run_manager, **kwargs)
            return await agenerate_from_stream(areported(stream, run_manager))
        request, call = self._prepare(messages, stop, run_manager, kwargs, stream=False)
        await self._abefore(call)
        try:
            with response_size_limit(self.max_response_bytes):
                raw = await self._chat_transport().asend(request)
            parsed = self._read_response(raw, request)
        except Exception as error:
            raise await self._afail(call, error) from error
        except BaseException as error:  # sync: a cancelled task must not await
            self._abandon(call, error)
            raise
        return self._result(parsed, await self._asettle(call, self._outcome(call, parsed)), call)

    # ----------------------------------------------------------- streaming
    def stream(
        self, input: LanguageModelInput, config: Any = None, *, stop: list[str] | None = None, **kwargs: Any  # noqa: A002
    ) -> Iterator[AIMessageChunk]:
        """``BaseChatModel.stream``, with the run config's tags and metadata passed on to the hooks."""
        return super().stream(input, config, stop=stop, **carry_run_scope(self, config, kwargs))

    def astream(
        self, input: LanguageModelInput, config: Any = None, *, stop: list[str] | None = None, **kwargs: Any  # noqa: A002
    ) -> AsyncIterator[AIMessageChunk]:
        """``BaseChatModel.astream``, with the run config's tags and metadata passed on to the hooks."""
        return super().astream(input, config, stop=stop, **carry_run_scope(self, config, kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request, call = self._prepare(messages, stop, run_manager, kwargs, stream=True)
        self._before(call)
        tracker = self._open_stream(request, call)
        try:
            for event in self._chat_transport().stream(request, tracker.state):
                if (chunk := tracker.read(event)) is not None:
                    yield chunk  # langchain-core reports each yielded chunk to callbacks itself
            tracker.check_complete()
        except Exception as error:
            failure, cause = tracker.failure(error)
            self._abandon(call, failure, tracker.partial())
            raise failure from cause
        except BaseException as error:  # cancelled or closed early: record what was streamed, free holds
            self._abandon(call, error, tracker.partial())
            raise
        yield tracker.final_chunk(self._settle(call, tracker.outcome()))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request, call = self._prepare(messages, stop, run_manager, kwargs, stream=True)
        await self._abefore(call)
        tracker = self._open_stream(request, call)
        try:
            async for event in self._chat_transport().astream(request, tracker.state):
                if (chunk := tracker.read(event)) is not None:
                    yield chunk
            tracker.check_complete()
        except Exception as error:
            failure, cause = tracker.failure(error)
            await self._aabandon(call, failure, tracker.partial())
            raise failure from cause
        except BaseException as error:  # sync: a cancelled task must not await
            self._abandon(call, error, tracker.partial())
            raise
        yield tracker.final_chunk(await self._asettle(call, tracker.outcome()))

    # ----------------------------------------------------------- tools & structured output
    def _normalize_tool_choice(self, choice: str | dict[str, Any] | None) -> Any:
        """The normalized choice (``auto``/``none``/``required``/``{"name"}``) in vendor terms."""
        return choice

    def bind_tools(
        self,
        tools: Sequence[ToolLike],
        *,
        tool_choice: Any = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (any LangChain tool form) with an optional ``tool_choice``.

        ``tool_choice`` accepts ``auto``, ``none``, ``required``/``any``, a tool
        name, ``True`` or OpenAI's ``{"type": "function", ...}`` dict.
        """
        formatted = format_tools(tools, strict=strict)
        choice = normalize_tool_choice(tool_choice, formatted)
        if choice is not None:
            kwargs["tool_choice"] = self._normalize_tool_choice(choice)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def _structured_output_kwargs(
        self, schema: dict[str, Any], method: StructuredMethod, strict: bool | None
    ) -> dict[str, Any]:
        """Call kwargs that make the vendor return JSON for ``json_mode``/``json_schema``."""
        if method == "json_mode":
            return {"response_format": {"type": "json_object"}}
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": schema.get("title", "output"),
                    "schema": schema,
                    **({"strict": strict} if strict is not None else {}),
                },
            }
        }

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Return output matching ``schema`` by tool call, JSON mode or native JSON schema.

        ``method=None`` picks the engine's default (``_preferred_structured_method``, the
        one the langchain-* class it replaces uses), falling back per the declared facts.
        """
        if kwargs:
            raise ValueError(f"Unsupported arguments for with_structured_output: {sorted(kwargs)}")
        chosen = resolve_method(self, method)
        return build_structured_output(self, schema, method=chosen, include_raw=include_raw, strict=strict)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Offline token estimate for a prompt; never raises for an unknown model."""
        return count_message_tokens(messages, self.model_name, tools)

    def get_num_tokens(self, text: str) -> int:
        """Offline token count of ``text``."""
        return count_text_tokens(text, self.model_name)

