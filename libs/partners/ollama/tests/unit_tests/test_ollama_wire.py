"""ChatOllama / OllamaEmbeddings against wire fixtures in Ollama's exact API format (docs/api.md:
``/api/chat`` JSON and NDJSON streaming, ``/api/embed``, ``/api/tags``, ``/api/show``, ``{"error": ...}``
bodies), served by pytest-httpx under the real ollama SDK — no network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from polyport_core.errors import NotFoundError, ProviderUnavailableError, StreamInterruptedError
from polyport_ollama import ChatOllama, OllamaEmbeddings, chat_models
from pydantic import BaseModel
from pytest_httpx import HTTPXMock

HOST = "http://127.0.0.1:11434"
CHAT = f"{HOST}/api/chat"


def done(content: str = "", **extra: object) -> dict[str, object]:
    return {
        "model": "llama3.2",
        "created_at": "2023-08-04T19:22:45.499127Z",
        "message": {"role": "assistant", "content": content, **extra},
        "done": True,
        "done_reason": "stop",
        "total_duration": 4883583458,
        "load_duration": 1334875,
        "prompt_eval_count": 26,
        "prompt_eval_duration": 342546000,
        "eval_count": 282,
        "eval_duration": 4535599000,
    }


def part(content: str, **extra: object) -> dict[str, object]:
    return {
        "model": "llama3.2",
        "created_at": "2023-08-04T08:52:19.385406455-07:00",
        "message": {"role": "assistant", "content": content, **extra},
        "done": False,
    }


def ndjson(*lines: dict[str, object]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


class Weather(BaseModel):
    """Get the current weather."""

    location: str


def test_import_does_not_load_the_sdk() -> None:
    code = "import sys, polyport_ollama; print('ollama' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_invoke_payload_usage_keep_alive_num_ctx(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CHAT, json=done("Hello! How are you today?"))
    llm = ChatOllama(
        model="llama3.2", keep_alive="10m", temperature=0, max_tokens=32, profile={"max_input_tokens": 8192}
    )
    result = llm.invoke("Hi")
    body = json.loads(httpx_mock.get_requests()[0].content)
    assert body["keep_alive"] == "10m"
    assert body["stream"] is False
    assert body["options"] == {"num_ctx": 8192, "temperature": 0, "num_predict": 32}
    assert result.content == "Hello! How are you today?"
    assert result.usage_metadata == {"input_tokens": 26, "output_tokens": 282, "total_tokens": 308}
    assert result.response_metadata["finish_reason"] == "stop"


def test_stream_ndjson_with_tool_call_and_thinking(httpx_mock: HTTPXMock) -> None:
    call = {"function": {"name": "Weather", "arguments": {"location": "Paris, FR"}}}
    stream = ndjson(
        part("", thinking="User wants"), part("", thinking=" weather."), part("", tool_calls=[call]), done("")
    )
    httpx_mock.add_response(url=CHAT, content=stream)
    llm = ChatOllama(model="llama3.2", think=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bound = llm.bind_tools([Weather], tool_choice="Weather")
    chunks = list(bound.stream("Weather in Paris?"))
    body = json.loads(httpx_mock.get_requests()[0].content)
    assert body["think"] is True
    assert "tool_choice" not in body
    assert body["tools"][0]["function"]["name"] == "Weather"
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert full.tool_calls[0]["name"] == "Weather"
    assert full.tool_calls[0]["args"] == {"location": "Paris, FR"}
    assert full.additional_kwargs["reasoning_content"] == "User wants weather."
    assert full.usage_metadata["input_tokens"] == 26
    assert sum(1 for c in chunks if c.response_metadata.get("finish_reason")) == 1


def test_tool_round_trip_and_images(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CHAT, json=done("Sunny"))
    ai = AIMessage("", tool_calls=[{"name": "Weather", "args": {"location": "X"}, "id": "c1"}])
    human = HumanMessage(
        [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        ]
    )
    ChatOllama(model="llama3.2").invoke([human, ai, ToolMessage("sunny", tool_call_id="c1", name="Weather")])
    sent = json.loads(httpx_mock.get_requests()[0].content)["messages"]
    assert sent[0] == {"role": "user", "content": "What is this?", "images": ["iVBORw0KGgo="]}
    assert sent[1]["tool_calls"] == [{"function": {"name": "Weather", "arguments": {"location": "X"}}}]
    assert sent[2] == {"role": "tool", "content": "sunny", "tool_name": "Weather"}


def test_structured_output_uses_format_schema(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CHAT, json=done('{"location": "Oslo"}'))
    out = ChatOllama(model="llama3.2").with_structured_output(Weather, method="json_schema").invoke("Oslo")
    assert out == Weather(location="Oslo")
    fmt = json.loads(httpx_mock.get_requests()[0].content)["format"]
    assert fmt["properties"] == {"location": {"type": "string"}}


def test_structured_output_defaults_to_format_schema_as_langchain_ollama(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CHAT, json=done('{"location": "Oslo"}'))
    assert ChatOllama(model="llama3.2").with_structured_output(Weather).invoke("Oslo") == Weather(location="Oslo")
    body = json.loads(httpx_mock.get_requests()[0].content)
    assert body["format"]["properties"] == {"location": {"type": "string"}}
    assert "tools" not in body


def test_model_not_found_names_model_and_pull(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=CHAT, status_code=404, json={"error": 'model "llama9" not found, try pulling it first'}
    )
    with pytest.raises(NotFoundError, match=r"'llama9'.*ollama pull llama9"):
        ChatOllama(model="llama9").invoke("Hi")


def test_connection_refused_names_host(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(ProviderUnavailableError, match=r"http://127\.0\.0\.1:11434"):
        ChatOllama(model="llama3.2").invoke("Hi")


def test_error_line_mid_stream(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=CHAT, content=ndjson(part("Hel"), {"error": "an unknown error was encountered"})
    )
    # after the first chunk reached the caller, a mid-stream error is StreamInterruptedError (cause attached)
    with pytest.raises(StreamInterruptedError, match="unknown error") as caught:
        list(ChatOllama(model="llama3.2").stream("Hi"))
    assert isinstance(caught.value.__cause__, ProviderUnavailableError)


async def test_async_invoke_and_stream(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=CHAT, json=done("A"))
    httpx_mock.add_response(url=CHAT, content=ndjson(part("B"), part("C"), done()))
    llm = ChatOllama(model="llama3.2")
    assert (await llm.ainvoke("x")).content == "A"
    assert "".join([str(c.content) async for c in llm.astream("x")]) == "BC"


def test_embeddings_batches(httpx_mock: HTTPXMock) -> None:
    for vectors in ([[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]):
        httpx_mock.add_response(
            url=f"{HOST}/api/embed",
            json={
                "model": "all-minilm",
                "embeddings": vectors,
                "total_duration": 14143917,
                "load_duration": 1019500,
                "prompt_eval_count": 8,
            },
        )
    emb = OllamaEmbeddings(model="all-minilm", batch_size=2, keep_alive=0)
    assert emb.embed_documents(["a", "b", "c"]) == [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    bodies = [json.loads(r.content) for r in httpx_mock.get_requests()]
    assert bodies[0] == {"model": "all-minilm", "input": ["a", "b"], "keep_alive": 0}


def test_embeddings_model_not_found(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{HOST}/api/embed", status_code=404, json={"error": 'model "nomic" not found'}
    )
    with pytest.raises(NotFoundError, match="ollama pull nomic"):
        OllamaEmbeddings(model="nomic").embed_query("x")


def test_list_and_show_models(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{HOST}/api/tags",
        json={
            "models": [
                {
                    "name": "deepseek-r1:latest",
                    "model": "deepseek-r1:latest",
                    "modified_at": "2025-05-10T08:06:48.639712648-07:00",
                    "size": 4683075271,
                    "digest": "0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163",
                    "details": {
                        "parent_model": "",
                        "format": "gguf",
                        "family": "qwen2",
                        "families": ["qwen2"],
                        "parameter_size": "7.6B",
                        "quantization_level": "Q4_K_M",
                    },
                }
            ]
        },
    )
    httpx_mock.add_response(
        url=f"{HOST}/api/show",
        json={
            "parameters": "num_keep 24",
            "template": "{{ .Prompt }}",
            "details": {"family": "llama"},
            "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
            "capabilities": ["completion", "tools"],
        },
    )
    llm = ChatOllama(model="llama3.2")
    assert [m["name"] for m in llm.list_models()] == ["deepseek-r1:latest"]
    assert llm.show_model()["model_info"]["llama.context_length"] == 131072
    assert json.loads(httpx_mock.get_requests()[1].content) == {"model": "llama3.2"}


def test_tool_choice_warning_is_given_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_models, "_warned_tool_choice", False)  # fresh process state
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChatOllama(model="a").bind_tools([Weather], tool_choice="any")
        ChatOllama(model="a").bind_tools([Weather], tool_choice="any")
    assert sum("ignores tool_choice" in str(w.message) for w in caught) == 1
