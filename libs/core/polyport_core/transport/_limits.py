"""Response size caps of the transport: no body or stream is read into memory without a bound.

A server that never ends its body would otherwise keep a call reading forever
(the timeout applies per read, and each read succeeds). The cap comes from the
model (``max_response_bytes``): the lifecycle sets it around a non-stream send
(``response_size_limit``) and hands it to streams on their ``StreamState``.
Works on ``httpx`` and ``httpx2`` responses alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from polyport_core.errors import ResponseTooLargeError

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "aiter_capped_lines",
    "aread_capped",
    "current_response_limit",
    "iter_capped_lines",
    "read_capped",
    "response_size_limit",
    "stream_limit",
]

DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""32 MiB: far above any chat or embeddings answer, far below what hurts a worker."""

_limit: ContextVar[int] = ContextVar("polyport_max_response_bytes", default=DEFAULT_MAX_RESPONSE_BYTES)


@contextmanager
def response_size_limit(limit: int) -> Iterator[None]:
    """Cap the bodies read inside this block (the lifecycle wraps each non-stream send)."""
    token = _limit.set(limit)
    try:
        yield
    finally:
        _limit.reset(token)


def current_response_limit() -> int:
    """The cap in force for a body read now."""
    return _limit.get()


def stream_limit(sink: Any) -> int:
    """The cap of a stream: its ``StreamState.max_response_bytes``, else the one in force."""
    value = getattr(sink, "max_response_bytes", None)
    return int(value) if value else _limit.get()


def _too_large(what: str, limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"The {what} exceeded max_response_bytes={limit} and was not read further "
        "(raise the model's max_response_bytes if this answer is legitimate)"
    )


def read_capped(response: Any, limit: int | None = None) -> bytes:
    """Read a streamed-mode response body, failing past ``limit`` bytes (decoded); caches it as
    the response's content so ``.json()`` / ``.text`` work as after ``.read()``."""
    cap = current_response_limit() if limit is None else limit
    parts: list[bytes] = []
    size = 0
    for part in response.iter_bytes():
        size += len(part)
        if size > cap:
            response.close()
            raise _too_large("response body", cap)
        parts.append(part)
    content = b"".join(parts)
    response._content = content  # what .read() would have stored (httpx and httpx2)
    return content


async def aread_capped(response: Any, limit: int | None = None) -> bytes:
    """Async twin of ``read_capped``."""
    cap = current_response_limit() if limit is None else limit
    parts: list[bytes] = []
    size = 0
    async for part in response.aiter_bytes():
        size += len(part)
        if size > cap:
            await response.aclose()
            raise _too_large("response body", cap)
        parts.append(part)
    content = b"".join(parts)
    response._content = content
    return content


class _Lines:
    """Incremental ``str.splitlines`` over text chunks (a ``\\r`` at a chunk's end waits for a ``\\n``)."""

    __slots__ = ("buffer", "cr")

    def __init__(self) -> None:
        self.buffer: list[str] = []
        self.cr = False

    def feed(self, text: str) -> list[str]:
        if self.cr:
            text, self.cr = "\r" + text, False
        if text.endswith("\r"):
            text, self.cr = text[:-1], True
        if not text:
            return []
        lines = text.splitlines()
        ended = text[-1] in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
        if self.buffer:
            lines[0] = "".join(self.buffer) + lines[0]
            self.buffer = []
        if not ended:
            self.buffer.append(lines.pop())
        return lines

    def flush(self) -> list[str]:
        rest = "".join(self.buffer)
        self.buffer, self.cr = [], False
        return [rest] if rest else []


def iter_capped_lines(response: Any, limit: int) -> Iterator[str]:
    """The lines of a streamed body, failing once more than ``limit`` bytes arrived (even mid-line)."""
    lines = _Lines()
    for text in response.iter_text():
        if response.num_bytes_downloaded > limit:
            raise _too_large("stream", limit)
        yield from lines.feed(text)
    yield from lines.flush()


async def aiter_capped_lines(response: Any, limit: int) -> AsyncIterator[str]:
    """Async twin of ``iter_capped_lines``."""
    lines = _Lines()
    async for text in response.aiter_text():
        if response.num_bytes_downloaded > limit:
            raise _too_large("stream", limit)
        for line in lines.feed(text):
            yield line
    for line in lines.flush():
        yield line
