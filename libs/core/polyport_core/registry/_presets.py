"""The environment the bundled presets are interpolated with.

``OLLAMA_HOST`` is read as the ollama SDK reads it (``host``, ``host:port``,
``scheme://host[:port][/path]``, default ``http://127.0.0.1:11434``), so the
``ollama`` preset points where the ``ollama`` CLI and SDK do.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from contextlib import suppress
from urllib.parse import urlsplit

__all__ = ["OLLAMA_DEFAULT_HOST", "ollama_host", "preset_env"]

OLLAMA_DEFAULT_HOST = "http://127.0.0.1:11434"


def ollama_host(value: str | None) -> str:
    """``OLLAMA_HOST`` as a URL, with the ollama SDK's rules (port 11434 unless a scheme implies 80/443)."""
    text = (value or "").strip()
    port = 11434
    scheme, _, hostport = text.partition("://")
    if not hostport:
        scheme, hostport = "http", text
    elif scheme == "http":
        port = 80
    elif scheme == "https":
        port = 443
    split = urlsplit(f"{scheme}://{hostport}")
    host = split.hostname or "127.0.0.1"
    with suppress(ValueError):  # a malformed port keeps the default; the server then says unreachable
        port = split.port or port
    with suppress(ValueError):  # not an IP address: a host name
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"
    path = split.path.strip("/")
    return f"{scheme}://{host}:{port}/{path}" if path else f"{scheme}://{host}:{port}"


def preset_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """``env`` (default ``os.environ``) with ``OLLAMA_HOST`` normalized to a URL when set."""
    environ = dict(os.environ if env is None else env)
    if environ.get("OLLAMA_HOST", "").strip():
        environ["OLLAMA_HOST"] = ollama_host(environ["OLLAMA_HOST"])
    else:
        environ.pop("OLLAMA_HOST", None)
    return environ
