"""``polyport health PROVIDER... [--every 5m]``: scheduled health checks with alerts.

Each round runs the doctor's quick checks (auth, models, one tiny chat) per
provider, stores the result in the ledger and prints one line per provider;
``--webhook URL`` hears every status change. Without ``--every``: one round,
exit code 1 when a provider failed.
"""

from __future__ import annotations

import json
import os
import re
from typing import Annotated

import typer

from polyport_core.auth import redact_url
from polyport_core.cli._output import console, fail, safe
from polyport_core.errors import PolyportError

__all__ = ["parse_every", "register"]

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600}


def parse_every(text: str) -> float:
    """``"5m"`` → 300.0 (``s``, ``m``, ``h``; a bare number is seconds)."""
    match = _EVERY.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise typer.BadParameter(f"--every {text!r}: use a duration like 30s, 5m or 1h")
    return float(match.group(1)) * _UNIT_S[match.group(2) or "s"]


def health(
    providers: Annotated[list[str], typer.Argument(help="Providers to check (PROVIDER or PROVIDER:MODEL).")],
    every: Annotated[str | None, typer.Option(help="Check again every DURATION (30s, 5m, 1h) until stopped.")] = None,
    rounds: Annotated[int | None, typer.Option(help="Stop after this many rounds.")] = None,
    checks: Annotated[str, typer.Option(help="Doctor checks per round, comma-separated.")] = "auth,models,chat",
    degraded_after: Annotated[int, typer.Option(help="Failed rounds in a row before 'degraded'.")] = 1,
    down_after: Annotated[int, typer.Option(help="Failed rounds in a row before 'down'.")] = 3,
    recover_after: Annotated[int, typer.Option(help="Good rounds in a row before 'healthy' again.")] = 1,
    webhook: Annotated[str | None, typer.Option(help="POST each status change as JSON to this URL.")] = None,
    db: Annotated[str | None, typer.Option(help="SQLite ledger file (default: $POLYPORT_LEDGER).")] = None,
    redis_url: Annotated[str | None, typer.Option("--redis", help="Redis ledger URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per result.")] = False,
) -> None:
    """Run the doctor's quick checks per provider, store each result, alert on status changes."""
    from polyport_core.health import HealthChecker, HealthResult, doctor_probe, webhook_sink
    from polyport_core.ledger import LEDGER_ENV, default_ledger

    interval = parse_every(every) if every else None
    if redis_url:
        os.environ[LEDGER_ENV] = redis_url  # the checks' own calls are recorded there too
    elif db:
        os.environ[LEDGER_ENV] = f"sqlite:///{db}"
    try:
        checker = HealthChecker(
            providers, ledger=default_ledger(), alert=webhook_sink(webhook) if webhook else None,
            degraded_after=degraded_after, down_after=down_after, recover_after=recover_after,
            probe=doctor_probe([c.strip() for c in checks.split(",") if c.strip()]),
        )  # fmt: skip
    except PolyportError as error:
        where = redact_url(redis_url) if redis_url else (db or "the default ledger")
        raise fail(f"{error.detail} (ledger: {where})") from None
    failed = False

    def show(results: list[HealthResult]) -> None:
        nonlocal failed
        for r in results:
            failed = failed or not r.ok
            if as_json:
                typer.echo(json.dumps(r.to_dict()))
            else:
                colour = {"healthy": "green", "degraded": "yellow", "down": "red"}.get(r.status, "white")
                bad = "; ".join(f"{k}: {v}" for k, v in r.checks.items() if v.startswith("fail"))
                console.print(f"{safe(r.provider)}:{safe(r.model)} [{colour}]{r.status}[/{colour}] "
                              f"{r.latency_s * 1000:.0f} ms {safe(bad)}")  # fmt: skip

    try:
        if interval is None:
            show(checker.run_once())
        else:
            checker.run(interval, rounds=rounds, on_round=show)
    except KeyboardInterrupt:
        return
    if interval is None and failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``health`` to the root ``polyport`` app."""
    app.command("health")(health)
