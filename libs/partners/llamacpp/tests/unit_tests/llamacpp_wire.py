"""llama-server native API bodies, in the format documented in llama.cpp's
``tools/server/README.md`` (``/completion``, its SSE stream, ``/apply-template``,
``/tokenize``, ``/embedding``, ``/props``, error objects), trimmed to the fields
clients read, plus a MockTransport router that serves them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

TIMINGS = {
    "cache_n": 0,
    "prompt_n": 9,
    "prompt_ms": 240.9,
    "prompt_per_token_ms": 26.7,
    "prompt_per_second": 37.3,
    "predicted_n": 3,
    "predicted_ms": 155.4,
    "predicted_per_token_ms": 51.8,
    "predicted_per_second": 19.3,
}

COMPLETION = {
    "index": 0,
    "content": " 4, 5",
    "tokens": [],
    "id_slot": 0,
    "stop": True,
    "model": "gemma",
    "tokens_predicted": 3,
    "tokens_evaluated": 9,
    "prompt": "<bos>1, 2, 3,",
    "has_new_line": False,
    "truncated": False,
    "stop_type": "limit",
    "stopping_word": "",
    "tokens_cached": 12,
    "timings": TIMINGS,
}

STREAM_EVENTS = [
    {"index": 0, "content": " 4", "tokens": [236743], "stop": False, "id_slot": -1,
     "tokens_predicted": 1, "tokens_evaluated": 9},
    {"index": 0, "content": ", 5", "tokens": [236812], "stop": False, "id_slot": -1,
     "tokens_predicted": 2, "tokens_evaluated": 9},
    {**COMPLETION, "content": ""},
]  # fmt: skip

PROPS = {
    "default_generation_settings": {"n_ctx": 4096, "params": {"temperature": 0.8}},
    "total_slots": 1,
    "model_alias": "gemma",
    "chat_template": "{%- for message in messages -%}<|im_start|>{{ message.role }}...",
    "modalities": {"vision": False, "audio": False},
}

CONTEXT_ERROR = {
    "error": {
        "code": 400,
        "message": "request (5002 tokens) exceeds the available context size (4096 tokens), try increasing it",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 5002,
        "n_ctx": 4096,
    }
}

AUTH_ERROR = {"error": {"code": 401, "message": "Invalid API Key", "type": "authentication_error"}}


def sse(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"data: {json.dumps(event)}\n\n" for event in events).encode()


UNSUPPORTED_PART = {"error": {"code": 400, "message": "unsupported content[].type", "type": "invalid_request_error"}}
"""What a server without a multimodal projector answers to a content part that is not ``text``."""


def _text(content: Any) -> str | None:
    """A message's text as the template sees it; None when a part is not ``text``."""
    if not isinstance(content, list):
        return str(content or "")
    if any(part.get("type") != "text" for part in content):
        return None
    return "".join(part["text"] for part in content)


def render(messages: list[dict[str, Any]]) -> str | None:
    """What the ChatML fallback template renders (as /apply-template answers); None when refused."""
    texts = [_text(m.get("content")) for m in messages]
    if any(text is None for text in texts):
        return None
    parts = [f"<|im_start|>{m['role']}\n{text}<|im_end|>\n" for m, text in zip(messages, texts, strict=True)]
    return "".join(parts) + "<|im_start|>assistant\n"


class Server:
    """A MockTransport handler routing the native endpoints; records every request."""

    def __init__(self, overrides: dict[str, Callable[[httpx.Request], httpx.Response]] | None = None):
        self.requests: list[httpx.Request] = []
        self.overrides = overrides or {}

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path in self.overrides:
            return self.overrides[path](request)
        body = json.loads(request.content) if request.content else {}
        if path == "/apply-template":
            prompt = render(body["messages"])
            return (
                httpx.Response(200, json={"prompt": prompt}) if prompt else httpx.Response(400, json=UNSUPPORTED_PART)
            )
        if path == "/completion":
            if body.get("stream"):
                return httpx.Response(200, content=sse(STREAM_EVENTS), headers={"content-type": "text/event-stream"})
            return httpx.Response(200, json=COMPLETION)
        if path == "/tokenize":
            return httpx.Response(200, json={"tokens": list(range(len(body["content"].split())))})
        if path == "/props":
            return httpx.Response(200, json=PROPS)
        if path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        if path == "/embedding":
            # With a pooling type, each text gets one row (a list holding one vector).
            data = [{"index": i, "embedding": [[float(len(t)), 1.0]]} for i, t in enumerate(body["content"])]
            return httpx.Response(200, json=data)
        return httpx.Response(
            404, json={"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}
        )
