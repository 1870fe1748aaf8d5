"""A real OAuth 2.0 authorization server built from Authlib's server components, on loopback.

Flask + ``authlib.integrations.flask_oauth2.AuthorizationServer`` with the authorization-code
grant (PKCE S256 required, RFC 7636), the refresh-token grant (rotating), the device grant and
device authorization endpoint (RFC 8628), and a bearer-protected OpenAI-shaped
``/v1/chat/completions`` (``ResourceProtector`` + RFC 6750 validator) as the resource server.
Storage is in memory; the test controls it (approve a device code, expire access tokens, revoke
refresh tokens) through methods, not fake responses.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8628 import DeviceAuthorizationEndpoint, DeviceCodeGrant, DeviceCredentialDict
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

logging.getLogger("werkzeug").setLevel(logging.ERROR)
# The server's own modules log the tokens they issue at DEBUG; they are the far side, not polyport.
for _server_side in (
    "authlib.oauth2.rfc6749",
    "authlib.oauth2.rfc7636",
    "authlib.oauth2.rfc8628",
    "authlib.integrations.flask_oauth2",
):
    logging.getLogger(_server_side).setLevel(logging.WARNING)

CLIENT_ID = "polyport-cli"


@dataclass
class User:
    id: str

    def get_user_id(self) -> str:
        return self.id


ALICE = User("alice")


class Client:
    """A registered client. The public one (no secret) may sign a person in and redirect to any
    loopback port (RFC 8252); the confidential one uses the client-credentials grant."""

    def __init__(self, client_id: str, secret: str | None, grant_types: tuple[str, ...]) -> None:
        self.client_id = client_id
        self.secret = secret
        self.grant_types = grant_types

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri.startswith("http://127.0.0.1:") and redirect_uri.endswith("/callback")

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret is not None and secrets.compare_digest(client_secret, self.secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == ("client_secret_basic" if self.secret else "none")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.secret is None

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


PUBLIC = Client(CLIENT_ID, None, ("authorization_code", "refresh_token", DeviceCodeGrant.GRANT_TYPE))
SERVICE_ID = "polyport-service"
SERVICE_SECRET = "svc-" + secrets.token_hex(16)
SERVICE = Client(SERVICE_ID, SERVICE_SECRET, ("client_credentials",))


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user_id: str
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> None:
        return None

    def get_auth_time(self) -> None:
        return None


@dataclass
class Token:
    access_token: str
    refresh_token: str | None
    scope: str
    user_id: str
    issued_at: float
    expires_in: int
    revoked: bool = False
    refresh_revoked: bool = False

    def check_client(self, client: Any) -> bool:
        return client.get_client_id() in (CLIENT_ID, self.user_id)

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> User:
        return User(self.user_id)


@dataclass
class Store:
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    devices: dict[str, DeviceCredentialDict] = field(default_factory=dict)
    approved: dict[str, bool] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    rejected: int = 0
    """401s the resource server answered."""
    chat_tokens: list[str] = field(default_factory=list)
    """Bearer tokens the resource server accepted, in order."""
    lock: threading.Lock = field(default_factory=threading.Lock)


class OAuthServer:
    """The app, its storage and a werkzeug server thread on a free loopback port."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.store = store = Store()
        app = Flask("polyport-test-idp")
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {
            "authorization_code": expires_in,
            "refresh_token": expires_in,
            DeviceCodeGrant.GRANT_TYPE: expires_in,
        }
        app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True

        def query_client(client_id: str) -> Client | None:
            return {CLIENT_ID: PUBLIC, SERVICE_ID: SERVICE}.get(client_id)

        def save_token(token: dict[str, Any], req: Any) -> None:
            with store.lock:
                store.tokens.append(
                    Token(
                        access_token=token["access_token"],
                        refresh_token=token.get("refresh_token"),
                        scope=token.get("scope", ""),
                        user_id=req.user.get_user_id() if req.user is not None else req.client.get_client_id(),
                        issued_at=time.time(),
                        expires_in=int(token["expires_in"]),
                    )
                )

        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ("none",)

            def save_authorization_code(self, code: str, req: Any) -> None:
                store.codes[code] = AuthorizationCode(
                    code=code,
                    client_id=req.client.get_client_id(),
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope or "",
                    user_id=req.user.get_user_id(),
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Any) -> AuthorizationCode | None:
                found = store.codes.get(code)
                return found if found is not None and found.client_id == client.get_client_id() else None

            def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
                store.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: AuthorizationCode) -> User:
                return User(authorization_code.user_id)

        class RefreshGrant(grants.RefreshTokenGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ("none",)
            INCLUDE_NEW_REFRESH_TOKEN = True

            def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
                for token in store.tokens:
                    if token.refresh_token == refresh_token and not token.refresh_revoked:
                        return token
                return None

            def authenticate_user(self, credential: Token) -> User:
                return credential.get_user()

            def revoke_old_credential(self, credential: Token) -> None:
                credential.refresh_revoked = True
                credential.revoked = True

        class ServiceGrant(grants.ClientCredentialsGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic",)

        class DeviceGrant(DeviceCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ("none",)

            def query_device_credential(self, device_code: str) -> DeviceCredentialDict | None:
                return store.devices.get(device_code)

            def query_user_grant(self, user_code: str) -> tuple[User, bool] | None:
                if user_code not in store.approved:
                    return None
                return ALICE, store.approved[user_code]

            def should_slow_down(self, credential: Any) -> bool:
                return False

        outer = self

        class DeviceEndpoint(DeviceAuthorizationEndpoint):
            CLIENT_AUTH_METHODS = ("none",)
            INTERVAL = 1  # seconds between polls (the CLI test really waits)

            def get_verification_uri(self) -> str:
                return f"{outer.url}/device"

            def save_device_credential(self, client_id: str, scope: str, data: dict[str, Any]) -> None:
                store.devices[data["device_code"]] = DeviceCredentialDict(
                    client_id=client_id, scope=scope, expires_at=time.time() + 600, **data
                )

        server.register_grant(CodeGrant, [CodeChallenge(required=True)])
        server.register_grant(RefreshGrant)
        server.register_grant(ServiceGrant)
        server.register_grant(DeviceGrant)
        server.register_endpoint(DeviceEndpoint)

        class Validator(BearerTokenValidator):
            def authenticate_token(self, token_string: str) -> Token | None:
                return next((t for t in store.tokens if t.access_token == token_string), None)

        protect = ResourceProtector()
        protect.register_token_validator(Validator())

        @app.get("/authorize")
        def authorize() -> Any:
            # the test is the browser and alice has already consented
            return server.create_authorization_response(grant_user=ALICE)

        @app.post("/token")
        def issue_token() -> Any:
            store.token_requests.append(dict(request.form))
            return server.create_token_response()

        @app.post("/device_authorization")
        def device_authorization() -> Any:
            return server.create_endpoint_response("device_authorization")

        @app.get("/device")
        def verify_device() -> Any:
            store.approved[request.args["user_code"]] = request.args.get("deny") is None
            return "ok"

        @app.errorhandler(401)
        def unauthorized(error: Any) -> Any:  # pragma: no cover - ResourceProtector raises its own
            return jsonify({"error": "invalid_token"}), 401

        @app.post("/v1/chat/completions")
        def chat() -> Any:
            try:
                protect.acquire_token()
            except Exception:
                with store.lock:
                    store.rejected += 1
                body = {"error": {"message": "Invalid or expired token", "type": "invalid_request_error"}}
                return jsonify(body), 401
            with store.lock:
                store.chat_tokens.append(current_token.access_token)
            payload = request.get_json()
            if payload.get("stream"):
                return Response(_sse_chunks(payload["model"]), mimetype="text/event-stream")
            return jsonify(_completion(payload["model"]))

        @app.post("/api/chat")
        def ollama_chat() -> Any:
            # Ollama-shaped (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion)
            given = request.headers.get("authorization", "").removeprefix("Bearer ")
            with store.lock:
                token = next((t for t in store.tokens if t.access_token == given), None)
                if token is None or token.is_revoked() or token.is_expired():
                    store.rejected += 1
                    return jsonify({"error": "unauthorized"}), 401
                store.chat_tokens.append(given)
            payload = request.get_json()
            if payload.get("stream", True):
                lines = (json.dumps(chunk) + "\n" for chunk in _ollama_chunks(payload["model"]))
                return Response(lines, mimetype="application/x-ndjson")
            return jsonify(
                _ollama_chunks(payload["model"])[-1] | {"message": {"role": "assistant", "content": "hello"}}
            )

        @app.post("/v1/messages")
        def messages() -> Any:
            # Anthropic-shaped: the SDK sends the key in x-api-key (the bearer form is accepted too)
            given = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")
            with store.lock:
                token = next((t for t in store.tokens if t.access_token == given), None)
                if token is None or token.is_revoked() or token.is_expired():
                    store.rejected += 1
                    body = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
                    return jsonify(body), 401
                store.chat_tokens.append(given)
            payload = request.get_json()
            if payload.get("stream"):
                return Response(_anthropic_events(payload["model"]), mimetype="text/event-stream")
            return jsonify(_anthropic_message(payload["model"]))

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> OAuthServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------ test controls
    def expire_access_tokens(self) -> None:
        """Every access token issued so far is refused from now on (as when it expired at the server)."""
        with self.store.lock:
            for token in self.store.tokens:
                token.revoked = True

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token is refused from now on (the user revoked the app)."""
        with self.store.lock:
            for token in self.store.tokens:
                token.refresh_revoked = True
                token.revoked = True

    def approve_pending_devices(self) -> None:
        """The person enters every shown user code on the verification page (reads them server-side)."""
        for device in list(self.store.devices.values()):
            self.store.approved.setdefault(device["user_code"], True)

    def grants(self, grant_type: str) -> int:
        """How many token requests of ``grant_type`` arrived."""
        return sum(1 for r in self.store.token_requests if r.get("grant_type") == grant_type)

    def issued_secrets(self) -> list[str]:
        """Every access and refresh token issued so far (for leak checks)."""
        with self.store.lock:
            return [s for t in self.store.tokens for s in (t.access_token, t.refresh_token) if s]

    def auth_spec(self, kind: str = "oauth2_pkce") -> dict[str, Any]:
        return {
            "type": kind,
            "authorization_url": f"{self.url}/authorize",
            "device_authorization_url": f"{self.url}/device_authorization",
            "token_url": f"{self.url}/token",
            "client_id": CLIENT_ID,
            "scopes": ["chat"],
        }

    def service_auth_spec(self) -> dict[str, Any]:
        return {
            "type": "oauth2_client_credentials",
            "token_url": f"{self.url}/token",
            "client_id": SERVICE_ID,
            "client_secret": SERVICE_SECRET,
            "scopes": ["chat"],
        }


def _completion(model: str) -> dict[str, Any]:
    """An OpenAI chat completion (https://platform.openai.com/docs/api-reference/chat/object)."""
    return {
        "id": f"chatcmpl-{secrets.token_hex(4)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }


def _sse_chunks(model: str) -> Any:
    """OpenAI chat completion chunks (https://platform.openai.com/docs/api-reference/chat-streaming)."""
    base = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
    for piece in ("hel", "lo"):
        chunk = {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
        yield f"data: {json.dumps(chunk)}\n\n"
    yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {}, 'finish_reason': 'stop'}]})}\n\n"
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"


def _anthropic_message(model: str) -> dict[str, Any]:
    """An Anthropic message (https://docs.anthropic.com/en/api/messages)."""
    return {
        "id": "msg_01test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": "hello"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 1},
    }


def _anthropic_events(model: str) -> Any:
    """Anthropic streaming events (https://docs.anthropic.com/en/api/messages-streaming)."""
    start = {
        **_anthropic_message(model),
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 5, "output_tokens": 0},
    }
    block = {"type": "text", "text": ""}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}),
        ("content_block_delta", _text_delta("hel")),
        ("content_block_delta", _text_delta("lo")),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": 2}}),
        ("message_stop", {"type": "message_stop"}),
    ]  # fmt: skip
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _text_delta(text: str) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}


def _ollama_chunks(model: str) -> list[dict[str, Any]]:
    """Ollama /api/chat stream objects; the last one carries done, done_reason and the counts."""
    base = {"model": model, "created_at": "2026-12-01T00:00:00Z"}
    pieces = [{**base, "message": {"role": "assistant", "content": t}, "done": False} for t in ("hel", "lo")]
    final = {**base, "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
             "total_duration": 1000, "load_duration": 10, "prompt_eval_count": 5, "prompt_eval_duration": 100,
             "eval_count": 2, "eval_duration": 200}  # fmt: skip
    return [*pieces, final]
