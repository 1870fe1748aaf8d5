"""A tiny OpenAI Chat Completions server as an ``httpx2.MockTransport`` handler (no sockets).

It checks the bearer key (401 otherwise), knows one model (404 for others),
streams SSE with a usage chunk, honours a forced tool (named or ``required``)
and JSON-schema ``response_format``, and serves ``/embeddings``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

GOOD_KEY = "sk-good"


def _completion(message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "fake-1",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
    }


def _call(name: str, index: int = 0) -> dict[str, Any]:
    args = {"answer": "Paris"} if name == "Answer" else {"city": "Paris"}
    return {"id": f"call_{index}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


class FakeOpenAI:
    """Records requests; ``parallel`` makes a ``required`` choice return every bound tool."""

    def __init__(self, *, parallel: bool = True) -> None:
        self.parallel = parallel
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.headers.get("authorization") != f"Bearer {GOOD_KEY}":
            return httpx2.Response(401, json={"error": {"message": "Incorrect API key provided", "type": "auth"}})
        body = json.loads(request.content or b"{}")
        self.requests.append(body)
        if request.url.path.endswith("/embeddings"):
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]} for i in range(len(inputs))]
            return httpx2.Response(200, json={"object": "list", "data": data, "model": "fake-1"})
        if body.get("model") != "fake-1":
            return httpx2.Response(404, json={"error": {"message": f"model {body.get('model')} not found"}})
        message = self._answer(body)
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        if body.get("stream"):
            return self._stream(message, finish)
        return httpx2.Response(200, json=_completion(message, finish))

    def _answer(self, body: dict[str, Any]) -> dict[str, Any]:
        tools = [t["function"]["name"] for t in body.get("tools") or []]
        choice = body.get("tool_choice")
        if isinstance(choice, dict):
            return {"content": None, "tool_calls": [_call(choice["function"]["name"])]}
        if choice == "required" and tools:
            chosen = tools if self.parallel else tools[:1]
            return {"content": None, "tool_calls": [_call(n, i) for i, n in enumerate(chosen)]}
        if tools and choice != "none":
            return {"content": None, "tool_calls": [_call(tools[0])]}
        fmt = body.get("response_format") or {}
        if fmt.get("type") in ("json_schema", "json_object"):
            return {"content": json.dumps({"answer": "Paris"})}
        return {"content": "Hello there!"}

    def _stream(self, message: dict[str, Any], finish: str) -> httpx2.Response:
        def event(delta: dict[str, Any], finish_reason: str | None = None, usage: Any = None) -> str:
            chunk = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "fake-1",
                "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                "usage": usage,
            }
            return f"data: {json.dumps(chunk)}\n\n"

        text = message.get("content") or ""
        parts = [event({"role": "assistant", "content": ""})]
        parts += [event({"content": piece}) for piece in text.split(" ")]
        parts.append(event({}, finish))
        parts.append(event({}, usage={"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}))
        parts.append("data: [DONE]\n\n")
        return httpx2.Response(200, content="".join(parts).encode(), headers={"content-type": "text/event-stream"})
