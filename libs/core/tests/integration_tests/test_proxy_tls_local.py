"""A provider file with both ``proxy`` and ``tls``: an ``https://`` server reached through a
``CONNECT`` tunnel of a real forwarding proxy (``LoopbackProxy``), its certificate checked against
the file's CA bundle inside the tunnel — on the SDK transport, plain httpx (model listing) and
``HTTPClient``. Without the CA the handshake is refused, proxy or not.

The server is ``test_dialect_tls``'s loopback HTTPS server with its own CA (OpenAI's documented
Chat Completions object and ``GET /models`` list).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from polyport_core.errors import ProviderUnavailableError
from polyport_core.registry import Registry, fetch_live_models, init_chat_model
from polyport_core.spec import parse_spec
from polyport_core.testing import LoopbackProxy
from test_dialect_tls import HTTPSServer, make_ca_and_server_cert


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_ca_and_server_cert(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def server(pki: tuple[Path, Path, Path]) -> Iterator[HTTPSServer]:
    _, cert, key = pki
    with HTTPSServer(cert, key) as running:
        yield running


@pytest.fixture
def proxy() -> Iterator[LoopbackProxy]:
    with LoopbackProxy(timeout=10) as running:
        yield running


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def _registry(url: str, proxy: str, tls: dict[str, Any] | None) -> Registry:
    doc: dict[str, Any] = {"id": "lab", "engine": "openai", "base_url": url, "proxy": proxy, "models": [{"id": "m"}]}
    if tls is not None:
        doc["tls"] = tls
    registry = Registry()
    registry.add(parse_spec(doc, "lab.json", env={}))
    return registry


def _tunnel(server: HTTPSServer) -> str:
    return f"CONNECT {server.url.removeprefix('https://').removesuffix('/v1')}"


def test_https_through_the_tunnel_with_the_files_ca(
    server: HTTPSServer, proxy: LoopbackProxy, pki: tuple[Path, Path, Path]
) -> None:
    registry = _registry(server.url, proxy.url, {"ca_bundle": str(pki[0])})

    answer = init_chat_model("lab:m", registry=registry, max_retries=0).invoke("hi")
    listed = fetch_live_models(registry.get("lab"), timeout=5)

    assert answer.content == "over TLS"
    assert list(listed) == ["lab-model"]
    assert [seen["path"] for seen in server.seen] == ["/v1/chat/completions", "/v1/models"]
    assert proxy.paths() == [_tunnel(server), _tunnel(server)]


def test_the_tunnel_does_not_lift_certificate_checks(server: HTTPSServer, proxy: LoopbackProxy) -> None:
    registry = _registry(server.url, proxy.url, None)

    with pytest.raises(ProviderUnavailableError):
        init_chat_model("lab:m", registry=registry, max_retries=0).invoke("hi")

    assert proxy.paths() == [_tunnel(server)]  # the tunnel opened; the handshake inside it failed
    assert server.seen == []


def test_http_client_tunnels_with_the_files_ca(
    server: HTTPSServer, proxy: LoopbackProxy, pki: tuple[Path, Path, Path]
) -> None:
    from polyport_core.transport import HTTPClient, ssl_context

    client = HTTPClient(server.url, verify=ssl_context(ca_bundle=str(pki[0])), proxy=proxy.url)

    assert client.request_json("POST", "/chat/completions", {}).body["choices"][0]["message"]["content"] == "over TLS"
    assert proxy.paths() == [_tunnel(server)]
