"""The CLI with a planted key in specs, environment, servers and URLs: 0 hits, no markup crash.

Commands: ``providers list/show/validate`` (tables and ``--json``), ``chat``, ``test``
and ``usage``, against the loopback echo server (which repeats the credential in its
error bodies) and a closed port for Redis.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _leak import assert_no_leak
from polyport_core.cli import app
from typer.testing import CliRunner

from conftest import EchoServer

ENV = "PLANTED_KEY"


def _out(result: Any) -> str:
    try:
        stderr = result.stderr
    except ValueError:  # click without separate stderr capture
        stderr = ""
    return f"{result.output}\n{stderr}\n{result.exception!r}"


@pytest.fixture
def cli(key: str, echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Spec folder with the key in headers, query params, api_key_env, references and bad values."""
    from polyport_core.registry import Registry, reload_registry

    folder = tmp_path / "providers"
    folder.mkdir()
    base = f"{echo.url}/v1"
    key_name = "sk_planted_" + key.removeprefix("sk-planted-").replace("-", "")
    good: dict[str, dict[str, Any]] = {
        "hdrs": {"auth": {"type": "bearer", "api_key_env": ENV}, "headers": {"X-Team": "${PLANTED_KEY}"},
                 "query_params": {"sig": "${PLANTED_KEY}", "tenant": "${PLANTED_KEY}"}},
        "keyname": {"auth": {"type": "bearer", "api_key_env": key_name}},
        "selfref": {"auth": {"type": "bearer", "api_key": "${" + key + "}"}},
        "envref": {"auth": {"type": "bearer", "api_key": f"env:{key}"}},
        "userinfo": {"auth": {"type": "none"}},
        "markup": {"auth": {"type": "none"}},
    }  # fmt: skip
    for name, extra in good.items():
        url = f"http://user:{key}@{echo.url.removeprefix('http://')}/v1" if name == "userinfo" else base
        if name == "markup":
            url = f"{echo.url}/[/v1]/[/INST]"
        doc = {"id": name, "engine": "openai", "base_url": url, "models": [{"id": "m"}], **extra}
        (folder / f"{name}.json").write_text(json.dumps(doc))
    bad: dict[str, Any] = {
        "bad_auth_string": {"auth": f"Bearer {key}"},
        "bad_auth_list": {"auth": {"type": "bearer", "api_key": [key]}},
        "bad_nested": {"models": [{"id": "m", "default_params": {"x": 1}, "pricing": {"input": {"token": key}}}]},
        "bad_keylike_value": {"timeout": key},
        "bad_env_name": {"auth": {"type": "bearer", "api_key_env": key}},
        "bad_markup": {"timeout": "[/INST] [/v1/chat] [bold]"},
    }
    for name, extra in bad.items():
        doc = {"id": name.replace("_", "-"), "engine": "openai", "base_url": base, **extra}
        (folder / f"{name}.json").write_text(json.dumps(doc))
    monkeypatch.setenv(ENV, key)
    monkeypatch.setenv("POLYPORT_PROVIDERS_PATH", str(folder))
    monkeypatch.chdir(tmp_path)
    reload_registry(Registry.discover(plugins=False, user=False))
    return CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["providers", "list"],
        ["providers", "list", "--json"],
        ["providers", "list", "--all", "--json"],
        ["providers", "show", "hdrs"],
        ["providers", "show", "hdrs", "--json"],
        ["providers", "show", "keyname", "--json"],
        ["providers", "show", "userinfo"],
        ["providers", "show", "markup"],
        ["providers", "validate"],
        ["providers", "validate", "--json"],
    ],
)
def test_providers_commands(args: list[str], key: str, cli: CliRunner) -> None:
    result = cli.invoke(app, args)
    out = _out(result)
    assert "MarkupError" not in out
    assert "Traceback" not in out
    assert_no_leak(key, out)
    if args[1] == "validate":
        assert result.exit_code == 1
        assert out.count("bad_") >= 6  # every broken file is reported
        assert "[/INST] [/v1/chat] [bold]" in out  # the value survives, escaped
    else:
        assert result.exit_code == 0, out
    if args[1] == "show" and args[2] == "hdrs":
        shown = json.loads(result.output) if "--json" in args else None
        if shown is not None:
            assert shown["headers"] == {"X-Team": "***"}
            assert shown["query_params"] == {"sig": "***", "tenant": "***"}


def test_show_of_a_markup_name_and_error_suffixes(key: str, cli: CliRunner) -> None:
    result = cli.invoke(app, ["providers", "show", "[/x]"])
    out = _out(result)
    assert result.exit_code == 1
    assert "unknown provider '[/x]'" in out
    assert "MarkupError" not in out


@pytest.mark.parametrize("provider", ["hdrs", "userinfo", "markup"])
def test_chat_against_a_server_that_echoes_the_key(provider: str, key: str, cli: CliRunner, echo: EchoServer) -> None:
    echo.mode = "401"
    result = cli.invoke(app, ["chat", f"{provider}:m", "hi", "--max-tokens", "8"])
    out = _out(result)
    assert result.exit_code == 1, out
    assert f"[provider={provider}, model=m" in out  # the suffix is not eaten as markup
    assert "MarkupError" not in out
    assert_no_leak(key, out)


@pytest.mark.parametrize("provider", ["selfref", "envref"])
def test_a_key_pasted_as_a_variable_name_is_not_echoed(provider: str, key: str, cli: CliRunner) -> None:
    result = cli.invoke(app, ["chat", f"{provider}:m", "hi"])
    out = _out(result)
    assert result.exit_code == 1, out
    assert "is not set" in out
    assert "looks like a key" in out
    assert_no_leak(key, out)


def test_doctor_against_a_server_that_echoes_the_key(key: str, cli: CliRunner, echo: EchoServer) -> None:
    echo.mode = "401"
    for args in (["test", "hdrs:m"], ["test", "hdrs:m", "--json"], ["test", "markup:m"]):
        result = cli.invoke(app, [*args, "--timeout", "5"])
        out = _out(result)
        assert result.exit_code == 1, out
        assert "Traceback" not in out
        assert_no_leak(key, out)


def test_usage_with_a_redis_password(key: str, cli: CliRunner, closed_port: int) -> None:
    import redis  # noqa: F401  (in the dev environment: a missing client fails the test, never skips it)

    result = cli.invoke(app, ["usage", "--redis", f"redis://:{key}@127.0.0.1:{closed_port}/0"])
    out = _out(result)
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    assert "127.0.0.1" in out
    assert_no_leak(key, out)
