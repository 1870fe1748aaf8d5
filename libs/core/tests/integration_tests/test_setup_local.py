"""The first hour against the real llama.cpp server: discover it, add it (typed in a real terminal, and
with flags), chat with the written file, serve the bundled model, and what chat says when nothing answers.

The guided setup runs in a real pseudo-terminal (pexpect), answers typed as a user would, including a
wrong URL that is reported at that step and typed again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from polyport_core.cli import app
from polyport_core.doctor import discover_local_servers
from polyport_core.registry import Registry, init_chat_model, reload_registry
from polyport_core.testing import LlamaServer, free_port
from typer.testing import CliRunner

pytestmark = pytest.mark.local_server
POLYPORT = str(Path(sys.executable).with_name("polyport"))
runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh user config folder (where ``providers add`` writes) and an empty project folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLYPORT_PROVIDERS_PATH", raising=False)
    reload_registry(Registry.discover(plugins=False))
    yield tmp_path / "config" / "polyport" / "providers"
    reload_registry(Registry.discover(plugins=False))


def _answers(path: Path, provider: str, model: str) -> str:
    """``init_chat_model`` on the written file, asked for a short answer."""
    registry = Registry.discover(plugins=False, user=path.parent, project=[])
    llm = init_chat_model(f"{provider}:{model}", registry=registry, max_tokens=8, temperature=0)
    reply = llm.invoke("Hello")
    assert reply.response_metadata["provider"] == provider
    assert isinstance(reply.content, str)
    return reply.content


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLYPORT_PROVIDERS", "LLAMACPP_"))}
    env.update({"XDG_CONFIG_HOME": str(home.parents[1]), "NO_COLOR": "1", "COLUMNS": "120", "TERM": "xterm"})
    env.update(extra)
    return env


def test_discover_identifies_the_llama_server_and_its_model(llama_server: LlamaServer) -> None:
    [server] = discover_local_servers([llama_server.port])
    assert (server.kind, server.engine, server.models) == ("llamacpp", "openai", ["gemma"])
    assert server.base_url == llama_server.openai_base_url
    assert server.evidence == "GET /props → 200"
    result = runner.invoke(app, ["providers", "discover", "--port", str(llama_server.port), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["servers"][0]["kind"] == "llamacpp"


def test_add_typed_in_a_terminal_writes_a_file_that_answers(llama_server: LlamaServer, home: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    child = pexpect.spawn(
        POLYPORT,
        ["providers", "add", "--discover-port", str(llama_server.port)],
        env=_env(home),
        encoding="utf-8",
        timeout=120,
        dimensions=(50, 120),
    )
    try:
        child.expect("llama.cpp server")
        child.expect(r"Use one of these servers\?")
        child.sendline("1")
        child.expect(r"Provider id .*\(llamacpp\)")
        child.sendline("mygemma")
        child.expect(r"Base URL .*:")
        child.sendline(dead)  # a wrong URL: reported here, asked again
        child.expect("cannot connect to")
        child.expect(r"Base URL .*:")
        child.sendline(llama_server.openai_base_url)
        child.expect("answers")
        child.expect(r"Authentication: .*\(env\)")
        child.sendline("none")
        child.expect(r"the server lists 1 model")
        child.expect(r"Models to add .*\(1\)")
        child.sendline("")
        child.expect("pass.* authentication: no key needed")
        child.expect("pass.* basic chat")
        child.expect("wrote ")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    path = home / "mygemma.json"
    document = json.loads(path.read_text())
    assert document["base_url"] == llama_server.openai_base_url
    assert document["auth"] == {"type": "none"}
    assert document["default_model"] == "gemma"
    assert document["models"] == [{"id": "gemma"}]
    assert document["quirks"]["forced_tool_calls"] == "json_schema"  # from the llamacpp preset
    assert _answers(path, "mygemma", "gemma")


def test_add_with_flags_for_scripts(llama_server: LlamaServer, home: Path) -> None:
    args = [
        "providers",
        "add",
        "local",
        "--no-discover",
        "--custom",
        "--engine",
        "openai",
        "--no-key",
        "--base-url",
        llama_server.openai_base_url,
        "--model",
        "gemma",
        "--allow-only",
        "--yes",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert written["path"] == str(home / "local.json")
    assert [c["status"] for c in written["checks"]] == ["pass", "pass"]
    assert written["document"]["allowed_models"] == ["gemma"]
    assert _answers(home / "local.json", "local", "gemma")
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "already exists; choose another id (or pass --force to replace it)" in again.stderr


def test_a_wrong_url_or_model_stops_a_script_at_that_step(llama_server: LlamaServer, home: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    base = ["providers", "add", "local", "--no-discover", "--custom", "--engine", "openai", "--no-key", "--yes"]
    result = runner.invoke(app, [*base, "--base-url", dead, "--model", "gemma"])
    assert result.exit_code == 1
    assert f"cannot connect to {dead}" in result.stderr
    assert "(check --base-url)" in result.stderr
    assert not home.exists() or not list(home.iterdir())


def test_a_key_not_set_yet_stops_a_script_unless_it_skips_the_checks(llama_server: LlamaServer, home: Path) -> None:
    base = ["providers", "add", "later", "--no-discover", "--custom", "--engine", "openai", "--yes",
            "--base-url", llama_server.openai_base_url, "--model", "gemma", "--key-env", "LATER_API_KEY"]  # fmt: skip
    stopped = runner.invoke(app, base)
    assert stopped.exit_code == 1
    assert "set the environment variable LATER_API_KEY" in stopped.stderr
    assert not (home / "later.json").exists()
    written = runner.invoke(app, [*base, "--skip-checks"])
    assert written.exit_code == 0, written.output
    assert "the key was not tried" in written.stderr
    assert json.loads((home / "later.json").read_text())["auth"] == {"type": "bearer", "api_key_env": "LATER_API_KEY"}


@pytest.fixture
def keyed_server(keyed_llama_server: LlamaServer) -> LlamaServer:
    """The session's second llama-server, which wants an API key (``--api-key``)."""
    assert keyed_llama_server.api_key == "sk-right-key-123456"  # RIGHT_KEY below
    return keyed_llama_server


def test_a_rejected_key_is_reported_at_the_key_step_and_typed_again(keyed_server: LlamaServer, home: Path) -> None:
    env = _env(home, WRONG_KEY="sk-wrong-key-999999", RIGHT_KEY="sk-right-key-123456")
    child = pexpect.spawn(
        POLYPORT,
        [
            "providers",
            "add",
            "keyed",
            "--custom",
            "--engine",
            "openai",
            "--no-discover",
            "--base-url",
            keyed_server.openai_base_url,
            "--model",
            "gemma",
            "--skip-checks",
        ],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(50, 120),
    )
    try:
        child.expect(r"Authentication: .*\(none\)")
        child.sendline("env")
        child.expect(r"Environment variable holding the key .*\(KEYED_API_KEY\)")
        child.sendline("WRONG_KEY")
        child.expect(r"the server rejected the credentials \(HTTP 401\)")
        child.expect(r"Authentication: ")
        child.sendline("env")
        child.expect(r"Environment variable holding the key")
        child.sendline("RIGHT_KEY")
        child.expect("the server lists 1 model")
        child.expect("wrote ")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    document = json.loads((home / "keyed.json").read_text())
    assert document["auth"] == {"type": "bearer", "api_key_env": "RIGHT_KEY"}
    assert "sk-right-key" not in (home / "keyed.json").read_text()


def test_chat_with_nothing_listening_names_the_url_the_variable_and_serve_local(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("LLAMACPP_BASE_URL", dead)
    reload_registry(Registry.discover(plugins=False))
    result = runner.invoke(app, ["chat", "llamacpp:gemma", "Hello", "--max-tokens", "4"])
    assert result.exit_code == 1
    assert f"nothing answered at {dead}" in result.stderr
    assert "set $LLAMACPP_BASE_URL" in result.stderr
    assert "polyport serve-local" in result.stderr
    assert "Traceback" not in result.output


def test_serve_local_serves_the_llamacpp_preset_until_stopped(home: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [POLYPORT, "serve-local", "--port", str(port)],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("try:"):
                break
        assert f"serving gemma at http://127.0.0.1:{port}/v1" in "".join(lines)
        assert f"export LLAMACPP_BASE_URL=http://127.0.0.1:{port}/v1" in "".join(lines)
        chat = subprocess.run(
            [POLYPORT, "chat", "llamacpp:gemma", "Hello", "--max-tokens", "4"],
            env=_env(home, LLAMACPP_BASE_URL=f"http://127.0.0.1:{port}/v1"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert chat.returncode == 0, chat.stderr
        assert "tokens:" in chat.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "stopped" in rest


def test_doctor_on_the_preset_writes_a_user_copy_and_takes_comma_lists(llama_server: LlamaServer, home: Path) -> None:
    env = {"LLAMACPP_BASE_URL": llama_server.openai_base_url}
    reload_registry(Registry.discover(plugins=False, env={**os.environ, **env}))
    result = runner.invoke(
        app, ["test", "llamacpp:gemma", "--only", "auth,chat", "--only", "stream", "--write-profile", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [r["name"] for r in report["checks"]] == ["authentication", "basic chat", "streaming"]
    assert report["checks"][0]["detail"] == "no key set; the server answered without one"
    assert report["profile_written"] == str(home / "llamacpp.json")
    copy = json.loads((home / "llamacpp.json").read_text())
    assert copy["base_url"] == "${LLAMACPP_BASE_URL:-http://localhost:8080/v1}"
    assert copy["models"][0]["id"] == "gemma"


def test_write_profile_with_nothing_observed_fails_and_says_why(llama_server: LlamaServer, home: Path) -> None:
    env = {"LLAMACPP_BASE_URL": llama_server.openai_base_url}
    reload_registry(Registry.discover(plugins=False, env={**os.environ, **env}))
    result = runner.invoke(app, ["test", "llamacpp:gemma", "--only", "auth", "--write-profile"], env=env)
    assert result.exit_code == 1
    assert "profile not written" in result.stderr
    assert "no capability was observed" in result.stderr
    assert not (home / "llamacpp.json").exists()
