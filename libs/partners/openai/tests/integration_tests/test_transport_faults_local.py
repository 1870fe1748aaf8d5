"""The SDK transport (stainless) under injected faults, on a loopback server written here.

A 200 answer whose body never ends must stop at ``max_response_bytes``; a body cut
after the server answered must say so (not "Could not connect"). Bodies follow
OpenAI's documented ``chat.completion`` format.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from polyport_core.errors import ProviderUnavailableError, ResponseTooLargeError
from polyport_openai import ChatOpenAI

BODY = json.dumps({
    "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}).encode()  # fmt: skip


@pytest.fixture
def server() -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {"mode": "endless", "sent": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            if state["mode"] == "cut":
                self.send_header("content-length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY[: len(BODY) // 2])
            else:
                self.send_header("connection", "close")
                self.end_headers()
                deadline = time.monotonic() + 15  # bounded by the test
                try:
                    while time.monotonic() < deadline:
                        self.wfile.write(b"a" * 65536)
                        state["sent"] += 65536
                except OSError:
                    pass
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    yield state
    httpd.shutdown()
    httpd.server_close()


def model(url: str, **kwargs: Any) -> ChatOpenAI:
    return ChatOpenAI(model="gpt-4o-mini", provider="acme", base_url=url, api_key="sk-test", max_retries=0, **kwargs)


@pytest.mark.parametrize("use_async", [False, True])
async def test_an_endless_body_stops_at_max_response_bytes(server, use_async):
    llm = model(server["url"], max_response_bytes=1024 * 1024)
    started = time.monotonic()
    with pytest.raises(ResponseTooLargeError, match=r"max_response_bytes=1048576.*provider=acme"):
        await llm.ainvoke("hi") if use_async else llm.invoke("hi")
    assert time.monotonic() - started < 10
    assert server["sent"] < 64 * 1024 * 1024


def test_a_body_cut_after_the_answer_says_it_was_cut(server):
    server["mode"] = "cut"
    with pytest.raises(ProviderUnavailableError, match="was cut off before it was complete") as caught:
        model(server["url"]).invoke("hi")
    assert "Could not connect" not in str(caught.value)
