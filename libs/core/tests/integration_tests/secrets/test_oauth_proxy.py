"""A provider file's ``proxy`` carries its OAuth2 token requests too: ``polyport auth login``
(device grant), the renewal of a person's saved sign-in and the client-credentials grant,
against the real Authlib authorization server of ``_oauth_server`` behind a real forwarding
proxy (``LoopbackProxy``). The proxy's password never shows in the logs."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _leak import assert_no_leak, log_text
from _oauth_server import OAuthServer
from polyport_core.auth import default_store, login_pkce
from polyport_core.cli import app
from polyport_core.registry import Registry, init_chat_model, reload_registry
from polyport_core.spec import AuthSpec
from polyport_core.testing import LoopbackProxy
from typer.testing import CliRunner


@pytest.fixture
def idp() -> Iterator[OAuthServer]:
    with OAuthServer() as server:
        yield server


@pytest.fixture
def proxy() -> Iterator[LoopbackProxy]:
    with LoopbackProxy(timeout=10) as running:
        yield running


@pytest.fixture(autouse=True)
def _file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-ins go to the encrypted file store under the test's data dir (no OS keyring here)."""
    monkeypatch.setenv("POLYPORT_SECRET_STORE", "file")
    monkeypatch.setenv("POLYPORT_STORE_PASSPHRASE", f"pp-{uuid.uuid4().hex}")


def _browser(url: str) -> bool:
    """The person at the browser: open the page; the server redirects to the loopback listener."""
    answer = httpx.get(url, follow_redirects=True, timeout=10)
    assert answer.status_code == 200, answer.text
    return True


def _model(idp: OAuthServer, proxy_url: str, auth: dict[str, Any], tmp_path: Path) -> Any:
    doc = {
        "id": f"acme{uuid.uuid4().hex[:8]}", "engine": "openai", "base_url": f"{idp.url}/v1", "max_retries": 0,
        "proxy": proxy_url, "auth": auth, "models": [{"id": "m1"}],
    }  # fmt: skip
    if auth["type"] == "oauth2_pkce":
        spec = AuthSpec.model_validate(auth)
        login_pkce(spec, provider=doc["id"], store=default_store(), browser=_browser, announce=lambda _: None)
    folder = tmp_path / "providers"
    folder.mkdir(exist_ok=True)
    (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={})
    assert not registry.errors, registry.errors
    return init_chat_model(f"{doc['id']}:m1", registry=registry)


def test_a_saved_sign_in_is_renewed_through_the_proxy(
    idp: OAuthServer, proxy: LoopbackProxy, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    password = f"pp-{uuid.uuid4().hex}"
    model = _model(idp, proxy.url_with_credentials("corp", password), idp.auth_spec(), tmp_path)
    model.invoke("hi")
    idp.expire_access_tokens()

    assert model.invoke("hi").content == "hello"

    assert idp.grants("refresh_token") == 1
    assert proxy.paths() == ["/v1/chat/completions", "/v1/chat/completions", "/token", "/v1/chat/completions"]
    assert [r.status for r in proxy.requests] == [200, 401, 200, 200]
    assert_no_leak(password, log_text(logs))


def test_client_credentials_are_fetched_through_the_proxy(
    idp: OAuthServer, proxy: LoopbackProxy, tmp_path: Path
) -> None:
    model = _model(idp, proxy.url, idp.service_auth_spec(), tmp_path)

    assert model.invoke("hi").content == "hello"

    assert proxy.paths() == ["/token", "/v1/chat/completions"]
    assert idp.grants("client_credentials") == 1


def test_cli_device_sign_in_goes_through_the_proxy(
    idp: OAuthServer, proxy: LoopbackProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = {
        "id": f"acme{uuid.uuid4().hex[:8]}", "engine": "openai", "base_url": f"{idp.url}/v1",
        "proxy": proxy.url, "auth": idp.auth_spec("oauth2_device"), "models": [{"id": "m1"}],
    }  # fmt: skip
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    reload_registry(Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={}))
    stop = threading.Event()

    def person() -> None:  # approves the code the CLI shows, on "another device"
        while not stop.wait(0.05):
            idp.approve_pending_devices()

    helper = threading.Thread(target=person, daemon=True)
    helper.start()
    try:
        login = CliRunner().invoke(app, ["auth", "login", doc["id"]])
    finally:
        stop.set()
        helper.join()
        reload_registry(Registry())

    assert login.exit_code == 0, login.output
    assert proxy.paths()[0] == "/device_authorization"
    assert set(proxy.paths()[1:]) == {"/token"}  # polled until approved, every poll through the proxy
