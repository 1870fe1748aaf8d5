"""``polyport test`` against the real local llama.cpp server, and against a server that says 401.

The model is a tiny base model: the card may carry warnings (no tool call in
auto mode, one call where two were asked), but the protocol checks must pass
and the observed capabilities must land in the spec file.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from polyport_core.cli import app
from polyport_core.registry import reload_registry
from polyport_core.testing import LlamaServer
from typer.testing import CliRunner

pytestmark = pytest.mark.local_server


@pytest.fixture
def providers_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("POLYPORT_PROVIDERS_PATH", str(tmp_path))
    reload_registry()
    yield tmp_path
    monkeypatch.delenv("POLYPORT_PROVIDERS_PATH")
    reload_registry()


class _Unauthorized(BaseHTTPRequestHandler):
    def _deny(self) -> None:
        body = json.dumps({"error": {"message": "Invalid API key", "type": "invalid_request_error"}}).encode()
        self.send_response(401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _deny

    def log_message(self, fmt: str, *args: object) -> None:
        pass


@pytest.fixture
def unauthorized_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_report_card_and_profile_for_the_local_model(llama_server: LlamaServer, providers_dir: Path) -> None:
    spec_file = providers_dir / "local.json"
    original = {
        "id": "local",
        "display_name": "Local llama.cpp",
        "engine": "openai",
        "base_url": llama_server.openai_base_url,
        "models": [{"id": "gemma", "context_window": 4096}],
        "quirks": {"forced_tool_calls": "json_schema"},
    }
    spec_file.write_text(json.dumps(original, indent=2) + "\n")
    reload_registry()

    result = CliRunner().invoke(app, ["test", "local:gemma", "--write-profile"], env={"COLUMNS": "200"})

    out = result.output
    assert "polyport test local:gemma" in out, out
    for check in ("authentication", "basic chat", "streaming", "tool calling (forced)", "embeddings", "latency"):
        assert check in out
    assert "Traceback" not in out
    assert "profile written" in out
    data = json.loads(spec_file.read_text())
    assert list(data) == list(original)
    assert spec_file.read_text().startswith('{\n  "id": "local"')
    model = data["models"][0]
    assert model["context_window"] == 4096
    assert model["tool_choice"] is True  # forced via the json_schema quirk
    assert model["streaming_usage"] is True  # llama-server sends a usage chunk
    assert model["embeddings"] is True
    assert model["dimensions"] == 640
    assert data["quirks"] == {"forced_tool_calls": "json_schema"}


def test_wrong_key_gives_a_failing_card_not_a_traceback(unauthorized_url: str, providers_dir: Path) -> None:
    (providers_dir / "locked.json").write_text(
        json.dumps(
            {
                "id": "locked",
                "engine": "openai",
                "base_url": unauthorized_url,
                "auth": {"type": "bearer", "api_key": "${LOCKED_KEY:-sk-wrong}"},
                "models": [{"id": "m"}],
            }
        )
    )
    reload_registry()
    runner = CliRunner()

    result = runner.invoke(app, ["test", "locked:m"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "authentication" in result.output
    assert "rejected the credentials" in result.output
    assert "Invalid API key" in result.output
    assert "skipped: authentication failed" in result.output
    assert isinstance(result.exception, SystemExit)

    as_json = runner.invoke(app, ["test", "locked:m", "--json"])
    assert as_json.exit_code == 1
    card = json.loads(as_json.stdout)
    assert card["ok"] is False
    assert card["checks"][0]["name"] == "authentication"
    assert card["checks"][0]["status"] == "fail"
    assert {c["status"] for c in card["checks"][1:]} == {"skip"}


def test_the_bad_key_check_runs_against_a_server_that_checks_keys(
    keyed_llama_server: LlamaServer, providers_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """llama-server with ``--api-key``: the right key passes, and the doctor's wrong key is a 401
    mapped to ``AuthenticationError`` (a pass), not skipped and not a generic failure."""
    monkeypatch.setenv("KEYED_KEY", keyed_llama_server.api_key or "")
    (providers_dir / "keyed.json").write_text(
        json.dumps(
            {
                "id": "keyed",
                "engine": "openai",
                "base_url": keyed_llama_server.openai_base_url,
                "auth": {"type": "bearer", "api_key_env": "KEYED_KEY"},
                "models": [{"id": "gemma"}],
            }
        )
    )
    reload_registry()
    result = CliRunner().invoke(app, ["test", "keyed:gemma", "--only", "auth,bad-key", "--json"])
    assert result.exit_code == 0, result.output
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["authentication"]["status"] == "pass"
    assert checks["error mapping: bad key"]["status"] == "pass"
    assert "AuthenticationError (status 401)" in checks["error mapping: bad key"]["detail"]
