"""The chat model lifecycle every partner inherits, and the seam a partner provides.

A partner subclasses ``ProviderChatModel`` and hands it one ``ChatTransport``
(moving a ``VendorRequest``; a whole answer comes back as a ``RawResponse``),
a ``StreamState`` subclass per stream, and its parsing into ``ParsedResponse``.
"""

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
from polyport_core.transport import ChatTransport
from polyport_core.wire import ParsedResponse, RawResponse, StreamState, VendorRequest, make_usage

__all__ = [
    "ChatTransport",
    "ParamRoute",
    "ParsedResponse",
    "ProviderChatModel",
    "RawResponse",
    "StreamState",
    "StructuredMethod",
    "VendorRequest",
    "apply_param_routes",
    "converted",
    "format_tools",
    "into",
    "make_usage",
    "renamed",
    "request_field",
    "unsupported",
]
