"""RefreshingBearer on plain httpx: renewal before expiry (injected clock), once after a 401, one
renewal shared by concurrent calls (threads and tasks), sync and async, and through HTTPClient."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from polyport_core.auth import AccessToken, RefreshingBearer, refresher_for
from polyport_core.errors import AuthenticationError
from polyport_core.transport import HTTPClient
from pydantic import SecretStr


class Source:
    """Issues tok-1, tok-2, … each valid for ``ttl`` seconds of the injected clock."""

    def __init__(self, clock: list[float], ttl: float = 600.0, fail: bool = False) -> None:
        self.clock = clock
        self.ttl = ttl
        self.fail = fail
        self.issued = 0
        self.lock = threading.Lock()
        self.threads: list[str] = []

    def obtain(self, stale: AccessToken | None) -> AccessToken:
        if self.fail:
            raise AuthenticationError("refresh refused: run `polyport auth login acme`", provider="acme")
        with self.lock:
            self.threads.append(threading.current_thread().name)
            self.issued += 1
            return AccessToken(SecretStr(f"tok-{self.issued}-abcdefgh"), self.clock[0] + self.ttl)


class Server:
    """Accepts only the newest token; counts what it saw."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        self.seen.append(token)
        if token != f"tok-{self.source.issued}-abcdefgh" or self.source.issued == 0:
            return httpx.Response(401, json={"error": "expired"})
        return httpx.Response(200, json={"ok": True})


def test_renews_before_expiry_with_an_injected_clock() -> None:
    now = [1000.0]
    source = Source(now)
    bearer = RefreshingBearer(source, clock=lambda: now[0], refresh_margin=60)
    with httpx.Client(auth=bearer, transport=httpx.MockTransport(Server(source))) as client:
        assert client.get("https://api.test/x").status_code == 200
        now[0] += 500  # 100 s left: outside the margin
        assert client.get("https://api.test/x").status_code == 200
        assert bearer.renewals == 1
        now[0] += 50  # 50 s left: inside the margin
        assert client.get("https://api.test/x").status_code == 200
    assert bearer.renewals == 2
    assert refresher_for("tok-2-abcdefgh") is bearer


def test_a_401_renews_once_and_resends() -> None:
    now = [0.0]
    source = Source(now)
    bearer = RefreshingBearer(source, clock=lambda: now[0])
    server = Server(source)
    with httpx.Client(auth=bearer, transport=httpx.MockTransport(server)) as client:
        client.get("https://api.test/x")
        source.issued += 1  # the server moved on (the token was revoked there)
        assert client.get("https://api.test/x").status_code == 200
    assert server.seen == ["tok-1-abcdefgh", "tok-1-abcdefgh", "tok-3-abcdefgh"]


def test_threads_share_one_renewal_after_401s() -> None:
    now = [0.0]
    source = Source(now)
    bearer = RefreshingBearer(source, clock=lambda: now[0])
    with httpx.Client(auth=bearer, transport=httpx.MockTransport(Server(source))) as client:
        client.get("https://api.test/x")
        source.issued += 1
        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda _: client.get("https://api.test/x").status_code, range(4)))
    assert codes == [200] * 4
    assert source.issued == 3  # one renewal for all four


async def test_tasks_share_one_renewal_through_http_client() -> None:
    now = [0.0]
    source = Source(now)
    bearer = RefreshingBearer(source, clock=lambda: now[0])
    server = Server(source)

    async def handler(request: httpx.Request) -> httpx.Response:
        return server(request)

    client = HTTPClient("https://api.test", http_auth=bearer, async_transport=httpx.MockTransport(handler))
    assert (await client.arequest_json("GET", "/x")).body == {"ok": True}
    source.issued += 1
    answers = await asyncio.gather(*(client.arequest_json("GET", "/x") for _ in range(3)))
    assert [a.body for a in answers] == [{"ok": True}] * 3
    assert source.issued == 3
    assert threading.main_thread().name not in source.threads  # renewals ran off the event loop


def test_a_refused_renewal_is_the_sources_clear_error() -> None:
    now = [0.0]
    bearer = RefreshingBearer(Source(now, fail=True), clock=lambda: now[0])
    with (
        httpx.Client(auth=bearer, transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client,
        pytest.raises(AuthenticationError, match="polyport auth login acme"),
    ):
        client.get("https://api.test/x")


def test_the_token_goes_where_the_client_put_the_old_one() -> None:
    now = [0.0]
    source = Source(now)
    bearer = RefreshingBearer(source, clock=lambda: now[0])
    first = bearer.token().get_secret_value()
    source.issued += 0
    bearer.invalidate()
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    with httpx.Client(auth=bearer, transport=transport, headers={"x-api-key": first}) as client:
        client.get("https://api.test/x")
    assert sent[0].headers["x-api-key"] == "tok-2-abcdefgh"  # an Anthropic-style key header, renewed in place
    assert "authorization" not in sent[0].headers
