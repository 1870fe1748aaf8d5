"""A goose file as goose writes it (found in goose's own folder) and a Polydev file as Polydev
documents it, each one real call through ``init_chat_model`` against the local llama.cpp server.

The model is a tiny base model: calls cap ``max_tokens`` and use temperature 0; assertions
are about the protocol and the declared settings, never about wisdom.
"""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from polyport_core.registry import Registry, init_chat_model
from polyport_core.testing import LlamaServer

pytestmark = pytest.mark.local_server


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def test_goose_written_file_in_gooses_folder_answers(
    llama_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "config" / "goose" / "custom_providers"
    folder.mkdir(parents=True)
    goose_file = {  # every optional field serialised, as goose's serde output has it
        "name": "custom_local",
        "engine": "openai_compatible",
        "display_name": "Local",
        "description": "Custom Local provider",
        "api_key_env": "",
        "base_url": f"{llama_server.openai_base_url}/chat/completions",
        "models": [
            {
                "name": "gemma",
                "context_limit": 4096,
                "input_token_cost": None,
                "output_token_cost": None,
                "currency": None,
                "supports_cache_control": None,
            }
        ],
        "headers": None,
        "timeout_seconds": 120,
        "supports_streaming": False,
    }
    (folder / "custom_local.json").write_text(json.dumps(goose_file, indent=2))
    registry = Registry.discover(presets=False, plugins=False, user=tmp_path / "no-user-dir", project=[])
    assert registry.errors == []

    model = init_chat_model("custom_local:gemma", registry=registry, max_tokens=12, temperature=0)
    answer = model.invoke("The capital of France is")
    assert isinstance(answer, AIMessage)
    assert isinstance(answer.content, str)
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] > 0
    assert answer.response_metadata["provider"] == "custom_local"

    chunks = list(model.stream("One, two,"))  # supports_streaming: false → one plain call
    assert len(chunks) == 1
    assert chunks[0].usage_metadata is not None


def test_polydev_documented_file_answers_with_its_prices_and_default_model(
    llama_server: LlamaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    polydev_file = {
        "id": "local",
        "name": "Local llama.cpp",
        "type": "openai-compatible",
        "enabled": True,
        "priority": 60,
        "baseUrl": llama_server.openai_base_url,
        "apiKey": "${LOCAL_KEY:-unused-local-key}",
        "headers": {"X-Api-Key": "{api_key}"},
        "timeout": 120000,
        "maxRetries": 0,
        "models": [
            {"id": "gemma", "name": "Gemma 3 270M", "contextWindow": 4096, "pricing": {"input": 0.001, "output": 0.002}}
        ],
        "defaultModel": "gemma",
        "rateLimit": {"rpm": 100, "concurrent": 2},
        "budget": {"daily": 1, "alertThreshold": 0.9},
        "defaultParams": {"temperature": 0},
    }
    path = tmp_path / "providers" / "local.json"
    path.parent.mkdir()
    path.write_text(json.dumps(polydev_file))
    monkeypatch.setenv("POLYPORT_PROVIDER", "local")  # init_chat_model() with no model: defaultModel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        registry = Registry.discover(presets=False, plugins=False, user=False, project=[path.parent])
    spec = registry.get("local")
    assert spec.dialect == "polydev"
    assert spec.timeout == 120.0

    model = init_chat_model(registry=registry, max_tokens=12)
    answer = model.invoke("The capital of France is")
    assert isinstance(answer, AIMessage)
    usage = answer.usage_metadata
    assert usage is not None
    expected = (
        Decimal(usage["input_tokens"]) * Decimal("0.001") + Decimal(usage["output_tokens"]) * Decimal("0.002")
    ) / 1000  # USD per 1K tokens
    assert answer.response_metadata["cost_usd"] == pytest.approx(float(expected), rel=1e-9)
    assert answer.response_metadata["model_name"]
