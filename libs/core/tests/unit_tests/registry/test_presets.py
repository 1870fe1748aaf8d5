"""The strings a LangChain user types first: ``openai:``, ``anthropic:``, ``ollama:``, and key/URL overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from polyport_anthropic import ChatAnthropic
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import Registry, init_chat_model, init_embeddings, ollama_host
from polyport_ollama import ChatOllama, OllamaEmbeddings
from polyport_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import SecretStr


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "GROQ_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def presets(env: dict[str, str] | None = None) -> Registry:
    return Registry.discover(plugins=False, user=False, project=[], env={} if env is None else env)


def _key(model: Any) -> str:
    assert isinstance(model.api_key, SecretStr)
    return str(model.api_key.get_secret_value())


def test_openai_preset_is_the_official_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-test")
    model = init_chat_model("openai:gpt-4o-mini", registry=presets(), governance=False)
    assert isinstance(model, ChatOpenAI)
    assert (model.base_url, model.provider, _key(model)) == ("https://api.openai.com/v1", "openai", "sk-openai-test")
    assert model._is_official_openai()
    bare = init_chat_model("gpt-4o-mini", registry=presets(), governance=False)
    assert isinstance(bare, ChatOpenAI)
    assert bare.provider == "openai"
    emb = init_embeddings("openai:text-embedding-3-small", registry=presets(), governance=False)
    assert isinstance(emb, OpenAIEmbeddings)
    assert _key(emb) == "sk-openai-test"


def test_openai_preset_without_key_names_the_variable() -> None:
    with pytest.raises(InvalidConfigError, match="OPENAI_API_KEY"):
        init_chat_model("openai:gpt-4o", registry=presets())


def test_anthropic_preset_sends_the_key_to_the_messages_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wire fixture in Anthropic's documented Messages response format, through the real anthropic SDK."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(
            200,
            json={
                "id": "msg_01",
                "type": "message",
                "role": "assistant",
                "model": "claude-haiku-4-5",
                "content": [{"type": "text", "text": "pong"}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 5, "output_tokens": 1},
            },
        )

    model = init_chat_model(
        "anthropic:claude-haiku-4-5",
        registry=presets(),
        governance=False,
        max_tokens=8,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    assert isinstance(model, ChatAnthropic)
    assert model.invoke("ping").content == "pong"
    assert str(seen[0].url) == "https://api.anthropic.com/v1/messages"
    assert "sk-ant-test" in seen[0].headers.get("x-api-key", seen[0].headers.get("authorization", ""))
    assert "sk-ant-test" not in repr(model)


def test_anthropic_preset_without_key_names_the_variable() -> None:
    with pytest.raises(InvalidConfigError, match="ANTHROPIC_API_KEY"):
        init_chat_model("anthropic:claude-sonnet-4-5", registry=presets())


@pytest.mark.parametrize(
    ("host", "url"),
    [
        (None, "http://127.0.0.1:11434"),
        ("", "http://127.0.0.1:11434"),
        ("localhost:11434", "http://localhost:11434"),
        ("0.0.0.0", "http://0.0.0.0:11434"),
        ("gpu-box:9000", "http://gpu-box:9000"),
        ("http://gpu-box", "http://gpu-box:80"),
        ("https://ollama.example.com", "https://ollama.example.com:443"),
        ("https://ollama.example.com:8443/proxy/", "https://ollama.example.com:8443/proxy"),
        ("[::1]:11435", "http://[::1]:11435"),
    ],
)
def test_ollama_preset_is_native_and_reads_ollama_host(host: str | None, url: str) -> None:
    env = {} if host is None else {"OLLAMA_HOST": host}
    model = init_chat_model("ollama:llama3.2", registry=presets(env), governance=False)
    assert isinstance(model, ChatOllama)
    assert (model.base_url, model.provider, model.model_name) == (url, "ollama", "llama3.2")
    assert ollama_host(host) == url


def test_ollama_preset_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "10.1.2.3:11500")
    registry = Registry.discover(plugins=False, user=False, project=[])
    model = init_chat_model("ollama:qwen3:8b", registry=registry, governance=False)
    assert isinstance(model, ChatOllama)
    assert (model.base_url, model.model_name) == ("http://10.1.2.3:11500", "qwen3:8b")
    emb = init_embeddings("ollama:nomic-embed-text", registry=registry, governance=False)
    assert isinstance(emb, OllamaEmbeddings)
    assert emb.base_url == "http://10.1.2.3:11500"


def test_api_key_override_satisfies_the_spec() -> None:
    model = init_chat_model("groq:llama-3.1-8b-instant", api_key="gsk-override", registry=presets())
    assert isinstance(model, ChatOpenAI)
    assert _key(model) == "gsk-override"
    assert "gsk-override" not in repr(model)
    wrapped = init_chat_model(
        "groq:llama-3.1-8b-instant", api_key=SecretStr("gsk-secret"), registry=presets(), governance=False
    )
    assert _key(wrapped) == "gsk-secret"


def test_base_url_override_replaces_the_spec_url() -> None:
    model = init_chat_model(
        "groq:llama-3.1-8b-instant",
        api_key="gsk-x",
        base_url="https://proxy.example.com/groq/v1/",
        registry=presets(),
        governance=False,
    )
    assert isinstance(model, ChatOpenAI)
    assert model.base_url == "https://proxy.example.com/groq/v1"
    ollama = init_chat_model("ollama:llama3", base_url="http://box:11434/v1", registry=presets(), governance=False)
    assert isinstance(ollama, ChatOllama)
    assert ollama.base_url == "http://box:11434"


def test_api_key_override_for_a_keyless_server_is_sent() -> None:
    model = init_chat_model("llamacpp:gemma", api_key="local-secret", registry=presets(), governance=False)
    assert _key(model) == "local-secret"
