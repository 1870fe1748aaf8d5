"""llama.cpp ``llama-server`` native API ↔ LangChain, as an ``HTTPAdapter``.

Chat renders the messages with the server's own chat template
(``POST /apply-template``; assistant turns as their text, since the server refuses
any other content part there) and completes the prompt with ``POST /completion``
(SSE when streaming). Usage comes from ``tokens_evaluated``/``tokens_predicted``
(prompt tokens served from the KV cache, ``timings.cache_n``, as the cache read)
and the server's ``timings`` are kept in ``response_metadata``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from polyport_core.adapters import ChatRequest, HTTPAdapter
from polyport_core.chat import ParsedResponse, StreamState, make_usage
from polyport_core.errors import BadResponseError
from polyport_core.wire.openai import messages_to_openai

__all__ = ["FINISH_REASONS", "LlamaCppAdapter"]

FINISH_REASONS = {"eos": "stop", "word": "stop", "limit": "length"}
"""llama.cpp ``stop_type`` → OpenAI-style finish reason."""
_METADATA_KEYS = ("timings", "stop_type", "stopping_word", "truncated", "tokens_cached")


def _usage(body: dict[str, Any]) -> Any:
    """Prompt and output tokens; ``timings.cache_n`` (prompt tokens reused from the slot's KV cache)
    is the cache read. ``tokens_cached`` is not: it counts every token in the slot, output included."""
    if "tokens_evaluated" not in body and "tokens_predicted" not in body:
        return None
    timings = body.get("timings")
    cached = timings.get("cache_n") if isinstance(timings, dict) else None
    return make_usage(
        int(body.get("tokens_evaluated") or 0),
        int(body.get("tokens_predicted") or 0),
        cache_read=cached if isinstance(cached, int) else None,
    )


def _finish(body: dict[str, Any]) -> str | None:
    stop_type = body.get("stop_type")
    return FINISH_REASONS.get(stop_type, stop_type) if isinstance(stop_type, str) else None


def _metadata(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in _METADATA_KEYS if key in body}


def _template_body(messages: list[dict[str, Any]], model: str | None) -> dict[str, Any]:
    return {"messages": messages, "model": model} if model else {"messages": messages}


class LlamaCppAdapter(HTTPAdapter):
    """The native ``llama-server`` endpoints (no official Python SDK exists)."""

    name = "llamacpp"
    chat_path = "/completion"
    models_path = "/v1/models"
    embeddings_path = "/embedding"
    stream_format = "sse"
    max_tokens_key = "n_predict"
    tool_calling = "prompted"
    """/completion has no tool API: tools go in the prompt, forced calls through ``json_schema`` (a grammar)."""

    # ------------------------------------------------------------------ chat
    def transform_request(self, request: ChatRequest) -> dict[str, Any]:
        """A ``/completion`` body; ``messages`` is swapped for the rendered ``prompt`` in ``prepare``."""
        body: dict[str, Any] = {
            "messages": messages_to_openai(request.messages, developer_as_system=True, assistant_text_only=True),
            "model": request.model,  # a router-mode server picks the model by it; a plain one ignores it
            "n_predict": request.max_tokens,
            "temperature": request.temperature,
            "stop": request.stop,
            "stream": request.stream,
            **request.params,
        }
        return {key: value for key, value in body.items() if value is not None}

    def prepare(self, body: dict[str, Any]) -> dict[str, Any]:
        """Render ``messages`` into ``prompt`` with the server's chat template."""
        if "messages" not in body:
            return body
        rest = {k: v for k, v in body.items() if k != "messages"}
        return {"prompt": self.apply_template(body["messages"], model=body.get("model")), **rest}

    async def aprepare(self, body: dict[str, Any]) -> dict[str, Any]:
        """Async twin of ``prepare``."""
        if "messages" not in body:
            return body
        rest = {k: v for k, v in body.items() if k != "messages"}
        return {"prompt": await self.aapply_template(body["messages"], model=body.get("model")), **rest}

    def apply_template(self, messages: list[dict[str, Any]], model: str | None = None) -> str:
        """The prompt the server's chat template renders for OpenAI-format ``messages``
        (``model`` selects the model, and so its template, on a router-mode server)."""
        return self._prompt(self.request_json("POST", "/apply-template", _template_body(messages, model)).body)

    async def aapply_template(self, messages: list[dict[str, Any]], model: str | None = None) -> str:
        """Async twin of ``apply_template``."""
        raw = await self.arequest_json("POST", "/apply-template", _template_body(messages, model))
        return self._prompt(raw.body)

    def _prompt(self, body: Any) -> str:
        if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
            raise BadResponseError("/apply-template answered without a prompt", provider=self.provider)
        return str(body["prompt"])

    def transform_response(self, body: Any) -> ParsedResponse:
        """A ``/completion`` body: ``content``, ``stop_type``, token counts, ``timings``."""
        if not isinstance(body, dict) or "content" not in body:
            raise BadResponseError("/completion answered without content", provider=self.provider, body=body)
        return ParsedResponse(
            message=AIMessage(content=body["content"]),
            usage=_usage(body),
            finish_reason=_finish(body),
            model_name=body.get("model"),
            metadata=_metadata(body),
        )

    def transform_event(self, event: Any, state: StreamState) -> AIMessageChunk | None:
        """One ``data:`` event; the last has ``stop: true`` with counts and ``timings``."""
        if not isinstance(event, dict):
            return None
        if "error" in event:
            raise BadResponseError(f"llama-server reported an error mid-stream: {event['error']}")
        content = event.get("content") or ""
        if not event.get("stop"):
            return AIMessageChunk(content=content) if content else None
        state.finished = True
        state.model_name = event.get("model") or state.model_name
        return AIMessageChunk(
            content=content,
            usage_metadata=_usage(event),
            response_metadata={"finish_reason": _finish(event), **_metadata(event)},
        )

    def structured_output_kwargs(
        self, schema: dict[str, Any], method: str, strict: bool | None
    ) -> dict[str, Any] | None:
        """Grammar-constrained output; JSON mode is held to the schema when one is given
        (like ChatOllama's ``format``), else to any JSON object."""
        return {"json_schema": schema or {"type": "object"}}

    # ------------------------------------------------------------------ server endpoints
    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` with the model's own tokenizer (``POST /tokenize``)."""
        return list(self.request_json("POST", "/tokenize", {"content": text}).body["tokens"])

    def detokenize(self, tokens: list[int]) -> str:
        """Text of token ids (``POST /detokenize``)."""
        return str(self.request_json("POST", "/detokenize", {"tokens": tokens}).body["content"])

    def props(self) -> dict[str, Any]:
        """Server properties (``GET /props``): ``chat_template``, ``default_generation_settings``..."""
        body: dict[str, Any] = self.request_json("GET", "/props").body
        return body

    def health(self) -> dict[str, Any]:
        """``GET /health``: ``{"status": "ok"}`` once the model is loaded (errors otherwise)."""
        body: dict[str, Any] = self.request_json("GET", "/health").body
        return body

    def slots(self) -> list[dict[str, Any]]:
        """Per-slot state (``GET /slots``; 501 when the server runs with ``--no-slots``)."""
        body: list[dict[str, Any]] = self.request_json("GET", "/slots").body
        return body

    # ------------------------------------------------------------------ embeddings
    def transform_embeddings_request(self, texts: list[str], model: str) -> dict[str, Any]:
        """``/embedding`` takes ``content`` (a list embeds each text)."""
        return {"content": texts}

    def transform_embeddings_response(self, body: Any) -> list[list[float]]:
        """One pooled vector per text; per-token rows mean the server runs without pooling."""
        vectors: list[list[float]] = []
        for item in sorted(body, key=lambda entry: entry.get("index", 0)):
            embedding = item["embedding"]
            if embedding and isinstance(embedding[0], list):
                if len(embedding) != 1:
                    raise BadResponseError(
                        "llama-server returned per-token vectors; start it with --pooling mean "
                        "(or cls/last) to get one vector per text",
                        provider=self.provider,
                    )
                embedding = embedding[0]
            vectors.append([float(x) for x in embedding])
        return vectors
