from __future__ import annotations

import json
from pathlib import Path

import pytest
from polyport_core.errors import InvalidConfigError
from polyport_core.registry import Registry, project_paths, split_model


def _spec(folder: Path, provider: str, base_url: str, **extra: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"id": provider, "engine": "openai", "base_url": base_url, **extra}
    (folder / f"{provider}.json").write_text(json.dumps(data))


def test_presets_load_without_errors() -> None:
    registry = Registry.discover(plugins=False, user=False, project=[], env={})
    assert not registry.errors
    expected = {
        "together",
        "groq",
        "deepseek",
        "openrouter",
        "fireworks",
        "mistral",
        "xai",
        "perplexity",
        "huggingface",
        "vllm",
        "sglang",
        "lmstudio",
        "localai",
        "llamacpp",
        "ollama",
    }
    assert expected <= set(registry.specs)
    assert registry.get("groq").auth.api_key_env == "GROQ_API_KEY"


def test_later_sources_override_earlier(tmp_path: Path) -> None:
    user, project = tmp_path / "user", tmp_path / "project"
    _spec(user, "groq", "http://user.example/v1")
    _spec(project, "groq", "http://project.example/v1")
    registry = Registry.discover(plugins=False, user=user, project=[project], env={})
    assert registry.get("groq").base_url == "http://project.example/v1"
    assert registry.overridden["groq"] == ["preset:groq.json", str(user / "groq.json")]


def test_env_path_is_colon_separated(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    paths = project_paths({"POLYPORT_PROVIDERS_PATH": f"{a}:{b}"})
    assert paths[-2:] == [a, b]
    assert paths[0] == Path.cwd() / "polyport" / "providers"


def test_preset_base_url_follows_env() -> None:
    registry = Registry.discover(
        plugins=False, user=False, project=[], env={"VLLM_BASE_URL": "http://gpu:9000/v1"}
    )
    assert registry.get("vllm").base_url == "http://gpu:9000/v1"


def test_bad_user_file_is_reported_not_fatal(tmp_path: Path) -> None:
    _spec(tmp_path, "good", "http://localhost:1/v1")
    (tmp_path / "bad.json").write_text('{"id": "bad", "engine": "openai", "base_url": 5}')
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path], env={})
    assert list(registry.specs) == ["good"]
    assert len(registry.errors) == 1
    with pytest.raises(InvalidConfigError, match=r"failed to load: .*bad.json: \$\.base_url") as raised:
        registry.get("bad")
    assert str(raised.value).count("[provider=bad]") == 1  # the file's error, without its own suffix


def test_split_model_spellings() -> None:
    registry = Registry.discover(plugins=False, user=False, project=[], env={})
    assert split_model("together:meta-llama/Llama-3.3-70B", registry=registry) == (
        "together",
        "meta-llama/Llama-3.3-70B",
    )
    assert split_model("together/meta-llama/Llama-3.3-70B", registry=registry) == (
        "together",
        "meta-llama/Llama-3.3-70B",
    )
    assert split_model("ollama:llama3:8b", registry=registry) == ("ollama", "llama3:8b")
    assert split_model("llama3", provider="ollama", registry=registry) == ("ollama", "llama3")
    with pytest.raises(InvalidConfigError, match="provider:model"):
        split_model("no-provider-here", registry=registry)


def test_entry_point_plugin_is_discovered(plugin_on_path: None) -> None:
    import polyport_demo_plugin

    registry = Registry.discover(presets=False, user=False, project=[], env={})
    assert not registry.errors
    assert registry.get("demo").source == "plugin:demo"
    assert polyport_demo_plugin.DemoPlugin.initialised >= 1
    resolved = registry.get("demo-large")
    assert resolved.base_url == "http://127.0.0.1:9/demo-large/v1"
    with pytest.raises(InvalidConfigError, match="unknown provider 'other'"):
        registry.get("other")
