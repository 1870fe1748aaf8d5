"""The chat model lifecycle every partner inherits."""

from polyport_core.chat._model import ProviderChatModel, StreamState
from polyport_core.chat._parsed import ParsedResponse, make_usage

__all__ = ["ParsedResponse", "ProviderChatModel", "StreamState", "make_usage"]
