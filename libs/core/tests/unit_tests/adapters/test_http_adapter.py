"""``HTTPAdapter`` + ``AdapterChatModel``/``AdapterEmbeddings`` over ``httpx.MockTransport``.

The example adapter speaks the OpenAI Chat Completions wire format (bodies below
follow OpenAI's documented ``chat.completion`` / ``chat.completion.chunk`` /
``/v1/embeddings`` shapes) through the shared ``openai_wire`` helpers; the NDJSON
one speaks Ollama's documented ``/api/chat`` stream. No sockets are opened.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

import httpx
import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage
from polyport_core.adapters import (
    AdapterChatModel,
    AdapterEmbeddings,
    ChatRequest,
    HTTPAdapter,
)
from polyport_core.chat import ParsedResponse, StreamState, make_usage
from polyport_core.errors import (
    AuthenticationError,
    BadResponseError,
    ContextWindowExceededError,
    InvalidConfigError,
    NotFoundError,
    ProviderUnavailableError,
    RateLimitError,
)
from polyport_core.wire.openai import OpenAIStreamState, messages_to_openai, parse_chat_completion

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "acme-1",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
}


def sse(*events: Any) -> bytes:
    parts = [f"data: {json.dumps(e) if not isinstance(e, str) else e}\n\n" for e in events]
    return "".join(parts).encode()


def chunk(content: str | None = None, finish: str | None = None, usage: Any = None) -> dict[str, Any]:
    delta = {"content": content} if content is not None else {}
    choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {"id": "c1", "object": "chat.completion.chunk", "model": "acme-1", "choices": choices, "usage": usage}


STREAM = sse(
    chunk("Hel"),
    chunk("lo"),
    chunk(finish="stop"),
    chunk(usage={"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}),
    "[DONE]",
)


class AcmeAdapter(HTTPAdapter):
    name = "acme"
    chat_path = "/v1/chat/completions"
    models_path = "/v1/models"
    embeddings_path = "/v1/embeddings"

    def transform_request(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": messages_to_openai(request.messages),
            "stream": request.stream,
            "max_tokens": request.max_tokens,
            **request.params,
        }
        if request.tools:
            body["tools"] = request.tools
        return {k: v for k, v in body.items() if v is not None}

    def transform_response(self, body: Any) -> ParsedResponse:
        return parse_chat_completion(body)

    def stream_state(self) -> StreamState:
        return OpenAIStreamState()


class ChatAcme(AdapterChatModel):
    adapter_class: ClassVar[type[HTTPAdapter]] = AcmeAdapter


class AcmeEmbeddings(AdapterEmbeddings):
    adapter_class: ClassVar[type[HTTPAdapter]] = AcmeAdapter


class Recorder:
    """A MockTransport handler that records requests and replays one response."""

    def __init__(self, status: int = 200, body: Any = None, content: bytes | None = None, **headers: str):
        self.requests: list[httpx.Request] = []
        self.status, self.body, self.content, self.headers = status, body, content, headers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.content is not None:
            return httpx.Response(self.status, content=self.content, headers=self.headers)
        return httpx.Response(self.status, json=self.body, headers=self.headers)

    @property
    def last_json(self) -> Any:
        return json.loads(self.requests[-1].content)


def model(handler: Any, **kwargs: Any) -> ChatAcme:
    return ChatAcme(
        model="acme-1",
        base_url="https://api.acme.test",
        api_key="sk-secret-123",
        transport=httpx.MockTransport(handler),
        async_transport=httpx.MockTransport(handler),
        **kwargs,
    )


def test_invoke_sends_body_auth_and_parses_usage() -> None:
    rec = Recorder(body=COMPLETION)
    message = model(rec, max_tokens=16, model_kwargs={"top_k": 3}).invoke("Hi")
    assert message.content == "Hello!"
    assert message.usage_metadata == {"input_tokens": 9, "output_tokens": 3, "total_tokens": 12}
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.response_metadata["model_provider"] == "acme"
    request = rec.requests[0]
    assert request.url.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-secret-123"
    assert rec.last_json == {
        "model": "acme-1",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": False,
        "max_tokens": 16,
        "top_k": 3,
    }


def test_spec_header_auth_wins_and_no_key_placeholder_sends_nothing() -> None:
    rec = Recorder(body=COMPLETION)
    model(rec, default_headers={"Authorization": "Token abc"}).invoke("Hi")
    assert rec.requests[-1].headers["authorization"] == "Token abc"
    plain = ChatAcme(model="m", base_url="http://x.test", api_key="polyport-no-key", transport=httpx.MockTransport(rec))
    plain.invoke("Hi")
    assert "authorization" not in rec.requests[-1].headers


def test_authenticate_is_overridable() -> None:
    class QueryKeyAdapter(AcmeAdapter):
        def authenticate(self, request: httpx.Request) -> None:
            assert self.api_key is not None
            request.url = request.url.copy_add_param("key", self.api_key.get_secret_value())

    class ChatQuery(AdapterChatModel):
        adapter_class: ClassVar[type[HTTPAdapter]] = QueryKeyAdapter

    rec = Recorder(body=COMPLETION)
    ChatQuery(model="m", base_url="http://x.test", api_key="k-1", transport=httpx.MockTransport(rec)).invoke("Hi")
    assert rec.requests[0].url.params["key"] == "k-1"
    assert "authorization" not in rec.requests[0].headers


def test_stream_sse_yields_chunks_with_usage_and_finish() -> None:
    rec = Recorder(content=STREAM, **{"content-type": "text/event-stream"})
    chunks = list(model(rec).stream("Hi"))
    text = "".join(str(c.content) for c in chunks)
    assert text == "Hello"
    full = chunks[0]
    for c in chunks[1:]:
        full += c
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] == 2
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.response_metadata["usage_estimated"] is False
    assert rec.last_json["stream"] is True


def test_cut_stream_is_a_bad_response() -> None:
    rec = Recorder(content=sse(chunk("Hel")))
    with pytest.raises(BadResponseError, match="stream ended"):
        list(model(rec).stream("Hi"))


def test_ndjson_stream() -> None:
    class OllamaLike(HTTPAdapter):
        name = "ollamalike"
        chat_path = "/api/chat"
        stream_format = "ndjson"

        def transform_request(self, request: ChatRequest) -> dict[str, Any]:
            return {"model": request.model, "messages": messages_to_openai(request.messages), "stream": True}

        def transform_event(self, event: Any, state: StreamState) -> AIMessageChunk | None:
            piece = AIMessageChunk(content=event["message"]["content"])
            if event["done"]:
                state.finished = True
                piece.response_metadata = {"finish_reason": event["done_reason"]}
                piece.usage_metadata = make_usage(event["prompt_eval_count"], event["eval_count"])
            return piece

    class ChatOllamaLike(AdapterChatModel):
        adapter_class: ClassVar[type[HTTPAdapter]] = OllamaLike

    # Ollama's documented /api/chat stream: one JSON object per line, the last with done=true.
    lines = [
        {"model": "m", "message": {"role": "assistant", "content": "Hi"}, "done": False},
        {"model": "m", "message": {"role": "assistant", "content": " there"}, "done": False},
        {
            "model": "m",
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": 5,
            "eval_count": 2,
        },
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode() + b"\n"
    llm = ChatOllamaLike(model="m", base_url="http://x.test", transport=httpx.MockTransport(Recorder(content=body)))
    chunks = list(llm.stream("Hi"))
    assert "".join(str(c.content) for c in chunks) == "Hi there"
    assert sum(c.usage_metadata["output_tokens"] for c in chunks if c.usage_metadata) == 2


@pytest.mark.parametrize(
    ("status", "body", "error", "headers"),
    [
        (401, {"error": {"message": "Invalid key sk-secret-123"}}, AuthenticationError, {}),
        (404, {"error": {"message": "model not found"}}, NotFoundError, {}),
        (429, {"error": "slow down"}, RateLimitError, {"retry-after": "7"}),
        (400, {"error": {"message": "This model's maximum context length is 8192"}}, ContextWindowExceededError, {}),
        (503, {"detail": "overloaded"}, ProviderUnavailableError, {}),
    ],
)
def test_errors_map_by_status_and_body(status: int, body: Any, error: type[Exception], headers: dict[str, str]) -> None:
    rec = Recorder(status=status, body=body, **headers)
    with pytest.raises(error) as info:
        model(rec).invoke("Hi")
    assert "sk-secret-123" not in str(info.value)
    assert "provider=acme" in str(info.value)
    if status == 429:
        assert info.value.retry_after == 7.0  # type: ignore[attr-defined]
    with pytest.raises(error):
        list(model(rec).stream("Hi"))


def test_transport_failure_is_provider_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ProviderUnavailableError, match="Could not reach"):
        model(refuse).invoke("Hi")


def test_invalid_json_is_bad_response() -> None:
    with pytest.raises(BadResponseError):
        model(Recorder(content=b"<html>oops</html>")).invoke("Hi")


def test_secret_is_not_in_repr() -> None:
    llm = model(Recorder(body=COMPLETION))
    assert "sk-secret-123" not in repr(llm)
    assert "sk-secret-123" not in repr(llm.adapter)


async def test_async_invoke_and_stream() -> None:
    rec = Recorder(body=COMPLETION)
    message = await model(rec).ainvoke([HumanMessage("Hi")])
    assert message.content == "Hello!"
    stream_rec = Recorder(content=STREAM)
    chunks = [c async for c in model(stream_rec).astream("Hi")]
    assert "".join(str(c.content) for c in chunks) == "Hello"


def test_clients_are_reused_and_async_client_is_per_loop() -> None:
    llm = model(Recorder(body=COMPLETION))
    llm.invoke("a")
    sync_client = llm.adapter.client
    llm.invoke("b")
    assert llm.adapter.client is sync_client

    async def loop_client() -> httpx.AsyncClient:
        await llm.ainvoke("c")
        first = llm.adapter.async_client
        await llm.ainvoke("d")
        assert llm.adapter.async_client is first
        return first

    one, two = asyncio.run(loop_client()), asyncio.run(loop_client())
    assert one is not two  # a fresh loop gets a fresh client


def test_list_models() -> None:
    rec = Recorder(body={"object": "list", "data": [{"id": "acme-1", "object": "model"}]})
    assert [m["id"] for m in model(rec).list_models()] == ["acme-1"]
    assert rec.requests[0].url.path == "/v1/models"


def test_embeddings_in_batches_and_order() -> None:
    seen: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        seen.append(texts)
        data = [{"object": "embedding", "index": i, "embedding": [float(len(t))]} for i, t in enumerate(texts)]
        return httpx.Response(200, json={"object": "list", "data": list(reversed(data))})

    emb = AcmeEmbeddings(model="e", base_url="http://x.test", chunk_size=2, transport=httpx.MockTransport(handler))
    assert emb.embed_documents(["a", "bb", "ccc"]) == [[1.0], [2.0], [3.0]]
    assert seen == [["a", "bb"], ["ccc"]]


def test_adapter_without_chat_says_so() -> None:
    class Bare(AdapterChatModel):
        pass

    with pytest.raises(NotImplementedError, match="does not implement chat"):
        Bare(model="m", base_url="http://x.test").invoke("Hi")


class TextOnlyAdapter(AcmeAdapter):
    name = "text-only"
    tool_calling = "none"

    def no_tools_reason(self) -> str:
        return "the text-only API takes a prompt and nothing else"


class ChatTextOnly(AdapterChatModel):
    adapter_class: ClassVar[type[HTTPAdapter]] = TextOnlyAdapter


def test_an_adapter_without_tool_calling_refuses_at_bind_time() -> None:
    rec = Recorder(body=COMPLETION)
    chat = ChatTextOnly(model="t-1", base_url="https://api.acme.test", transport=httpx.MockTransport(rec))
    weather = {"title": "get_weather", "type": "object", "properties": {"city": {"type": "string"}}}
    with pytest.raises(InvalidConfigError, match="engine 'text-only' cannot call tools: the text-only API") as error:
        chat.bind_tools([weather])
    assert error.value.model == "t-1"
    with pytest.raises(InvalidConfigError, match="cannot call tools"):
        chat.with_structured_output(weather, method="function_calling")
    assert rec.requests == []
    assert chat.invoke("Hi").content == "Hello!"  # the same model still answers plain prompts


def test_a_dropped_keep_alive_connection_is_retried_then_mapped() -> None:
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return httpx.Response(200, json=COMPLETION)

    assert model(flaky, max_retries=1).invoke("Hi").content == "Hello!"
    assert len(calls) == 2

    def always(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    with pytest.raises(ProviderUnavailableError):
        model(always, max_retries=1).invoke("Hi")
    with pytest.raises(ProviderUnavailableError):
        list(model(always, max_retries=0).stream("Hi"))
