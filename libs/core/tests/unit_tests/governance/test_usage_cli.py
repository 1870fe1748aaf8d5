from __future__ import annotations

import json

from polyport_core.cli._usage import usage_app
from polyport_core.governance import Budget, Governor
from typer.testing import CliRunner


def test_usage_reports_real_ledger_data_as_json_and_table(ledger, prices, make_model):
    gov = Governor(ledger=ledger, prices=prices, budgets=[Budget(daily_usd=1)])
    model = make_model(gov)
    for _ in range(3):
        model.invoke("hi")
    runner = CliRunner()
    result = runner.invoke(
        usage_app, ["--db", str(ledger.path), "--json", "--metrics", "--budget", "global=day:1"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    row = data["usage"][0]
    assert (row["provider"], row["model"], row["calls"]) == ("scripted", "m", 3)
    assert row["output_tokens"] == 15
    assert row["cost_usd"] == "0.015"
    assert data["budgets"][0]["remaining_usd"] == "0.985"
    assert data["metrics"][0]["requests"] == 3
    assert data["metrics"][0]["availability"] == "healthy"
    table = runner.invoke(usage_app, ["--db", str(ledger.path), "--metrics"], env={"COLUMNS": "250"})
    assert table.exit_code == 0
    assert "scripted" in table.output


def test_usage_by_user_tag_and_model_from_run_config(ledger, prices, make_model):
    model = make_model(Governor(ledger=ledger, prices=prices))
    model.invoke("hi", config={"metadata": {"user_id": "u1"}, "tags": ["team:a", "x"]})
    model.invoke("hi", config={"metadata": {"user_id": "u1"}, "tags": ["team:a"]})
    model.invoke("hi", config={"metadata": {"user_id": "u2"}})
    model.invoke("hi")
    runner = CliRunner()

    def by(key: str) -> list[dict]:
        result = runner.invoke(usage_app, ["--db", str(ledger.path), "--json", "--by", key])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["by"]["rows"]

    assert [(r["user"], r["calls"], r["cost_usd"]) for r in by("user")] == [
        ("u1", 2, "0.01"), ("u2", 1, "0.005"), (None, 1, "0.005")]  # fmt: skip
    assert [(r["tag"], r["calls"]) for r in by("tag")] == [("team:a", 2), ("x", 1), (None, 2)]
    assert [(r["model"], r["calls"]) for r in by("model")] == [("scripted:m", 4)]
    bad = runner.invoke(usage_app, ["--db", str(ledger.path), "--by", "team"])
    assert bad.exit_code != 0
    assert "--by 'team'" in bad.output
