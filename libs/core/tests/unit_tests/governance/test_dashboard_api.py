"""The dashboard's JSON endpoints (Starlette TestClient, no sockets) over a real SQLite ledger file.

SQL aggregates and the record-by-record path (what a Redis ledger uses) must give the same
figures, and usage rows must be those of ``polyport usage --json``.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from polyport_core.cli._usage import usage_app
from polyport_core.dashboard import create_app
from polyport_core.governance import Budget, Governor
from polyport_core.ledger import SQLiteLedger, UsageRecord
from starlette.testclient import TestClient
from typer.testing import CliRunner

NOW = time.time()


@pytest.fixture
def filled(tmp_path) -> SQLiteLedger:
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    rows = [
        ("a", "m1", "u1", ("t1",), 1000, "ok", 0), ("a", "m1", "u2", (), 2000, "ok", 0),
        ("a", "m2", "u1", ("t1", "t2"), None, "ok", 1), ("b", "m1", None, (), 4000, "unavailable", 1),
        ("b", "m1", "u2", ("t2",), 8000, "ok", 3),
    ]  # fmt: skip
    for i, (p, m, u, tags, cost, outcome, days_ago) in enumerate(rows):
        record = UsageRecord(id=f"r{i}", provider=p, model=m, ts=NOW - days_ago * 86400 - i, input_tokens=10 + i,
                             output_tokens=5, cost_nano=cost, outcome=outcome, user=u, tags=tags)  # fmt: skip
        ledger.settle(record, [], [])
    return ledger


@pytest.fixture(params=["sql", "records"])
def client(request, filled) -> TestClient:
    path = str(filled.path) if request.param == "sql" else None
    app = create_app(filled, sqlite_path=path, budgets=[Budget(daily_usd=1, user="*"), Budget(monthly_usd=2)])
    return TestClient(app)


def test_totals_and_filters(client):
    totals = client.get("/api/overview").json()["totals"]
    assert totals == {"calls": 5, "errors": 1, "input_tokens": 60, "output_tokens": 25, "cost_usd": "0.000015",
                      "unpriced": 1}  # fmt: skip
    assert client.get("/api/overview", params={"user": "u1"}).json()["totals"]["calls"] == 2
    assert client.get("/api/overview", params={"tag": "t2"}).json()["totals"]["calls"] == 2
    assert client.get("/api/overview", params={"provider": "b", "model": "m1"}).json()["totals"]["calls"] == 2
    assert client.get("/api/overview", params={"days": 1}).json()["totals"]["calls"] == 2
    options = client.get("/api/overview").json()["options"]
    assert options == {"providers": ["a", "b"], "models": ["m1", "m2"], "users": ["u1", "u2"], "tags": ["t1", "t2"]}


def test_usage_rows_are_the_cli_rows_and_pages_are_served(client, filled):
    cli = json.loads(CliRunner().invoke(usage_app, ["--db", str(filled.path), "--json"]).output)["usage"]
    pages = [client.get("/api/usage", params={"page": n, "page_size": 2}).json() for n in range(3)]
    assert [p["total"] for p in pages] == [len(cli)] * 3
    served = [row for p in pages for row in p["rows"]]
    assert sorted(served, key=lambda r: (r["day"], r["provider"], r["model"])) == cli
    records = client.get("/api/records", params={"page_size": 2, "page": 1}).json()
    assert (records["total"], [r["id"] for r in records["rows"]]) == (5, ["r2", "r3"])


def test_spend_per_day_stacks(client):
    by_user = client.get("/api/spend", params={"stack": "user"}).json()
    assert sum(sum(v) for v in by_user["series"].values()) == pytest.approx(15e-6)
    assert set(by_user["series"]) == {"u1", "u2", "-"}
    assert client.get("/api/spend", params={"stack": "team"}).status_code == 400


def test_budget_headroom_per_user_seen(client):
    rows = client.get("/api/budgets").json()["budgets"]
    assert {r["scope"] for r in rows} == {"user:u1", "user:u2", "global"}
    assert next(r for r in rows if r["scope"] == "global")["cap_usd"] == "2"


def test_bad_parameters_are_named(client):
    answer = client.get("/api/usage", params={"since": "yesterday"})
    assert (answer.status_code, answer.json()["error"]) == (400, "since='yesterday': use YYYY-MM-DD")
    assert "page_size=9999" in client.get("/api/records", params={"page_size": 9999}).json()["error"]


def test_a_token_guards_every_route_when_set(filled):
    client = TestClient(create_app(filled, token="t0ken"))
    assert client.get("/api/overview").status_code == 401
    assert client.get("/", headers={"authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/overview", headers={"authorization": "Bearer t0ken"}).status_code == 200
    assert client.get("/?token=t0ken").status_code == 200  # sets the cookie the page's fetches carry
    assert client.get("/api/overview").status_code == 200


def test_page_and_bundled_chart_library_are_served(client):
    page = client.get("/")
    assert 'src="static/uPlot.iife.min.js"' in page.text
    assert "http" not in page.text.split("<body", 1)[1]  # nothing loaded from elsewhere: works offline
    assert client.get("/static/uPlot.iife.min.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/secrets.txt").status_code == 404


def test_fleet_metrics_panel_from_a_governed_call(tmp_path, prices, make_model):
    ledger = SQLiteLedger(tmp_path / "g.sqlite3")
    gov = Governor(ledger=ledger, prices=prices)
    model = make_model(gov)
    model.invoke("hi")
    gov.metrics.flush()
    data = TestClient(create_app(ledger, sqlite_path=str(ledger.path))).get("/api/metrics").json()
    (row,) = data["models"]
    assert (row["provider"], row["requests"], row["availability_pct"]) == ("scripted", 1, 100.0)
    assert Decimal(row["cost_usd"]) == Decimal("0.005")


def test_the_daily_rollup_takes_in_records_added_after_it_was_built(filled):
    client = TestClient(create_app(filled, sqlite_path=str(filled.path)))
    assert client.get("/api/overview").json()["totals"]["calls"] == 5
    filled.settle(UsageRecord(id="late", provider="c", model="m9", ts=NOW - 2 * 86400, cost_nano=7), [], [])
    overview = client.get("/api/overview").json()
    assert (overview["totals"]["calls"], overview["totals"]["cost_usd"]) == (6, "0.000015007")
    assert "c" in overview["options"]["providers"]
    assert [r["provider"] for r in client.get("/api/usage", params={"provider": "c"}).json()["rows"]] == ["c"]


def test_dashboard_command_builds_over_a_ledger_file_and_refuses_a_missing_one(filled, tmp_path):
    from polyport_core.cli import app
    from polyport_core.cli._dashboard import build_dashboard

    built = build_dashboard(str(filled.path), None, None, ["user:u1=day:0.5", "model:a/m1=month:3"])
    budgets = TestClient(built).get("/api/budgets").json()["budgets"]
    assert {(b["scope"], b["cap_usd"]) for b in budgets} >= {("user:u1", "0.5"), ("model:a/m1", "3")}
    indexes = {row[1] for row in filled._conn().execute("PRAGMA index_list(records)")}
    assert {"records_provider_ts", "records_user_ts"} <= indexes
    missing = CliRunner().invoke(app, ["dashboard", "--db", str(tmp_path / "nope.sqlite3")])
    assert missing.exit_code == 1
    assert "No ledger file at" in missing.output
