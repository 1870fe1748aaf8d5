"""The declarative HTTP engine (``engine: "http"``): a provider spec's ``http`` section is the adapter.

No Python per vendor: the body is rendered from a template, the answer is read
by JSON paths, streams are SSE or NDJSON with a delta path and a done
condition. Registered as entry point ``http`` in ``polyport.engines``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.messages import AIMessage, AIMessageChunk, SystemMessage
from pydantic import Field

from polyport_core.adapters._chat import AdapterChatModel
from polyport_core.adapters._http import HTTPAdapter
from polyport_core.adapters._jsonpath import get_path
from polyport_core.adapters._template import render_body, render_prompt
from polyport_core.adapters._types import ChatRequest
from polyport_core.chat import ParsedResponse, StreamState, make_usage
from polyport_core.errors import BadResponseError, InvalidConfigError
from polyport_core.spec import HTTPEngineSpec
from polyport_core.wire.openai import messages_to_openai

if TYPE_CHECKING:
    from polyport_core.registry import SpecSettings

__all__ = ["ChatHTTP", "TemplateAdapter"]


class _Whole:
    """A complete (non-streamed) body standing in for a stream when the spec has no ``stream``."""

    __slots__ = ("body",)

    def __init__(self, body: Any) -> None:
        self.body = body


class TemplateAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` driven entirely by an ``HTTPEngineSpec``."""

    name = "http"
    max_tokens_key = "max_tokens"

    def __init__(self, base_url: str, *, spec: HTTPEngineSpec, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.spec = spec
        self.stream_format = spec.stream.format if spec.stream else "sse"  # type: ignore[misc]
        self.models_path = spec.models_path  # type: ignore[misc]
        # tools go in the prompt; a forced call needs the body's {json_schema} to constrain the answer
        self.tool_calling = "prompted" if "{json_schema}" in str(spec.body) else "none"

    def no_tools_reason(self) -> str:
        return (
            "its http.body template has no '{json_schema}' placeholder; add one (tools are described in the "
            "prompt and a forced call is held to its JSON shape through it)"
        )

    def chat_route(self, body: dict[str, Any], stream: bool) -> str:
        return self.spec.path

    def transform_request(self, request: ChatRequest) -> dict[str, Any]:
        """Render the body template; leftover params (``model_kwargs``) become top-level fields."""
        params = dict(request.params)
        if request.tools:
            raise NotImplementedError("the declarative http engine does not map tools")
        system = "\n".join(m.text for m in request.messages if isinstance(m, SystemMessage))
        values = {
            "messages": messages_to_openai(request.messages),
            "prompt": render_prompt(request.messages, self.spec.prompt),
            "model": request.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stop": request.stop,
            "stream": request.stream and self.spec.stream is not None,
            "json_schema": params.pop("json_schema", None),
            "system": system or None,
            "last_message": request.messages[-1].text if request.messages else None,
        }
        body = render_body(self.spec.body, values)
        body.update(params)
        return body

    def structured_output_kwargs(
        self, schema: dict[str, Any], method: str, strict: bool | None
    ) -> dict[str, Any] | None:
        """``{json_schema}`` in the body template carries the schema (any JSON object in schema-less JSON mode)."""
        if "{json_schema}" not in str(self.spec.body):
            raise InvalidConfigError(
                f"structured output method {method!r} needs a '{{json_schema}}' placeholder in http.body",
                provider=self.provider,
                model=self.model,
            )
        return {"json_schema": schema or {"type": "object"}}

    # ------------------------------------------------------------------ reading answers
    def _finish(self, body: Any) -> str | None:
        path = self.spec.response.finish_reason
        value = get_path(body, path) if path else None
        if value is None:
            return None
        return self.spec.finish_reasons.get(str(value), str(value))

    def _usage(self, body: Any) -> Any:
        response = self.spec.response
        tokens_in = get_path(body, response.input_tokens) if response.input_tokens else None
        tokens_out = get_path(body, response.output_tokens) if response.output_tokens else None
        if tokens_in is None and tokens_out is None:
            return None
        cached = get_path(body, response.cache_read_tokens) if response.cache_read_tokens else None
        return make_usage(
            int(tokens_in or 0), int(tokens_out or 0), cache_read=cached if isinstance(cached, int) else None
        )

    def _metadata(self, body: Any) -> dict[str, Any]:
        found = {key: get_path(body, path) for key, path in self.spec.response.metadata.items()}
        return {key: value for key, value in found.items() if value is not None}

    def transform_response(self, body: Any) -> ParsedResponse:
        """Read text, finish reason, usage, model and metadata by the ``response`` paths."""
        text = get_path(body, self.spec.response.text)
        if text is None:
            raise BadResponseError(
                f"no text at {self.spec.response.text!r} in the response (check http.response.text)",
                provider=self.provider,
                model=self.model,
                body=body,
            )
        model = get_path(body, self.spec.response.model) if self.spec.response.model else None
        return ParsedResponse(
            message=AIMessage(content=text if isinstance(text, str) else str(text)),
            usage=self._usage(body),
            finish_reason=self._finish(body) or "stop",
            model_name=model if isinstance(model, str) else None,
            metadata=self._metadata(body),
        )

    def chat_stream(self, body: dict[str, Any], state: StreamState) -> Iterator[Any]:
        if self.spec.stream is None:
            yield _Whole(self.chat(body).body)
            return
        yield from super().chat_stream(body, state)

    async def achat_stream(self, body: dict[str, Any], state: StreamState) -> AsyncIterator[Any]:
        if self.spec.stream is None:
            yield _Whole((await self.achat(body)).body)
            return
        async for event in super().achat_stream(body, state):
            yield event

    def _is_done(self, event: Any) -> bool:
        stream = self.spec.stream
        assert stream is not None
        if stream.done is None:
            return False
        value = get_path(event, stream.done)
        return value == stream.done_value if stream.done_value is not None else bool(value)

    def transform_event(self, event: Any, state: StreamState) -> AIMessageChunk | None:
        """A delta chunk; the final event (``done``) also carries finish reason, usage, metadata."""
        if isinstance(event, _Whole):
            parsed = self.transform_response(event.body)
            state.finished = True
            state.model_name = parsed.model_name
            return AIMessageChunk(
                content=parsed.message.content,
                usage_metadata=parsed.usage,
                response_metadata={"finish_reason": parsed.finish_reason, **parsed.metadata},
            )
        stream = self.spec.stream
        assert stream is not None
        if isinstance(event, str):
            if stream.done_data is not None and event == stream.done_data:
                state.finished = True
            return None
        text = get_path(event, stream.text)
        content = text if isinstance(text, str) else ""
        if not self._is_done(event):
            return AIMessageChunk(content=content) if content else None
        state.finished = True
        model = get_path(event, self.spec.response.model) if self.spec.response.model else None
        state.model_name = model if isinstance(model, str) else state.model_name
        return AIMessageChunk(
            content=content,
            usage_metadata=self._usage(event),
            response_metadata={"finish_reason": self._finish(event) or "stop", **self._metadata(event)},
        )

    def transform_models(self, body: Any) -> list[dict[str, Any]]:
        items = get_path(body, self.spec.models_field) if isinstance(body, dict) else body
        return super().transform_models(items if isinstance(items, list) else [])


class ChatHTTP(AdapterChatModel):
    """A chat model configured entirely by a provider spec's ``http`` section.

    Example spec: ``{"id": "acme", "engine": "http", "base_url": "...", "http": {"path":
    "/generate", "body": {"prompt": "{prompt}", "max_new_tokens": "{max_tokens}"},
    "response": {"text": "generated_text"}}}``
    """

    adapter_class: ClassVar[type[HTTPAdapter]] = TemplateAdapter

    http: HTTPEngineSpec = Field(repr=False)
    """Request template and response map (the spec file's ``http`` section)."""

    @classmethod
    def _spec_kwargs(cls, settings: SpecSettings) -> dict[str, Any]:
        kwargs = super()._spec_kwargs(settings)
        kwargs["http"] = settings.spec.http
        return kwargs

    def _adapter_kwargs(self) -> dict[str, Any]:
        return {**super()._adapter_kwargs(), "spec": self.http}
