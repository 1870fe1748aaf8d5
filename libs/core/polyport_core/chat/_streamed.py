"""``streaming=True`` under ``_generate``: each streamed chunk reported to callbacks.

langchain-core already streams ``invoke`` for a model with ``streaming=True``;
these wrappers cover callers that reach ``_generate``/``_agenerate`` directly,
reporting every chunk with ``on_llm_new_token`` as langchain-core does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.outputs import ChatGenerationChunk

__all__ = ["areported", "reported"]


def reported(
    chunks: Iterator[ChatGenerationChunk], run_manager: CallbackManagerForLLMRun | None
) -> Iterator[ChatGenerationChunk]:
    """``chunks``, each passed to ``run_manager.on_llm_new_token`` first."""
    for chunk in chunks:
        if run_manager is not None:
            run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        yield chunk


async def areported(
    chunks: AsyncIterator[ChatGenerationChunk], run_manager: AsyncCallbackManagerForLLMRun | None
) -> AsyncIterator[ChatGenerationChunk]:
    """Async twin of ``reported``."""
    async for chunk in chunks:
        if run_manager is not None:
            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
        yield chunk
