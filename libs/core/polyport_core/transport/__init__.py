"""How bytes move: the vendor SDK transport and plain httpx, with response size caps.

``ChatTransport`` is the one seam a chat engine provides (sync and async, whole
answer and stream); ``SDKChatTransport`` is that seam for the Stainless SDKs.

The SDK transport (``post_json``, ``stream_sse``, ``ClientPair``, ``map_sdk_error``)
sends a raw body through a Stainless-generated SDK (openai, anthropic) so the
SDK keeps auth, retries and platform routing while its typed layer is skipped.
``HTTPClient`` is the plain-httpx transport (hand-rolled adapters build on it);
the httpx helpers map HTTP failures to polyport errors. Every body and stream
is read under a size cap (``response_size_limit``). ``http_options`` turns a
spec's ``tls`` and ``proxy`` into the httpx client keywords every transport uses.

httpx-based names load on first use: the SDK partners should not pay for httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from polyport_core._lazy import lazy_getattr
from polyport_core.transport._chat import ChatTransport, SDKChatTransport
from polyport_core.transport._connection import http_options, model_http_options
from polyport_core.transport._limits import (
    DEFAULT_MAX_RESPONSE_BYTES,
    aiter_capped_lines,
    aread_capped,
    current_response_limit,
    iter_capped_lines,
    read_capped,
    response_size_limit,
    stream_limit,
)
from polyport_core.transport._sdk import (
    ClientPair,
    apost_json,
    astream_sse,
    client_pair,
    default_error_message,
    map_sdk_error,
    post_json,
    stream_sse,
)
from polyport_core.transport._tls import ssl_context, tls_verify
from polyport_core.wire import RawResponse

if TYPE_CHECKING:
    from polyport_core.transport._http import DEFAULT_TIMEOUT, HTTPClient
    from polyport_core.transport._http_errors import error_from_response, error_message, map_http_error

_LAZY = {
    "DEFAULT_TIMEOUT": "_http",
    "HTTPClient": "_http",
    "error_from_response": "_http_errors",
    "error_message": "_http_errors",
    "map_http_error": "_http_errors",
}

__getattr__ = lazy_getattr(__name__, globals(), _LAZY)

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "ChatTransport",
    "ClientPair",
    "HTTPClient",
    "RawResponse",
    "SDKChatTransport",
    "aiter_capped_lines",
    "apost_json",
    "aread_capped",
    "astream_sse",
    "client_pair",
    "current_response_limit",
    "default_error_message",
    "error_from_response",
    "error_message",
    "http_options",
    "iter_capped_lines",
    "map_http_error",
    "map_sdk_error",
    "model_http_options",
    "post_json",
    "read_capped",
    "response_size_limit",
    "ssl_context",
    "stream_limit",
    "stream_sse",
    "tls_verify",
]
