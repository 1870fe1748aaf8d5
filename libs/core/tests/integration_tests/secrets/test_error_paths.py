"""Every error class, through every engine, with a server that echoes the key: 0 hits anywhere.

Checked per case: the error's ``str``, the full ``traceback.format_exception`` (SDK
causes included) and every log record at DEBUG (root, httpx, httpx2, openai,
anthropic, ollama, polyport) with its traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _leak import assert_no_leak, formatted, log_text
from _leak_models import ENV, direct_models, registry_models, spec_files
from polyport_core.errors import (
    AuthenticationError,
    PermissionDeniedError,
    PolyportError,
    ProviderUnavailableError,
    RateLimitError,
)
from polyport_core.errors import TimeoutError as RequestTimeoutError

from conftest import EchoServer

STATUS_ERRORS: dict[str, type[PolyportError]] = {
    "401": AuthenticationError,
    "403": PermissionDeniedError,
    "429": RateLimitError,
    "500": ProviderUnavailableError,
}
CHAT = ("ChatOpenAI", "ChatAnthropic", "ChatOllama", "ChatLlamaCpp")
REGISTRY = ("registry:bearer", "registry:hdr", "registry:qry", "registry:tmpl", "registry:httpeng")


@pytest.fixture
def models(key: str, echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    monkeypatch.setenv(ENV, key)
    return {**direct_models(key, echo.url), **registry_models(spec_files(tmp_path / "specs", echo.url))}


def _failure(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except Exception as error:
        return error
    raise AssertionError("the call did not fail")


def _check(key: str, error: BaseException, logs: pytest.LogCaptureFixture) -> None:
    logging.getLogger("polyport").error("call failed: %s", error, exc_info=error)
    logging.getLogger().debug("root saw %r", error)
    assert_no_leak(key, str(error), repr(error), formatted(error), log_text(logs))


@pytest.mark.parametrize("status", sorted(STATUS_ERRORS))
@pytest.mark.parametrize("name", CHAT + REGISTRY)
def test_status_errors_with_echoing_bodies(
    name: str, status: str, key: str, echo: EchoServer, models: dict[str, Any], logs: pytest.LogCaptureFixture
) -> None:
    echo.mode = status
    model = models[name]()
    error = _failure(lambda: model.invoke("hi"))
    assert isinstance(error, STATUS_ERRORS[status]), formatted(error)
    assert echo.requests, "the request reached the server"
    _check(key, error, logs)
    stream_error = _failure(lambda: list(model.stream("hi")))
    assert isinstance(stream_error, STATUS_ERRORS[status])
    _check(key, stream_error, logs)


@pytest.mark.parametrize("name", ["ChatOpenAI", "ChatAnthropic", "registry:qry", "registry:hdr"])
def test_async_status_error(
    name: str, key: str, echo: EchoServer, models: dict[str, Any], logs: pytest.LogCaptureFixture
) -> None:
    echo.mode = "401"
    model = models[name]()
    error = _failure(lambda: asyncio.run(model.ainvoke("hi")))
    assert isinstance(error, AuthenticationError)
    _check(key, error, logs)


@pytest.mark.parametrize("name", [*CHAT, "registry:qry", "registry:hdr"])
def test_malformed_json(
    name: str, key: str, echo: EchoServer, models: dict[str, Any], logs: pytest.LogCaptureFixture
) -> None:
    echo.mode = "malformed"
    error = _failure(lambda: models[name]().invoke("hi"))
    assert isinstance(error, PolyportError), formatted(error)
    _check(key, error, logs)


@pytest.mark.parametrize("name", ["ChatOpenAI", "ChatAnthropic", "ChatOllama", "registry:qry", "registry:hdr"])
def test_cut_stream(
    name: str, key: str, echo: EchoServer, models: dict[str, Any], logs: pytest.LogCaptureFixture
) -> None:
    echo.mode = "cut"
    error = _failure(lambda: list(models[name]().stream("hi")))
    assert isinstance(error, PolyportError), formatted(error)
    _check(key, error, logs)


@pytest.mark.parametrize("name", [*CHAT, "registry:qry"])
def test_timeout(name: str, key: str, echo: EchoServer, models: dict[str, Any], logs: pytest.LogCaptureFixture) -> None:
    echo.mode = "slow"
    model = models[name]()
    model = model.model_copy(update={"timeout": 0.3})
    error = _failure(lambda: model.invoke("hi"))
    assert isinstance(error, RequestTimeoutError | ProviderUnavailableError), formatted(error)
    _check(key, error, logs)


def test_connection_refused_and_dns_failure_with_credentials_in_the_url(
    key: str, closed_port: int, logs: pytest.LogCaptureFixture
) -> None:
    dead = f"http://127.0.0.1:{closed_port}"
    for base in (dead, "http://polyport-leak-test.invalid:9"):
        for name, make in direct_models(key, base).items():
            if name not in CHAT:
                continue
            model = make().model_copy(update={"timeout": 2.0})
            error = _failure(lambda model=model: model.invoke("hi"))
            assert isinstance(error, ProviderUnavailableError | RequestTimeoutError), (name, formatted(error))
            _check(key, error, logs)


def test_oauth2_token_endpoint_that_echoes_the_secret(
    key: str, echo: EchoServer, logs: pytest.LogCaptureFixture
) -> None:
    from polyport_core.auth import OAuth2ClientCredentials
    from pydantic import SecretStr

    for status in ("401", "500", "malformed"):
        echo.mode = status
        auth = OAuth2ClientCredentials(f"{echo.url}/oauth/token", "client", SecretStr(key), provider="p")
        error = _failure(auth.token)
        assert isinstance(error, PolyportError)
        _check(key, error, logs)
    sent = echo.requests[-1]["headers"]
    assert "Basic" in {k.lower(): v for k, v in sent.items()}["authorization"]


def test_debug_logs_of_a_successful_call_are_redacted(
    key: str, echo: EchoServer, models: dict[str, Any], logs: pytest.LogCaptureFixture
) -> None:
    """httpx/httpx2 log every request URL at INFO/DEBUG: ``?key=`` and ``user:key@`` must be masked."""
    for name in ("ChatOpenAI", "registry:httpeng", "registry:qry", "registry:hdr", "registry:bearer"):
        models[name]().invoke("hi")
    text = log_text(logs)
    assert "HTTP Request" in text  # the loggers did print the request lines
    assert "key=***" in text
    assert_no_leak(key, text)


def test_ledger_with_a_password_in_its_url(key: str, closed_port: int, logs: pytest.LogCaptureFixture) -> None:
    import redis  # noqa: F401  (in the dev environment: a missing client fails the test, never skips it)
    from polyport_core.errors import LedgerUnavailableError
    from polyport_core.ledger import RedisLedger

    ledger = RedisLedger(f"redis://:{key}@127.0.0.1:{closed_port}/0", socket_connect_timeout=0.5)
    assert_no_leak(key, repr(ledger), str(ledger))
    error = _failure(ledger.records)
    assert isinstance(error, LedgerUnavailableError), formatted(error)
    _check(key, error, logs)
