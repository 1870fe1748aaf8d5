"""Signing in as a person: the authorization-code grant with PKCE (S256) through a loopback
redirect on a free port (RFC 8252), and the device authorization grant (RFC 8628).

Authlib's OAuth2 client builds the requests; polyport adds the loopback listener, the
browser, the polling loop and the saved record. Nothing here prints a token.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import SecretStr

from polyport_core.auth._session import oauth_client, token_record, transport_errors
from polyport_core.auth._store import SecretStore
from polyport_core.auth._tokens import StoredCredential, save_credential
from polyport_core.errors import AuthenticationError, InvalidConfigError, ProviderUnavailableError
from polyport_core.redaction import redact_url
from polyport_core.spec import AuthSpec

__all__ = ["DEVICE_GRANT", "login_device", "login_pkce", "open_browser"]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_PAGE = b"<!doctype html><title>polyport</title><p>Signed in. You can close this window and return to polyport."


def open_browser(url: str) -> bool:
    """Open ``url`` in a graphical browser when the machine has one; False on headless machines."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False  # a console browser would take over the terminal
    try:
        return webbrowser.get().open(url)
    except webbrowser.Error:
        return False


class _Callback:
    """A one-shot loopback HTTP listener that captures the authorization redirect."""

    def __init__(self, host: str) -> None:
        self.params: dict[str, str] = {}
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                if "code" not in query and "error" not in query:
                    self.send_response(404)
                    self.end_headers()
                    return
                outer.params = {k: v[0] for k, v in query.items()}
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(_PAGE)
                outer.arrived.set()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
                return  # the request line carries the authorization code

        self.server = HTTPServer((host, 0), Handler)
        self.redirect_uri = f"http://{host}:{self.server.server_port}/callback"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self) -> _Callback:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def _required(spec: AuthSpec, *names: str, provider: str) -> None:
    missing = [n for n in names if not getattr(spec, n)]
    if missing:
        raise InvalidConfigError(f"auth.{', auth.'.join(missing)} needed to sign in", provider=provider)


def login_pkce(
    spec: AuthSpec,
    *,
    provider: str,
    profile: str = "default",
    client_secret: SecretStr | None = None,
    store: SecretStore | None = None,
    browser: Callable[[str], bool] | None = open_browser,
    announce: Callable[[str], None] = print,
    timeout: float = 300.0,
    clock: Callable[[], float] = time.time,
    transport: Any = None,
    host: str = "127.0.0.1",
    proxy: str | None = None,
) -> StoredCredential:
    """Sign in with the authorization-code grant and PKCE; save the tokens in ``store`` when given.

    Prints (``announce``) the URL to open and opens a browser when one exists; waits up to
    ``timeout`` seconds for the redirect to the loopback listener. ``proxy`` (the provider
    file's) carries the token request; the browser and the loopback listener do not use it.
    """
    _required(spec, "authorization_url", "token_url", "client_id", provider=provider)
    assert spec.authorization_url is not None
    assert spec.token_url is not None
    from authlib.common.security import generate_token
    from authlib.integrations.base_client import OAuthError

    verifier = generate_token(64)
    extra = {"audience": spec.audience} if spec.audience else {}
    with _Callback(host) as callback:
        client = oauth_client(
            spec,
            client_secret,
            transport=transport,
            proxy=proxy,
            redirect_uri=callback.redirect_uri,
            code_challenge_method="S256",
        )
        with client:
            url, state = client.create_authorization_url(spec.authorization_url, code_verifier=verifier, **extra)
            announce(f"Sign in to {provider} (profile {profile}) in your browser:\n  {url}")
            if browser is not None and not browser(url):
                announce("No browser here: open the address above on any machine that can reach this one.")
            if not callback.arrived.wait(timeout):
                raise AuthenticationError(f"no sign-in arrived within {timeout:.0f} s", provider=provider)
            params = callback.params
            if params.get("state") != state:
                raise AuthenticationError("the sign-in redirect carried the wrong state; try again", provider=provider)
            if "error" in params:
                raise AuthenticationError(
                    f"the sign-in was refused: {params['error']} {params.get('error_description', '')}".strip(),
                    provider=provider,
                )
            try:
                payload = client.fetch_token(
                    spec.token_url, grant_type="authorization_code", code=params["code"], code_verifier=verifier
                )
            except OAuthError as exc:
                raise AuthenticationError(
                    f"{redact_url(spec.token_url)} refused the authorization code ({exc.error})", provider=provider
                ) from None
            except transport_errors() as exc:
                raise _token_endpoint_failed(spec.token_url, exc, provider) from None
    record = token_record(dict(payload), provider=provider, profile=profile, grant="pkce", now=clock())
    if store is not None:
        save_credential(store, record)
    return record


def login_device(
    spec: AuthSpec,
    *,
    provider: str,
    profile: str = "default",
    client_secret: SecretStr | None = None,
    store: SecretStore | None = None,
    announce: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    transport: Any = None,
    proxy: str | None = None,
) -> StoredCredential:
    """Sign in with the device authorization grant: show a code, poll until it is approved
    (``proxy``, the provider file's, carries every request to the authorization server)."""
    _required(spec, "device_authorization_url", "token_url", "client_id", provider=provider)
    assert spec.device_authorization_url is not None
    assert spec.token_url is not None
    from authlib.integrations.base_client import OAuthError

    where = redact_url(spec.device_authorization_url)
    with oauth_client(spec, client_secret, transport=transport, proxy=proxy) as client:
        data = {"client_id": spec.client_id}
        if spec.scopes:
            data["scope"] = " ".join(spec.scopes)
        if spec.audience:
            data["audience"] = spec.audience
        try:
            response = client.request("POST", spec.device_authorization_url, data=data, withhold_token=True)
        except transport_errors() as exc:
            raise ProviderUnavailableError(f"{where} unreachable: {type(exc).__name__}", provider=provider) from None
        try:
            grant = response.json()
            device_code = str(grant["device_code"])
            user_code = str(grant["user_code"])
            verification = str(grant.get("verification_uri_complete") or grant["verification_uri"])
        except (ValueError, KeyError, TypeError):
            raise AuthenticationError(
                f"{where} did not start a device sign-in (HTTP {response.status_code})", provider=provider
            ) from None
        announce(f"Sign in to {provider} (profile {profile}): open {verification}\n  and enter the code {user_code}")
        interval = float(grant.get("interval") or 5)
        deadline = clock() + float(grant.get("expires_in") or 900)
        while True:
            if clock() > deadline:
                raise AuthenticationError(
                    "the device code expired before it was approved; try again", provider=provider
                )
            sleep(interval)
            try:
                payload = client.fetch_token(spec.token_url, grant_type=DEVICE_GRANT, device_code=device_code)
                break
            except OAuthError as exc:
                if exc.error == "authorization_pending":
                    continue
                if exc.error == "slow_down":
                    interval += 5
                    continue
                reason = {"access_denied": "was denied", "expired_token": "expired before it was approved"}
                raise AuthenticationError(
                    f"the device sign-in {reason.get(exc.error, f'failed ({exc.error})')}", provider=provider
                ) from None
            except transport_errors() as exc:
                raise _token_endpoint_failed(spec.token_url, exc, provider) from None
    record = token_record(dict(payload), provider=provider, profile=profile, grant="device", now=clock())
    if store is not None:
        save_credential(store, record)
    return record


def _token_endpoint_failed(token_url: str, exc: Exception, provider: str) -> ProviderUnavailableError:
    """The one message for a token endpoint that could not be reached (URL redacted, no body)."""
    return ProviderUnavailableError(
        f"OAuth2 token endpoint {redact_url(token_url)} failed: {type(exc).__name__}", provider=provider
    )
