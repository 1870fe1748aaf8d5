"""goose and Polydev spellings load into the same canonical spec."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from polyport_core.spec import ProviderSpec, SpecError, load_file, load_spec, parse_spec

GOOSE = {
    "name": "custom_local",
    "engine": "openai",
    "display_name": "My Local",
    "description": "local llama.cpp",
    "api_key_env": "CUSTOM_LOCAL_KEY",
    "base_url": "http://127.0.0.1:8080",
    "base_path": "v1/chat/completions",
    "models": [{"name": "gemma", "context_limit": 4096}],
    "requires_auth": False,
    "supports_streaming": True,
    "timeout_seconds": 60,
    "headers": {"X-Team": "research"},
}

POLYDEV = {
    "providers": {
        "my-custom-provider": {
            "apiKey": "${MY_CUSTOM_KEY}",
            "baseUrl": "http://localhost:8080/v1",
            "api": "openai-completions",
            "models": [
                {
                    "id": "my-model",
                    "name": "My Custom Model",
                    "contextWindow": 32768,
                    "maxTokens": 4096,
                    "reasoning": False,
                    "input": ["text", "image"],
                    "cost": {"input": 0.5, "output": 1.5, "cacheRead": 0.05, "cacheWrite": 0.6},
                }
            ],
        }
    }
}


def _write(tmp_path: Path, data: object, name: str = "p.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_goose_file(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path, GOOSE))
    assert spec.id == "custom_local"
    assert spec.display_name == "My Local"
    assert spec.base_url == "http://127.0.0.1:8080/v1"
    assert spec.timeout == 60
    assert spec.auth.api_key_env == "CUSTOM_LOCAL_KEY"
    assert spec.auth.required is False
    assert spec.models[0].id == "gemma"
    assert spec.models[0].context_window == 4096
    assert spec.source == str(tmp_path / "p.json")


def test_goose_host_and_header_auth(tmp_path: Path) -> None:
    data = {
        "name": "my-provider",
        "engine": "openai",
        "host": "https://api.myprovider.com/v1",
        "models": [{"name": "m7b", "context_window": 8192, "supports_tools": True, "supports_vision": False}],
        "auth": {"type": "header", "header_name": "Authorization", "header_value": "Bearer ${MY_KEY}"},
    }
    spec = load_spec(_write(tmp_path, data), env={})
    assert spec.base_url == "https://api.myprovider.com/v1"
    assert spec.models[0].tools is True
    assert spec.models[0].vision is False
    # secrets stay references until a model is created
    assert spec.auth.header_value is not None
    assert spec.auth.header_value.get_secret_value() == "Bearer ${MY_KEY}"


def test_polydev_file(tmp_path: Path) -> None:
    (spec,) = load_file(_write(tmp_path, POLYDEV), env={})
    assert spec.id == "my-custom-provider"
    assert spec.engine == "openai"
    model = spec.models[0]
    assert (model.id, model.display_name, model.context_window, model.max_output_tokens) == (
        "my-model",
        "My Custom Model",
        32768,
        4096,
    )
    assert model.vision is True
    assert model.pricing is not None
    assert model.pricing.input == Decimal("0.5")
    assert model.pricing.cache_write == Decimal("0.6")
    assert spec.auth.api_key is not None
    assert spec.auth.api_key.get_secret_value() == "${MY_CUSTOM_KEY}"


def test_canonical_round_trip_is_stable() -> None:
    spec = parse_spec(GOOSE, "mem", env={})
    again = parse_spec(spec.model_dump(mode="json", exclude_defaults=True, by_alias=True), "mem", env={})
    assert again.model_dump() == spec.model_dump()


def test_env_interpolation_with_default_and_optional_drop() -> None:
    data = {
        "id": "p",
        "engine": "openai",
        "base_url": "${PP_HOST:-http://localhost:9}/v1",
        "description": "${PP_UNSET_DESCRIPTION}",
        "headers": {"X-Org": "${PP_ORG}"},
    }
    spec = parse_spec(data, "mem", env={"PP_ORG": "acme"})
    assert spec.base_url == "http://localhost:9/v1"
    assert spec.description is None
    assert spec.headers == {"X-Org": "acme"}
    with pytest.raises(
        SpecError, match=r"mem: \$\.headers\[\"X-Org\"\]: expected environment variable PP_ORG"
    ):
        parse_spec(data, "mem", env={})


def test_literal_key_warns_and_never_leaks(tmp_path: Path) -> None:
    data = {"id": "p", "engine": "openai", "base_url": "http://h/v1", "apiKey": "sk-live-SECRET-123"}
    with pytest.warns(UserWarning, match="literal auth.api_key"):
        spec = parse_spec(data, "mem")
    assert "SECRET" not in repr(spec)
    bad = {**data, "timeout": "soon", "headers": {"Authorization": "Bearer sk-live-SECRET-123\n"}}
    with pytest.raises(SpecError) as info:
        parse_spec(bad, "mem")
    assert "SECRET" not in str(info.value)


def test_model_shorthand_strings() -> None:
    spec = parse_spec({"id": "p", "engine": "openai", "base_url": "http://h/v1", "models": ["a", "b"]}, "mem")
    assert [m.id for m in spec.models] == ["a", "b"]


def test_quirks_merge_model_over_provider() -> None:
    spec = ProviderSpec.model_validate(
        {
            "id": "p",
            "engine": "openai",
            "base_url": "http://h/v1",
            "quirks": {"drop_params": ["strict"], "developer_as_system": True},
            "models": [
                {"id": "m", "quirks": {"drop_params": ["parallel_tool_calls"], "developer_as_system": False}}
            ],
        }
    )
    model = spec.model("m")
    assert model is not None
    merged = spec.quirks.merged(model.quirks)
    assert merged.drop_params == ["parallel_tool_calls", "strict"]
    assert merged.developer_as_system is False
