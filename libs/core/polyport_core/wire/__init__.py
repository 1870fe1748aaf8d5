"""Vendor wire formats, without I/O: stream framing and shared format conversions.

``iter_sse``/``iter_events`` turn the lines of a streamed body (SSE or NDJSON)
into events; ``polyport_core.wire.openai`` converts the OpenAI Chat Completions
format that several engines share, ``polyport_core.wire.openai_responses`` OpenAI's
Responses API (``/responses``). ``VendorRequest``, ``RawResponse`` and
``StreamState`` are what one exchange carries between the lifecycle, a transport
and a parser; ``ParsedResponse`` and ``make_usage`` are what a parser hands the
chat lifecycle. Nothing here sends a request.
"""

from polyport_core.wire._exchange import RawResponse, StreamState, VendorRequest
from polyport_core.wire._parsed import ParsedResponse, make_usage
from polyport_core.wire._sse import aiter_sse, iter_sse
from polyport_core.wire._streams import StreamFormat, aiter_events, decode_event, iter_events

__all__ = [
    "ParsedResponse",
    "RawResponse",
    "StreamFormat",
    "StreamState",
    "VendorRequest",
    "aiter_events",
    "aiter_sse",
    "decode_event",
    "iter_events",
    "iter_sse",
    "make_usage",
]
