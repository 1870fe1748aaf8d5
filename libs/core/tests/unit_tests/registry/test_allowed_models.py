"""``allowed_models``: a provider file's allowlist refuses every other model id before anything is built."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import Registry, init_chat_model, init_embeddings
from polyport_core.spec import SpecError, load_spec
from polyport_openai import ChatOpenAI

SPEC: dict[str, Any] = {
    "id": "acme",
    "engine": "openai",
    "base_url": "https://llm.acme.test/v1",
    "auth": {"type": "none"},
    "models": [{"id": "acme-1"}, {"id": "acme-2"}, {"id": "acme-embed", "embeddings": True}],
    "allowed_models": ["acme-1", "acme-embed"],
}


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    (tmp_path / "acme.json").write_text(json.dumps(SPEC))
    return Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path], env={})


def test_an_allowed_model_builds(registry: Registry) -> None:
    model = init_chat_model("acme:acme-1", registry=registry, governance=False)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "acme-1"


@pytest.mark.parametrize("model_id", ["acme-2", "gpt-4o"])
def test_any_other_model_is_refused_naming_the_file_and_the_list(registry: Registry, model_id: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        init_chat_model(f"acme:{model_id}", registry=registry)
    message = str(caught.value)
    assert f"model {model_id!r} is not allowed for provider 'acme'" in message
    assert "acme.json" in message
    assert "acme-1, acme-embed" in message


def test_embeddings_obey_the_allowlist_too(registry: Registry) -> None:
    with pytest.raises(InvalidConfigError, match="'acme-2' is not allowed"):
        init_embeddings("acme:acme-2", registry=registry)


def test_a_default_model_outside_the_allowlist_does_not_load(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps({**SPEC, "default_model": "acme-2"}))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert "default_model 'acme-2' among allowed_models" in str(caught.value)


def test_no_allowlist_allows_every_model(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps({k: v for k, v in SPEC.items() if k != "allowed_models"}))
    spec = load_spec(path)
    assert spec.allows("anything-at-all")
