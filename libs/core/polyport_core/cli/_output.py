"""Shared CLI output helpers: rich for people, JSON for scripts, errors without tracebacks."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console

__all__ = ["console", "err_console", "fail", "print_json"]

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    typer.echo(json.dumps(data, indent=2, default=str))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line to stderr and return the ``Exit`` to raise."""
    err_console.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)
