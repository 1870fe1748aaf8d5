"""``POLYPORT_LEDGER`` picks one ledger for the library's default governance and ``polyport usage``."""

from __future__ import annotations

from pathlib import Path

import pytest
from polyport_core.cli import app
from polyport_core.errors import InvalidConfigError
from polyport_core.ledger import RedisLedger, SQLiteLedger, UsageRecord, default_ledger, ledger_from_url
from typer.testing import CliRunner


def test_sqlite_url_opens_that_file(tmp_path: Path) -> None:
    ledger = ledger_from_url(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert isinstance(ledger, SQLiteLedger)
    assert ledger.path == tmp_path / "x.sqlite3"


def test_redis_url_selects_redis_without_connecting() -> None:
    ledger = ledger_from_url("redis://127.0.0.1:1/3")
    assert isinstance(ledger, RedisLedger)


def test_unset_means_the_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("POLYPORT_LEDGER", raising=False)
    ledger = default_ledger()
    assert isinstance(ledger, SQLiteLedger)
    assert ledger.path.is_relative_to(tmp_path)


def test_default_ledger_is_one_instance_per_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    first = default_ledger()
    assert default_ledger() is first
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert default_ledger() is not first


def test_unknown_scheme_is_a_clear_error_without_the_value() -> None:
    with pytest.raises(InvalidConfigError, match="POLYPORT_LEDGER must be") as info:
        ledger_from_url("postgres://user:hunter2@db/x")
    assert "hunter2" not in str(info.value)


def test_polyport_usage_reads_the_ledger_polyport_ledger_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "shared.sqlite3"
    SQLiteLedger(path).settle(
        UsageRecord(id="r1", provider="acme", model="m1", input_tokens=7, output_tokens=3, cost_nano=2500),
        [], [],
    )  # fmt: skip
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{path}")
    result = CliRunner().invoke(app, ["usage", "--json"])
    assert result.exit_code == 0, result.output
    assert '"provider": "acme"' in result.output
    assert '"input_tokens": 7' in result.output


def test_sqlite_durability_option(tmp_path: Path) -> None:
    ledger = ledger_from_url(f"sqlite:///{tmp_path / 'x.sqlite3'}?durability=all")
    assert isinstance(ledger, SQLiteLedger)
    assert ledger.durability == "all"
    assert isinstance(default := ledger_from_url(f"sqlite:///{tmp_path / 'y.sqlite3'}"), SQLiteLedger)
    assert default.durability == "budgets"
    with pytest.raises(InvalidConfigError, match="durability=budgets"):
        ledger_from_url(f"sqlite:///{tmp_path / 'z.sqlite3'}?durability=sometimes")
