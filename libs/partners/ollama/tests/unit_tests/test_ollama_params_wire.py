"""langchain-ollama's parameters reach the documented Ollama request fields.

Fixtures follow Ollama's API docs (docs/api.md): ``POST /api/chat`` with top-level ``format``,
``think``, ``logprobs``/``top_logprobs`` and Modelfile ``options`` (``num_predict``,
``mirostat``, ``repeat_penalty``, …); ``POST /api/embed`` with ``options``. The real ollama
SDK sends them (pytest-httpx intercepts its httpx transport).
"""

from __future__ import annotations

import asyncio
import json

import pytest
from polyport_core.errors import InvalidConfigError
from polyport_ollama import ChatOllama, OllamaEmbeddings
from pytest_httpx import HTTPXMock

HOST = "http://127.0.0.1:11434"
DONE = {
    "model": "llama3.2",
    "created_at": "2023-08-04T19:22:45.499127Z",
    "message": {"role": "assistant", "content": "ok"},
    "done": True,
    "done_reason": "stop",
    "prompt_eval_count": 26,
    "eval_count": 2,
}


def test_langchain_ollama_parameters_reach_the_request(httpx_mock: HTTPXMock, recwarn: pytest.WarningsRecorder) -> None:
    httpx_mock.add_response(url=f"{HOST}/api/chat", json=DONE)
    model = ChatOllama(
        model="llama3.2",
        num_predict=32,
        reasoning=True,
        format="json",
        logprobs=True,
        top_logprobs=3,
        mirostat=2,
        repeat_penalty=1.2,
        num_thread=2,
        client_kwargs={"headers": {"x-shared": "1"}},
        sync_client_kwargs={"headers": {"x-sync": "2"}},
    )
    model.invoke("hi")
    request = httpx_mock.get_requests()[0]
    body = json.loads(request.content)
    assert body["options"]["num_predict"] == 32
    assert (body["options"]["mirostat"], body["options"]["repeat_penalty"], body["options"]["num_thread"]) == (
        2,
        1.2,
        2,
    )
    assert (body["think"], body["format"], body["logprobs"], body["top_logprobs"]) == (True, "json", True, 3)
    assert request.headers["x-sync"] == "2"  # sync_client_kwargs override client_kwargs, as in langchain-ollama
    assert "x-shared" not in request.headers
    assert not [w for w in recwarn.list if "has no parameter" in str(w.message)]


def test_async_client_kwargs_reach_the_async_client(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{HOST}/api/chat", json=DONE)
    model = ChatOllama(model="llama3.2", client_kwargs={"headers": {"x-shared": "1"}})
    asyncio.run(model.ainvoke("hi"))
    assert httpx_mock.get_requests()[0].headers["x-shared"] == "1"


def test_embeddings_options_reach_api_embed(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{HOST}/api/embed", json={"model": "nomic-embed-text", "embeddings": [[0.1, 0.2]], "prompt_eval_count": 1}
    )
    embedder = OllamaEmbeddings(model="nomic-embed-text", num_ctx=2048, temperature=0.0, num_thread=2)
    assert embedder.embed_query("hi") == [0.1, 0.2]
    body = json.loads(httpx_mock.get_requests()[0].content)
    assert body["options"] == {"num_ctx": 2048, "temperature": 0.0, "num_thread": 2}


@pytest.mark.parametrize("cls", [ChatOllama, OllamaEmbeddings])
def test_validate_model_on_init_raises_naming_show_model(cls: type) -> None:
    with pytest.raises(InvalidConfigError, match=r"validate_model_on_init=True.*show_model"):
        cls(model="llama3.2", validate_model_on_init=True)
    built = cls(model="llama3.2", validate_model_on_init=False)
    assert (built.model_name if isinstance(built, ChatOllama) else built.model) == "llama3.2"
