"""``ConfigPatch``: the one writer of provider files after setup keeps the user's file as it was."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from polyport_core.registry import Registry
from polyport_core.spec import ConfigPatch, SpecPatchError, load_spec, write_spec_file

CANONICAL = (
    "{\n"
    '    "id": "local",\n'
    '    "engine": "openai",\n'
    '    "base_url": "http://127.0.0.1:9/v1",\n'
    '    "auth": {"type": "none"},\n'
    '    "models": [{"id": "gemma", "context_window": 4096}],\n'
    '    "budget": {"daily_usd": 1}\n'
    "}\n"
)


def write(tmp_path: Path, text: str, name: str = "local.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_model_models_and_allowlist_keep_order_indent_and_newline(tmp_path: Path) -> None:
    path = write(tmp_path, CANONICAL)
    patch = ConfigPatch().add_models(["gemma", {"id": "qwen", "context_window": 8192}])
    patch.set_default_model("qwen").set_allowed_models(["gemma", "qwen"])
    result = patch.apply_file(path)
    text = path.read_text()
    data = json.loads(text)
    assert list(data) == ["id", "engine", "base_url", "auth", "models", "budget", "default_model", "allowed_models"]
    assert text.startswith('{\n    "id": "local",\n    "engine"')
    assert text.endswith("}\n")
    assert data["models"] == [{"id": "gemma", "context_window": 4096}, {"id": "qwen", "context_window": 8192}]
    assert result.changes == [
        "models += gemma, qwen",
        "default_model = qwen",
        "allowed_models = gemma, qwen",
    ]
    spec = load_spec(path)
    assert (spec.default_model, spec.allowed_models) == ("qwen", ["gemma", "qwen"])


def test_adding_a_declared_model_keeps_its_facts(tmp_path: Path) -> None:
    path = write(tmp_path, CANONICAL)
    ConfigPatch().add_models([{"id": "gemma", "context_window": 128, "tools": True}]).apply_file(path)
    assert json.loads(path.read_text())["models"] == [{"id": "gemma", "context_window": 4096, "tools": True}]


def test_removing_the_allowlist(tmp_path: Path) -> None:
    path = write(tmp_path, CANONICAL)
    ConfigPatch().set_allowed_models(["gemma"]).apply_file(path)
    ConfigPatch().set_allowed_models(None).apply_file(path)
    assert "allowed_models" not in json.loads(path.read_text())


def test_goose_and_polydev_spellings_are_kept(tmp_path: Path) -> None:
    goose = write(
        tmp_path,
        json.dumps({"name": "g", "engine": "openai", "host": "http://127.0.0.1:9",
                    "models": [{"name": "gemma", "context_limit": 4096}]}, indent=2),
        "g.json",
    )  # fmt: skip
    ConfigPatch().set_model_fields("gemma", {"context_window": 2048, "tools": True}).add_models(["qwen"]).apply_file(
        goose
    )
    data = json.loads(goose.read_text())
    assert data["models"] == [{"name": "gemma", "context_limit": 2048, "tools": True}, {"name": "qwen"}]
    assert not goose.read_text().endswith("\n")
    tabbed = write(tmp_path, '{\n\t"id": "t",\n\t"engine": "openai",\n\t"baseUrl": "http://127.0.0.1:9"\n}', "t.json")
    ConfigPatch().set_default_model("m").apply_file(tabbed)
    assert (
        tabbed.read_text()
        == '{\n\t"id": "t",\n\t"engine": "openai",\n\t"baseUrl": "http://127.0.0.1:9",\n\t"default_model": "m"\n}'
    )


def test_one_provider_of_a_multi_provider_file(tmp_path: Path) -> None:
    doc = {"providers": {
        "a": {"engine": "openai", "base_url": "http://127.0.0.1:9/v1"},
        "b": {"engine": "openai", "base_url": "http://127.0.0.1:10/v1"},
    }}  # fmt: skip
    path = write(tmp_path, json.dumps(doc, indent=2), "two.json")
    ConfigPatch().set_default_model("m").apply_file(path, "b")
    data = json.loads(path.read_text())
    assert data["providers"]["b"]["default_model"] == "m"
    assert "default_model" not in data["providers"]["a"]
    with pytest.raises(SpecPatchError, match="no provider 'c' under 'providers'"):
        ConfigPatch().set_default_model("m").apply_file(path, "c")


def test_a_result_that_would_not_load_is_not_written(tmp_path: Path) -> None:
    path = write(tmp_path, CANONICAL)
    with pytest.raises(SpecPatchError) as caught:
        ConfigPatch().set_allowed_models(["gemma"]).set_default_model("other").apply_file(path)
    message = str(caught.value)
    assert f"{path} not written" in message
    assert "default_model 'other' among allowed_models" in message
    assert path.read_text() == CANONICAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["local.json"]  # no temporary file left


def test_the_file_mode_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path, CANONICAL)
    os.chmod(path, 0o640)
    ConfigPatch().set_default_model("gemma").apply_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_bad_model_ids_and_broken_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecPatchError, match="non-empty string"):
        ConfigPatch().set_default_model(" gemma")
    broken = write(tmp_path, '{"id": "x",', "broken.json")
    with pytest.raises(SpecPatchError, match=r"broken\.json: not valid JSON"):
        ConfigPatch().set_default_model("m").apply_file(broken)


def test_a_preset_is_never_edited_a_user_copy_is_written(tmp_path: Path) -> None:
    registry = Registry.discover(plugins=False, user=False, project=[])
    spec = registry.get("llamacpp")
    with pytest.raises(SpecPatchError, match=r"built-in preset .* read-only"):
        ConfigPatch().set_default_model("gemma").apply(spec)
    result = ConfigPatch().set_default_model("gemma").apply(spec, copy_to=tmp_path / "user")
    assert result.path == tmp_path / "user" / "llamacpp.json"
    assert result.copied_from == "preset:llamacpp.json"
    data = json.loads(result.path.read_text())
    assert data["base_url"] == "${LLAMACPP_BASE_URL:-http://localhost:8080/v1}"  # the reference, not its value
    assert data["default_model"] == "gemma"
    assert "$schema" not in data
    copy = Registry.discover(presets=True, plugins=False, user=tmp_path / "user", project=[]).get("llamacpp")
    assert copy.source == str(result.path)
    assert copy.default_model == "gemma"


def test_write_spec_file_refuses_to_overwrite_and_invalid_documents(tmp_path: Path) -> None:
    doc = {"id": "mine", "engine": "openai", "base_url": "http://127.0.0.1:9/v1"}
    path = write_spec_file(doc, tmp_path / "mine.json")
    assert json.loads(path.read_text()) == doc
    with pytest.raises(SpecPatchError, match="already exists"):
        write_spec_file(doc, path)
    with pytest.raises(SpecPatchError, match="would not load"):
        write_spec_file({**doc, "base_url": "not a url"}, tmp_path / "bad.json")
    assert not (tmp_path / "bad.json").exists()


def test_patch_provider_by_id_copies_a_preset_into_the_user_folder(tmp_path: Path) -> None:
    from polyport_core.registry import patch_provider, user_dir

    registry = Registry.discover(plugins=False, user=False, project=[])
    result = patch_provider("groq", ConfigPatch().set_allowed_models(["llama-3.1-8b-instant"]), registry=registry)
    assert result.path == user_dir() / "groq.json"  # the session's temporary XDG_CONFIG_HOME
    assert result.copied_from == "preset:groq.json"
    reloaded = Registry.discover(plugins=False, user=user_dir(), project=[]).get("groq")
    assert reloaded.allowed_models == ["llama-3.1-8b-instant"]
    result.path.unlink()
    own = write_spec_file({"id": "mine", "engine": "openai", "base_url": "http://127.0.0.1:9/v1"}, tmp_path / "m.json")
    mine = Registry.discover(presets=False, plugins=False, user=False, project=[tmp_path])
    assert patch_provider("mine", ConfigPatch().set_default_model("m"), registry=mine).path == own
