"""Scheduled health checks against a real loopback server that stops and comes back.

The provider server speaks the OpenAI Chat Completions and Models APIs (bodies as
in the API reference: ``chat.completion`` with ``usage``, ``list`` of ``model``);
the webhook receiver is a second real loopback HTTP server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from polyport_core.cli import app
from polyport_core.health import HealthChecker, doctor_probe, webhook_sink
from polyport_core.ledger import SQLiteLedger
from polyport_core.metrics import HealthBoard, default_board
from polyport_core.registry import reload_registry
from typer.testing import CliRunner


class _OpenAIish(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send({"object": "list", "data": [{"id": "m1", "object": "model", "created": 0, "owned_by": "me"}]})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self._send({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "m1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        })  # fmt: skip


class Server:
    """A loopback server that can stop and start again on the same port."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.handler = handler
        self.port = port
        self.httpd: ThreadingHTTPServer | None = None

    def start(self) -> Server:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


@pytest.fixture
def provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    server = Server(_OpenAIish).start()
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "flaky.json").write_text(json.dumps({
        "id": "flaky", "engine": "openai", "base_url": f"http://127.0.0.1:{server.port}/v1",
        "auth": {"type": "none"},
        "models": [{"id": "m1", "max_output_tokens": 16, "pricing": {"input": 1000, "output": 1000}}],
    }))  # fmt: skip
    monkeypatch.setenv("POLYPORT_PROVIDERS_PATH", str(tmp_path / "providers"))
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    monkeypatch.setenv("POLYPORT_OUTBOX", str(tmp_path / "outbox.sqlite3"))
    reload_registry()
    yield server
    server.stop()
    reload_registry()
    default_board().clear()  # the process-wide board must not carry this test's "down" into others


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(204)
            self.end_headers()

    server = Server(Receiver).start()
    yield f"http://127.0.0.1:{server.port}/hook", received
    server.stop()


def test_a_stopped_server_goes_down_alerts_once_and_recovers(provider, webhook, tmp_path):
    url, received = webhook
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    board = HealthBoard()
    checker = HealthChecker(["flaky:m1"], ledger=ledger, alert=webhook_sink(url), degraded_after=1, down_after=3,
                            probe=doctor_probe(), board=board)  # fmt: skip
    assert [r.status for r in checker.run_once()] == ["healthy"]
    provider.stop()
    statuses = [checker.run_once()[0].status for _ in range(4)]
    assert statuses == ["degraded", "degraded", "down", "down"]  # down on the third failed round, as configured
    assert board.is_down("flaky")
    provider.start()  # same port
    assert checker.run_once()[0].status == "healthy"
    changes = [(e["kind"], e["provider"], e["previous"], e["status"]) for e in received]
    assert changes == [("health", "flaky", "healthy", "degraded"), ("health", "flaky", "degraded", "down"),
                       ("health", "flaky", "down", "healthy")]  # fmt: skip  (one alert per change)
    stored = [(h["status"], h["ok"]) for h in ledger.health(0)]
    assert stored == [("healthy", True), *[("degraded", False)] * 2, *[("down", False)] * 2, ("healthy", True)]
    failed = ledger.health(0)[1]["checks"]
    assert any(v.startswith("fail") for v in failed.values())


def test_the_fallback_router_skips_a_provider_the_checks_found_down(provider, tmp_path):
    from polyport_core.registry import init_chat_model
    from polyport_core.routing import FallbackChatModel

    first = init_chat_model("flaky:m1", max_tokens=4)
    router = FallbackChatModel(models=[first], failure_threshold=100)
    assert router.invoke("hi").content == "hi"
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")  # the default ledger: the router reads it
    ledger.add_health({"provider": "flaky", "model": "m1", "ok": False, "status": "down", "ts": 1e12,
                       "latency_s": 0.0, "checks": {}})  # fmt: skip  (a checker in another process said so)
    default_board().clear()  # read the ledger now instead of after the refresh interval
    with pytest.raises(Exception, match="cooling down"):
        router.invoke("hi")


def test_polyport_health_cli_one_round(provider, tmp_path):
    result = CliRunner().invoke(app, ["health", "flaky:m1", "--json", "--db", str(tmp_path / "ledger.sqlite3")])
    assert result.exit_code == 0, result.output
    row = json.loads(result.output.strip().splitlines()[-1])
    assert (row["provider"], row["status"], row["ok"]) == ("flaky", "healthy", True)
    provider.stop()
    bad = CliRunner().invoke(app, ["health", "flaky", "--json", "--every", "1s", "--rounds", "1"])
    assert bad.exit_code == 0  # scheduled mode keeps going; one round here
    assert json.loads(bad.output.strip().splitlines()[-1])["status"] == "degraded"
    assert CliRunner().invoke(app, ["health", "flaky", "--every", "soon"]).exit_code == 2


def test_the_same_sink_hears_a_budget_alert_once_per_period(provider, webhook, tmp_path):
    from polyport_core.governance import Budget, Governor
    from polyport_core.registry import get_registry, init_chat_model

    url, received = webhook
    spec = get_registry().specs["flaky"]
    budget = Budget(daily_usd=1, alert_threshold=0.01, provider="flaky")  # alert at $0.01; a call costs $0.004
    gov = Governor.from_spec(spec, ledger=SQLiteLedger(tmp_path / "ledger.sqlite3"), budgets=[budget],
                             on_alert=webhook_sink(url))  # fmt: skip
    model = init_chat_model("flaky:m1", max_tokens=4, call_hooks=gov)
    for _ in range(6):
        model.invoke("hi")
    assert [(e["kind"], e["budget"], e["cap_usd"]) for e in received] == [("budget", "provider:flaky daily", "1")]
    assert float(received[0]["spent_usd"]) >= 0.01
