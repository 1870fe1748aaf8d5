"""A real forwarding HTTP proxy on loopback, for tests of proxy settings.

It takes absolute-form requests (``GET http://127.0.0.1:8080/v1/models HTTP/1.1``) as
every HTTP client sends them to a proxy, forwards each to its origin, and streams the
answer back chunk by chunk (server-sent events arrive as the origin sends them). It
counts what it forwarded (``requests``) and keeps the ``Proxy-Authorization`` headers
it was sent, so a test can prove a request went through it and with which credentials.
``https://`` origins go through a ``CONNECT`` tunnel (recorded with the ``host:port`` it names).

Example:
    ```python
    with LoopbackProxy() as proxy:
        model = ChatOpenAI(base_url=server.openai_base_url, openai_proxy=proxy.url, ...)
        model.invoke("hi")
        assert proxy.paths() == ["/v1/chat/completions"]
    ```
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = ["LoopbackProxy", "ProxiedRequest"]

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass(frozen=True)
class ProxiedRequest:
    """One request the proxy forwarded."""

    method: str
    url: str
    """The absolute URL the client asked for (``host:port`` for a ``CONNECT`` tunnel)."""
    status: int
    """The origin's status code (502 when the origin could not be reached)."""
    proxy_authorization: str | None
    """The ``Proxy-Authorization`` header the client sent (credentials from the proxy URL)."""


class _Forwarder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: the body ends when the socket closes
    proxy: LoopbackProxy

    def log_message(self, *_: Any) -> None:
        return

    def do_CONNECT(self) -> None:
        """A tunnel for an ``https://`` origin: TLS runs end to end, the proxy only relays bytes."""
        host, _, port = self.path.rpartition(":")
        auth = self.headers.get("proxy-authorization")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=self.proxy.timeout)
        except (OSError, ValueError):
            self._record(502, auth)
            self.send_error(502, "origin unreachable")
            return
        self._record(200, auth)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        _relay(self.connection, upstream)
        self.close_connection = True

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_DELETE(self) -> None:
        self._forward()

    def _forward(self) -> None:
        target = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        auth = self.headers.get("proxy-authorization")
        if target.scheme != "http" or not target.hostname:
            self._record(502, auth)
            self.send_error(502, "only absolute http:// request targets are forwarded")
            return
        path = target.path or "/"
        if target.query:
            path += f"?{target.query}"
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=self.proxy.timeout)
        try:
            upstream.request(self.command, path, body=body, headers=headers)
            response = upstream.getresponse()
        except OSError:
            upstream.close()
            self._record(502, auth)
            self.send_error(502, "origin unreachable")
            return
        self._record(response.status, auth)
        try:
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            while chunk := response.read1(65536):
                self.wfile.write(chunk)
                self.wfile.flush()
        finally:
            upstream.close()

    def _record(self, status: int, auth: str | None) -> None:
        with self.proxy._lock:
            self.proxy.requests.append(ProxiedRequest(self.command, self.path, status, auth))


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    with upstream:
        sockets = [client, upstream]
        while True:
            readable, _, broken = select.select(sockets, [], sockets, 60.0)
            if broken or not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)


class LoopbackProxy:
    """A forwarding HTTP proxy on ``127.0.0.1`` (a free port), started on enter, stopped on exit."""

    def __init__(self, *, timeout: float = 120.0) -> None:
        self.timeout = timeout
        self.requests: list[ProxiedRequest] = []
        self._lock = threading.Lock()
        handler = type("Forwarder", (_Forwarder,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: what a client's proxy setting names."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url_with_credentials(self, user: str, password: str) -> str:
        """The proxy URL with ``user:password@`` userinfo (sent as ``Proxy-Authorization``)."""
        return f"http://{user}:{password}@127.0.0.1:{self._server.server_address[1]}"

    def paths(self) -> list[str]:
        """The path (and query) of every forwarded request, in order; ``CONNECT host:port`` for a tunnel."""
        with self._lock:
            out = []
            for request in self.requests:
                if request.method == "CONNECT":
                    out.append(f"CONNECT {request.url}")
                    continue
                parts = urlsplit(request.url)
                out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
            return out

    def start(self) -> LoopbackProxy:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
