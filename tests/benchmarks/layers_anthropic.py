"""Bench layer for polyport's ChatAnthropic (see /work/shared/bench/README.md, "Adding our packages").

Run with the shared harness, e.g.:
    python bench_clients.py --layers httpx-anth,anthropic-sdk,langchain-anthropic \
        --layer "polyport-anthropic=tests/benchmarks/layers_anthropic.py:PolyportAnthropic;python=.venv/bin/python"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class PolyportAnthropic:
    """polyport ChatAnthropic: invoke / stream / ainvoke through LangChain's Runnable API."""

    family = "anthropic"
    import_stmt = "from polyport_anthropic import ChatAnthropic"
    ref = "anthropic-sdk"

    def __init__(self, ctx: Any) -> None:
        from polyport_anthropic import ChatAnthropic

        self.ctx = ctx
        self.llm = ChatAnthropic(model=ctx.anthropic_model, base_url=ctx.server_url, api_key=ctx.api_key)
        self.prompt = ctx.prompt

    def invoke(self, max_tokens: int) -> str:
        return str(self.llm.invoke(self.prompt, max_tokens=max_tokens).content)

    def stream(self, max_tokens: int) -> Iterator[str]:
        for chunk in self.llm.stream(self.prompt, max_tokens=max_tokens):
            if chunk.content:
                yield str(chunk.content)

    async def ainvoke(self, max_tokens: int) -> str:
        return str((await self.llm.ainvoke(self.prompt, max_tokens=max_tokens)).content)
