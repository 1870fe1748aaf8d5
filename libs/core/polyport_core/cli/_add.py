"""``polyport providers add`` (a guided setup) and ``polyport providers discover``.

``add`` asks, one step at a time: a server found on this machine, a preset or a
custom endpoint, the id, the engine, the base URL (checked that something
answers), the authentication (checked against the server's ``/models``), the
models (offered from that list), then runs the doctor's quick checks and writes
the provider file through ``ConfigPatch`` — to the user's providers folder, or
``./polyport/providers`` with ``--project``. Every question has a flag; ``--yes``
(or a non-terminal stdin) takes the defaults and never asks, and a wrong answer
then stops with the same message instead of asking again.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import typer
from rich.prompt import Confirm, Prompt
from rich.syntax import Syntax
from rich.table import Table

from polyport_core.cli._output import console, err_console, fail, fold_keys, print_json, safe
from polyport_core.cli._setup_steps import (
    Draft,
    KeyNotFound,
    ModelsProbe,
    StepProblem,
    check_base_url,
    check_models_endpoint,
    draft_spec,
    preset_document,
)
from polyport_core.doctor import DoctorTarget, LocalServer, Report, Status, discover_local_servers, run_doctor
from polyport_core.registry import Registry, project_paths, user_dir
from polyport_core.spec import ConfigPatch, ProviderSpec, SpecPatchError, known_engines, parse_spec, write_spec_file

__all__ = ["register"]

T = TypeVar("T")
QUICK_CHECKS = ("auth", "chat")


@dataclass
class Asker:
    """Asks when interactive; otherwise uses the flag or the default, or stops naming the flag to pass.

    A flag's value is tried first; when it does not work, an interactive run asks
    again (with the problem shown) and a script stops with that problem.
    """

    interactive: bool

    def value(self, question: str, default: str | None, flag: str, choices: list[str] | None = None) -> str:
        """One answer: asked, or the default when not interactive."""
        if not self.interactive:
            if default is None:
                raise fail(f"{question}: pass {flag} (not asking: --yes, --json or no terminal)", code=2)
            return default
        shown = choices if choices and len(choices) <= 12 else None
        answer = Prompt.ask(question, console=console, default=default, choices=shown, show_choices=bool(shown))
        return str(answer or "").strip()

    def answer(
        self,
        question: str,
        default: str | None,
        flag: str,
        check: Callable[[str], T],
        *,
        given: str | None = None,
        choices: list[str] | None = None,
    ) -> T:
        """``check(answer)`` for the flag's value, then for asked answers until one works."""
        attempt = given
        while True:
            if attempt is None:
                attempt = self.value(question, default, flag, choices)
            try:
                return check(attempt)
            except StepProblem as problem:
                self.problem(problem, flag)
                attempt = None

    def problem(self, problem: StepProblem, flag: str) -> None:
        """Show a problem and return (to ask again), or stop when not interactive."""
        if not self.interactive:
            raise fail(f"{problem} (check {flag})")
        err_console.print(f"[red]✘[/red] {safe(problem)} — try again", highlight=False, soft_wrap=True)

    def confirm(self, question: str, default: bool) -> bool:
        """A yes/no question (the default when not interactive)."""
        return Confirm.ask(question, console=console, default=default) if self.interactive else default


def _ok(message: str) -> None:
    err_console.print(f"[green]✔[/green] {safe(message)}", highlight=False, soft_wrap=True)


def _servers_table(servers: list[LocalServer]) -> Table:
    table = Table("#", "server", "base url", "version", "models", title="model servers on this machine")
    fold_keys(table)
    for number, server in enumerate(servers, 1):
        models = ", ".join(server.models) or (server.models_error or "none listed")
        table.add_row(str(number), safe(server.label), safe(server.base_url), safe(server.version or ""), safe(models))
    return table


def _discover(ports: list[int] | None, show: bool) -> list[LocalServer]:
    with err_console.status("looking for model servers on 127.0.0.1 ...", spinner="dots"):
        servers = discover_local_servers(ports or None)
    if show and servers:
        console.print(_servers_table(servers))
    return servers


def _pick_server(ask: Asker, servers: list[LocalServer]) -> LocalServer | None:
    if not servers:
        return None
    if not ask.interactive:
        return servers[0]
    numbers = [str(n) for n in range(1, len(servers) + 1)]
    answer = Prompt.ask(
        "Use one of these servers? (number, or n for another provider)",
        console=console,
        choices=[*numbers, "n"],
        default="1",
        show_choices=False,
    )
    return None if answer == "n" else servers[int(answer) - 1]


def _default_id(url: str | None) -> str:
    host = (urlsplit(url).hostname or "") if url else ""
    if host in ("127.0.0.1", "localhost", "::1", ""):
        return "local"
    parts = [p for p in host.split(".") if p not in ("api", "www", "com", "ai", "io", "net", "org", "dev")]
    return parts[0] if parts else "custom"


def _auth_for(kind: str, key_env: str | None, keyring_ref: str | None, base: dict[str, Any]) -> dict[str, Any]:
    """An ``auth`` object: ``none``, a key from an environment variable, or from the OS keyring; the
    preset's placement (header name, prefix) kept."""
    if kind == "none":
        return {"type": "none"}
    auth = {k: v for k, v in base.items() if k not in ("api_key", "api_key_env", "type")}
    auth = {"type": base.get("type", "bearer") if base.get("type") not in (None, "none") else "bearer", **auth}
    if kind == "env":
        auth["api_key_env"] = key_env
    else:
        auth["api_key"] = f"keyring:{keyring_ref}"
    return auth


def _auth_step(
    ask: Asker, draft: Draft, key_env: str | None, keyring_ref: str | None, no_key: bool, skip_checks: bool
) -> ModelsProbe:
    """Choose how the key is found, then ask ``/models`` with it: a rejected key or an unset
    variable is reported here, and an interactive run asks again (with the last answers as defaults).
    With ``--skip-checks`` a key that is not there yet is a warning, so scripts can write the file first."""
    base_auth = dict(draft.base.get("auth") or {})
    placement = base_auth if base_auth.get("type", "none") != "none" else {}
    flagged = "none" if no_key else "env" if key_env else "keyring" if keyring_ref else None
    kind_default = "env" if placement else "none"
    env_default = key_env or base_auth.get("api_key_env") or f"{re.sub(r'[^A-Z0-9]', '_', draft.id.upper())}_API_KEY"
    ring_default = keyring_ref or f"polyport/{draft.id}"
    first = True
    while True:
        if first and flagged:
            kind, name, ref = flagged, key_env, keyring_ref
        else:
            kind = ask.value(
                "Authentication: none, a key in an environment variable (env), or in the OS keyring",
                kind_default,
                "--no-key, --key-env NAME or --keyring SERVICE/NAME",
                ["none", "env", "keyring"],
            )
            name = (
                ask.value("Environment variable holding the key", env_default, "--key-env") if kind == "env" else None
            )
            ref = ask.value("Keyring entry (service/name)", ring_default, "--keyring") if kind == "keyring" else None
        first = False
        kind_default, env_default, ring_default = kind, name or env_default, ref or ring_default
        draft.auth = _auth_for(kind, name, ref, placement)
        try:
            probe = check_models_endpoint(draft_spec(draft))
        except KeyNotFound as problem:
            if not skip_checks:
                ask.problem(problem, "--key-env, --keyring or --no-key; --skip-checks writes the file untried")
                continue
            probe = ModelsProbe([], f"{problem}; the key was not tried")
        except StepProblem as problem:
            ask.problem(problem, "--key-env / --keyring / --no-key")
            continue
        if probe.models:
            _ok(f"the server lists {len(probe.models)} model(s)")
        elif probe.note:
            err_console.print(f"[yellow]![/yellow] {safe(probe.note)}", highlight=False, soft_wrap=True)
        return probe


def _models_step(ask: Asker, listed: list[str], flagged: list[str], preset_models: list[str]) -> list[str]:
    if flagged:
        return flagged
    offered = listed or preset_models
    if not ask.interactive:
        if not offered:
            raise fail("no model listed by the server: pass --model ID", code=2)
        return offered[:1]
    if offered:
        table = Table("#", "model", title="models")
        fold_keys(table)
        for number, model in enumerate(offered, 1):
            table.add_row(str(number), safe(model))
        console.print(table)
    while True:
        answer = Prompt.ask(
            "Models to add (numbers or ids, comma-separated; the first is the default)",
            console=console,
            default="1" if offered else None,
        )
        picked = _parse_picks(str(answer or ""), offered)
        if picked:
            return picked
        err_console.print("[red]✘[/red] name at least one model — try again", highlight=False)


def _parse_picks(answer: str, offered: list[str]) -> list[str]:
    picked: list[str] = []
    for part in (p.strip() for p in answer.split(",")):
        if not part:
            continue
        model = offered[int(part) - 1] if part.isdigit() and 0 < int(part) <= len(offered) else part
        if model not in picked:
            picked.append(model)
    return picked


def _progress(result: Any) -> None:
    style = {Status.PASS: "green", Status.FAIL: "red", Status.WARN: "yellow"}.get(result.status, "dim")
    line = f"  [{style}]{result.status.value}[/{style}] {safe(result.name)}: {safe(result.detail)}"
    err_console.print(line, highlight=False, soft_wrap=True)


def _quick_checks(spec: ProviderSpec, model: str) -> Report:
    registry = Registry()
    registry.add(spec)
    target = DoctorTarget(spec=spec, model=model, registry=registry, max_tokens=8, timeout=60.0)
    with err_console.status(f"checking {safe(spec.id)}:{safe(model)} (auth, chat) ...", spinner="dots"):
        return run_doctor(target, only=QUICK_CHECKS, on_result=_progress)


def _target_path(provider: str, project: bool) -> Path:
    folder = project_paths()[0] if project else user_dir()
    return folder / f"{provider}.json"


def add_cmd(
    provider_id: Annotated[str | None, typer.Argument(help="Id of the new provider (asked when omitted).")] = None,
    preset: Annotated[str | None, typer.Option("--preset", help="Start from this built-in preset.")] = None,
    custom: Annotated[bool, typer.Option("--custom", help="A custom endpoint, not a preset.")] = False,
    engine: Annotated[str | None, typer.Option("--engine", help="openai, anthropic, ollama, http, ...")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="The API's base URL.")] = None,
    key_env: Annotated[str | None, typer.Option("--key-env", help="Environment variable holding the key.")] = None,
    keyring_ref: Annotated[
        str | None, typer.Option("--keyring", help="Keyring entry SERVICE/NAME with the key.")
    ] = None,
    no_key: Annotated[bool, typer.Option("--no-key", help="The server needs no key.")] = False,
    models: Annotated[
        list[str] | None, typer.Option("--model", help="A model to declare (repeat; the first is the default).")
    ] = None,
    allow_only: Annotated[
        bool, typer.Option("--allow-only", help="Refuse every model but these (allowed_models).")
    ] = False,
    project: Annotated[
        bool, typer.Option("--project", help="Write to ./polyport/providers, not the user folder.")
    ] = False,
    discover: Annotated[
        bool, typer.Option("--discover/--no-discover", help="Look for servers on this machine first.")
    ] = True,
    discover_ports: Annotated[
        list[int] | None,
        typer.Option("--discover-port", help="Probe these loopback ports instead of the well-known ones."),
    ] = None,
    skip_checks: Annotated[bool, typer.Option("--skip-checks", help="Write without the quick live checks.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file of that name.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Never ask: flags, then defaults.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")] = False,
) -> None:
    """Add a provider step by step: server or preset, URL, key, models, quick checks, file."""
    ask = Asker(interactive=not yes and not as_json and sys.stdin.isatty())
    if sum(bool(x) for x in (key_env, keyring_ref, no_key)) > 1:
        raise fail("pass only one of --key-env, --keyring, --no-key", code=2)
    bundled = Registry.discover(plugins=False, user=False, project=[])  # the presets alone, never a user copy
    presets = sorted(bundled.specs)
    if preset is not None and preset not in presets:
        raise fail(f"--preset {preset!r}: no such preset; known: {', '.join(presets)}", code=2)
    if engine is not None and engine not in known_engines():
        raise fail(f"--engine {engine!r}: expected one of {', '.join(known_engines())}", code=2)

    server = None
    if discover and preset is None and not custom and base_url is None:
        server = _pick_server(ask, _discover(discover_ports, show=ask.interactive))
        if server is not None:
            _ok(f"using {server.label} at {server.base_url}")
            if server.kind in presets:
                preset = server.kind
    if preset is None and not custom and server is None and base_url is None:

        def known_preset(answer: str) -> str:
            if answer != "custom" and answer not in presets:
                raise StepProblem(f"no preset {answer!r}; known: {', '.join(presets)}")
            return answer

        if ask.interactive:
            console.print(f"presets: {safe(', '.join(presets))}", highlight=False, soft_wrap=True)
        choice = ask.answer(
            "Start from a preset, or 'custom' for another endpoint",
            "custom" if ask.interactive else None,
            "--preset NAME or --custom",
            known_preset,
        )
        preset = None if choice == "custom" else choice
    preset_spec = bundled.get(preset) if preset else None
    base = preset_document(preset_spec) if preset_spec else {}
    url_default = base_url or (server.base_url if server else None) or (preset_spec.base_url if preset_spec else None)

    def valid_id(answer: str) -> str:
        draft_spec(Draft(id=answer, engine="openai", base_url="http://127.0.0.1"))  # raises on a bad id
        existing = _target_path(answer, project)
        if existing.exists() and not force and not ask.confirm(f"{existing} exists. Replace it?", default=False):
            raise StepProblem(f"{existing} already exists; choose another id (or pass --force to replace it)")
        return answer

    new_id = ask.answer(
        "Provider id (the part before ':' in 'id:model')",
        preset or _default_id(url_default),
        "a PROVIDER_ID argument",
        valid_id,
        given=provider_id,
    )

    def known_engine(answer: str) -> str:
        if answer not in known_engines():
            raise StepProblem(f"engine {answer!r}: expected one of {', '.join(known_engines())}")
        return answer

    fixed_engine = engine or (server.engine if server else None) or (preset_spec.engine if preset_spec else None)
    chosen_engine = ask.answer(
        "Engine (the wire protocol the server speaks)",
        "openai",
        "--engine",
        known_engine,
        given=fixed_engine,
        choices=list(known_engines()),
    )
    url = ask.answer("Base URL", url_default, "--base-url", check_base_url, given=base_url)
    _ok(f"{url} answers")
    draft = Draft(
        id=new_id,
        engine=chosen_engine,
        base_url=url,
        base=base,
        preset_url=preset_spec.base_url if preset_spec else None,
    )
    try:
        draft_spec(draft)
    except StepProblem as problem:
        raise fail(f"provider {new_id!r}: {problem}", code=2) from None

    probe = _auth_step(ask, draft, key_env, keyring_ref, no_key, skip_checks)
    listed = probe.models or (server.models if server else [])
    preset_models = [m.id for m in preset_spec.models] if preset_spec else []
    chosen = _models_step(ask, listed, models or [], preset_models)
    unknown = [m for m in chosen if listed and m not in listed]
    if unknown:
        err_console.print(
            f"[yellow]![/yellow] not among the models the server lists: {safe(', '.join(unknown))}",
            highlight=False,
            soft_wrap=True,
        )

    patch = ConfigPatch().add_models([probe.entry(m) for m in chosen]).set_default_model(chosen[0])
    if allow_only:
        patch.set_allowed_models(chosen)
    source = f"<new provider {new_id}>"
    document = json.loads(patch.apply_to_text(json.dumps(draft.document(), indent=2) + "\n", source=source))

    report = None
    if not skip_checks:
        report = _quick_checks(parse_spec(document, source), chosen[0])
        if not report.ok and not ask.confirm("Some checks failed. Write the file anyway?", default=False):
            raise fail("not written: the quick checks failed (rerun with --skip-checks to write anyway)")

    path = _target_path(new_id, project)
    try:
        write_spec_file(document, path, overwrite=True)  # an existing file was confirmed (or --force) at the id step
    except SpecPatchError as exc:
        raise fail(exc.detail) from None
    _report(path, document, report, as_json)


def _report(path: Path, document: dict[str, Any], report: Report | None, as_json: bool) -> None:
    provider, model = document["id"], document.get("default_model")
    if as_json:
        print_json(
            {
                "path": str(path),
                "provider": provider,
                "default_model": model,
                "models": [m["id"] for m in document.get("models", [])],
                "checks": None if report is None else [r.to_dict() for r in report.results],
                "document": document,
            }
        )
        return
    console.print(f"[green]wrote[/green] {safe(path)}:", highlight=False, soft_wrap=True)
    console.print(Syntax(path.read_text(encoding="utf-8"), "json", theme="ansi_dark", background_color="default"))
    console.print(f'try it: polyport chat {safe(provider)}:{safe(model)} "Hello"', highlight=False, soft_wrap=True)


def discover_cmd(
    port: Annotated[
        list[int] | None, typer.Option("--port", help="Probe these ports instead of the well-known ones.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Model servers running on this machine (loopback only): Ollama, LM Studio, vLLM, SGLang, llama.cpp, LocalAI."""
    if as_json:
        print_json({"servers": [s.to_dict() for s in discover_local_servers(port or None)]})
        return
    servers = _discover(port, show=True)
    if not servers:
        console.print(
            "no model server found on 127.0.0.1 (ports: "
            f"{', '.join(str(p) for p in (port or [11434, 8080, 1234, 30000, 8000]))})",
            highlight=False,
        )
        return
    first = servers[0]
    hint = f"polyport providers add --base-url {first.base_url} --engine {first.engine}"
    if first.kind != "openai-compatible":
        hint = f"polyport providers add {first.kind} --preset {first.kind} --base-url {first.base_url}"
    console.print(f"add one: {safe(hint)}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``add`` and ``discover`` to the ``providers`` group."""
    app.command("add")(add_cmd)
    app.command("discover")(discover_cmd)
