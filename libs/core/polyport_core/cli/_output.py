"""Shared CLI output helpers: rich for people, JSON for scripts, errors without tracebacks.

Every user or server text goes through ``safe`` before rich renders it: secrets
are redacted and markup is escaped, so ``[provider=…]`` suffixes survive and a
message holding ``[/v1/...]`` or ``[/INST]`` never raises ``MarkupError``.
"""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from polyport_core.auth import redact_data, redact_text

__all__ = ["console", "err_console", "fail", "fold_keys", "print_json", "safe"]

console = Console()
err_console = Console(stderr=True)


def safe(text: object) -> str:
    """``text`` redacted and escaped for rich markup."""
    return escape(redact_text(str(text)))


def print_json(data: Any) -> None:
    """Machine-readable output on stdout (known secrets and URL credentials masked)."""
    typer.echo(json.dumps(redact_data(data), indent=2, default=lambda v: redact_text(str(v))))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line to stderr and return the ``Exit`` to raise."""
    err_console.print(f"[red]error:[/red] {safe(message)}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def fold_keys(table: Table, *names: str) -> Table:
    """Columns (the named ones, or all) fold onto more lines instead of being cut with "…" when the
    terminal (or a pipe's 80 columns) is narrow: no character of an id, model, date or URL is lost."""
    for column in table.columns:
        if not names or str(column.header) in names:
            column.overflow = "fold"
    return table
