"""Standard content blocks for OpenAI-compatible servers, reasoning included.

langchain-core's OpenAI translator ignores ``reasoning_content`` (it is not an
OpenAI field), so messages from DeepSeek, vLLM, llama.cpp or OpenRouter would
lose their reasoning in ``.content_blocks``. This translator adds it first.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import openai as openai_blocks
from langchain_core.messages.block_translators import register_translator

__all__ = ["OPENAI_COMPATIBLE"]

OPENAI_COMPATIBLE = "openai-compatible"


def _with_reasoning(message: AIMessage, blocks: list[types.ContentBlock]) -> list[types.ContentBlock]:
    reasoning: Any = message.additional_kwargs.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        return [types.ReasoningContentBlock(type="reasoning", reasoning=reasoning), *blocks]
    return blocks


def _translate(message: AIMessage) -> list[types.ContentBlock]:
    return _with_reasoning(message, openai_blocks.translate_content(message))


def _translate_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    return _with_reasoning(message, openai_blocks.translate_content_chunk(message))


register_translator(OPENAI_COMPATIBLE, _translate, _translate_chunk)
