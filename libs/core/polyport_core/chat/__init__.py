"""The chat model lifecycle every partner inherits."""

from polyport_core.chat._model import ProviderChatModel, StreamState, StructuredMethod
from polyport_core.chat._parsed import ParsedResponse, make_usage
from polyport_core.chat._tools import format_tools

__all__ = ["ParsedResponse", "ProviderChatModel", "StreamState", "StructuredMethod", "format_tools", "make_usage"]
