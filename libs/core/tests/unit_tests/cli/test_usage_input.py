"""``polyport usage`` refuses what would silently mislead: a mistyped ledger path, negative days, an unknown scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from polyport_core.cli import app
from polyport_core.ledger import Bucket, SQLiteLedger, UsageRecord, period_keys
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    ledger = SQLiteLedger(path)
    day, _ = period_keys()
    record = UsageRecord(id="r1", provider="acme", model="m1", input_tokens=7, output_tokens=3, cost_nano=2500,
                         user="alice", tags=("team:a",))  # fmt: skip
    ledger.settle(record, [], [Bucket("global", day), Bucket("provider:acme", day), Bucket("user:alice", day)])
    ledger.close()
    return path


def test_a_mistyped_db_is_an_error_and_no_file_is_created(tmp_path: Path) -> None:
    typo = tmp_path / "typo.sqlite"
    result = runner.invoke(app, ["usage", "--db", str(typo)])
    assert result.exit_code == 2
    assert f"no ledger file at {typo}" in result.stderr
    assert not typo.exists()


@pytest.mark.parametrize("days", ["-5", "0"])
def test_days_must_be_positive(ledger_path: Path, days: str) -> None:
    result = runner.invoke(app, ["usage", "--db", str(ledger_path), "--days", days])
    assert result.exit_code == 2
    assert "--days" in result.output


def test_known_scopes_show_headroom_and_unknown_ones_are_errors(ledger_path: Path) -> None:
    ok = runner.invoke(app, ["usage", "--db", str(ledger_path), "--json",
                             "--budget", "user:alice=day:1", "--budget", "provider:acme=day:2"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    rows = {r["scope"]: r for r in json.loads(ok.stdout)["budgets"]}
    assert rows["user:alice"]["spent_usd"] == "0.0000025"
    assert rows["provider:acme"]["remaining_usd"] == "1.9999975"
    typo = runner.invoke(app, ["usage", "--db", str(ledger_path), "--budget", "user:alcie=day:1"])
    assert typo.exit_code == 2
    assert "no user 'alcie' in the ledger or the providers; known users: alice" in typo.stderr
    kind = runner.invoke(app, ["usage", "--db", str(ledger_path), "--budget", "usr:alice=day:1"])
    assert kind.exit_code == 2
    assert "'usr:alice' is not a scope" in kind.stderr


def test_the_json_names_the_ledger_with_typed_fields(ledger_path: Path) -> None:
    result = runner.invoke(app, ["usage", "--db", str(ledger_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ledger"] == {"kind": "sqlite", "location": str(ledger_path)}
