"""Building blocks for provider adapters: SSE parsing and shared wire-format conversions."""

from polyport_core.adapters._sse import aiter_sse, iter_sse

__all__ = ["aiter_sse", "iter_sse"]
