"""Model strings → models: ``provider:model``, ``model_provider=``, bare ids by priority, lists as chains."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import Registry, init_chat_model, init_embeddings, resolve_model
from polyport_core.routing import FallbackChatModel
from polyport_ollama import ChatOllama
from polyport_openai import ChatOpenAI, OpenAIEmbeddings


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def _provider(pid: str, priority: int, models: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "engine": "openai",
        "base_url": f"http://{pid}.test/v1",
        "priority": priority,
        "models": [{"id": m} for m in models],
        **extra,
    }


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    folder = tmp_path / "providers"
    folder.mkdir()
    docs = [
        _provider("alpha", 1, ["shared-m", "solo-a"]),
        _provider("bravo", 5, ["shared-m", "text-embedder"]),
        _provider("charlie", 1, ["shared-m"]),
        _provider("delta", 9, ["shared-m"], enabled=False),
        {"id": "local", "engine": "ollama", "base_url": "http://127.0.0.1:11434", "models": [{"id": "qwen3:8b"}]},
    ]
    for doc in docs:
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    return Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={})


def _members(model: Any) -> list[tuple[str, str]]:
    assert isinstance(model, FallbackChatModel)
    return [(m.provider, m.model_name) for m in model.models]


def test_bare_id_declared_by_several_is_a_fallback_in_priority_order(registry: Registry) -> None:
    model = init_chat_model("shared-m", registry=registry, governance=False)
    # bravo (5) first; alpha and charlie tie at 1 → by id; delta is disabled
    assert _members(model) == [("bravo", "shared-m"), ("alpha", "shared-m"), ("charlie", "shared-m")]


def test_bare_id_declared_once_is_that_model(registry: Registry) -> None:
    model = init_chat_model("solo-a", registry=registry, governance=False)
    assert isinstance(model, ChatOpenAI)
    assert (model.provider, model.model_name, model.base_url) == ("alpha", "solo-a", "http://alpha.test/v1")


def test_bare_id_with_a_colon_is_not_taken_for_a_provider(registry: Registry) -> None:
    model = init_chat_model("qwen3:8b", registry=registry, governance=False)
    assert isinstance(model, ChatOllama)
    assert (model.provider, model.model_name) == ("local", "qwen3:8b")


def test_list_is_a_chain_in_the_given_order(registry: Registry) -> None:
    model = init_chat_model(["charlie:shared-m", "alpha:solo-a", "local:llama3"], registry=registry, governance=False)
    assert _members(model) == [("charlie", "shared-m"), ("alpha", "solo-a"), ("local", "llama3")]
    assert isinstance(model.models[2], ChatOllama)


def test_list_entries_may_be_bare_ids_and_repeats_are_dropped(registry: Registry) -> None:
    targets = resolve_model(["alpha:shared-m", "shared-m"], registry=registry)
    assert [(s.id, m) for s, m in targets] == [("alpha", "shared-m"), ("bravo", "shared-m"), ("charlie", "shared-m")]


def test_unknown_bare_id_lists_similar_declared_models(registry: Registry) -> None:
    with pytest.raises(InvalidConfigError) as info:
        init_chat_model("shared-n", registry=registry)
    text = str(info.value)
    assert "no enabled provider declares the model 'shared-n'" in text
    assert "similar declared models: bravo:shared-m, alpha:shared-m, charlie:shared-m;" in text  # by priority
    assert "delta" not in text


def test_unknown_bare_id_without_neighbours_says_how_to_name_a_provider(registry: Registry) -> None:
    with pytest.raises(InvalidConfigError, match="'provider:model'") as info:
        init_chat_model("zzzzzz", registry=registry)
    assert "similar" not in str(info.value)


def test_bare_id_only_a_disabled_provider_declares(tmp_path: Path) -> None:
    (tmp_path / "d.json").write_text(json.dumps(_provider("delta", 9, ["only-d"], enabled=False)))
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path], env={})
    with pytest.raises(InvalidConfigError, match="declared by disabled provider delta"):
        init_chat_model("only-d", registry=registry)


def test_model_provider_keyword_as_in_langchain(registry: Registry) -> None:
    model = init_chat_model("whatever-7b", model_provider="charlie", registry=registry, governance=False)
    assert isinstance(model, ChatOpenAI)
    assert (model.provider, model.model_name) == ("charlie", "whatever-7b")


def test_model_provider_and_provider_must_agree(registry: Registry) -> None:
    with pytest.raises(InvalidConfigError, match="disagree"):
        init_chat_model("m", model_provider="alpha", provider="bravo", registry=registry)


def test_explicit_disabled_provider_is_refused(registry: Registry) -> None:
    with pytest.raises(InvalidConfigError, match="provider 'delta' is disabled"):
        init_chat_model("delta:shared-m", registry=registry)


def test_embeddings_bare_id_and_model_provider(registry: Registry) -> None:
    emb = init_embeddings("text-embedder", registry=registry, governance=False)
    assert isinstance(emb, OpenAIEmbeddings)
    assert (emb.provider, emb.model) == ("bravo", "text-embedder")
    other = init_embeddings("e5", model_provider="alpha", registry=registry, governance=False)
    assert isinstance(other, OpenAIEmbeddings)
    assert (other.provider, other.model) == ("alpha", "e5")


def test_empty_list_is_an_error(registry: Registry) -> None:
    with pytest.raises(InvalidConfigError, match="non-empty list"):
        init_chat_model([], registry=registry)
