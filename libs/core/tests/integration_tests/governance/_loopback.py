"""A loopback OpenAI-format HTTP server (stdlib) and a real ``ProviderChatModel`` over httpx.

The server's behaviour is set per instance: ``status`` (200, 429, 503…),
``headers`` to send, and ``fail_first`` (answer ``status`` that many times,
then 200). It counts requests and stamps their arrival times.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
from _serving import LoopbackHTTP
from langchain_core.messages import BaseMessage
from polyport_core.chat import ChatTransport, ParsedResponse, ProviderChatModel, RawResponse, StreamState, VendorRequest
from polyport_core.errors import PolyportError, ProviderUnavailableError, error_for_status, parse_retry_after
from polyport_core.wire.openai import OpenAIStreamState, parse_chat_completion


def body(text: str = "hello", completion_tokens: int = 5) -> dict[str, Any]:
    return {
        "id": "x",
        "object": "chat.completion",
        "model": "loop",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": completion_tokens,
            "total_tokens": 10 + completion_tokens,
        },
    }


class LoopbackServer(LoopbackHTTP):
    def __init__(self, *, status: int = 200, headers: dict[str, str] | None = None, fail_first: int = 0,
                 text: str = "hello") -> None:  # fmt: skip
        self.status = status
        self.headers = headers or {}
        self.fail_first = fail_first
        self.text = text
        self.arrivals: list[float] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                owner.arrivals.append(time.monotonic())
                failing = owner.status != 200 and (
                    owner.fail_first == 0 or len(owner.arrivals) <= owner.fail_first
                )
                if failing:
                    payload = json.dumps({"error": {"message": f"status {owner.status}"}}).encode()
                    self.send_response(owner.status)
                    for k, v in owner.headers.items():
                        self.send_header(k, v)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if request.get("stream"):
                    events = [
                        {"id": "x", "model": "loop", "choices": [{"index": 0, "delta": {"content": w + " "}}]}
                        for w in owner.text.split()
                    ]
                    events.append(
                        {
                            "id": "x",
                            "model": "loop",
                            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                        }
                    )
                    events.append({"id": "x", "model": "loop", "choices": [], "usage": body()["usage"]})
                    payload = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
                    payload += b"data: [DONE]\n\n"
                    ctype = "text/event-stream"
                else:
                    payload = json.dumps(body(owner.text)).encode()
                    ctype = "application/json"
                self.send_response(200)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.serve(Handler)


class HttpChat(ProviderChatModel):
    """OpenAI-format chat over plain httpx (no SDK retries: ``max_retries`` is unused)."""

    base_url: str
    max_retries: int = 0
    after_send: Any = None
    """Called once a whole answer arrived, before it is parsed and settled (fault injection)."""

    @property
    def _llm_type(self) -> str:
        return "loopback"

    def _build_payload(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        payload = {
            "model": self.model_name,
            "messages": [{"role": m.type, "content": m.content} for m in messages],
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stream": stream,
        }
        if "tools" in kwargs:
            payload["tools"] = kwargs["tools"]
        return payload

    def _check(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            raise error_for_status(
                response.status_code, response.text, provider=self.provider, model=self.model_name,
                retry_after=parse_retry_after(response.headers),
            )  # fmt: skip

    def _chat_transport(self) -> ChatTransport:
        return _LoopbackTransport(self)

    def _parse_response(self, raw: RawResponse, request: VendorRequest) -> ParsedResponse:
        return parse_chat_completion(raw.body)

    def _stream_state(self, request: VendorRequest) -> StreamState:
        return OpenAIStreamState()

    def _map_error(self, error: BaseException) -> BaseException:
        if isinstance(error, PolyportError):
            return error
        if isinstance(error, httpx.TransportError):
            return ProviderUnavailableError(str(error))
        return error


class _LoopbackTransport:
    """Plain httpx to the loopback server's ``/v1/chat/completions``."""

    def __init__(self, chat: HttpChat) -> None:
        self.chat = chat
        self.url = f"{chat.base_url}/v1/chat/completions"

    def _answer(self, response: httpx.Response) -> RawResponse:
        self.chat._check(response)
        if self.chat.after_send is not None:
            self.chat.after_send()
        return RawResponse(response.json())

    def send(self, request: VendorRequest) -> RawResponse:
        return self._answer(httpx.post(self.url, json=request.body, timeout=10))

    async def asend(self, request: VendorRequest) -> RawResponse:
        async with httpx.AsyncClient() as client:
            response = await client.post(self.url, json=request.body, timeout=10)
        return self._answer(response)

    def stream(self, request: VendorRequest, state: StreamState) -> Iterator[Any]:
        with httpx.stream("POST", self.url, json=request.body, timeout=10) as response:
            if response.status_code >= 400:
                response.read()
                self.chat._check(response)
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    yield json.loads(line[6:])

    async def astream(self, request: VendorRequest, state: StreamState) -> AsyncIterator[Any]:
        async with (
            httpx.AsyncClient() as client,
            client.stream("POST", self.url, json=request.body, timeout=10) as response,
        ):
            if response.status_code >= 400:
                await response.aread()
                self.chat._check(response)
            async for line in response.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    yield json.loads(line[6:])
