"""Bench layer for polyport's ChatOpenAI / OpenAIEmbeddings (shared harness, "Adding our packages").

Same wire exchange as the harness's openai-sdk and langchain-openai rows: chat with
``max_tokens``, streams with ``stream_options.include_usage``, base64 embeddings in
chunks of the harness's ``embed_chunk_size``. One model instance per ``max_tokens``
value, called with a plain string prompt, as a user would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class PolyportOpenAI:
    """polyport ChatOpenAI through LangChain's Runnable API."""

    family = "openai"
    import_stmt = "import polyport_openai"
    ref = "openai-sdk"

    def __init__(self, ctx: Any) -> None:
        from polyport_openai import ChatOpenAI

        self.ctx = ctx
        self.cls = ChatOpenAI
        self._models: dict[int, Any] = {}

    def _model(self, max_tokens: int) -> Any:
        model = self._models.get(max_tokens)
        if model is None:
            model = self._models[max_tokens] = self.cls(
                model=self.ctx.chat_model,
                base_url=self.ctx.server_url + "/v1",
                api_key=self.ctx.api_key,
                max_tokens=max_tokens,
            )
        return model

    def invoke(self, max_tokens: int) -> str:
        return str(self._model(max_tokens).invoke(self.ctx.prompt).content)

    def stream(self, max_tokens: int) -> Iterator[str]:
        for chunk in self._model(max_tokens).stream(self.ctx.prompt):
            if chunk.content:
                yield str(chunk.content)

    async def ainvoke(self, max_tokens: int) -> str:
        return str((await self._model(max_tokens).ainvoke(self.ctx.prompt)).content)

    def embed(self, texts: list[str]) -> list[list[float]]:
        from polyport_openai import OpenAIEmbeddings

        embedder = OpenAIEmbeddings(
            model=self.ctx.embed_model,
            base_url=self.ctx.server_url + "/v1",
            api_key=self.ctx.api_key,
            batch_size=self.ctx.embed_chunk_size,
            encoding_format="base64",
        )
        return embedder.embed_documents(texts)
