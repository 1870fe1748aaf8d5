"""``polyport providers validate`` on goose and Polydev files: a note names the price unit it
assumed for Polydev prices; what polyport cannot serve is one error line naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from polyport_core.cli import app
from polyport_core.registry import get_registry, reload_registry
from typer.testing import CliRunner

CORPUS = Path(__file__).parents[2] / "fixtures" / "dialects"
runner = CliRunner()


def test_validate_notes_the_assumed_polydev_price_unit() -> None:
    path = CORPUS / "polydev" / "together_openai_compatible.json"
    result = runner.invoke(app, ["providers", "validate", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note")]
    assert "note  together: Polydev prices read as USD per 1K tokens" in "\n".join(notes)
    assert len([n for n in notes if "USD per 1K tokens" in n]) == 1


def test_validate_prints_no_price_note_without_prices() -> None:
    path = CORPUS / "goose" / "custom_local_llama.json"
    result = runner.invoke(app, ["providers", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "note" not in result.output


def test_validate_json_carries_the_notes() -> None:
    path = CORPUS / "polydev" / "azure_openai.json"
    result = runner.invoke(app, ["providers", "validate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    valid = json.loads(result.stdout)["valid"]
    assert valid[0]["id"] == "azure-prod"
    assert any("USD per 1K tokens" in note for note in valid[0]["notes"])


def test_validate_names_what_cannot_be_served() -> None:
    path = CORPUS / "unservable" / "vertex_gemini.json"
    result = runner.invoke(app, ["providers", "validate", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert f"{path}: $.models[0].id: expected a Claude model" in result.output
    assert "field required" not in result.output.lower()


def test_gooses_own_providers_appear_in_providers_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "goose" / "custom_providers"
    folder.mkdir(parents=True)
    (folder / "custom_acme.json").write_text((CORPUS / "goose" / "custom_acme.json").read_text())
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    previous = get_registry()
    reload_registry()  # the process-wide registry, discovered again with goose's folder in place
    try:
        result = runner.invoke(app, ["providers", "list", "--json"])
    finally:
        reload_registry(previous)
    assert result.exit_code == 0, result.output
    listed = {row["id"]: row for row in json.loads(result.stdout)["providers"]}
    assert "custom_acme" in listed
    assert listed["custom_acme"]["source"] == str(folder / "custom_acme.json")
