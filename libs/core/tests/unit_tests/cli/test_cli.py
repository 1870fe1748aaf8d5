from __future__ import annotations

import json
from pathlib import Path

import pytest
from polyport_core.cli import app
from typer.testing import CliRunner

BROKEN = Path(__file__).parents[1] / "spec" / "broken"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from polyport_core.registry import Registry, reload_registry

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLYPORT_PROVIDERS_PATH", raising=False)
    reload_registry(Registry.discover(plugins=False))


def test_providers_list_json() -> None:
    result = runner.invoke(app, ["providers", "list", "--json"], env={"GROQ_API_KEY": "x"})
    assert result.exit_code == 0, result.output
    rows = {p["id"]: p for p in json.loads(result.stdout)["providers"]}
    assert rows["groq"]["engine"] == "openai"
    assert rows["groq"]["key"] == {"status": "set", "required": True, "env": "GROQ_API_KEY"}
    assert rows["llamacpp"]["key"] == {"status": "missing", "required": False, "env": "LLAMACPP_API_KEY"}
    assert rows["sglang"]["key"] == {"status": "not_needed", "required": False, "env": None}


def test_providers_table_keeps_ids_and_urls_whole_when_narrow() -> None:
    result = runner.invoke(app, ["providers", "list"], env={"COLUMNS": "60"})
    assert result.exit_code == 0
    assert "…" not in result.stdout
    rows = [line.split("│")[1:-1] for line in result.stdout.splitlines() if line.startswith("│")]
    urls = "".join(cells[2].strip() for cells in rows)  # a folded URL continues on the next lines
    assert "https://api.together.xyz/v1" in urls
    assert "preset:together.json" in "".join(cells[5].strip() for cells in rows)


def test_providers_list_table() -> None:
    result = runner.invoke(app, ["providers", "list"])
    assert result.exit_code == 0
    assert "together" in result.stdout


def test_show_hides_nothing_secret_and_models_lists_prices() -> None:
    shown = runner.invoke(app, ["providers", "show", "deepseek", "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["base_url"] == "https://api.deepseek.com/v1"
    models = runner.invoke(app, ["providers", "models", "deepseek", "--json"])
    rows = {m["id"]: m for m in json.loads(models.stdout)["models"]}
    assert rows["deepseek-chat"]["price_source"].startswith("catalog:")


def test_unknown_provider_is_one_error_line() -> None:
    result = runner.invoke(app, ["providers", "show", "nope"])
    assert result.exit_code == 1
    assert "unknown provider 'nope'" in result.stderr
    assert "Traceback" not in result.output


def test_validate_reports_every_error_and_fails(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"id": "g", "engine": "openai", "base_url": "http://localhost:1/v1"}))
    result = runner.invoke(
        app,
        ["providers", "validate", str(good), str(BROKEN / "11_negative_price.json"), str(BROKEN), "--json"],
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [v["id"] for v in report["valid"]] == ["g"]
    assert len(report["errors"]) == 1 + len(list(BROKEN.iterdir()))
    first = report["errors"][0]
    assert (first["path"], Path(first["file"]).name) == (
        "$.models[0].pricing.input",
        "11_negative_price.json",
    )


def test_validate_ok_exits_zero(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"id": "g", "engine": "openai", "base_url": "http://localhost:1/v1"}))
    result = runner.invoke(app, ["providers", "validate", str(good)])
    assert result.exit_code == 0
    assert "ok" in result.stdout


def test_chat_unknown_provider_fails_cleanly() -> None:
    result = runner.invoke(app, ["chat", "nope:model", "hi"])
    assert result.exit_code == 1
    assert "unknown provider" in result.stderr


def test_validate_prints_every_problem_of_a_file_as_text_and_json(tmp_path: Path) -> None:
    bad = tmp_path / "three.json"
    bad.write_text(json.dumps({"id": "x", "engine": "openai", "base_url": "nope", "timeout": -1,
                               "models": [{"id": "m", "context_window": "big"}]}))  # fmt: skip
    text = runner.invoke(app, ["providers", "validate", str(bad)])
    assert text.exit_code == 1
    lines = [line for line in text.stderr.splitlines() if line.startswith("error")]
    assert [line.split(": ")[1] for line in lines] == ["$.base_url", "$.timeout", "$.models[0].context_window"]
    assert "more problem" not in text.output
    as_json = runner.invoke(app, ["providers", "validate", str(bad), "--json"])
    errors = json.loads(as_json.stdout)["errors"]
    assert [e["path"] for e in errors] == ["$.base_url", "$.timeout", "$.models[0].context_window"]
    assert errors[1] == {
        "file": str(bad),
        "path": "$.timeout",
        "expected": "a number > 0.0",
        "found": "-1",
        "message": f"{bad}: $.timeout: expected a number > 0.0, found -1",
    }
