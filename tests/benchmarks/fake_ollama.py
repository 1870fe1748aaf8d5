"""Ollama's native API added to the shared loopback fake server (``../shared/bench/fake_server.py``).

The shared server already fakes OpenAI and Anthropic; this module subclasses its protocol and adds
the two Ollama routes the bench calls, with bodies as the Ollama API docs describe them
(docs/api.md "Generate a chat completion" and "Generate embeddings"; docs "Streaming"):

- ``POST /api/chat``: streams by default (``"stream"`` absent means true) as newline-delimited JSON
  (``application/x-ndjson``): one ``{"model", "created_at", "message": {"role": "assistant",
  "content": piece}, "done": false}`` line per token, then a final line with an empty message,
  ``"done": true``, ``done_reason`` and the counters (``total_duration``, ``load_duration``,
  ``prompt_eval_count``, ``prompt_eval_duration``, ``eval_count``, ``eval_duration``). With
  ``"stream": false`` the same final object carries the whole message, as ``application/json``.
  Tokens: ``options.num_predict`` (else the ``x-fake-chunks`` header, else the server default);
  ``done_reason`` is ``"length"`` when that many were produced, like a capped generation.
- ``POST /api/embed``: ``input`` is a string or a list of strings → ``{"model", "embeddings":
  [[float, ...], ...], "total_duration", "load_duration", "prompt_eval_count"}``; dimension from
  ``dimensions``, the ``x-fake-dim`` header, or ``--embed-dim``.

Everything else (the OpenAI and Anthropic routes, ``/_stats``) is the shared server's.

    python tests/benchmarks/fake_ollama.py [--harness-dir ../shared/bench] [fake_server.py options]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HARNESS_DIR = Path(__file__).resolve().parents[3] / "shared" / "bench"
CREATED_AT = "2023-11-14T22:13:20.000000Z"
DURATIONS = b'"total_duration":1000000,"load_duration":1000,"prompt_eval_duration":1000,"eval_duration":1000'


def _load_base(harness_dir: Path) -> Any:
    sys.path.insert(0, str(harness_dir))
    import fake_server

    return fake_server


def build_protocol(base: Any) -> type:
    """The shared server's protocol plus ``/api/chat`` and ``/api/embed``."""
    dumps = base._dumps

    class OllamaProtocol(base.HTTPProtocol):  # type: ignore[misc,name-defined]
        def _dispatch(self, method: str, target: str, headers: dict, body: bytes, keep_alive: bool) -> None:
            path = target.split("?", 1)[0]
            if path not in ("/api/chat", "/api/embed"):
                return super()._dispatch(method, target, headers, body, keep_alive)
            base.STATS.requests += 1
            base.STATS.by_route[path] = base.STATS.by_route.get(path, 0) + 1
            if method != "POST":
                return self._simple(405, b'{"error":"method not allowed"}', close=not keep_alive)
            request = json.loads(body or b"{}")
            if path == "/api/chat":
                return self._ollama_chat(headers, request, keep_alive)
            return self._ollama_embed(headers, request, keep_alive)

        def _ollama_chat(self, headers: dict, req: dict, keep_alive: bool) -> None:
            options = req.get("options") or {}
            predict = options.get("num_predict")
            n = (
                predict
                if isinstance(predict, int) and predict > 0
                else base._n_chunks(headers, {}, self.server_cfg.default_chunks)
            )
            model = dumps(str(req.get("model", "llama3.2"))).encode()
            prompt_tokens = base._approx_input_tokens(req)
            done_reason = b"length" if n else b"stop"

            def final(content: bytes) -> bytes:
                return (
                    b'{"model":%s,"created_at":"%s","message":{"role":"assistant","content":%s},'
                    b'"done":true,"done_reason":"%s",%s,"prompt_eval_count":%d,"eval_count":%d}'
                    % (model, CREATED_AT.encode(), content, done_reason, DURATIONS, prompt_tokens, n)
                )

            if req.get("stream", True) is False:
                return self._simple(200, final(dumps(base._text(n)).encode()), close=not keep_alive)
            head = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n%s\r\n" % (
                b"" if keep_alive else b"connection: close\r\n"
            )
            line = b'{"model":%s,"created_at":"%s","message":{"role":"assistant","content":%s},"done":false}\n'
            toks = [base._chunked(line % (model, CREATED_AT.encode(), dumps(w).encode())) for w in base._WORDS]
            tail = base._chunked(final(b'""') + b"\n") + b"0\r\n\r\n"
            self._send_stream(headers, keep_alive, head, toks, n, tail)

        def _ollama_embed(self, headers: dict, req: dict, keep_alive: bool) -> None:
            inputs = req.get("input", "")
            k = len(inputs) if isinstance(inputs, list) else 1
            dim = int(headers.get("x-fake-dim") or req.get("dimensions") or self.server_cfg.embed_dim)
            vector = base._embedding_fragment(dim, "float")
            model = dumps(str(req.get("model", "all-minilm"))).encode()
            body = b'{"model":%s,"embeddings":[%s],"total_duration":1000000,"load_duration":1000,' % (
                model,
                b",".join([vector] * k),
            ) + b'"prompt_eval_count":%d}' % (k * 4)
            self._simple(200, body, close=not keep_alive)

    return OllamaProtocol


def main(argv: list[str]) -> None:
    """Serve the shared fake's routes plus Ollama's; options are the shared server's."""
    harness_dir = HARNESS_DIR
    if argv[:1] == ["--harness-dir"]:
        harness_dir, argv = Path(argv[1]), argv[2:]
    base = _load_base(harness_dir)
    base.HTTPProtocol = build_protocol(base)
    base.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
