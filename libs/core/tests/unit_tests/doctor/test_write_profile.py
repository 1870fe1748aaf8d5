"""``write_profile``: observed capabilities land in the user's file, in the user's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from polyport_core.doctor import ProfileWriteError, write_profile
from polyport_core.registry import Registry
from polyport_core.spec import load_spec

OBSERVED = {"tools": True, "tool_choice": True, "parallel_tool_calls": False, "streaming_usage": True}


def test_keeps_key_order_indent_and_other_fields(tmp_path: Path) -> None:
    path = tmp_path / "local.json"
    path.write_text(
        '{\n    "id": "local",\n    "engine": "openai",\n    "base_url": "http://127.0.0.1:9/v1",\n'
        '    "models": [\n        {"id": "other"},\n        {"id": "gemma", "context_window": 4096, "tools": false}\n'
        '    ],\n    "quirks": {"forced_tool_calls": "json_schema"}\n}\n'
    )
    write_profile(load_spec(path), "gemma", OBSERVED)
    text = path.read_text()
    data = json.loads(text)
    assert list(data) == ["id", "engine", "base_url", "models", "quirks"]
    assert text.startswith('{\n    "id": "local"')
    assert text.endswith("}\n")
    assert data["models"][0] == {"id": "other"}
    assert data["models"][1] == {"id": "gemma", "context_window": 4096, **OBSERVED}
    assert data["quirks"] == {"forced_tool_calls": "json_schema"}
    spec = load_spec(path)
    declared = spec.model("gemma")
    assert declared is not None
    assert declared.tools is True
    assert declared.parallel_tool_calls is False


def test_goose_spellings_are_updated_in_place_and_missing_model_is_added(tmp_path: Path) -> None:
    path = tmp_path / "goose.json"
    doc = {
        "name": "mine",
        "engine": "openai",
        "host": "http://127.0.0.1:9",
        "models": [{"name": "gemma", "supports_tools": False}],
    }
    path.write_text(json.dumps(doc, indent=2))
    write_profile(load_spec(path), "gemma", {"tools": True})
    write_profile(load_spec(path), "new-model", {"json_schema": True})
    data = json.loads(path.read_text())
    assert data["models"] == [{"name": "gemma", "supports_tools": True}, {"name": "new-model", "json_schema": True}]
    assert not path.read_text().endswith("\n")


def test_presets_are_refused_without_a_copy_and_copied_with_one(tmp_path: Path) -> None:
    registry = Registry.discover(plugins=False, user=False, project=[])
    spec = registry.get("llamacpp")
    with pytest.raises(ProfileWriteError, match="read-only; rerun with --copy-to"):
        write_profile(spec, "gemma", OBSERVED)
    path = write_profile(spec, "gemma", OBSERVED, copy_to=tmp_path)
    assert path == tmp_path / "llamacpp.json"
    data = json.loads(path.read_text())
    assert data["quirks"]["forced_tool_calls"] == "json_schema"
    assert data["models"] == [{"id": "gemma", **OBSERVED}]
    assert "$schema" not in data
    with pytest.raises(ProfileWriteError, match="already exists"):
        write_profile(spec, "gemma", OBSERVED, copy_to=tmp_path)


def test_an_update_that_would_not_load_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "local.json"
    original = json.dumps({"id": "local", "engine": "openai", "base_url": "http://127.0.0.1:9/v1"})
    path.write_text(original)
    with pytest.raises(ProfileWriteError, match="would not load"):
        write_profile(load_spec(path), "gemma", {"dimensions": -1})
    assert path.read_text() == original
    assert [p.name for p in tmp_path.iterdir()] == ["local.json"]
