"""What one chat exchange carries between the lifecycle, a transport and a parser.

``VendorRequest`` is what a transport sends (the vendor body and what travels
beside it), ``RawResponse`` what it brings back from a whole answer, and
``StreamState`` the per-stream state a partner's event parser keeps. Plain
values, no I/O: the wire converters, the transports and the chat lifecycle all
use them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessageChunk

__all__ = ["RawResponse", "StreamState", "VendorRequest"]


@dataclass(slots=True)
class VendorRequest:
    """One request in the vendor's terms: the JSON ``body`` and what travels beside it.

    ``forced_tools`` names the tools of a forced call emulated with a JSON-schema
    answer (the ``forced_tool_calls = "json_schema"`` quirk): the body no longer says
    so, and the parser turns the answer back into a call of one of them. ``path`` is
    the endpoint when an engine speaks more than one API (OpenAI's ``/responses``
    beside ``/chat/completions``); ``None`` is the transport's own.
    """

    body: dict[str, Any]
    stream: bool = False
    forced_tools: tuple[str, ...] = ()
    path: str | None = None


@dataclass(slots=True)
class RawResponse:
    """A decoded JSON body with the response headers (rate-limit headers feed governance)."""

    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class StreamState(ABC):
    """The state of one stream, and how it reads the next raw event.

    Each engine subclasses it (a ``kw_only`` dataclass) with the typed fields its
    parser needs: tool-call ids seen, usage so far. ``parse`` sets ``finished`` when
    the vendor signals a complete response, puts ``finish_reason`` in that chunk's
    ``response_metadata`` and attaches ``usage_metadata`` to the chunk carrying usage.
    """

    max_response_bytes: int | None = None
    """Cap on the stream's bytes, read by the transport (``None``: the cap in force)."""
    finished: bool = False
    usage_seen: bool = False
    """Set by ``parse`` once the vendor reported usage on this stream."""
    model_name: str | None = None
    headers: dict[str, str] | None = None
    """Response headers, set by the transport when the stream opens."""

    @abstractmethod
    def parse(self, event: Any) -> AIMessageChunk | None:
        """One raw event as a chunk, or None for an event with nothing to show."""
