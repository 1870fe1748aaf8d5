"""Building blocks for provider adapters.

``HTTPAdapter`` (a hand-rolled HTTP provider: request/response transforms, SSE
and NDJSON streams, auth, error mapping, model listing) with
``AdapterChatModel`` / ``AdapterEmbeddings`` that make it a full LangChain
model; ``ChatHTTP``, the declarative ``engine: "http"``. Also re-exported here for
adapter authors: stream framing from ``polyport_core.wire`` and the HTTP error
mapping, ``RawResponse`` and ``DEFAULT_TIMEOUT`` from ``polyport_core.transport``.

Names load on first use: importing this package should not pay for httpx, auth and the spec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from polyport_core._lazy import lazy_getattr
from polyport_core.wire import StreamFormat, aiter_events, aiter_sse, decode_event, iter_events, iter_sse

if TYPE_CHECKING:
    from polyport_core.adapters._chat import AdapterChatModel, AdapterSettings
    from polyport_core.adapters._embeddings import AdapterEmbeddings
    from polyport_core.adapters._http import DEFAULT_TIMEOUT, AdapterStreamState, HTTPAdapter, RawResponse
    from polyport_core.adapters._http_engine import ChatHTTP, TemplateAdapter
    from polyport_core.adapters._jsonpath import get_path
    from polyport_core.adapters._types import ChatRequest
    from polyport_core.transport import error_from_response, error_message, map_http_error

_LAZY = {
    "AdapterChatModel": "_chat",
    "AdapterSettings": "_chat",
    "AdapterEmbeddings": "_embeddings",
    "DEFAULT_TIMEOUT": "_http",
    "HTTPAdapter": "_http",
    "AdapterStreamState": "_http",
    "ChatHTTP": "_http_engine",
    "TemplateAdapter": "_http_engine",
    "get_path": "_jsonpath",
    "ChatRequest": "_types",
    "RawResponse": "_http",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)


__all__ = [
    "DEFAULT_TIMEOUT",
    "AdapterChatModel",
    "AdapterEmbeddings",
    "AdapterSettings",
    "AdapterStreamState",
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
