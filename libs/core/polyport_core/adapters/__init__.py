"""Building blocks for provider adapters.

``HTTPAdapter`` (a hand-rolled HTTP provider: request/response transforms, SSE
and NDJSON streams, auth, error mapping, model listing) with
``AdapterChatModel`` / ``AdapterEmbeddings`` that make it a full LangChain
model; ``ChatHTTP``, the declarative ``engine: "http"``; SSE parsing and shared
wire-format conversions.
"""

from polyport_core.adapters._chat import AdapterChatModel, AdapterSettings
from polyport_core.adapters._embeddings import AdapterEmbeddings
from polyport_core.adapters._errors import error_from_response, error_message, map_http_error
from polyport_core.adapters._http import DEFAULT_TIMEOUT, HTTPAdapter
from polyport_core.adapters._http_engine import ChatHTTP, TemplateAdapter
from polyport_core.adapters._jsonpath import get_path
from polyport_core.adapters._sse import aiter_sse, iter_sse
from polyport_core.adapters._streams import StreamFormat, aiter_events, decode_event, iter_events
from polyport_core.adapters._types import ChatRequest, RawResponse

__all__ = [
    "DEFAULT_TIMEOUT",
    "AdapterChatModel",
    "AdapterEmbeddings",
    "AdapterSettings",
    "ChatHTTP",
    "ChatRequest",
    "HTTPAdapter",
    "RawResponse",
    "StreamFormat",
    "TemplateAdapter",
    "aiter_events",
    "aiter_sse",
    "decode_event",
    "error_from_response",
    "error_message",
    "get_path",
    "iter_events",
    "iter_sse",
    "map_http_error",
]
