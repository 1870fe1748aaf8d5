"""Errors a user sees: one line naming the ledger (password masked), one provider suffix."""

from __future__ import annotations

from polyport_core.cli._usage import usage_app
from polyport_core.errors import BadResponseError, ProviderUnavailableError, with_origin
from typer.testing import CliRunner


def test_usage_against_an_unreachable_redis_prints_one_line_naming_it_masked():
    result = CliRunner().invoke(usage_app, ["--redis", "redis://:hunter2-secret-pw@127.0.0.1:1/0"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "redis://***@127.0.0.1:1/0" in lines[0]
    assert "unreachable" in lines[0]
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output


def test_usage_with_an_impossible_sqlite_path_prints_one_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = CliRunner().invoke(usage_app, ["--db", str(blocker / "ledger.sqlite3")])
    assert result.exit_code == 2  # a --db naming no ledger file is a usage error; nothing is created
    assert not (blocker / "ledger.sqlite3").exists()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "not-a-dir" in lines[0]
    assert "Traceback" not in result.output


def test_with_origin_fills_the_suffix_once_however_often_it_is_applied():
    bare = ProviderUnavailableError("The response was cut off")
    assert str(bare) == "The response was cut off"
    for _ in range(3):  # the lifecycle, a router and the CLI may each name the origin
        with_origin(bare, "acme", "m1")
    assert str(bare) == "The response was cut off [provider=acme, model=m1]"
    mapped = BadResponseError("bad JSON", provider="acme", status_code=502)
    with_origin(mapped, "other", "m2")
    assert str(mapped) == "bad JSON [provider=acme, model=m2, status=502]"
    assert str(mapped).count("provider=") == 1
