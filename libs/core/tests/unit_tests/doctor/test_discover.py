"""Local-server discovery: each server is told apart by what it answers, not by its port.

Wire fixtures (no sockets): bodies follow each server's documented responses —
Ollama's API reference (``GET /api/version`` → ``{"version": ...}``, ``GET /api/tags``
→ ``{"models": [{"name", "model", "modified_at", "size", "digest", "details"}]}``),
LocalAI's API-discovery page (``GET /.well-known/localai.json`` → ``{"version",
"endpoints", ...}``), and the OpenAI ``GET /v1/models`` list shape vLLM serves
(``owned_by: "vllm"``). The real llama.cpp server is covered in the integration tests.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from polyport_core.doctor import discover_local_servers, probe_port

Routes = dict[tuple[int, str], Any]

OLLAMA: Routes = {
    (11434, "/"): "Ollama is running",
    (11434, "/api/version"): {"version": "0.5.7"},
    (11434, "/api/tags"): {
        "models": [
            {
                "name": "llama3.2:latest",
                "model": "llama3.2:latest",
                "modified_at": "2025-01-20T10:41:38.203346+01:00",
                "size": 2019393189,
                "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
                "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B",
                            "quantization_level": "Q4_K_M"},
            },
            {"name": "qwen2.5:0.5b", "model": "qwen2.5:0.5b", "size": 397821319, "digest": "a8b0c5157701",
             "details": {"format": "gguf", "family": "qwen2"}},
        ]
    },
}  # fmt: skip
LOCALAI: Routes = {
    (8080, "/.well-known/localai.json"): {
        "version": "v2.28.0",
        "endpoints": {"chat_completions": "/v1/chat/completions", "models": "/v1/models"},
    },
    (8080, "/v1/models"): {"object": "list", "data": [{"id": "phi-2", "object": "model"}]},
}
VLLM: Routes = {
    (8000, "/version"): {"version": "0.6.4"},
    (8000, "/v1/models"): {
        "object": "list",
        "data": [{"id": "Qwen/Qwen2.5-1.5B-Instruct", "object": "model", "created": 1733000000,
                  "owned_by": "vllm", "root": "Qwen/Qwen2.5-1.5B-Instruct", "max_model_len": 32768}],
    },
}  # fmt: skip


def loopback(routes: Routes, seen: list[str] | None = None) -> httpx.MockTransport:
    """Servers on the given (port, path) routes; other ports refuse the connection, other paths 404."""
    ports = {port for port, _ in routes}

    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        assert request.url.host == "127.0.0.1"
        port = request.url.port
        if port not in ports:
            raise httpx.ConnectError("connection refused", request=request)
        body = routes.get((port, request.url.path))
        if body is None:
            return httpx.Response(404, json={"error": "not found"})
        if isinstance(body, str):
            return httpx.Response(200, text=body)
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handle)


def test_ollama_is_identified_with_its_models() -> None:
    [server] = discover_local_servers(transport=loopback(OLLAMA))
    assert (server.kind, server.engine, server.port) == ("ollama", "ollama", 11434)
    assert server.base_url == "http://127.0.0.1:11434"
    assert server.version == "0.5.7"
    assert server.models == ["llama3.2:latest", "qwen2.5:0.5b"]
    assert server.evidence == "GET /api/version → 200"


def test_port_8080_is_told_apart_by_what_answers() -> None:
    [server] = discover_local_servers([8080], transport=loopback(LOCALAI))
    assert (server.kind, server.label, server.version) == ("localai", "LocalAI", "v2.28.0")
    assert server.base_url == "http://127.0.0.1:8080/v1"
    assert server.models == ["phi-2"]


def test_vllm_on_an_unusual_port_and_every_well_known_server_together() -> None:
    moved = {(9123, path): body for (_, path), body in VLLM.items()}
    [server] = discover_local_servers([9123], transport=loopback(moved))
    assert (server.kind, server.models) == ("vllm", ["Qwen/Qwen2.5-1.5B-Instruct"])
    found = discover_local_servers(transport=loopback({**OLLAMA, **LOCALAI, **VLLM}))
    assert [s.kind for s in found] == ["ollama", "localai", "vllm"]


def test_an_unknown_openai_compatible_server_and_a_key_wanting_one() -> None:
    generic = {(7000, "/v1/models"): {"object": "list", "data": [{"id": "m"}]}}
    [server] = discover_local_servers([7000], transport=loopback(generic))
    assert (server.kind, server.models, server.models_error) == ("openai-compatible", ["m"], None)

    def locked(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/localai.json":
            return httpx.Response(200, json=LOCALAI[(8080, "/.well-known/localai.json")])
        return httpx.Response(401, json={"error": {"message": "unauthorized"}})

    found = probe_port(8080, transport=httpx.MockTransport(locked))
    assert found is not None
    assert found.kind == "localai"
    assert found.models == []
    assert found.models_error == "GET /v1/models → 401: the server wants an API key"


def test_nothing_listening_is_nothing_found_and_only_loopback_is_asked() -> None:
    seen: list[str] = []
    assert discover_local_servers(transport=loopback({}, seen)) == []
    assert sorted(seen) == sorted(f"http://127.0.0.1:{p}/" for p in (11434, 8080, 1234, 30000, 8000))


@pytest.mark.parametrize("status", [200, 500])
def test_a_server_we_do_not_know_is_not_guessed(status: int) -> None:
    answer = httpx.MockTransport(lambda request: httpx.Response(status, text="<html>hi</html>"))
    assert probe_port(5000, transport=answer) is None
