"""``OLLAMA_HOST`` decides where ChatOllama and OllamaEmbeddings send requests, as in langchain-ollama.

langchain-ollama (1.1) leaves ``base_url`` unset and lets the ollama SDK read ``OLLAMA_HOST``
(``ollama._client._parse_host``: a bare host gets ``http://`` and port 11434, ``:PORT`` means
127.0.0.1, ``https://`` keeps 443); an explicit ``base_url`` wins. Requests are caught by
pytest-httpx in Ollama's documented ``/api/chat`` and ``/api/embed`` formats (docs/api.md).
"""

from __future__ import annotations

import pytest
from polyport_ollama import ChatOllama, OllamaEmbeddings
from pytest_httpx import HTTPXMock

DONE = {"model": "llama3.2", "created_at": "2023-08-04T19:22:45.499127Z",
        "message": {"role": "assistant", "content": "ok"}, "done": True, "done_reason": "stop",
        "prompt_eval_count": 3, "eval_count": 1}  # fmt: skip
EMBED = {"model": "all-minilm", "embeddings": [[0.5, 0.25]], "prompt_eval_count": 1}


@pytest.mark.parametrize(
    ("ollama_host", "server"),
    [
        ("http://gpu-box.test:11500", "http://gpu-box.test:11500"),
        ("gpu-box.test:11500", "http://gpu-box.test:11500"),
        ("gpu-box.test", "http://gpu-box.test:11434"),
        ("https://ollama.example.test", "https://ollama.example.test"),
        (":11600", "http://127.0.0.1:11600"),
    ],
)
def test_chat_and_embeddings_go_where_ollama_host_points(
    ollama_host: str, server: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", ollama_host)
    httpx_mock.add_response(url=f"{server}/api/chat", json=DONE)
    httpx_mock.add_response(url=f"{server}/api/embed", json=EMBED)
    assert ChatOllama(model="llama3.2").invoke("hi").content == "ok"
    assert OllamaEmbeddings(model="all-minilm").embed_query("hi") == [0.5, 0.25]
    assert [str(r.url) for r in httpx_mock.get_requests()] == [f"{server}/api/chat", f"{server}/api/embed"]


def test_an_explicit_base_url_wins_over_ollama_host(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "http://from-env.test:11434")
    httpx_mock.add_response(url="http://given.test:11434/api/chat", json=DONE)
    ChatOllama(model="llama3.2", base_url="http://given.test:11434").invoke("hi")
    assert [r.url.host for r in httpx_mock.get_requests()] == ["given.test"]


def test_without_ollama_host_the_local_default(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    httpx_mock.add_response(url="http://127.0.0.1:11434/api/chat", json=DONE)
    ChatOllama(model="llama3.2").invoke("hi")
    assert len(httpx_mock.get_requests()) == 1
