"""goose files as goose writes them and Polydev files as Polydev documents them load, and every
field lands where polyport reads it.

The corpus (``tests/fixtures/dialects``) is written from the two formats: goose's
``DeclarativeProviderConfig`` (crates/goose/src/config/declarative_providers.rs and its
``ModelInfo``: every optional field serialised, ``null`` when unset, costs in USD per token)
and Polydev's ``ProviderConfig`` (camelCase; per-type fields for Azure, Bedrock, Vertex and
custom adapters; a ``security`` block).
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from polyport_core.spec import SpecError, load_spec, parse_spec

CORPUS = Path(__file__).parents[2] / "fixtures" / "dialects"
ENV = {
    "CUSTOM_ACME_API_KEY": "acme-key",
    "CUSTOM_CLAUDE_PROXY_API_KEY": "proxy-key",
    "TOGETHER_API_KEY": "together-key",
    "AZURE_KEY": "azure-key",
    "GATEWAY_TOKEN": "gw-token",
}

EXPECTED: dict[str, dict[str, Any]] = {
    "goose/custom_local_llama.json": {
        "dialect": "goose",
        "id": "custom_local_llama",
        "display_name": "Local llama",
        "engine": "openai",
        "base_url": "http://127.0.0.1:8080/v1",  # the endpoint URL goose stores, as a base
        "auth.type": "none",
        "auth.required": False,
        "headers": {},
        "timeout": None,
        "streaming": True,
        "models[0].id": "gemma",
        "models[0].context_window": 4096,
        "models[0].pricing": None,
    },
    "goose/custom_acme.json": {
        "dialect": "goose",
        "id": "custom_acme",
        "engine": "openai",  # openai_compatible
        "base_url": "https://api.acme.example/v2",  # base_path v2/chat/completions
        "auth.type": "bearer",
        "auth.api_key_env": "CUSTOM_ACME_API_KEY",
        "auth.required": True,
        "headers": {"X-Acme-Team": "research"},
        "timeout": 120,
        "streaming": False,
        "catalog_provider_id": "acme",
        "models[0].id": "acme-large",
        "models[0].context_window": 131072,
        "models[0].pricing.input": Decimal("2.5"),  # 0.0000025 USD per token
        "models[0].pricing.output": Decimal("10"),
        "models[1].pricing": None,
        "notes": ["goose prices read as USD per token (stored as USD per million tokens)"],
    },
    "goose/custom_claude_proxy.json": {
        "engine": "anthropic",
        "base_url": "https://claude-proxy.example.com",
        "auth.api_key_env": "CUSTOM_CLAUDE_PROXY_API_KEY",
        "timeout": 600,
        "models[0].id": "claude-sonnet-4-5",
        "models[0].context_window": 200000,
        "models[0].pricing.input": Decimal("3"),
        "models[0].pricing.output": Decimal("15"),
    },
    "goose/custom_home_ollama.json": {
        "engine": "ollama",
        "base_url": "http://192.168.1.20:11434",
        "description": None,
        "auth.type": "none",
        "timeout": 300,
        "models[0].id": "qwen3:8b",
    },
    "goose/custom_sso_gateway.json": {
        "auth.type": "oauth2_pkce",  # goose "oauth": a person's sign-in (polyport auth login)
        "auth.client_id": "goose-desktop",
        "auth.authorization_url": "https://sso.corp.example/oauth2/authorize",
        "auth.token_url": "https://sso.corp.example/oauth2/token",
        "auth.scopes": ["openid", "llm.use"],
        "base_url": "https://llm.corp.example/v1",
        "timeout": None,
    },
    "goose/lmstudio_env_vars.json": {
        "id": "my_lmstudio",
        "base_url": "http://localhost:1234/v1",  # env_vars default, endpoint suffix removed
        "env_vars[0].name": "MY_LMSTUDIO_HOST",
        "env_vars[0].default": "http://localhost:1234/v1",
        "auth.type": "none",
        "models": [],
    },
    "polydev/together_openai_compatible.json": {
        "dialect": "polydev",
        "id": "together",
        "display_name": "Together AI",
        "engine": "openai",
        "enabled": True,
        "priority": 80,
        "base_url": "https://api.together.xyz/v1",
        "auth.type": "header",  # the key goes where the {api_key} header says, nowhere else
        "auth.header_name": "Authorization",
        "headers": {"X-Client": "polydev"},
        "timeout": 60,
        "max_retries": 2,
        "default_model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "limits.requests_per_minute": 600,
        "limits.max_concurrency": 8,
        "budget.daily_usd": Decimal("5"),
        "budget.monthly_usd": Decimal("100"),
        "budget.alert_threshold": 0.8,  # 80 read as a percentage
        "default_params": {"temperature": 0.2, "top_p": 0.9},
        "models[0].display_name": "Llama 3.3 70B",
        "models[0].context_window": 131072,
        "models[0].pricing.input": Decimal("0.88"),  # 0.00088 per 1K tokens
        "models[1].pricing": None,
    },
    "polydev/azure_openai.json": {
        "engine": "azure-openai",
        "base_url": "https://contoso.openai.azure.com",
        "api_version": "2024-10-21",
        "auth.type": "header",
        "auth.header_name": "api-key",
        "timeout": 30.0,  # 30000 ms
        "max_retries": 3,
        "priority": 90,
        "models[0].deployment": "gpt4o-prod",
        "models[0].pricing.input": Decimal("2.5"),
        "models[0].pricing.output": Decimal("10"),
        "limits.requests_per_minute": 60,
        "limits.requests_per_hour": 1000,
        "limits.max_concurrency": 4,
        "budget.alert_threshold": 0.8,
        "tls.verify": True,
        "tls.min_version": "1.2",
        "default_model": "gpt-4o",
    },
    "polydev/bedrock_claude.json": {
        "engine": "anthropic-bedrock",
        "region": "us-west-2",
        "base_url": "https://bedrock-runtime.us-west-2.amazonaws.com",
        "auth.type": "none",
        "timeout": 120,
        "budget.monthly_usd": Decimal("50"),
        "models[0].id": "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "models[0].pricing.output": Decimal("15"),
    },
    "polydev/vertex_claude.json": {
        "engine": "anthropic-vertex",
        "project_id": "acme-ml-prod",
        "region": "us-east5",
        "credentials_file": "/etc/polydev/vertex-sa.json",
        "base_url": "https://us-east5-aiplatform.googleapis.com/v1",
        "limits.requests_per_minute": 30,
        "models[0].id": "claude-sonnet-4@20250514",
    },
    "polydev/custom_adapter_openai.json": {
        "engine": "openai",
        "enabled": False,
        "adapter.request_format": "openai",
        "adapter.response_format": "openai",
        "adapter.streaming": False,
        "streaming": False,
        "tls.min_version": "1.3",
        "tls.verify": True,
    },
    "polydev/selfsigned_insecure.json": {
        "tls.verify": False,
        "tls.min_version": "1.2",
        "base_url": "https://10.0.0.5:8443/v1",
    },
}


def _dig(obj: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+", path):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


def _load(name: str, env: dict[str, str] | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # literal keys in Polydev files are warned about
        return load_spec(CORPUS / name, env=ENV if env is None else env)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_maps_every_field(name: str) -> None:
    spec = _load(name)
    for path, expected in EXPECTED[name].items():
        assert _dig(spec, path) == expected, path


def test_corpus_is_complete() -> None:
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("[gp]*/*.json")}
    assert files == set(EXPECTED)


def test_polydev_secrets_are_secret_and_never_printed() -> None:
    spec = _load("polydev/bedrock_claude.json")
    assert spec.aws is not None
    assert spec.aws.secret_access_key is not None
    assert spec.aws.secret_access_key.get_secret_value() == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert "wJalr" not in repr(spec)
    assert "wJalr" not in str(spec.model_dump())
    assert "AKIAEXAMPLE" not in repr(spec)


def test_polydev_key_stays_a_reference_until_a_model_is_built() -> None:
    spec = _load("polydev/together_openai_compatible.json", env={})
    assert spec.auth.api_key is not None
    assert spec.auth.api_key.get_secret_value() == "${TOGETHER_API_KEY}"


def test_polydev_notes_name_the_price_unit() -> None:
    assert "USD per 1K tokens" in " ".join(_load("polydev/together_openai_compatible.json").notes)
    assert _load("polydev/custom_adapter_openai.json").notes == []  # no prices, no note


UNSERVABLE = {
    "unservable/vertex_gemini.json": (
        "$.models[0].id",
        "Claude",
        "type 'openai-compatible'",
        "'gemini-1.5-pro'",
    ),
    "unservable/custom_adapter_unregistered.json": (
        "$.adapterConfig.requestFormat",
        "registered adapter",
        "'polyport.engines'",
        '"soap-xml"',
    ),
    "unservable/custom_adapter_mixed_formats.json": (
        "$.adapterConfig.responseFormat",
        "the same format as requestFormat ('openai')",
        "'anthropic'",
    ),
    "unservable/goose_generic_http.json": (
        "$.engine",
        "generic_http",
        "polyport's 'http' engine",
    ),
    "unservable/custom_adapter_without_config.json": (
        "$.adapterConfig.requestFormat",
        "registered adapter",
        "found nothing",
    ),
}


def test_unservable_corpus_is_complete() -> None:
    assert {str(p.relative_to(CORPUS)) for p in CORPUS.glob("unservable/*.json")} == set(UNSERVABLE)


@pytest.mark.parametrize("name", sorted(UNSERVABLE))
def test_what_polyport_cannot_serve_is_one_clear_line(name: str) -> None:
    with pytest.raises(SpecError) as info:
        _load(name)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(str(CORPUS / name))
    assert "field required" not in text.lower()
    for fragment in UNSERVABLE[name]:
        assert fragment in text


def test_unknown_polydev_type_names_the_types() -> None:
    with pytest.raises(SpecError, match=r"\$\.type: expected a Polydev type \(openai-compatible, azure-openai"):
        parse_spec({"id": "x", "type": "gemini", "baseUrl": "https://x.example"}, "f.json", env={})


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("timeout", "${TIMEOUT:-30}", 30.0),
        ("max_retries", "${RETRIES:-4}", 4),
        ("enabled", "${ENABLED:-false}", False),
        ("priority", "${PRIO}", 7),
        ("streaming", "${STREAM}", False),
    ],
)
def test_env_references_fill_numbers_and_booleans(field: str, raw: str, expected: Any) -> None:
    doc = {"id": "p", "engine": "openai", "base_url": "http://x.example/v1", field: raw}
    spec = parse_spec(doc, "f.json", env={"PRIO": "7", "STREAM": "no"})
    assert getattr(spec, field) == expected


def test_env_reference_in_nested_numbers() -> None:
    doc = {
        "id": "p",
        "engine": "openai",
        "base_url": "http://x.example/v1",
        "limits": {"requests_per_minute": "${RPM:-60}"},
        "budget": {"daily_usd": "${DAILY}"},
        "models": [{"id": "m", "context_window": "${CTX}"}],
    }
    spec = parse_spec(doc, "f.json", env={"DAILY": "2.50", "CTX": "8192"})
    assert spec.limits is not None
    assert spec.limits.requests_per_minute == 60
    assert spec.budget is not None
    assert spec.budget.daily_usd == Decimal("2.50")
    assert spec.models[0].context_window == 8192


def test_env_text_that_is_not_a_number_is_named() -> None:
    doc = {"id": "p", "engine": "openai", "base_url": "http://x.example/v1", "timeout": "${T}"}
    with pytest.raises(SpecError, match=r"\$\.timeout: expected a number"):
        parse_spec(doc, "f.json", env={"T": "soon"})


def test_a_literal_string_where_a_number_belongs_is_still_refused() -> None:
    doc = {"id": "p", "engine": "openai", "base_url": "http://x.example/v1", "timeout": "30"}
    with pytest.raises(SpecError, match=r"\$\.timeout"):
        parse_spec(doc, "f.json", env={})


def test_polyport_format_declares_the_cloud_engines() -> None:
    azure = parse_spec(
        {
            "id": "az",
            "engine": "azure-openai",
            "base_url": "https://contoso.openai.azure.com",
            "api_version": "2024-10-21",
            "auth": {"api_key_env": "AZ_KEY"},
            "models": [{"id": "gpt-4o", "deployment": "gpt4o-prod"}],
        },
        "az.json",
        env={},
    )
    assert azure.dialect == "polyport"
    assert azure.models[0].deployment == "gpt4o-prod"
    bedrock = parse_spec(
        {
            "id": "br",
            "engine": "anthropic-bedrock",
            "base_url": "https://bedrock-runtime.eu-west-1.amazonaws.com",
            "region": "eu-west-1",
            "aws": {"access_key_id": "${AWS_ACCESS_KEY_ID}", "secret_access_key": "${AWS_SECRET_ACCESS_KEY}"},
        },
        "br.json",
        env={},
    )
    assert bedrock.aws is not None
    assert bedrock.aws.secret_access_key is not None
    assert bedrock.aws.secret_access_key.get_secret_value() == "${AWS_SECRET_ACCESS_KEY}"  # resolved late


@pytest.mark.parametrize(
    ("doc", "where", "expected"),
    [
        ({"type": "openai-compatible"}, "$.baseUrl", "expected the server's URL"),
        ({"type": "azure-openai", "baseUrl": "https://c.openai.azure.com"}, "$.apiVersion", "api-version"),
        ({"type": "aws-bedrock"}, "$.region", "a region for aws-bedrock"),
    ],
)
def test_missing_polydev_fields_are_named_in_polydev_spelling(doc: dict[str, Any], where: str, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec({"id": "p", "name": "P", **doc}, "p.json", env={})
    assert f"p.json: {where}: " in str(info.value)
    assert expected in str(info.value)


def test_goose_url_without_a_path_gets_gooses_default_path_only_in_goose_written_files() -> None:
    written = {"name": "g", "engine": "openai", "display_name": "G", "api_key_env": "", "models": []}
    spec = parse_spec({**written, "base_url": "https://llm.example.com"}, "g.json", env={})
    assert spec.base_url == "https://llm.example.com/v1"  # goose calls v1/chat/completions there
    own = {"id": "p", "engine": "openai", "base_url": "https://api.perplexity.ai", "timeout_seconds": 30}
    assert parse_spec(own, "p.json", env={}).base_url == "https://api.perplexity.ai"
