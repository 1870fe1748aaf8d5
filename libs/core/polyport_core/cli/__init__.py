"""The ``polyport`` command: providers list/show/models/validate, chat, and optional commands.

Optional command modules register themselves with ``register(app)``; add one
line to ``_OPTIONAL_COMMANDS`` to plug a new one in (missing modules are skipped).
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from polyport_core.cli._add import register as _register_setup
from polyport_core.cli._chat import register as _register_chat
from polyport_core.cli._providers import providers_app
from polyport_core.cli._test import render_report
from polyport_core.cli._usage import usage_rows
from polyport_core.cli._version import version_option

__all__ = ["app", "main", "render_report", "usage_rows"]

app = typer.Typer(
    name="polyport",
    help="Any LLM provider as a LangChain model: inspect, validate and try providers.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_option, is_eager=True, help="Show the installed versions.")
    ] = False,
) -> None:
    """Any LLM provider as a LangChain model: inspect, validate and try providers."""


_register_setup(providers_app)  # `providers add` and `providers discover`
app.add_typer(providers_app, name="providers")
_register_chat(app)

_OPTIONAL_COMMANDS: tuple[str, ...] = (
    "polyport_core.cli._usage",  # `polyport usage` (governance/ledger owner)
    "polyport_core.cli._test",  # `polyport test PROVIDER[:MODEL]` (the doctor)
    "polyport_core.cli._health",  # `polyport health PROVIDER... --every 5m` (scheduled checks, alerts)
    "polyport_core.cli._dashboard",  # `polyport dashboard` (spend and health web page)
    "polyport_core.cli._serve",  # `polyport serve-local` (llama.cpp with the bundled model)
    "polyport_core.cli._auth",  # `polyport auth login/list/status/logout` (saved credentials)
)
for _module in _OPTIONAL_COMMANDS:
    try:
        importlib.import_module(_module).register(app)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise


def main() -> None:
    """Console-script entry point."""
    app()
