"""Bench layers for Ollama's native API: raw httpx, the ollama SDK, langchain-ollama and polyport-ollama.

All four make the same wire exchange against ``fake_ollama.py``: ``POST /api/chat`` with
``options.num_predict`` (``"stream": false`` for calls, NDJSON streams otherwise) and
``POST /api/embed`` in chunks of the harness's ``embed_chunk_size``. Ratios: ``x SDK`` against
``ollama-sdk``, ``x httpx`` against ``httpx-ollama``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

MODEL = "llama3.2"
EMBED_MODEL = "all-minilm"


def _chunks(texts: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


class HttpxOllama:
    """Raw httpx: the floor (one JSON body per call, ``iter_lines`` + ``json.loads`` per streamed line)."""

    family = "ollama"
    import_stmt = "import httpx"
    ref = None

    def __init__(self, ctx: Any) -> None:
        import httpx

        self.ctx = ctx
        self.client = httpx.Client(base_url=ctx.server_url, timeout=60)
        self.aclient = httpx.AsyncClient(base_url=ctx.server_url, timeout=60, limits=httpx.Limits(max_connections=100))

    def _body(self, max_tokens: int, stream: bool) -> dict[str, Any]:
        return {
            "model": MODEL,
            "messages": [{"role": "user", "content": self.ctx.prompt}],
            "stream": stream,
            "options": {"num_predict": max_tokens},
        }

    def invoke(self, max_tokens: int) -> str:
        response = self.client.post("/api/chat", json=self._body(max_tokens, False))
        response.raise_for_status()
        return str(response.json()["message"]["content"])

    def stream(self, max_tokens: int) -> Iterator[str]:
        with self.client.stream("POST", "/api/chat", json=self._body(max_tokens, True)) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line:
                    piece = json.loads(line)["message"]["content"]
                    if piece:
                        yield piece

    async def ainvoke(self, max_tokens: int) -> str:
        response = await self.aclient.post("/api/chat", json=self._body(max_tokens, False))
        response.raise_for_status()
        return str(response.json()["message"]["content"])

    def embed(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for chunk in _chunks(texts, self.ctx.embed_chunk_size):
            response = self.client.post("/api/embed", json={"model": EMBED_MODEL, "input": chunk})
            out.extend(response.json()["embeddings"])
        return out

    async def aclose(self) -> None:
        await self.aclient.aclose()


class OllamaSDK:
    """The official ollama SDK (``Client.chat`` / ``AsyncClient.chat`` / ``Client.embed``)."""

    family = "ollama"
    import_stmt = "import ollama"
    ref = None

    def __init__(self, ctx: Any) -> None:
        import ollama

        self.ctx = ctx
        self.client = ollama.Client(host=ctx.server_url)
        self.aclient = ollama.AsyncClient(host=ctx.server_url)
        self.messages = [{"role": "user", "content": ctx.prompt}]

    def invoke(self, max_tokens: int) -> str:
        return str(self.client.chat(MODEL, messages=self.messages, options={"num_predict": max_tokens}).message.content)

    def stream(self, max_tokens: int) -> Iterator[str]:
        for part in self.client.chat(MODEL, messages=self.messages, options={"num_predict": max_tokens}, stream=True):
            if part.message.content:
                yield part.message.content

    async def ainvoke(self, max_tokens: int) -> str:
        response = await self.aclient.chat(MODEL, messages=self.messages, options={"num_predict": max_tokens})
        return str(response.message.content)

    def embed(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for chunk in _chunks(texts, self.ctx.embed_chunk_size):
            out.extend(list(v) for v in self.client.embed(EMBED_MODEL, input=chunk).embeddings)
        return out


class _ChatLayer:
    """A LangChain chat model through the Runnable API, one instance per ``max_tokens``."""

    family = "ollama"
    ref = "ollama-sdk"

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self._models: dict[int, Any] = {}

    def _build(self, max_tokens: int) -> Any:
        raise NotImplementedError

    def _model(self, max_tokens: int) -> Any:
        model = self._models.get(max_tokens)
        if model is None:
            model = self._models[max_tokens] = self._build(max_tokens)
        return model

    def invoke(self, max_tokens: int) -> str:
        return str(self._model(max_tokens).invoke(self.ctx.prompt).content)

    def stream(self, max_tokens: int) -> Iterator[str]:
        for chunk in self._model(max_tokens).stream(self.ctx.prompt):
            if chunk.content:
                yield str(chunk.content)

    async def ainvoke(self, max_tokens: int) -> str:
        return str((await self._model(max_tokens).ainvoke(self.ctx.prompt)).content)


class LangChainOllama(_ChatLayer):
    """langchain-ollama's ``ChatOllama`` / ``OllamaEmbeddings``."""

    import_stmt = "from langchain_ollama import ChatOllama"

    def _build(self, max_tokens: int) -> Any:
        from langchain_ollama import ChatOllama

        return ChatOllama(model=MODEL, base_url=self.ctx.server_url, num_predict=max_tokens)

    def embed(self, texts: list[str]) -> list[list[float]]:
        from langchain_ollama import OllamaEmbeddings

        embedder = OllamaEmbeddings(model=EMBED_MODEL, base_url=self.ctx.server_url)
        out: list[list[float]] = []
        for chunk in _chunks(texts, self.ctx.embed_chunk_size):  # it sends all texts in one request
            out.extend(embedder.embed_documents(chunk))
        return out


class PolyportOllama(_ChatLayer):
    """polyport's ``ChatOllama`` / ``OllamaEmbeddings``."""

    import_stmt = "from polyport_ollama import ChatOllama"

    def _build(self, max_tokens: int) -> Any:
        from polyport_ollama import ChatOllama

        return ChatOllama(model=MODEL, base_url=self.ctx.server_url, max_tokens=max_tokens)

    def embed(self, texts: list[str]) -> list[list[float]]:
        from polyport_ollama import OllamaEmbeddings

        embedder = OllamaEmbeddings(
            model=EMBED_MODEL, base_url=self.ctx.server_url, batch_size=self.ctx.embed_chunk_size
        )
        return embedder.embed_documents(texts)
