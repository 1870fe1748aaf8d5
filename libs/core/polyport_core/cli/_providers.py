"""``polyport providers list|show|models|validate``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from polyport_core.auth import redact_data, redact_mapping, redact_url
from polyport_core.cli._output import console, err_console, fail, fold_keys, print_json, safe
from polyport_core.errors import PolyportError
from polyport_core.registry import Registry, get_registry, list_models, list_providers
from polyport_core.spec import ProviderSpec, SpecError, load_paths, variable_label

__all__ = ["providers_app"]

providers_app = typer.Typer(help="Inspect and validate provider specs.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _key_status(spec: ProviderSpec) -> dict[str, Any]:
    """Whether the provider's key is there, typed: ``status`` (``set``, ``missing``, ``configured``,
    ``not_needed``, ``sign_in``: a person signs in with ``polyport auth login``), ``required`` and the
    variable it is read from (``env``)."""
    auth = spec.auth
    if auth.type == "none":
        return {"status": "not_needed", "required": False, "env": None}
    if auth.type in ("oauth2_pkce", "oauth2_device"):
        return {"status": "sign_in", "required": auth.required, "env": None}
    if auth.api_key_env:
        present = bool(os.environ.get(auth.api_key_env))
        env = variable_label(auth.api_key_env)
        return {"status": "set" if present else "missing", "required": auth.required, "env": env}
    if auth.api_key or auth.header_value or auth.type in ("oauth2_client_credentials", "token_provider"):
        return {"status": "configured", "required": auth.required, "env": None}
    return {"status": "missing" if auth.required else "not_needed", "required": auth.required, "env": None}


def _key_text(key: dict[str, Any]) -> str:
    """The key status for a table cell: ``yes``, ``no ($VAR)``, ``optional ($VAR)``, ``not needed``..."""
    status, env = key["status"], key["env"]
    if status == "set":
        return "yes"
    if status == "missing":
        label = "no" if key["required"] else "optional"
        return f"{label} (${env})" if env else label
    return str(status).replace("_", " ")


def _problems(errors: list[SpecError]) -> list[dict[str, str]]:
    """Every problem of every file that did not load, one typed row each."""
    return [
        {"file": p.file, "path": p.json_path, "expected": p.expected, "found": p.found, "message": p.line()}
        for e in errors
        for p in e.problems
    ]


def _summary(spec: ProviderSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "display_name": spec.display_name,
        "engine": spec.engine,
        "base_url": redact_url(spec.base_url),
        "models": len(spec.models),
        "key": _key_status(spec),
        "enabled": spec.enabled,
        "source": spec.source,
    }


def _shown(spec: ProviderSpec) -> dict[str, Any]:
    """The spec as JSON for display: headers and query params (after ``${ENV}``) masked."""
    data: dict[str, Any] = redact_data(spec.model_dump(mode="json", exclude_defaults=True, by_alias=True))
    for name in ("headers", "query_params"):
        if name in data:
            data[name] = redact_mapping(data[name])
    auth = data.get("auth")
    if isinstance(auth, dict):
        for name in ("api_key_env", "client_secret_env"):
            if auth.get(name):
                auth[name] = variable_label(auth[name])
    return data


@providers_app.command("list")
def list_cmd(as_json: JsonOpt = False, all_: Annotated[bool, typer.Option("--all")] = False) -> None:
    """Every known provider: id, engine, base URL, models, key present?"""
    registry = get_registry()
    rows = [_summary(s) for s in list_providers(include_disabled=all_, registry=registry)]
    if as_json:
        print_json({"providers": rows, "errors": _problems(registry.errors)})
        return
    table = Table("id", "engine", "base url", "models", "key", "source", title="polyport providers")
    fold_keys(table)
    for row in rows:
        cells = (row["id"], row["engine"], row["base_url"], row["models"], _key_text(row["key"]), row["source"])
        table.add_row(*(safe(cell) for cell in cells))
    console.print(table)
    for error in registry.errors:
        err_console.print(f"[yellow]skipped:[/yellow] {safe(error)}", highlight=False, soft_wrap=True)


@providers_app.command("show")
def show_cmd(provider: str, as_json: JsonOpt = False) -> None:
    """One provider's full spec (secrets hidden)."""
    try:
        spec = get_registry().get(provider)
    except PolyportError as exc:
        raise fail(str(exc)) from None
    data = _shown(spec)
    data["source"] = spec.source
    data["key"] = _key_status(spec)
    if as_json:
        print_json(data)
        return
    console.print_json(data=data)


@providers_app.command("models")
def models_cmd(
    provider: str,
    live: Annotated[bool, typer.Option("--live", help="Also ask the server's /models.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Models of a provider (declared, discovered live, catalog) with context and price."""
    try:
        models = list_models(provider, live=live)
    except PolyportError as exc:
        raise fail(str(exc)) from None
    rows = [
        {
            "id": m.id,
            "source": m.source,
            "context": m.profile.get("max_input_tokens"),
            "max_output": m.profile.get("max_output_tokens"),
            "tools": m.profile.get("tool_calling"),
            "input_per_m": None if m.price.input is None else str(m.price.input),
            "output_per_m": None if m.price.output is None else str(m.price.output),
            "price_source": m.price.provenance,
        }
        for m in models
    ]
    if as_json:
        print_json({"provider": provider, "models": rows})
        return
    table = Table("model", "source", "context", "max out", "tools", "$/M in", "$/M out", "price from")
    fold_keys(table)
    for r in rows:
        table.add_row(*("" if r[k] is None else safe(r[k]) for k in r))
    console.print(table)


@providers_app.command("validate")
def validate_cmd(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Spec files or folders (default: all sources).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate spec files; prints every error (file + JSON path) and exits 1 if any."""
    if paths:
        result = load_paths(paths)
        specs, errors = result.specs, result.errors
        missing = [p for p in paths if not p.exists()]
    else:
        registry = Registry.discover()
        specs, errors, missing = list(registry.specs.values()), registry.errors, []
    if as_json:
        print_json(
            {
                "valid": [{"id": s.id, "source": s.source, "notes": s.notes} for s in specs],
                "errors": _problems(errors),
                "missing": [str(p) for p in missing],
            }
        )
    else:
        for spec in specs:
            console.print(f"[green]ok[/green]    {safe(spec.id)}  ({safe(spec.source)})", highlight=False)
            for note in spec.notes:  # what loading assumed, e.g. the unit of Polydev prices
                console.print(f"[cyan]note[/cyan]  {safe(spec.id)}: {safe(note)}", highlight=False, soft_wrap=True)
        for problem in (p for e in errors for p in e.problems):
            err_console.print(f"[red]error[/red] {safe(problem.line())}", highlight=False, soft_wrap=True)
        for path in missing:
            err_console.print(f"[red]error[/red] {safe(path)}: no such file or folder", highlight=False)
    if errors or missing:
        raise typer.Exit(1)
