"""A loopback OpenAI Chat Completions server that injects faults, and a real HTTP-adapter model over it.

Bodies follow OpenAI's documented format (``chat.completion`` objects; SSE
``chat.completion.chunk`` events ending in ``data: [DONE]``). Each request
takes the next behaviour from ``plan`` (then ``default``):

- ``ok``: a normal answer (stream or not, as the request asks)
- ``("status", code, headers)``: an OpenAI-style error body with that status
- ``cut_body``: headers promise a body, half of it is sent, the socket closed
- ``endless_body``: a 200 JSON body that never ends (bounded: ``limit_s``)
- ``("cut_stream", k)``: k content chunks, then the socket is closed (no finish, no [DONE])
- ``("error_event", k)``: k content chunks, then an ``error`` event
- ``endless_stream``: content chunks forever (bounded: ``limit_s``)
- ``("stall_stream", k)``: k content chunks, then silence for ``limit_s``
- ``endless_line``: one SSE ``data:`` line that never ends (bounded: ``limit_s``)
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from _serving import LoopbackHTTP
from langchain_core.messages import AIMessageChunk
from polyport_core.adapters import AdapterChatModel, ChatRequest, HTTPAdapter
from polyport_core.chat import ParsedResponse, StreamState
from polyport_core.wire.openai import OpenAIStreamState, messages_to_openai, parse_chat_completion

Behaviour = Any


def completion(text: str = "hello world", completion_tokens: int = 2) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "fault-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": completion_tokens, "total_tokens": 10 + completion_tokens},
    }


def chunk(content: str | None = None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    event = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fault-1",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def usage_chunk() -> bytes:
    event = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "fault-1",
             "choices": [], "usage": completion()["usage"]}  # fmt: skip
    return b"data: " + json.dumps(event).encode() + b"\n\n"


class FaultServer(LoopbackHTTP):
    """ThreadingHTTPServer on 127.0.0.1 playing ``plan`` one request at a time."""

    def __init__(self, plan: list[Behaviour] | None = None, *, default: Behaviour = "ok",
                 delay_s: float = 0.0, limit_s: float = 20.0, words: int = 3) -> None:  # fmt: skip
        self.plan = list(plan or [])
        self.default = default
        self.delay_s = delay_s
        self.limit_s = limit_s
        self.words = words
        self.requests: list[dict[str, Any]] = []
        self.sent_bytes = 0
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                with owner._lock:
                    owner.requests.append(request)
                    behaviour = owner.plan.pop(0) if owner.plan else owner.default
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                owner._play(self, behaviour, bool(request.get("stream")))

        self.serve(Handler)

    # ------------------------------------------------------------ behaviours
    def _send(self, h: BaseHTTPRequestHandler, data: bytes) -> None:
        h.wfile.write(data)
        h.wfile.flush()
        self.sent_bytes += len(data)

    @staticmethod
    def _close(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(socket.SHUT_RDWR)

    def _headers(self, h: BaseHTTPRequestHandler, status: int, ctype: str, length: int | None,
                 extra: dict[str, str] | None = None) -> None:  # fmt: skip
        h.send_response(status)
        h.send_header("content-type", ctype)
        if length is not None:
            h.send_header("content-length", str(length))
        else:
            h.send_header("connection", "close")
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()

    def _forever(self, h: BaseHTTPRequestHandler, piece: bytes) -> None:
        deadline = time.monotonic() + self.limit_s
        try:
            while time.monotonic() < deadline:
                self._send(h, piece)
        except OSError:  # the client gave up: what the test expects
            pass
        self._close(h)

    def _play(self, h: BaseHTTPRequestHandler, behaviour: Behaviour, stream: bool) -> None:
        kind, *args = behaviour if isinstance(behaviour, tuple) else (behaviour,)
        if kind == "status":
            code, extra = args[0], (args[1] if len(args) > 1 else {})
            body = json.dumps({"error": {"message": f"injected {code}", "type": "fault", "code": None}}).encode()
            self._headers(h, code, "application/json", len(body), extra)
            self._send(h, body)
        elif kind == "cut_body":
            body = json.dumps(completion()).encode()
            self._headers(h, 200, "application/json", len(body))
            self._send(h, body[: len(body) // 2])
            self._close(h)
        elif kind == "endless_body":
            self._headers(h, 200, "application/json", None)
            self._send(h, b'{"id": "chatcmpl-1", "choices": [{"message": {"content": "')
            self._forever(h, b"a" * 65536)
        elif kind == "ok" and not stream:
            body = json.dumps(completion()).encode()
            self._headers(h, 200, "application/json", len(body))
            self._send(h, body)
        elif kind == "ok":
            data = b"".join(chunk(f"w{i} ") for i in range(self.words))
            data += chunk(finish="stop") + usage_chunk() + b"data: [DONE]\n\n"
            self._headers(h, 200, "text/event-stream", len(data))
            self._send(h, data)
        elif kind == "stall_stream":
            self._headers(h, 200, "text/event-stream", None)
            for i in range(args[0]):
                self._send(h, chunk(f"w{i} "))
            time.sleep(self.limit_s)
            self._close(h)
        elif kind in ("cut_stream", "error_event"):
            self._headers(h, 200, "text/event-stream", None)
            for i in range(args[0]):
                self._send(h, chunk(f"w{i} "))
            if kind == "error_event":
                error = {"error": {"message": "injected mid-stream failure", "type": "server_error"}}
                self._send(h, b"data: " + json.dumps(error).encode() + b"\n\n")
            self._close(h)
        elif kind == "endless_stream":
            self._headers(h, 200, "text/event-stream", None)
            self._forever(h, chunk("x"))
        elif kind == "endless_line":
            self._headers(h, 200, "text/event-stream", None)
            self._send(h, b'data: {"choices": [{"index": 0, "delta": {"content": "')
            self._forever(h, b"y" * 65536)
        else:  # pragma: no cover - a typo in a test plan
            raise ValueError(f"unknown behaviour {behaviour!r}")


class OpenAIWireAdapter(HTTPAdapter):
    """OpenAI Chat Completions over the core ``HTTPAdapter`` transport."""

    name = "faulty"
    chat_path = "/v1/chat/completions"

    def transform_request(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": messages_to_openai(request.messages),
            "stream": request.stream,
        }
        if request.max_tokens:
            body["max_tokens"] = request.max_tokens
        if request.stream:
            body["stream_options"] = {"include_usage": True}
        return body

    def transform_response(self, body: Any) -> ParsedResponse:
        return parse_chat_completion(body)

    def stream_state(self) -> StreamState:
        return _WireStream()


@dataclass(kw_only=True)
class _WireStream(OpenAIStreamState):
    """OpenAI chunks; an error event mid-stream is the server failing (retryable before the first chunk)."""

    def parse(self, event: Any) -> AIMessageChunk | None:
        if isinstance(event, dict) and "error" in event:
            from polyport_core.errors import ProviderUnavailableError

            raise ProviderUnavailableError(str(event["error"].get("message")))
        return super().parse(event)


class ChatFaulty(AdapterChatModel):
    adapter_class = OpenAIWireAdapter


def faulty(url: str, **kwargs: Any) -> ChatFaulty:
    kwargs.setdefault("model", "fault-1")
    kwargs.setdefault("provider", "acme")
    kwargs.setdefault("max_tokens", 16)
    return ChatFaulty(base_url=url, **kwargs)


def words(chunks: Iterator[Any]) -> str:
    return "".join(c.content for c in chunks if isinstance(c.content, str))
