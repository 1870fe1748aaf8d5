"""goose and Polydev files on the one-line path: ``init_chat_model`` builds the engine their
type names with their settings; Azure, Bedrock and Vertex are declarable engines; a server
that cannot stream gets one plain call; the default model comes from the environment.

Wire fixtures follow the vendors' documents: Azure OpenAI's REST reference (``POST
{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...`` with the key in
the ``api-key`` header) and OpenAI's Chat Completions object.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import httpx2
import pytest
from polyport_anthropic import ChatAnthropicBedrock, ChatAnthropicVertex
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import Registry, goose_dir, init_chat_model, init_embeddings
from polyport_core.spec import load_file
from polyport_openai import AzureChatOpenAI, AzureOpenAIEmbeddings, ChatOpenAI

sys.path.insert(0, str(Path(__file__).parents[4] / "partners" / "openai" / "tests" / "unit_tests"))
from _wire import Recorder, completion, json_response

CORPUS = Path(__file__).parents[2] / "fixtures" / "dialects"


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def registry_of(*names: str) -> Registry:
    registry = Registry()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # literal keys in Polydev files
        for name in names:
            for spec in load_file(CORPUS / name):
                registry.add(spec)
    return registry


# ---------------------------------------------------------------- Azure
def test_polydev_azure_builds_azure_with_deployment_version_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_KEY", "azure-secret-key-1")
    registry = registry_of("polydev/azure_openai.json")
    recorder = Recorder(json_response(completion("from azure")))
    model = init_chat_model("azure-prod:gpt-4o", registry=registry, http_client=recorder.client(), max_retries=0)
    assert type(model) is AzureChatOpenAI
    assert model.azure_endpoint == "https://contoso.openai.azure.com"
    assert model.azure_deployment == "gpt4o-prod"
    assert model.api_version == "2024-10-21"
    assert model.timeout == 30.0
    assert "azure-secret-key-1" not in repr(model)

    answer = model.invoke("hi")
    assert answer.content == "from azure"
    request = recorder.requests[0]
    assert request.url.host == "contoso.openai.azure.com"
    assert request.url.path == "/openai/deployments/gpt4o-prod/chat/completions"
    assert request.url.params["api-version"] == "2024-10-21"
    assert request.headers["api-key"] == "azure-secret-key-1"
    assert "authorization" not in request.headers
    assert answer.response_metadata["cost_usd"] > 0  # Polydev prices: 0.0025/0.01 per 1K


def test_polyport_format_azure_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZ_KEY", "az-key-2")
    registry = Registry()
    registry.add(
        load_file_from(
            {
                "id": "az",
                "engine": "azure-openai",
                "base_url": "https://fabrikam.openai.azure.com/openai",
                "api_version": "2025-01-01-preview",
                "auth": {"type": "header", "header_name": "api-key", "api_key_env": "AZ_KEY"},
                "models": [{"id": "gpt-4o-mini"}],
            }
        )
    )
    recorder = Recorder(json_response(completion()))
    model = init_chat_model("az:gpt-4o-mini", registry=registry, http_client=recorder.client(), max_retries=0)
    model.invoke("hi")
    request = recorder.requests[0]
    assert request.url.path == "/openai/deployments/gpt-4o-mini/chat/completions"  # deployment = model id
    assert request.url.params["api-version"] == "2025-01-01-preview"
    assert request.headers["api-key"] == "az-key-2"


def load_file_from(doc: dict[str, Any]) -> Any:
    from polyport_core.spec import parse_spec

    return parse_spec(doc, "inline.json")


def test_azure_spec_embeddings_route_to_the_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZ_KEY", "az-key-3")
    registry = Registry()
    registry.add(
        load_file_from(
            {
                "id": "az",
                "engine": "azure-openai",
                "base_url": "https://fabrikam.openai.azure.com",
                "api_version": "2024-10-21",
                "auth": {"api_key_env": "AZ_KEY"},
                "models": [{"id": "text-embedding-3-small", "deployment": "embed-prod", "embeddings": True}],
            }
        )
    )
    body = {  # Azure OpenAI embeddings response: OpenAI's list object
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 2, "total_tokens": 2},
    }
    recorder = Recorder(json_response(body))
    embedder = init_embeddings("az:text-embedding-3-small", registry=registry, http_client=recorder.client())
    assert isinstance(embedder, AzureOpenAIEmbeddings)
    assert embedder.embed_query("hi") == pytest.approx([0.1, 0.2, 0.3])
    request = recorder.requests[0]
    assert request.url.path == "/openai/deployments/embed-prod/embeddings"
    assert request.url.params["api-version"] == "2024-10-21"
    assert request.headers["api-key"] == "az-key-3"


# ---------------------------------------------------------------- Bedrock / Vertex
def test_polydev_bedrock_builds_claude_on_bedrock_with_aws_keys() -> None:
    registry = registry_of("polydev/bedrock_claude.json")
    model = init_chat_model("bedrock-claude:anthropic.claude-3-5-sonnet-20241022-v2:0", registry=registry)
    assert type(model) is ChatAnthropicBedrock
    assert model.aws_region == "us-west-2"
    assert model.aws_access_key is not None
    assert model.aws_access_key.get_secret_value() == "AKIAEXAMPLEKEYID0001"
    assert model.aws_secret_key is not None
    assert model.aws_secret_key.get_secret_value() == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert model.api_key is None
    assert model.timeout == 120
    assert "wJalr" not in repr(model)


def test_bedrock_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_AWS_SECRET", "env-secret-abc")
    registry = Registry()
    registry.add(
        load_file_from(
            {
                "id": "br",
                "engine": "anthropic-bedrock",
                "base_url": "https://bedrock-runtime.eu-west-1.amazonaws.com",
                "region": "eu-west-1",
                "aws": {"access_key_id": "AKIAENV", "secret_access_key": "${MY_AWS_SECRET}", "profile": "dev"},
            }
        )
    )
    model = init_chat_model("br:anthropic.claude-3-haiku-20240307-v1:0", registry=registry)
    assert isinstance(model, ChatAnthropicBedrock)
    assert model.aws_secret_key is not None
    assert model.aws_secret_key.get_secret_value() == "env-secret-abc"
    assert model.aws_profile == "dev"


def test_bedrock_missing_key_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = Registry()
    registry.add(
        load_file_from(
            {
                "id": "br",
                "engine": "anthropic-bedrock",
                "base_url": "https://bedrock-runtime.eu-west-1.amazonaws.com",
                "aws": {"secret_access_key": "${NOT_SET_ANYWHERE}"},
            }
        )
    )
    with pytest.raises(InvalidConfigError, match=r"aws\.secret_access_key: environment variable NOT_SET_ANYWHERE"):
        init_chat_model("br:m", registry=registry)


def test_polydev_vertex_builds_claude_on_vertex() -> None:
    registry = registry_of("polydev/vertex_claude.json")
    model = init_chat_model("vertex-claude:claude-sonnet-4@20250514", registry=registry)
    assert type(model) is ChatAnthropicVertex
    assert model.project_id == "acme-ml-prod"
    assert model.region == "us-east5"
    assert model.credentials_file == "/etc/polydev/vertex-sa.json"


def test_polyport_format_vertex_engine() -> None:
    registry = Registry()
    registry.add(
        load_file_from(
            {
                "id": "vx",
                "engine": "anthropic-vertex",
                "base_url": "https://europe-west1-aiplatform.googleapis.com/v1",
                "project_id": "p-123",
                "region": "europe-west1",
                "timeout": 45,
                "headers": {"X-Team": "ml"},
            }
        )
    )
    model = init_chat_model("vx:claude-sonnet-4-5@20250929", registry=registry)
    assert type(model) is ChatAnthropicVertex
    assert (model.project_id, model.region, model.timeout) == ("p-123", "europe-west1", 45)
    assert model.credentials_file is None
    assert model.base_url == "https://europe-west1-aiplatform.googleapis.com/v1"


def test_vertex_key_file_problem_is_one_clear_line() -> None:
    registry = registry_of("polydev/vertex_claude.json")
    model = init_chat_model("vertex-claude:claude-sonnet-4@20250514", registry=registry, max_retries=0)
    with pytest.raises(InvalidConfigError, match=r"credentials_file /etc/polydev/vertex-sa.json: ") as info:
        model.invoke("hi")
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- streaming: false
def test_goose_supports_streaming_false_streams_as_one_plain_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOM_ACME_API_KEY", "acme-key")
    registry = registry_of("goose/custom_acme.json")
    recorder = Recorder(json_response(completion("whole answer")))
    model = init_chat_model("custom_acme:acme-large", registry=registry, http_client=recorder.client())
    assert isinstance(model, ChatOpenAI)
    chunks = list(model.stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "whole answer"
    assert len(recorder.requests) == 1
    body = json.loads(recorder.requests[0].content)
    assert "stream" not in body
    assert recorder.requests[0].url.path == "/v2/chat/completions"
    assert recorder.requests[0].headers["authorization"] == "Bearer acme-key"
    assert recorder.requests[0].headers["x-acme-team"] == "research"


def test_polydev_custom_adapter_names_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_TOKEN", "gw-token")
    registry = registry_of("polydev/custom_adapter_openai.json")
    spec = registry.get("inhouse-gateway")
    spec.enabled = True
    recorder = Recorder(json_response(completion("gw")))
    model = init_chat_model("inhouse-gateway:gw-default", registry=registry, http_client=recorder.client())
    assert isinstance(model, ChatOpenAI)
    assert model.disable_streaming is True  # streamingSupport: false
    assert [c.content for c in model.stream("x")] == ["gw"]
    assert "stream" not in json.loads(recorder.requests[0].content)


# ---------------------------------------------------------------- default model from the environment
@pytest.fixture
def two_providers(monkeypatch: pytest.MonkeyPatch) -> Registry:
    registry = Registry()
    registry.add(
        load_file_from(
            {"id": "local", "engine": "openai", "base_url": "http://127.0.0.1:9/v1", "default_model": "gemma"}
        )
    )
    registry.add(load_file_from({"id": "other", "engine": "openai", "base_url": "http://127.0.0.1:9/v1"}))
    return registry


@pytest.mark.parametrize(
    ("env", "provider", "model"),
    [
        ({"POLYPORT_PROVIDER": "other", "POLYPORT_MODEL": "m1"}, "other", "m1"),
        ({"POLYPORT_MODEL": "other:m2"}, "other", "m2"),
        ({"POLYPORT_PROVIDER": "other", "POLYPORT_MODEL": "other:m3"}, "other", "m3"),
        ({"POLYPORT_PROVIDER": "local"}, "local", "gemma"),  # the spec's default_model
        ({"GOOSE_PROVIDER": "other", "GOOSE_MODEL": "g1"}, "other", "g1"),
        ({"POLYPORT_PROVIDER": "local", "GOOSE_PROVIDER": "other", "GOOSE_MODEL": "g1"}, "local", "gemma"),
    ],
)
def test_init_chat_model_without_a_model_reads_the_environment(
    two_providers: Registry, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], provider: str, model: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    built = init_chat_model(registry=two_providers)
    assert isinstance(built, ChatOpenAI)
    assert built.provider == provider
    assert built.model_name == model


def test_provider_argument_alone_uses_default_model(two_providers: Registry) -> None:
    built = init_chat_model(provider="local", registry=two_providers)
    assert isinstance(built, ChatOpenAI)
    assert built.model_name == "gemma"


def test_nothing_set_is_a_clear_error(two_providers: Registry) -> None:
    with pytest.raises(InvalidConfigError, match=r"no model given: .*POLYPORT_PROVIDER and POLYPORT_MODEL"):
        init_chat_model(registry=two_providers)


def test_provider_without_default_model_names_the_fix(two_providers: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_PROVIDER", "other")
    with pytest.raises(InvalidConfigError, match=r"provider 'other' \(from \$POLYPORT_PROVIDER\).*default_model"):
        init_chat_model(registry=two_providers)


# ---------------------------------------------------------------- goose's own folder
def test_goose_custom_providers_folder_is_a_discovery_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    folder = goose_dir()
    assert folder == tmp_path / "xdg" / "goose" / "custom_providers"
    folder.mkdir(parents=True)
    (folder / "custom_local_llama.json").write_text((CORPUS / "goose/custom_local_llama.json").read_text())
    registry = Registry.discover(presets=False, plugins=False, user=tmp_path / "none", project=[])
    spec = registry.get("custom_local_llama")
    assert spec.source == str(folder / "custom_local_llama.json")
    assert spec.dialect == "goose"


def test_goose_dir_defaults_to_home_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert goose_dir() == tmp_path / ".config" / "goose" / "custom_providers"


def test_polyport_user_file_wins_over_goose_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    goose = goose_dir()
    goose.mkdir(parents=True)
    (goose / "p.json").write_text(json.dumps({"name": "dup", "engine": "openai", "base_url": "http://a.example/v1"}))
    user = tmp_path / "user"
    user.mkdir()
    (user / "p.json").write_text(json.dumps({"id": "dup", "engine": "openai", "base_url": "http://b.example/v1"}))
    registry = Registry.discover(presets=False, plugins=False, user=user, project=[])
    assert registry.get("dup").base_url == "http://b.example/v1"
    assert registry.overridden["dup"] == [str(goose / "p.json")]


def test_no_user_sources_means_no_goose_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    goose_dir().mkdir(parents=True)
    (goose_dir() / "p.json").write_text(json.dumps({"name": "g", "engine": "openai", "base_url": "http://a.example"}))
    assert "g" not in Registry.discover(presets=False, plugins=False, user=False, project=[]).specs
    assert "g" in Registry.discover(presets=False, plugins=False, user=False, project=[], goose=True).specs


def test_httpx2_is_the_sdk_transport() -> None:
    assert Recorder(json_response(completion())).client().__class__ is httpx2.Client
