from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from polyport_core.auth import reveal
from polyport_core.catalog import cost_of
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import (
    Registry,
    engine_class,
    init_chat_model,
    init_embeddings,
    list_models,
    reload_registry,
)
from polyport_openai import ChatOpenAI, OpenAIEmbeddings

SPEC = {
    "id": "acme",
    "engine": "openai",
    "base_url": "https://llm.acme.test/v1",
    "auth": {"type": "bearer", "api_key_env": "ACME_KEY"},
    "headers": {"X-Acme-Key": "{api_key}", "X-Team": "${ACME_TEAM:-core}"},
    "default_params": {"temperature": 0.2, "top_k": 5},
    "timeout": 30,
    "max_retries": 4,
    "quirks": {"drop_params": ["strict"], "developer_as_system": True},
    "models": [
        {
            "id": "acme-1",
            "context_window": 8000,
            "tools": True,
            "pricing": {"input": 1, "output": 3},
            "quirks": {"unsupported_tool_choice": ["named"]},
        },
        {"id": "acme-free", "pricing": {"input": 0, "output": 0}},
        {"id": "acme-embed", "embeddings": True, "dimensions": 256},
    ],
}


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    (tmp_path / "acme.json").write_text(json.dumps(SPEC))
    return Registry.discover(plugins=False, user=False, project=[tmp_path], env={})


def test_init_chat_model_configures_the_engine(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "sk-acme-123456")
    model = init_chat_model("acme:acme-1", registry=registry, max_tokens=10)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "acme-1"
    assert model.provider == "acme"
    assert model.base_url == "https://llm.acme.test/v1"
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == "sk-acme-123456"
    assert reveal(model.default_headers) == {"X-Acme-Key": "sk-acme-123456", "X-Team": "core"}
    assert (model.timeout, model.max_retries, model.max_tokens) == (30, 4, 10)
    assert model.temperature == 0.2
    assert model.model_kwargs == {"top_k": 5}
    assert model.drop_params == ["strict"]
    assert model.developer_as_system is True
    assert model.unsupported_tool_choice == ["named"]
    assert model.profile is not None
    assert model.profile["max_input_tokens"] == 8000


def test_bearer_key_never_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "sk-groq-abcdef")
    registry = Registry.discover(plugins=False, user=False, project=[], env={})
    model = init_chat_model("groq:llama-3.1-8b-instant", registry=registry)
    assert "sk-groq" not in repr(model)
    assert "sk-groq" not in str(model.model_dump())


def test_header_key_never_in_repr(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "sk-acme-123456")
    model = init_chat_model("acme:acme-1", registry=registry)
    assert "sk-acme" not in repr(model)


def test_undeclared_model_still_gets_a_profile(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "k" * 8)
    model = init_chat_model("acme/whatever-7b", registry=registry)
    assert model.profile is not None
    assert model.profile["text_inputs"] is True


def test_missing_key_names_the_variable(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACME_KEY", raising=False)
    with pytest.raises(InvalidConfigError, match="ACME_KEY"):
        init_chat_model("acme:acme-1", registry=registry)


def test_keyless_local_server_never_falls_back_to_openai_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-openai-key")
    registry = Registry.discover(plugins=False, user=False, project=[], env={})
    model = init_chat_model("llamacpp:gemma", registry=registry)
    assert model.api_key.get_secret_value() != "sk-real-openai-key"


def test_missing_engine_says_what_to_install() -> None:
    with pytest.raises(InvalidConfigError, match="pip install polyport-cohere"):
        engine_class("cohere")


def test_init_embeddings(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "k" * 8)
    embedder = init_embeddings("acme:acme-embed", registry=registry)
    assert isinstance(embedder, OpenAIEmbeddings)
    assert embedder.dimensions == 256


def test_cost_provenance(registry: Registry, restore_registry: None) -> None:
    reload_registry(registry)
    usage = {"input_tokens": 1_000_000, "output_tokens": 500_000, "total_tokens": 1_500_000}
    declared = cost_of(usage, "acme", "acme-1")
    assert (declared.amount, declared.provenance) == (Decimal("2.5"), "spec")
    free = cost_of(usage, "acme", "acme-free")
    assert (free.amount, free.provenance) == (Decimal(0), "spec")
    unknown = cost_of(usage, "acme", "acme-embed")
    assert (unknown.amount, unknown.provenance) == (None, "unknown")
    catalog = cost_of(usage, "openai", "gpt-4o-mini")
    assert catalog.provenance.startswith("catalog:")
    assert catalog.amount == Decimal("0.15") + Decimal("0.3")
    # a host's price is never borrowed from another host of the same model
    assert cost_of(usage, "acme", "gpt-4o-mini").amount is None


def test_cached_tokens_use_cache_rates(restore_registry: None) -> None:
    reload_registry(Registry())
    usage = {
        "input_tokens": 1_000_000,
        "output_tokens": 0,
        "total_tokens": 1_000_000,
        "input_token_details": {"cache_read": 400_000},
    }
    cost = cost_of(usage, "openai", "gpt-4o")
    assert cost.amount == Decimal("2.5") * Decimal("0.6") + Decimal("1.25") * Decimal("0.4")


def test_list_models_static_and_live(
    registry: Registry, httpx_mock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_KEY", "k" * 8)
    static = list_models("acme", registry=registry)
    assert [m.id for m in static] == ["acme-1", "acme-embed", "acme-free"]
    assert all(m.source == "declared" for m in static)
    httpx_mock.add_response(  # type: ignore[attr-defined]
        url="https://llm.acme.test/v1/models",
        json={"data": [{"id": "acme-1", "context_length": 1}, {"id": "acme-2", "context_length": 32000}]},
    )
    live = {m.id: m for m in list_models("acme", live=True, registry=registry)}
    assert live["acme-1"].profile["max_input_tokens"] == 8000  # declared beats discovered
    assert live["acme-2"].source == "discovered"
    assert live["acme-2"].profile["max_input_tokens"] == 32000
