"""A provider file's ``tls`` section (Polydev ``security``) sets real TLS on both transports,
against a loopback HTTPS server whose self-signed CA is made here: refused by default,
accepted with the CA bundle, accepted with ``allowInsecure``; a minimum TLS version the
server cannot meet is refused. Live model listing sends the filled ``{api_key}`` header.

The server answers in OpenAI's documented formats (Chat Completions object, ``GET /models`` list).
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import ssl
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from polyport_core.errors import PolyportError, ProviderUnavailableError
from polyport_core.registry import Registry, fetch_live_models, init_chat_model, init_embeddings
from polyport_core.spec import parse_spec

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1741569952,
    "model": "lab-model",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "over TLS"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}
EMBEDDINGS = {
    "object": "list",
    "data": [{"object": "embedding", "index": 0, "embedding": [0.25, 0.5]}],
    "model": "lab-model",
    "usage": {"prompt_tokens": 1, "total_tokens": 1},
}
MODELS = {"object": "list", "data": [{"id": "lab-model", "object": "model", "created": 0, "owned_by": "lab"}]}


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca_and_server_cert(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it (PEM files)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("polyport test CA"))
        .issuer_name(_name("polyport test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]

    def log_message(self, *_: Any) -> None:
        pass

    def _reply(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})  # type: ignore[attr-defined]
        self._reply(MODELS)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        self.server.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})  # type: ignore[attr-defined]
        self._reply(EMBEDDINGS if self.path.endswith("/embeddings") else COMPLETION)


class HTTPSServer:
    """A threaded loopback HTTPS server (TLS 1.2 at most, so a 1.3 minimum can be refused)."""

    def __init__(self, cert: Path, key: Path) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.seen = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def seen(self) -> list[dict[str, Any]]:
        return self.httpd.seen  # type: ignore[attr-defined, no-any-return]

    def __enter__(self) -> HTTPSServer:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_ca_and_server_cert(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def server(pki: tuple[Path, Path, Path]) -> Iterator[HTTPSServer]:
    _, cert, key = pki
    with HTTPSServer(cert, key) as running:
        yield running


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYPORT_LEDGER", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    monkeypatch.setenv("LAB_KEY", "lab-secret-1")  # keys are references, read when a model is built


def polydev_registry(url: str, security: dict[str, Any] | None, *, type_: str = "openai-compatible") -> Registry:
    doc: dict[str, Any] = {
        "id": "lab",
        "name": "Lab box",
        "type": type_,
        "baseUrl": url,
        "apiKey": "${LAB_KEY}",
        "headers": {"X-Lab-Key": "{api_key}"},
        "models": [{"id": "lab-model"}],
    }
    if security is not None:
        doc["security"] = security
    registry = Registry()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        registry.add(parse_spec(doc, "lab.json"))
    return registry


def ask(registry: Registry, **overrides: Any) -> str:
    model = init_chat_model("lab:lab-model", registry=registry, max_retries=0, **overrides)
    return str(model.invoke("hi").content)


SECURE_CASES = {
    "default": None,
    "tls 1.3 minimum": {"tlsVersion": "1.3", "caBundle": "CA"},
}
ACCEPTED_CASES = {
    "ca bundle": {"caBundle": "CA", "tlsVersion": "1.2"},
    "allowInsecure": {"allowInsecure": True},
    "certificateValidation false": {"certificateValidation": False},
}


def _security(case: dict[str, Any] | None, ca: Path) -> dict[str, Any] | None:
    if case is None:
        return None
    return {k: str(ca) if v == "CA" else v for k, v in case.items()}


@pytest.mark.parametrize("case", sorted(SECURE_CASES))
def test_sdk_transport_refuses(server: HTTPSServer, pki: tuple[Path, Path, Path], case: str) -> None:
    registry = polydev_registry(server.url, _security(SECURE_CASES[case], pki[0]))
    with pytest.raises(ProviderUnavailableError):
        ask(registry)
    assert server.seen == []


@pytest.mark.parametrize("case", sorted(ACCEPTED_CASES))
def test_sdk_transport_accepts(server: HTTPSServer, pki: tuple[Path, Path, Path], case: str) -> None:
    registry = polydev_registry(server.url, _security(ACCEPTED_CASES[case], pki[0]))
    assert ask(registry) == "over TLS"
    assert server.seen[0]["path"] == "/v1/chat/completions"
    assert server.seen[0]["headers"]["x-lab-key"] == "lab-secret-1"


async def test_sdk_async_transport_uses_the_ca_bundle(server: HTTPSServer, pki: tuple[Path, Path, Path]) -> None:
    registry = polydev_registry(server.url, {"caBundle": str(pki[0])})
    model = init_chat_model("lab:lab-model", registry=registry, max_retries=0)
    assert (await model.ainvoke("hi")).content == "over TLS"


def test_anthropic_sdk_transport_refuses_then_accepts_with_the_ca(
    server: HTTPSServer, pki: tuple[Path, Path, Path]
) -> None:
    def registry(tls: dict[str, Any] | None) -> Registry:
        reg = Registry()
        doc: dict[str, Any] = {"id": "lab", "engine": "anthropic", "base_url": server.url, "models": [{"id": "m"}]}
        if tls is not None:
            doc["tls"] = tls
        reg.add(parse_spec(doc, "lab.json", env={}))
        return reg

    with pytest.raises(ProviderUnavailableError):
        init_chat_model("lab:m", registry=registry(None), max_retries=0).invoke("hi")
    assert server.seen == []
    # the server speaks OpenAI's format, not Anthropic's: a recorded request is what shows
    # that the TLS handshake was accepted with the CA bundle
    with contextlib.suppress(PolyportError):
        init_chat_model("lab:m", registry=registry({"ca_bundle": str(pki[0])}), max_retries=0).invoke("hi")
    assert server.seen[0]["path"] == "/v1/messages"


@pytest.mark.parametrize("case", sorted(SECURE_CASES))
def test_plain_httpx_refuses(server: HTTPSServer, pki: tuple[Path, Path, Path], case: str) -> None:
    spec = polydev_registry(server.url, _security(SECURE_CASES[case], pki[0])).get("lab")
    with pytest.raises(ProviderUnavailableError):
        fetch_live_models(spec, timeout=5)


@pytest.mark.parametrize("case", sorted(ACCEPTED_CASES))
def test_plain_httpx_accepts_and_sends_the_filled_key_header(
    server: HTTPSServer, pki: tuple[Path, Path, Path], case: str
) -> None:
    spec = polydev_registry(server.url, _security(ACCEPTED_CASES[case], pki[0])).get("lab")
    assert list(fetch_live_models(spec, timeout=5)) == ["lab-model"]
    request = server.seen[0]
    assert request["path"] == "/v1/models"
    assert request["headers"]["x-lab-key"] == "lab-secret-1"  # not the literal "{api_key}"
    assert "authorization" not in request["headers"]  # the key goes only where the file says


def test_declarative_http_engine_uses_the_tls_section(server: HTTPSServer, pki: tuple[Path, Path, Path]) -> None:
    doc = {
        "id": "lab",
        "engine": "http",
        "base_url": server.url,
        "tls": {"ca_bundle": str(pki[0])},
        "http": {
            "path": "/chat/completions",
            "body": {"model": "{model}", "messages": "{messages}"},
            "response": {"text": "choices[0].message.content"},
        },
    }
    registry = Registry()
    registry.add(parse_spec(doc, "lab.json", env={}))
    assert ask(registry) == "over TLS"
    insecure = Registry()
    insecure.add(parse_spec({**doc, "tls": None}, "lab.json", env={}))
    with pytest.raises(ProviderUnavailableError):
        ask(insecure)


def test_doctor_model_listing_sends_the_filled_key_header(server: HTTPSServer, pki: tuple[Path, Path, Path]) -> None:
    from polyport_core.doctor import DoctorTarget

    registry = polydev_registry(server.url, {"caBundle": str(pki[0])})
    target = DoctorTarget.from_registry("lab:lab-model", registry=registry)
    assert target.live_models() == ["lab-model"]
    assert server.seen[0]["path"] == "/v1/models"
    assert server.seen[0]["headers"]["x-lab-key"] == "lab-secret-1"


def test_ollama_transport_refuses_then_accepts_with_the_ca(server: HTTPSServer, pki: tuple[Path, Path, Path]) -> None:
    def registry(tls: dict[str, Any] | None) -> Registry:
        reg = Registry()
        root = server.url.removesuffix("/v1")
        doc: dict[str, Any] = {"id": "lab", "engine": "ollama", "base_url": root, "models": [{"id": "m"}]}
        if tls is not None:
            doc["tls"] = tls
        reg.add(parse_spec(doc, "lab.json", env={}))
        return reg

    with pytest.raises(ProviderUnavailableError):
        init_chat_model("lab:m", registry=registry(None), max_retries=0).invoke("hi")
    assert server.seen == []
    with contextlib.suppress(PolyportError):  # the server answers in OpenAI's format, not Ollama's
        init_chat_model("lab:m", registry=registry({"ca_bundle": str(pki[0])}), max_retries=0).invoke("hi")
    assert server.seen[0]["path"] == "/api/chat"


def test_embeddings_use_the_tls_section(server: HTTPSServer, pki: tuple[Path, Path, Path]) -> None:
    trusted = polydev_registry(server.url, {"caBundle": str(pki[0])})
    embedder = init_embeddings("lab:lab-model", registry=trusted, max_retries=0)
    assert embedder.embed_query("hi") == [0.25, 0.5]
    assert server.seen[0]["path"] == "/v1/embeddings"
    with pytest.raises(ProviderUnavailableError):
        init_embeddings("lab:lab-model", registry=polydev_registry(server.url, None), max_retries=0).embed_query("x")
