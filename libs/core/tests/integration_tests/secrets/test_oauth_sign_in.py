"""Signing in and staying signed in, against a real Authlib authorization server on loopback.

PKCE login end to end (this test is the browser), the device grant, renewal before expiry
(injected clock), renewal after a 401 in the middle of a stream, two concurrent calls sharing
one renewal, client credentials renewed on the SDK path, a revoked refresh token turning into
"run polyport auth login", and — through all of it — no token in any output: logs at DEBUG,
what the sign-in printed, error messages and tracebacks, reprs and dumps.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from _leak import assert_no_leak, formatted, log_text
from _oauth_server import OAuthServer
from polyport_core.auth import (
    RefreshingBearer,
    default_store,
    load_credential,
    login_device,
    login_pkce,
    save_credential,
)
from polyport_core.auth._session import UserTokenSource
from polyport_core.errors import AuthenticationError
from polyport_core.registry import Registry, init_chat_model
from polyport_core.spec import AuthSpec


@pytest.fixture
def idp() -> Iterator[OAuthServer]:
    with OAuthServer() as server:
        yield server


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


def _registry(tmp_path: Path, doc: dict[str, Any]) -> Registry:
    folder = tmp_path / "providers"
    folder.mkdir(exist_ok=True)
    (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    registry = Registry.discover(presets=False, plugins=False, user=False, project=[folder], env={})
    assert not registry.errors, registry.errors
    return registry


def _provider(idp: OAuthServer, auth: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"acme{uuid.uuid4().hex[:8]}",
        "engine": "openai",
        "base_url": f"{idp.url}/v1",
        "max_retries": 0,
        "auth": auth,
        "models": [{"id": "m1", "pricing": {"input": 1, "output": 2}}],
    }


def _signed_in_model(idp: OAuthServer, tmp_path: Path, printed: list[str]) -> tuple[Any, str]:
    doc = _provider(idp, idp.auth_spec())
    login_pkce(
        AuthSpec.model_validate(doc["auth"]),
        provider=doc["id"],
        store=default_store(),
        browser=_browser,
        announce=printed.append,
        timeout=10,
    )
    return init_chat_model(f"{doc['id']}:m1", registry=_registry(tmp_path, doc)), doc["id"]


def _no_token_anywhere(idp: OAuthServer, logs: pytest.LogCaptureFixture, *texts: str) -> None:
    issued = idp.issued_secrets()
    assert issued, "the server issued tokens"
    for secret in issued:
        assert_no_leak(secret, log_text(logs), *texts)


def test_pkce_login_end_to_end_and_a_model_uses_the_saved_sign_in(
    idp: OAuthServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    printed: list[str] = []
    model, pid = _signed_in_model(idp, tmp_path, printed)
    saved = load_credential(default_store(), pid)
    assert saved is not None
    assert saved.grant == "pkce"
    assert saved.refresh_token is not None
    code_request = next(r for r in idp.store.token_requests if r["grant_type"] == "authorization_code")
    assert code_request["code_verifier"]  # PKCE: the server checked the S256 challenge against it
    assert "code_challenge_method=S256" in printed[0]

    answer = model.invoke("hi")
    assert answer.content == "hello"
    assert idp.store.chat_tokens == [saved.access_token.get_secret_value()]
    raw_store = (tmp_path / "data" / "polyport" / "secrets.enc").read_text()
    _no_token_anywhere(idp, logs, *printed, repr(model), model.model_dump_json(), raw_store)


def test_device_login_polls_until_approved(idp: OAuthServer, logs: pytest.LogCaptureFixture) -> None:
    printed: list[str] = []
    naps: list[float] = []

    def sleep(seconds: float) -> None:  # the person approves on another device during the second wait
        naps.append(seconds)
        if len(naps) == 2:
            user_code = re.search(r"enter the code (\S+)", printed[-1]).group(1)  # type: ignore[union-attr]
            httpx.get(f"{idp.url}/device", params={"user_code": user_code}, timeout=10)

    spec = AuthSpec.model_validate(idp.auth_spec("oauth2_device"))
    record = login_device(spec, provider="acme", profile="ci", announce=printed.append, sleep=sleep)
    assert record.grant == "device"
    assert record.profile == "ci"
    assert len(naps) == 2  # one 'authorization_pending' answer, then the token
    assert idp.grants("urn:ietf:params:oauth:grant-type:device_code") == 2
    _no_token_anywhere(idp, logs, *printed, repr(record), str(record.describe()))


def test_device_login_denied_is_clear(idp: OAuthServer) -> None:
    printed: list[str] = []

    def sleep(seconds: float) -> None:
        user_code = re.search(r"enter the code (\S+)", printed[-1]).group(1)  # type: ignore[union-attr]
        httpx.get(f"{idp.url}/device", params={"user_code": user_code, "deny": "1"}, timeout=10)

    spec = AuthSpec.model_validate(idp.auth_spec("oauth2_device"))
    with pytest.raises(AuthenticationError, match="was denied"):
        login_device(spec, provider="acme", announce=printed.append, sleep=sleep)


def test_renewal_before_expiry_with_an_injected_clock(idp: OAuthServer, logs: pytest.LogCaptureFixture) -> None:
    from polyport_openai import ChatOpenAI

    now = [time.time()]
    store = default_store()
    spec = AuthSpec.model_validate(idp.auth_spec())
    login_pkce(spec, provider="clocked", store=store, browser=_browser, announce=lambda _: None, clock=lambda: now[0])
    source = UserTokenSource(spec, None, provider="clocked", profile="default", store=store, clock=lambda: now[0])
    bearer = RefreshingBearer(source, clock=lambda: now[0])
    model = ChatOpenAI(model="m1", base_url=f"{idp.url}/v1", api_key=bearer.token(), max_retries=0)

    model.invoke("hi")
    now[0] += 3600 - 30  # inside the renewal margin of a one-hour token
    model.invoke("hi")
    assert idp.grants("refresh_token") == 1
    assert idp.store.rejected == 0  # renewed before sending, not after a refusal
    first, second = idp.store.chat_tokens
    assert first != second
    saved = load_credential(store, "clocked")
    assert saved is not None
    assert saved.access_token.get_secret_value() == second  # the next process starts with the new token
    _no_token_anywhere(idp, logs)


def test_renewal_after_a_401_during_a_stream(idp: OAuthServer, tmp_path: Path, logs: pytest.LogCaptureFixture) -> None:
    model, _ = _signed_in_model(idp, tmp_path, [])
    model.invoke("hi")
    idp.expire_access_tokens()
    chunks = list(model.stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "hello"
    assert idp.store.rejected == 1
    assert idp.grants("refresh_token") == 1
    assert len(set(idp.store.chat_tokens)) == 2


async def test_renewal_after_a_401_during_an_async_stream(
    idp: OAuthServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    model, _ = _signed_in_model(idp, tmp_path, [])
    await model.ainvoke("hi")
    idp.expire_access_tokens()
    text = "".join([str(c.content) async for c in model.astream("hi")])
    assert text == "hello"
    assert idp.store.rejected == 1
    assert idp.grants("refresh_token") == 1
    _no_token_anywhere(idp, logs)


async def test_two_concurrent_async_calls_share_one_renewal(idp: OAuthServer, tmp_path: Path) -> None:
    model, _ = _signed_in_model(idp, tmp_path, [])
    await model.ainvoke("hi")
    idp.expire_access_tokens()
    answers = await asyncio.gather(model.ainvoke("a"), model.ainvoke("b"))
    assert [a.content for a in answers] == ["hello", "hello"]
    assert idp.grants("refresh_token") == 1


def test_two_concurrent_threads_share_one_renewal(idp: OAuthServer, tmp_path: Path) -> None:
    model, _ = _signed_in_model(idp, tmp_path, [])
    model.invoke("hi")
    idp.expire_access_tokens()
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(model.invoke, ["a", "b"]))
    assert [a.content for a in answers] == ["hello", "hello"]
    assert idp.grants("refresh_token") == 1


def test_the_anthropic_sdk_path_renews_the_key_header_after_a_401_in_a_stream(
    idp: OAuthServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    doc = {**_provider(idp, idp.auth_spec()), "engine": "anthropic", "base_url": idp.url}
    login_pkce(
        AuthSpec.model_validate(doc["auth"]), provider=doc["id"], store=default_store(), browser=_browser,
        announce=lambda _: None,
    )  # fmt: skip
    model = init_chat_model(f"{doc['id']}:m1", registry=_registry(tmp_path, doc), max_tokens=16)
    assert model.invoke("hi").content == "hello"
    idp.expire_access_tokens()
    assert "".join(str(c.content) for c in model.stream("hi")) == "hello"
    assert idp.store.rejected == 1
    assert idp.grants("refresh_token") == 1
    assert len(set(idp.store.chat_tokens)) == 2  # the renewed token went into x-api-key
    _no_token_anywhere(idp, logs, repr(model))


def test_the_ollama_sdk_path_renews_after_a_401_in_a_stream(
    idp: OAuthServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    doc = {**_provider(idp, idp.auth_spec()), "engine": "ollama", "base_url": idp.url}
    login_pkce(
        AuthSpec.model_validate(doc["auth"]), provider=doc["id"], store=default_store(), browser=_browser,
        announce=lambda _: None,
    )  # fmt: skip
    model = init_chat_model(f"{doc['id']}:m1", registry=_registry(tmp_path, doc))
    assert model.invoke("hi").content == "hello"
    idp.expire_access_tokens()
    assert "".join(str(c.content) for c in model.stream("hi")) == "hello"
    assert idp.store.rejected == 1
    assert idp.grants("refresh_token") == 1
    _no_token_anywhere(idp, logs, repr(model))


def test_client_credentials_renew_on_the_sdk_path_without_rebuilding(
    idp: OAuthServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    doc = _provider(idp, idp.service_auth_spec())
    model = init_chat_model(f"{doc['id']}:m1", registry=_registry(tmp_path, doc))
    model.invoke("hi")
    idp.expire_access_tokens()
    assert "".join(str(c.content) for c in model.stream("hi")) == "hello"
    assert idp.grants("client_credentials") == 2
    assert idp.store.rejected == 1
    _no_token_anywhere(idp, logs, repr(model))


def test_a_revoked_refresh_token_says_to_sign_in_again(
    idp: OAuthServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    printed: list[str] = []
    model, pid = _signed_in_model(idp, tmp_path, printed)
    model.invoke("hi")
    idp.revoke_refresh_tokens()
    with pytest.raises(AuthenticationError, match=rf"run `polyport auth login {pid}`") as caught:
        model.invoke("hi")
    assert "invalid_grant" in str(caught.value)
    _no_token_anywhere(idp, logs, *printed, formatted(caught.value))

    # signing in again (another terminal) heals the running model: no rebuild, no restart
    login_pkce(
        AuthSpec.model_validate(idp.auth_spec()), provider=pid, store=default_store(), browser=_browser,
        announce=lambda _: None,
    )  # fmt: skip
    assert model.invoke("hi").content == "hello"


def test_not_signed_in_is_clear(idp: OAuthServer, tmp_path: Path) -> None:
    doc = _provider(idp, idp.auth_spec())
    with pytest.raises(AuthenticationError, match=rf"not signed in to {doc['id']} .*polyport auth login"):
        init_chat_model(f"{doc['id']}:m1", registry=_registry(tmp_path, doc))


def test_a_sign_in_saved_under_a_profile_is_chosen_by_auth_profile(idp: OAuthServer, tmp_path: Path) -> None:
    doc = _provider(idp, idp.auth_spec())
    spec = AuthSpec.model_validate(doc["auth"])
    store = default_store()
    work = login_pkce(spec, provider=doc["id"], profile="work", store=store, browser=_browser, announce=lambda _: None)
    registry = _registry(tmp_path, doc)
    model = init_chat_model(f"{doc['id']}:m1", registry=registry, auth_profile="work")
    model.invoke("hi")
    assert idp.store.chat_tokens[-1] == work.access_token.get_secret_value()
    assert model.metadata is not None
    assert model.metadata["profile"] == "work"  # in the run metadata: budgets, limits and records split by it
    from polyport_core.ledger import default_ledger

    assert [(r.provider, r.profile) for r in default_ledger().records()] == [(doc["id"], "work")]
    save_credential(store, work.model_copy(update={"profile": "other"}))
    with pytest.raises(AuthenticationError, match="profile nobody"):
        init_chat_model(f"{doc['id']}:m1", registry=registry, auth_profile="nobody")


def test_cli_login_list_status_logout_never_show_a_token(
    idp: OAuthServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    import threading

    from polyport_core.cli import app
    from polyport_core.registry import reload_registry
    from typer.testing import CliRunner

    doc = _provider(idp, idp.auth_spec("oauth2_device"))
    pid = doc["id"]
    reload_registry(_registry(tmp_path, doc))
    stop = threading.Event()

    def person() -> None:  # approves the code the CLI shows, on "another device"
        while not stop.wait(0.05):
            idp.approve_pending_devices()

    helper = threading.Thread(target=person, daemon=True)
    helper.start()
    runner = CliRunner()
    try:
        login = runner.invoke(app, ["auth", "login", pid, "--profile", "ci"])
    finally:
        stop.set()
        helper.join()
    assert login.exit_code == 0, login.output
    assert f"signed in to {pid}" in login.output
    assert "enter the code" in login.output

    listed = runner.invoke(app, ["auth", "list"])
    assert listed.exit_code == 0, listed.output
    assert pid in listed.output
    assert "device" in listed.output
    status = runner.invoke(app, ["auth", "status", pid, "--json"])
    assert status.exit_code == 0, status.output
    rows = json.loads(status.stdout)
    assert [(r["provider"], r["profile"], r["status"], r["refreshable"]) for r in rows] == [(pid, "ci", "valid", True)]

    model = init_chat_model(f"{pid}:m1", registry=_registry(tmp_path, doc), auth_profile="ci")
    assert model.invoke("hi").content == "hello"

    logout = runner.invoke(app, ["auth", "logout", pid, "--profile", "ci"])
    assert logout.exit_code == 0, logout.output
    gone = runner.invoke(app, ["auth", "status", pid])
    assert gone.exit_code == 1
    assert f"polyport auth login {pid}" in gone.output
    _no_token_anywhere(idp, logs, login.output, listed.output, status.output, logout.output, gone.output)


def test_cli_saves_an_api_key_under_a_profile(tmp_path: Path, idp: OAuthServer) -> None:
    from polyport_core.cli import app
    from polyport_core.registry import reload_registry
    from typer.testing import CliRunner

    doc = {**_provider(idp, {"type": "bearer", "api_key_env": "ACME_KEY"})}
    reload_registry(_registry(tmp_path, doc))
    key = f"sk-saved-{uuid.uuid4().hex}"
    saved = CliRunner().invoke(app, ["auth", "login", doc["id"], "--api-key", "--profile", "ci"], input=key + "\n")
    assert saved.exit_code == 0, saved.output
    listed = CliRunner().invoke(app, ["auth", "list", "--json"])
    assert [(r["provider"], r["profile"], r["kind"]) for r in json.loads(listed.stdout)] == [
        (doc["id"], "ci", "api_key")
    ]
    assert_no_leak(key, saved.output, listed.output)
    stored = load_credential(default_store(), doc["id"], "ci")
    assert stored is not None
    assert stored.access_token.get_secret_value() == key
