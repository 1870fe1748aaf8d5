"""Each engine builds itself from a spec (``from_spec``); the registry has no per-engine branches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from polyport_anthropic import ChatAnthropic
from polyport_core.adapters import ChatHTTP
from polyport_core.auth import reveal
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import Registry, init_chat_model, init_embeddings
from polyport_core.spec import ProviderSpec
from polyport_llamacpp import ChatLlamaCpp, LlamaCppEmbeddings
from polyport_ollama import ChatOllama, OllamaEmbeddings
from polyport_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import SecretStr


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def spec(**fields: Any) -> ProviderSpec:
    return ProviderSpec.model_validate({"id": "acme", "base_url": "https://llm.acme.test/v1", **fields})


# ---------------------------------------------------------------- openai
def test_openai_from_spec_maps_every_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "sk-acme-123456")
    provider = spec(
        engine="openai",
        auth={"type": "bearer", "api_key_env": "ACME_KEY"},
        headers={"X-Acme-Key": "{api_key}"},
        query_params={"team": "core"},
        default_params={"temperature": 0.3, "top_k": 7},
        timeout=12,
        max_retries=1,
        quirks={"drop_params": ["strict"], "stream_usage": False},
        models=[{"id": "m1", "context_window": 4096, "quirks": {"forced_tool_calls": "json_schema"}}],
    )
    model = ChatOpenAI.from_spec(provider, "m1", max_tokens=9)
    assert (model.model_name, model.provider, model.base_url) == ("m1", "acme", "https://llm.acme.test/v1")
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == "sk-acme-123456"
    assert reveal(model.default_headers) == {"X-Acme-Key": "sk-acme-123456"}
    assert reveal(model.default_query) == {"team": "core"}
    assert (model.timeout, model.max_retries, model.max_tokens) == (12, 1, 9)
    assert (model.temperature, model.model_kwargs) == (0.3, {"top_k": 7})
    assert (model.drop_params, model.stream_usage, model.forced_tool_calls) == (["strict"], False, "json_schema")
    assert model.profile is not None
    assert model.profile["max_input_tokens"] == 4096


def test_keyless_openai_spec_sends_a_placeholder_not_openai_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-openai-key")
    model = ChatOpenAI.from_spec(spec(engine="openai"), "m1")
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == "polyport-no-key"


def test_openai_override_key_reaches_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wire fixture in OpenAI's documented chat.completion format, through the real openai SDK."""
    monkeypatch.delenv("ACME_KEY", raising=False)
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=_completion("pong"))

    provider = spec(
        engine="openai",
        auth={"type": "bearer", "api_key_env": "ACME_KEY"},
        headers={"X-Acme-Key": "{api_key}"},
    )
    model = ChatOpenAI.from_spec(
        provider, "m1", api_key="sk-override-1", http_client=httpx2.Client(transport=httpx2.MockTransport(handler))
    )
    assert model.invoke("ping").content == "pong"
    assert str(seen[0].url) == "https://llm.acme.test/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer sk-override-1"
    assert seen[0].headers["x-acme-key"] == "sk-override-1"
    assert isinstance(model.api_key, SecretStr)
    assert "sk-override" not in repr(model)


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "m1",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": None, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }


def test_openai_embeddings_from_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "k" * 8)
    provider = spec(
        engine="openai",
        auth={"type": "bearer", "api_key_env": "ACME_KEY"},
        timeout=5,
        default_params={"temperature": 0},
        models=[{"id": "e1", "embeddings": True, "dimensions": 64}],
    )
    emb = OpenAIEmbeddings.from_spec(provider, "e1")
    assert (emb.model, emb.provider, emb.dimensions, emb.timeout) == ("e1", "acme", 64, 5)
    assert emb.base_url == "https://llm.acme.test/v1"


# ---------------------------------------------------------------- anthropic
def test_anthropic_from_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "sk-ant-secret")
    provider = spec(
        engine="anthropic",
        auth={"type": "header", "header_name": "x-api-key", "api_key_env": "ACME_KEY"},
        headers={"X-Team": "core"},
        default_params={"top_k": 3},
        max_retries=0,
    )
    model = ChatAnthropic.from_spec(provider, "claude-x")
    assert model.base_url == "https://llm.acme.test"  # the SDK adds /v1
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == "polyport-no-key"  # sent only in the declared header
    assert reveal(model.default_headers) == {"X-Team": "core", "x-api-key": "sk-ant-secret"}
    assert (model.top_k, model.max_retries, model.provider) == (3, 0, "acme")
    assert "sk-ant" not in repr(model)


def test_anthropic_cannot_send_query_params() -> None:
    provider = spec(engine="anthropic", query_params={"key": "x"})
    with pytest.raises(InvalidConfigError, match="engine 'anthropic' cannot send query parameters"):
        ChatAnthropic.from_spec(provider, "claude-x")


# ---------------------------------------------------------------- ollama
def test_ollama_from_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "ollama-cloud-key")
    provider = spec(
        engine="ollama",
        base_url="http://gpu-box:11434/v1",
        auth={"type": "bearer", "api_key_env": "ACME_KEY"},
        default_params={"keep_alive": "10m", "mirostat": 2},
        models=[{"id": "llama3", "context_window": 8192}],
    )
    model = ChatOllama.from_spec(provider, "llama3")
    assert model.base_url == "http://gpu-box:11434"
    assert reveal(model.headers) == {"Authorization": "Bearer ollama-cloud-key"}
    assert (model.num_ctx, model.keep_alive, model.model_kwargs) == (8192, "10m", {"mirostat": 2})
    assert "ollama-cloud-key" not in repr(model)


def test_ollama_embeddings_from_spec() -> None:
    provider = spec(engine="ollama", base_url="http://gpu-box:11434", models=[{"id": "nomic", "dimensions": 32}])
    emb = OllamaEmbeddings.from_spec(provider, "nomic")
    assert (emb.model, emb.provider, emb.base_url, emb.dimensions) == ("nomic", "acme", "http://gpu-box:11434", 32)


# ---------------------------------------------------------------- llamacpp (native)
def test_llamacpp_from_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMACPP_API_KEY", "from-the-environment")
    monkeypatch.setenv("ACME_KEY", "server-key")
    provider = spec(
        engine="llamacpp",
        base_url="http://127.0.0.1:8080/v1",
        auth={"type": "bearer", "api_key_env": "ACME_KEY"},
        default_params={"top_k": 20, "n_probs": 2},
        timeout=30,
    )
    model = ChatLlamaCpp.from_spec(provider, "gemma", temperature=0)
    assert model.base_url == "http://127.0.0.1:8080"
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == "server-key"
    assert (model.top_k, model.model_kwargs, model.timeout, model.temperature) == (20, {"n_probs": 2}, 30, 0)


def test_keyless_llamacpp_never_reads_its_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMACPP_API_KEY", "from-the-environment")
    model = ChatLlamaCpp.from_spec(spec(engine="llamacpp", base_url="http://127.0.0.1:8080"), "gemma")
    assert model.api_key is None


def test_llamacpp_embeddings_from_spec() -> None:
    provider = spec(engine="llamacpp", base_url="http://127.0.0.1:8080/v1", max_retries=0)
    emb = LlamaCppEmbeddings.from_spec(provider, "gemma")
    assert (emb.base_url, emb.model, emb.max_retries, emb.provider) == ("http://127.0.0.1:8080", "gemma", 0, "acme")


# ---------------------------------------------------------------- http (declarative, core)
HTTP_SECTION = {
    "path": "/generate",
    "body": {"prompt": "{prompt}", "max_new_tokens": "{max_tokens}"},
    "response": {"text": "generated_text"},
}


def test_http_engine_from_spec_sends_query_auth_on_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "q-secret")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"generated_text": "hi there"})

    provider = spec(
        engine="http",
        base_url="https://gen.acme.test",
        auth={"type": "query", "query_param": "key", "api_key_env": "ACME_KEY"},
        headers={"X-Team": "core"},
        http=HTTP_SECTION,
    )
    model = ChatHTTP.from_spec(provider, "g1", transport=httpx.MockTransport(handler), max_tokens=5)
    assert model.http.path == "/generate"
    assert model.invoke("hello").content == "hi there"
    assert seen[0].url.path == "/generate"
    assert seen[0].url.params["key"] == "q-secret"
    assert seen[0].headers["x-team"] == "core"


# ---------------------------------------------------------------- quirks and bad config
@pytest.mark.parametrize(
    ("engine", "cls", "extra"),
    [
        ("anthropic", ChatAnthropic, {}),
        ("ollama", ChatOllama, {}),
        ("llamacpp", ChatLlamaCpp, {}),
        ("http", ChatHTTP, {"http": HTTP_SECTION}),
    ],
)
def test_quirk_an_engine_cannot_honour_is_an_error(engine: str, cls: Any, extra: dict[str, Any]) -> None:
    provider = spec(engine=engine, quirks={"developer_as_system": True}, **extra)
    with pytest.raises(InvalidConfigError) as info:
        cls.from_spec(provider, "m1")
    text = str(info.value)
    assert "'developer_as_system'" in text
    assert f"engine {engine!r}" in text
    assert "provider=acme" in text
    assert "model=m1" in text


def test_model_level_quirk_is_checked_too(tmp_path: Path) -> None:
    registry = _registry(
        tmp_path,
        {"id": "loc", "engine": "ollama", "base_url": "http://127.0.0.1:11434",
         "models": [{"id": "a"}, {"id": "b", "quirks": {"drop_params": ["seed"]}}]},
    )  # fmt: skip
    assert isinstance(init_chat_model("loc:a", registry=registry, governance=False), ChatOllama)
    with pytest.raises(InvalidConfigError, match=r"quirk 'drop_params'.*engine 'ollama'.*model=b"):
        init_chat_model("loc:b", registry=registry)


def test_rejected_configuration_names_the_spec_not_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "sk-never-shown")
    provider = spec(engine="openai", auth={"type": "bearer", "api_key_env": "ACME_KEY"})
    with pytest.raises(InvalidConfigError, match="ChatOpenAI rejected the configuration") as info:
        ChatOpenAI.from_spec(provider, "m1", temperature="very hot")
    assert "temperature" in str(info.value)
    assert "sk-never-shown" not in str(info.value)


def test_registry_builds_through_from_spec(tmp_path: Path) -> None:
    registry = _registry(tmp_path, {"id": "loc", "engine": "ollama", "base_url": "http://10.0.0.5:11434/v1"})
    model = init_chat_model("loc:qwen3", registry=registry, governance=False)
    assert isinstance(model, ChatOllama)
    assert model.base_url == "http://10.0.0.5:11434"
    emb = init_embeddings("loc:nomic", registry=registry, governance=False)
    assert isinstance(emb, OllamaEmbeddings)


def _registry(tmp_path: Path, *docs: dict[str, Any]) -> Registry:
    import json

    for doc in docs:
        (tmp_path / f"{doc['id']}.json").write_text(json.dumps(doc))
    return Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path], env={})
