"""The chat model lifecycle every partner inherits."""

from polyport_core.chat._model import ProviderChatModel, StructuredMethod
from polyport_core.chat._params import (
    ParamRoute,
    apply_param_routes,
    converted,
    into,
    renamed,
    request_field,
    unsupported,
)
from polyport_core.chat._tools import format_tools
from polyport_core.wire import ParsedResponse, StreamState, make_usage

__all__ = [
    "ParamRoute",
    "ParsedResponse",
    "ProviderChatModel",
    "StreamState",
    "StructuredMethod",
    "apply_param_routes",
    "converted",
    "format_tools",
    "into",
    "make_usage",
    "renamed",
    "request_field",
    "unsupported",
]
