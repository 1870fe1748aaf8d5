"""OpenAI Chat Completions wire format, shared by every OpenAI-shaped engine and adapter."""

from polyport_core.wire.openai._blocks import OPENAI_COMPATIBLE
from polyport_core.wire.openai._forced_tools import (
    as_forced_call,
    emulate_forced_tool_call,
    forced_finish_reason,
    forced_tool_chunk,
    forced_tool_message,
)
from polyport_core.wire.openai._messages import messages_to_openai
from polyport_core.wire.openai._response import (
    parse_chat_completion,
    parse_tool_call,
    reasoning_of,
    usage_from_openai,
)
from polyport_core.wire.openai._stream import OpenAIStreamState, parse_chat_chunk

__all__ = [
    "OPENAI_COMPATIBLE",
    "OpenAIStreamState",
    "as_forced_call",
    "emulate_forced_tool_call",
    "forced_finish_reason",
    "forced_tool_chunk",
    "forced_tool_message",
    "messages_to_openai",
    "parse_chat_chunk",
    "parse_chat_completion",
    "parse_tool_call",
    "reasoning_of",
    "usage_from_openai",
]
