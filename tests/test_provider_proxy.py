"""A provider file's ``proxy`` reaches the clients of the engines llama-server cannot stand in
for: Azure OpenAI (chat and embeddings), Claude on Bedrock and on Vertex, Ollama (chat and
embeddings). Each request goes through a real forwarding proxy (``LoopbackProxy``) to a loopback
stand-in answering in the vendor's documented format:

- Azure OpenAI: ``POST /openai/deployments/{deployment}/chat/completions|embeddings?api-version=``
  with OpenAI's chat completion and embedding list objects (Azure OpenAI REST reference).
- Bedrock ``InvokeModel`` (``POST /model/{id}/invoke``) and Vertex ``:rawPredict``: the Anthropic
  Messages response object (AWS and Google Cloud docs for Claude).
- Ollama ``POST /api/chat`` (``stream: false``) and ``POST /api/embed`` (Ollama API docs).
- The usage side request: DeepSeek ``GET /user/balance`` (DeepSeek API docs, "Get User Balance").
- An OAuth2 client-credentials token: ``POST /token`` answering RFC 6749 section 5.1's access
  token response.

The llama-server-backed engines are covered in
``libs/core/tests/integration_tests/test_provider_proxy_local.py``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from polyport_core.registry import Registry, init_chat_model, init_embeddings
from polyport_core.spec import parse_spec
from polyport_core.testing import LoopbackProxy

MESSAGE = {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
    "content": [{"type": "text", "text": "via proxy"}], "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}  # fmt: skip
COMPLETION = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "via proxy"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}  # fmt: skip
EMBEDDINGS = {
    "object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
    "model": "text-embedding-3-small", "usage": {"prompt_tokens": 1, "total_tokens": 1},
}  # fmt: skip
OLLAMA_CHAT = {
    "model": "llama3.2", "created_at": "2025-01-01T00:00:00Z",
    "message": {"role": "assistant", "content": "via proxy"}, "done": True, "done_reason": "stop",
    "prompt_eval_count": 3, "eval_count": 2,
}  # fmt: skip
OLLAMA_EMBED = {"model": "all-minilm", "embeddings": [[0.5, 0.25]], "prompt_eval_count": 1}
TOKEN = {"access_token": "tok-from-behind-proxy", "token_type": "Bearer", "expires_in": 3600}
BALANCE = {
    "is_available": True,
    "balance_infos": [
        {"currency": "USD", "total_balance": "110.00", "granted_balance": "10.00", "topped_up_balance": "100.00"}
    ],
}


class _Vendor(BaseHTTPRequestHandler):
    def log_message(self, *_: Any) -> None:
        return

    def do_GET(self) -> None:
        self._send(BALANCE)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        path = self.path.split("?")[0]
        if path.endswith("/chat/completions"):
            body: dict[str, Any] = COMPLETION
        elif path.endswith("/embeddings"):
            body = EMBEDDINGS
        elif path == "/api/chat":
            body = OLLAMA_CHAT
        elif path == "/api/embed":
            body = OLLAMA_EMBED
        elif path == "/token":
            body = TOKEN
        else:  # Bedrock /invoke, Vertex :rawPredict
            body = MESSAGE
        self._send(body)

    def _send(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def vendor() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Vendor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy() -> Iterator[LoopbackProxy]:
    with LoopbackProxy(timeout=10) as running:
        yield running


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def _registry(doc: dict[str, Any]) -> Registry:
    registry = Registry()
    registry.add(parse_spec(doc, f"{doc['id']}.json", env={}))
    return registry


def test_azure_chat_and_embeddings_go_through_the_proxy(vendor: str, proxy: LoopbackProxy) -> None:
    registry = _registry(
        {
            "id": "azlab", "engine": "azure-openai", "base_url": vendor, "api_version": "2024-10-21",
            "auth": {"type": "header", "header_name": "api-key", "api_key": "az-key"}, "proxy": proxy.url,
            "models": [{"id": "gpt-4o", "deployment": "chat-dep"}, {"id": "emb", "deployment": "emb-dep"}],
        }
    )  # fmt: skip
    answer = init_chat_model("azlab:gpt-4o", registry=registry, max_retries=0).invoke("hi")
    vector = init_embeddings("azlab:emb", registry=registry, max_retries=0).embed_query("hi")

    assert answer.content == "via proxy"
    assert vector == [0.5, 0.25]
    assert proxy.paths() == [
        "/openai/deployments/chat-dep/chat/completions?api-version=2024-10-21",
        "/openai/deployments/emb-dep/embeddings?api-version=2024-10-21",
    ]


def test_bedrock_goes_through_the_proxy(vendor: str, proxy: LoopbackProxy) -> None:
    model_id = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    registry = _registry(
        {
            "id": "bedlab", "engine": "anthropic-bedrock", "base_url": vendor, "region": "us-east-1",
            "auth": {"type": "bearer", "api_key": "bedrock-key"}, "proxy": proxy.url, "models": [{"id": model_id}],
        }
    )  # fmt: skip
    answer = init_chat_model(f"bedlab:{model_id}", registry=registry, max_retries=0, max_tokens=16).invoke("hi")

    assert answer.content == "via proxy"
    assert proxy.paths() == [f"/model/{model_id}/invoke"]


def test_vertex_goes_through_the_proxy(vendor: str, proxy: LoopbackProxy) -> None:
    registry = _registry(
        {
            "id": "vtxlab", "engine": "anthropic-vertex", "base_url": f"{vendor}/v1", "region": "us-east5",
            "project_id": "my-proj", "auth": {"type": "bearer", "api_key": "ya29.token"}, "proxy": proxy.url,
            "models": [{"id": "claude-sonnet-4-5@20250929"}],
        }
    )  # fmt: skip
    model = init_chat_model("vtxlab:claude-sonnet-4-5@20250929", registry=registry, max_retries=0, max_tokens=16)

    assert model.invoke("hi").content == "via proxy"
    assert len(proxy.paths()) == 1
    assert proxy.paths()[0].endswith("/models/claude-sonnet-4-5@20250929:rawPredict")


def test_ollama_chat_and_embeddings_go_through_the_proxy(vendor: str, proxy: LoopbackProxy) -> None:
    registry = _registry(
        {"id": "olab", "engine": "ollama", "base_url": vendor, "proxy": proxy.url, "models": [{"id": "llama3.2"}]}
    )
    answer = init_chat_model("olab:llama3.2", registry=registry).invoke("hi")
    vector = init_embeddings("olab:all-minilm", registry=registry).embed_query("hi")

    assert answer.content == "via proxy"
    assert vector == [0.5, 0.25]
    assert proxy.paths() == ["/api/chat", "/api/embed"]


def test_a_langchain_proxy_keyword_wins_over_the_file(vendor: str, proxy: LoopbackProxy) -> None:
    registry = _registry(
        {"id": "olab", "engine": "openai", "base_url": f"{vendor}/v1", "proxy": proxy.url, "models": [{"id": "m"}]}
    )
    with LoopbackProxy(timeout=10) as chosen:
        model = init_chat_model("olab:m", registry=registry, max_retries=0, openai_proxy=chosen.url)
        assert model.invoke("hi").content == "via proxy"
        assert chosen.paths() == ["/v1/chat/completions"]
    assert proxy.requests == []


def test_the_usage_side_request_goes_through_the_proxy(vendor: str, proxy: LoopbackProxy) -> None:
    from polyport_core.vendor_usage import fetch_vendor_usage

    spec = _registry(
        {
            "id": "dslab", "engine": "openai", "base_url": f"{vendor}/v1", "proxy": proxy.url,
            "auth": {"type": "bearer", "api_key": "ds-key"}, "usage": {"kind": "deepseek", "url": vendor},
        }
    ).get("dslab")  # fmt: skip
    usage = fetch_vendor_usage(spec, since=0.0, until=86400.0)

    assert str(usage.balance_usd) == "110.00"
    assert proxy.paths() == ["/user/balance"]


def test_the_oauth_token_request_goes_through_the_proxy(vendor: str, proxy: LoopbackProxy) -> None:
    registry = _registry(
        {
            "id": "oalab", "engine": "openai", "base_url": f"{vendor}/v1", "proxy": proxy.url,
            "auth": {"type": "oauth2_client_credentials", "token_url": f"{vendor}/token",
                     "client_id": "app", "client_secret": "app-secret", "scopes": ["proxy-test"]},
            "models": [{"id": "m"}],
        }
    )  # fmt: skip
    answer = init_chat_model("oalab:m", registry=registry, max_retries=0).invoke("hi")

    assert answer.content == "via proxy"
    assert proxy.paths() == ["/token", "/v1/chat/completions"]


def test_without_a_file_proxy_the_proxy_variables_apply(
    vendor: str, proxy: LoopbackProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polyport_core.transport import HTTPClient

    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    registry = _registry({"id": "envlab", "engine": "openai", "base_url": f"{vendor}/v1", "models": [{"id": "m"}]})

    assert init_chat_model("envlab:m", registry=registry, max_retries=0).invoke("hi").content == "via proxy"
    assert HTTPClient(vendor).request_json("POST", "/v1/chat/completions", {}).body == COMPLETION
    assert proxy.paths() == ["/v1/chat/completions", "/v1/chat/completions"]

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert HTTPClient(vendor).request_json("POST", "/v1/chat/completions", {}).body == COMPLETION
    assert len(proxy.requests) == 2  # NO_PROXY: straight to the server
