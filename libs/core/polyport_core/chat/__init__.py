"""The chat model lifecycle every partner inherits."""

from polyport_core.chat._model import ProviderChatModel, StructuredMethod
from polyport_core.chat._tools import format_tools
from polyport_core.wire import ParsedResponse, StreamState, make_usage

__all__ = ["ParsedResponse", "ProviderChatModel", "StreamState", "StructuredMethod", "format_tools", "make_usage"]
