"""OpenAI Responses API wire format (``POST /responses``), for every engine that speaks it.

Pure conversions, no I/O: when a request needs the Responses API, messages → ``input``
items, a Chat Completions-shaped body → a Responses body, a ``response`` object →
``ParsedResponse``, and the streamed events → chunks (``ResponsesStreamState``).
OpenAI serves it, and so do compatible servers (llama-server, vLLM) at ``/v1/responses``.
"""

from polyport_core.wire.openai_responses._errors import responses_error
from polyport_core.wire.openai_responses._input import OUTPUT_ITEM_TYPES, messages_to_responses_input
from polyport_core.wire.openai_responses._output import (
    FUNCTION_CALL_IDS,
    finish_reason_of,
    parse_responses_body,
    usage_from_responses,
)
from polyport_core.wire.openai_responses._request import responses_body, responses_tool, responses_tool_choice
from polyport_core.wire.openai_responses._select import (
    RESPONSES_ONLY_FIELDS,
    is_builtin_tool,
    model_prefers_responses,
    needs_responses_api,
    turns_after_stored_response,
)
from polyport_core.wire.openai_responses._stream import ResponsesStreamState

RESPONSES_PATH = "/responses"
"""The endpoint, relative to an OpenAI-compatible base URL (``.../v1``)."""

__all__ = [
    "FUNCTION_CALL_IDS",
    "OUTPUT_ITEM_TYPES",
    "RESPONSES_ONLY_FIELDS",
    "RESPONSES_PATH",
    "ResponsesStreamState",
    "finish_reason_of",
    "is_builtin_tool",
    "messages_to_responses_input",
    "model_prefers_responses",
    "needs_responses_api",
    "parse_responses_body",
    "responses_body",
    "responses_error",
    "responses_tool",
    "responses_tool_choice",
    "turns_after_stored_response",
    "usage_from_responses",
]
