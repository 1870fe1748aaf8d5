"""OpenAI Chat Completions wire format, shared by every OpenAI-shaped engine and adapter."""

from polyport_core.adapters.openai_wire._messages import messages_to_openai
from polyport_core.adapters.openai_wire._response import (
    parse_chat_completion,
    parse_tool_call,
    reasoning_of,
    usage_from_openai,
)
from polyport_core.adapters.openai_wire._stream import parse_chat_chunk

__all__ = [
    "messages_to_openai",
    "parse_chat_chunk",
    "parse_chat_completion",
    "parse_tool_call",
    "reasoning_of",
    "usage_from_openai",
]
