"""The provider file's ``proxy``: what it accepts, how ``${ENV}`` fills it, how a bad one is
reported (one line, file and JSON path, never the value), and the httpx keywords every
transport builds from it (``transport.http_options``)."""

from __future__ import annotations

import json
import ssl
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from polyport_core.errors import InvalidConfigError
from polyport_core.redaction import forget_secrets, known_secrets
from polyport_core.registry import SpecSettings
from polyport_core.spec import SpecError, TLSSpec, parse_spec
from polyport_core.transport import HTTPClient, http_options

PASSWORD = "pr0xy-pass-7d2c"


@pytest.fixture(autouse=True)
def _forget() -> Any:
    yield
    forget_secrets()


def _spec(proxy: Any, env: dict[str, str] | None = None) -> Any:
    doc = {"id": "p", "engine": "openai", "base_url": "http://127.0.0.1:8080/v1", "proxy": proxy}
    return parse_spec(doc, "p.json", env=env or {})


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("http://proxy.example.com:3128", "http://proxy.example.com:3128"),
        ("https://proxy.example.com/", "https://proxy.example.com"),
        (f"http://corp:{PASSWORD}@10.0.0.1:8080", f"http://corp:{PASSWORD}@10.0.0.1:8080"),
    ],
)
def test_an_http_or_https_proxy_is_kept(given: str, kept: str) -> None:
    assert _spec(given).proxy == kept


def test_the_userinfo_password_becomes_a_known_secret_and_stays_out_of_the_repr() -> None:
    spec = _spec(f"http://corp:{PASSWORD}@10.0.0.1:8080")
    assert PASSWORD in known_secrets()
    assert PASSWORD not in repr(spec)


def test_env_references_fill_the_proxy() -> None:
    spec = _spec("http://corp:${PROXY_PASS}@${PROXY_HOST}:3128", {"PROXY_PASS": PASSWORD, "PROXY_HOST": "gw.local"})
    assert spec.proxy == f"http://corp:{PASSWORD}@gw.local:3128"


@pytest.mark.parametrize(("given", "env"), [("${CORP_PROXY}", {}), ("${CORP_PROXY:-}", {}), ("", {})])
def test_an_unset_or_empty_proxy_means_none(given: str, env: dict[str, str]) -> None:
    assert _spec(given, env).proxy is None


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (f"socks5://corp:{PASSWORD}@gw:1080", "not socks5://"),
        (f"ftp://corp:{PASSWORD}@gw:21", "not ftp://"),
        (f"http://corp:{PASSWORD}@gw:port", "numeric port"),
        (f"http://corp:{PASSWORD}@gw :3128", "without spaces"),
        ("proxy.example.com:3128", "an http:// or https:// proxy URL"),
        (3128, "a string"),
    ],
)
def test_a_bad_proxy_is_one_line_naming_file_and_path_never_the_value(given: Any, says: str) -> None:
    with pytest.raises(SpecError) as caught:
        _spec(given)
    message = str(caught.value)
    assert message.startswith("p.json: $.proxy: expected ")
    assert says in message
    assert "\n" not in message
    assert PASSWORD not in message


def test_http_options_are_empty_without_tls_or_proxy() -> None:
    assert http_options(None, None) == {}


def test_http_options_carry_the_proxy_and_the_tls_context() -> None:
    options = http_options(TLSSpec(min_version="1.3"), "http://gw:3128")
    assert options["proxy"] == "http://gw:3128"
    assert isinstance(options["verify"], ssl.SSLContext)
    assert options["verify"].minimum_version == ssl.TLSVersion.TLSv1_3


def test_a_proxy_beside_the_callers_own_clients_is_refused_by_name() -> None:
    with pytest.raises(InvalidConfigError, match="openai_proxy cannot be combined") as caught:
        http_options(None, f"http://corp:{PASSWORD}@gw:3128", own_clients=True, proxy_name="openai_proxy")
    assert PASSWORD not in str(caught.value)


def test_http_client_refuses_a_proxy_beside_its_own_transport() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with pytest.raises(InvalidConfigError, match="proxy cannot be combined with transport"):
        HTTPClient("http://127.0.0.1:1", proxy="http://gw:3128", transport=transport)


def test_spec_settings_hand_tls_and_proxy_to_every_engine() -> None:
    doc = {
        "id": "p", "engine": "openai", "base_url": "http://127.0.0.1:8080/v1",
        "proxy": "http://gw:3128", "tls": {"min_version": "1.2"},
    }  # fmt: skip
    settings = SpecSettings.resolve(parse_spec(doc, "p.json", env={}), "m")
    assert settings.connection() == {"tls": TLSSpec(min_version="1.2"), "proxy": "http://gw:3128"}
    assert settings.common(chat=False)["proxy"] == "http://gw:3128"
    assert settings.http_options()["proxy"] == "http://gw:3128"


@pytest.mark.parametrize(
    ("fixture", "env"),
    [
        ("goose/custom_home_ollama.json", {"CUSTOM_HOME_OLLAMA_API_KEY": "k"}),
        ("polydev/together_openai_compatible.json", {"TOGETHER_API_KEY": "k"}),
    ],
)
def test_polyports_proxy_key_loads_in_goose_and_polydev_files(fixture: str, env: dict[str, str]) -> None:
    """Neither dialect documents a proxy field (docs/dialects.md); polyport's own spelling works in both."""
    doc = json.loads((Path(__file__).parents[2] / "fixtures" / "dialects" / fixture).read_text())
    doc["proxy"] = "http://gw.local:3128"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        spec = parse_spec(doc, fixture, env=env)
    assert spec.dialect == fixture.split("/")[0]
    assert spec.proxy == "http://gw.local:3128"
