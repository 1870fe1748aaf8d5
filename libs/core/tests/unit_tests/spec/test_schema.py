"""The published JSON Schema is generated from the models and kept in sync."""

from __future__ import annotations

import json
from importlib.resources import files

from polyport_core.spec import SCHEMA_PATH, provider_json_schema


def test_schema_file_is_up_to_date() -> None:
    shipped = json.loads(SCHEMA_PATH.read_text())
    assert shipped == provider_json_schema(), "run: uv run python -m polyport_core.spec"


def test_schema_documents_the_canonical_fields() -> None:
    schema = provider_json_schema()
    assert {"id", "engine", "base_url", "models", "auth", "quirks", "limits", "budget"} <= set(
        schema["properties"]
    )
    assert schema["required"] == ["id", "engine", "base_url"]
    assert schema["additionalProperties"] is False


def test_presets_are_valid_against_the_models() -> None:
    from polyport_core.spec import load_file

    folder = files("polyport_core.registry").joinpath("presets")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert len(names) >= 15
    for name in names:
        (spec,) = load_file(str(folder.joinpath(name)), env={})
        assert spec.id == name.removesuffix(".json")
