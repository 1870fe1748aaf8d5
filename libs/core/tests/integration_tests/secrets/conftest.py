"""A planted key, a loopback server that echoes it back in each vendor's error format, and leak checks.

The server stands in for OpenAI, Anthropic, Ollama and llama-server (which cannot be
reached from tests). Its error bodies follow each vendor's documented format:
OpenAI ``{"error": {"message", "type", "code"}}``, Anthropic ``{"type": "error",
"error": {"type", "message"}}``, Ollama and llama-server ``{"error": ...}``; like some
real servers, every message repeats the credential the request carried.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from polyport_core.redaction import forget_secrets

LOGGERS = ("", "httpx", "httpx2", "httpcore", "openai", "anthropic", "ollama", "polyport", "polyport_core")
PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OLLAMA_HOST",
    "LLAMACPP_BASE_URL",
    "LLAMACPP_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "POLYPORT_LEDGER",
    "POLYPORT_PROVIDERS_PATH",
)


@pytest.fixture
def key() -> str:
    """A key no code or fixture could contain by chance."""
    return f"sk-planted-{uuid.uuid4()}"


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield
    forget_secrets()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record at DEBUG from root and the HTTP/SDK/polyport loggers."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


class EchoServer:
    """Loopback vendor stand-in; ``mode`` picks the answer of the next requests."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep the test output clean
                return

            def do_GET(self) -> None:
                self._answer({})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                self._answer(body)

            def _credential(self) -> str:
                parts = [self.headers.get(h) or "" for h in ("authorization", "x-api-key", "api-key", "x-key")]
                return " ".join(p for p in parts if p) + f" url={self.path}"

            def _send(self, status: int, payload: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _answer(self, body: dict[str, Any]) -> None:
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                mode, cred = server.mode, self._credential()
                if mode.isdigit():
                    self._send(int(mode), json.dumps(_error_body(self.path, int(mode), cred)).encode())
                elif mode == "slow":
                    time.sleep(1.5)
                    self._send(200, b"{}")
                elif mode == "malformed":
                    self._send(200, b'{"choices": [ {"message": oops ' + cred.encode())
                elif mode == "cut":
                    self._cut_stream(cred)
                else:
                    self._send(200, json.dumps(_ok_body(self.path)).encode())

            def _cut_stream(self, cred: str) -> None:
                """Headers and a first chunk, then the connection drops mid-stream."""
                self.send_response(200)
                is_ndjson = self.path.startswith("/api/")
                self.send_header("content-type", "application/x-ndjson" if is_ndjson else "text/event-stream")
                self.send_header("content-length", "100000")
                self.end_headers()
                self.wfile.write(_first_chunk(self.path, cred))
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _error_body(path: str, status: int, cred: str) -> dict[str, Any]:
    message = f"Incorrect API key provided: {cred}. Received {cred}"
    if path.startswith("/v1/messages"):  # Anthropic
        kinds = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}
        return {"type": "error", "error": {"type": kinds.get(status, "api_error"), "message": message}}
    if path.startswith("/api/"):  # Ollama
        return {"error": message}
    if path.startswith("/completion"):  # llama-server
        return {"error": {"code": status, "message": message, "type": "authentication_error"}}
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}


def _ok_body(path: str) -> dict[str, Any]:
    if path.startswith("/v1/messages"):
        return {
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
            "content": [{"type": "text", "text": "hi"}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 3, "output_tokens": 1},
        }  # fmt: skip
    if path.startswith("/api/"):
        return {"model": "m", "message": {"role": "assistant", "content": "hi"}, "done": True,
                "done_reason": "stop", "prompt_eval_count": 3, "eval_count": 1}  # fmt: skip
    if path.startswith("/v1/models") or path.startswith("/models"):
        return {"object": "list", "data": [{"id": "m", "object": "model"}]}
    return {
        "id": "c1", "object": "chat.completion", "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }  # fmt: skip


def _first_chunk(path: str, cred: str) -> bytes:
    if path.startswith("/api/"):
        line = {"model": "m", "message": {"role": "assistant", "content": cred}, "done": False}
        return json.dumps(line).encode() + b"\n"
    if path.startswith("/v1/messages"):
        start = {"type": "message_start", "message": {"id": "m1", "type": "message", "role": "assistant",
                 "model": "m", "content": [], "usage": {"input_tokens": 3, "output_tokens": 0}}}  # fmt: skip
        return f"event: message_start\ndata: {json.dumps(start)}\n\n".encode()
    chunk = {"id": "c1", "object": "chat.completion.chunk", "model": "m",
             "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]}  # fmt: skip
    return f"data: {json.dumps(chunk)}\n\n".encode()


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
