"""``polyport usage``: spend and tokens by provider/model/day from the ledger, budgets' headroom, metrics.

Register with ``register(app)`` on the root typer app (or mount ``usage_app``).
Metrics (``--metrics``) are the fleet metrics every process flushed to the
ledger's backend (per provider/model/minute); a ledger that holds none (older
files, ledgers of one's own) has them rebuilt from its records.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from polyport_core.auth import redact_text, redact_url
from polyport_core.cli._output import fail
from polyport_core.errors import PolyportError
from polyport_core.ledger import (
    LEDGER_ENV,
    Bucket,
    Ledger,
    RedisLedger,
    SQLiteLedger,
    UsageRecord,
    ledger_from_url,
    nano_to_usd,
    period_keys,
)
from polyport_core.metrics import Metrics

__all__ = ["GROUP_KEYS", "grouped_rows", "ledger_info", "register", "usage", "usage_app", "usage_rows"]

GROUP_KEYS = ("user", "tag", "provider", "model", "profile")
"""What ``--by`` groups spend by (a record with several tags counts under each)."""

usage_app = typer.Typer(help="Spend, tokens, budgets and metrics from the usage ledger.")


def _open(db: str | None, redis_url: str | None) -> Ledger:
    """``--redis`` / ``--db`` when given, else the ledger ``POLYPORT_LEDGER`` selects (as the library does)."""
    if redis_url:
        return RedisLedger(redis_url)
    if db:
        return SQLiteLedger(db)
    return ledger_from_url(os.environ.get(LEDGER_ENV, "").strip())


def _new_totals() -> dict[str, int]:
    return {"calls": 0, "errors": 0, "input_tokens": 0, "output_tokens": 0, "cost_nano": 0, "unpriced": 0}


def _count(totals: dict[str, int], record: UsageRecord) -> None:
    totals["calls"] += 1
    totals["errors"] += record.outcome != "ok"
    totals["input_tokens"] += record.input_tokens
    totals["output_tokens"] += record.output_tokens
    if record.cost_nano is None:
        totals["unpriced"] += 1
    else:
        totals["cost_nano"] += record.cost_nano


def _with_cost(totals: dict[str, int]) -> dict[str, Any]:
    """The totals with ``cost_usd``: None when part of the spend is unknown (never show a smaller sum)."""
    cost = nano_to_usd(totals.pop("cost_nano"))
    return {**totals, "cost_usd": None if totals["unpriced"] else str(cost)}


def usage_rows(records: list[UsageRecord]) -> list[dict[str, Any]]:
    """Records grouped by day, provider and model (cost None when any call had no price)."""
    groups: dict[tuple[str, str, str], dict[str, int]] = defaultdict(_new_totals)
    for r in records:
        day = datetime.fromtimestamp(r.ts, UTC).strftime("%Y-%m-%d")
        _count(groups[(day, r.provider, r.model)], r)
    return [
        {"day": day, "provider": provider, "model": model, **_with_cost(g)}
        for (day, provider, model), g in sorted(groups.items())
    ]


def _group_values(record: UsageRecord, by: str) -> tuple[str | None, ...]:
    if by == "tag":
        return record.tags or (None,)
    if by == "model":
        return (f"{record.provider}:{record.model}",)
    value: str | None = getattr(record, by)
    return (value,)


def grouped_rows(records: list[UsageRecord], by: str) -> list[dict[str, Any]]:
    """Calls, errors, tokens and spend per ``by`` (user, tag, provider, model or profile); None = not set."""
    if by not in GROUP_KEYS:
        raise typer.BadParameter(f"--by {by!r}: use one of {', '.join(GROUP_KEYS)}")
    groups: dict[str | None, dict[str, int]] = defaultdict(_new_totals)
    for r in records:
        for value in _group_values(r, by):
            _count(groups[value], r)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))  # "not set" last
    return [{by: value, **_with_cost(g)} for value, g in ordered]


def ledger_info(ledger: Ledger) -> dict[str, str | None]:
    """Which ledger, typed: ``kind`` (``sqlite``, ``redis``) and ``location`` (file path or redacted URL)."""
    if isinstance(ledger, SQLiteLedger):
        return {"kind": "sqlite", "location": str(ledger.path)}
    if isinstance(ledger, RedisLedger):
        return {"kind": "redis", "location": redact_url(ledger.url)}
    return {"kind": type(ledger).__name__, "location": None}


def _known_scope_values(ledger: Ledger) -> dict[str, set[str]]:
    """Every provider, model, user, tag and profile the ledger has a record of, plus the registry's providers."""
    from polyport_core.registry import get_registry

    known: dict[str, set[str]] = {k: set() for k in ("provider", "model", "user", "tag", "profile")}
    known["provider"].update(get_registry().specs)
    for r in ledger.records():
        known["provider"].add(r.provider)
        known["model"].add(f"{r.provider}/{r.model}")
        known["user"].update([r.user] if r.user else [])
        known["tag"].update(r.tags)
        known["profile"].update([r.profile] if r.profile else [])
    return known


def _check_scope(scope: str, known: dict[str, set[str]]) -> None:
    """``global`` or ``kind:value`` parts joined by ``|``; a value nothing was ever recorded for is a typo."""
    if scope == "global":
        return
    for part in scope.split("|"):
        kind, _, value = part.partition(":")
        if kind not in known or not value:
            forms = "global, provider:P, model:P/M, user:U, tag:T, profile:N (joined with |)"
            raise typer.BadParameter(f"--budget scope {scope!r}: {part!r} is not a scope; use {forms}")
        if value != "*" and value not in known[kind]:  # "*": each value separately
            raise typer.BadParameter(
                f"--budget scope {scope!r}: no {kind} {value!r} in the ledger or the providers; "
                f"known {kind}s: {', '.join(sorted(known[kind])[:10]) or 'none yet'}"
            )


def _budget_rows(ledger: Ledger, budgets: list[str]) -> list[dict[str, Any]]:
    day, month = period_keys()
    rows = []
    known = _known_scope_values(ledger) if any(not b.startswith("global=") for b in budgets) else {}
    for spec in budgets:
        scope, _, rest = spec.rpartition("=")
        period, _, cap = rest.partition(":")
        if not scope or period not in ("day", "month") or not cap:
            raise typer.BadParameter(f"--budget {spec!r}: use SCOPE=day:USD or SCOPE=month:USD")
        _check_scope(scope, known)
        bucket = Bucket(scope, day if period == "day" else month)
        spent, held = nano_to_usd(ledger.spent(bucket)), nano_to_usd(ledger.reserved(bucket))
        limit = Decimal(cap)
        rows.append(
            {"scope": scope, "period": bucket.period, "cap_usd": str(limit), "spent_usd": str(spent),
             "reserved_usd": str(held), "remaining_usd": str(max(Decimal(0), limit - spent - held))}
        )  # fmt: skip
    return rows


def _metrics_rows(ledger: Ledger, records: list[UsageRecord], since: float) -> list[dict[str, Any]]:
    read = getattr(ledger, "metric_minutes", None)
    if read is not None:
        from polyport_core.metrics import fleet_rows, minute_of

        minutes = read(minute_of(since), minute_of(time.time()) + 1)
        if minutes:
            return fleet_rows(minutes)
    metrics = Metrics(window=100_000)
    for r in records:
        metrics.record(
            r.provider, r.model, error_kind=None if r.outcome == "ok" else r.outcome, latency_s=r.latency_s,
            input_tokens=r.input_tokens, output_tokens=r.output_tokens, cost_usd=r.cost_usd,
        )  # fmt: skip
    return metrics.snapshot()


def _table(title: str, rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    from polyport_core.cli._output import safe

    table = Table(title=safe(title))
    if not rows:
        Console().print(f"{safe(title)}: nothing recorded")
        return
    for column in rows[0]:
        table.add_column(column.replace("_", " "), overflow="fold")  # ids and dates whole, never cut
    for row in rows:
        table.add_row(*(safe(_cell(v)) for v in row.values()))
    Console().print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    return "-" if value is None else str(value)


@usage_app.command("usage")
def usage(
    days: Annotated[int, typer.Option(min=1, help="How many days back to include (1 or more).")] = 30,
    db: Annotated[
        str | None, typer.Option(help="SQLite ledger file (default: $POLYPORT_LEDGER, else the user data dir).")
    ] = None,
    redis_url: Annotated[str | None, typer.Option("--redis", help="Read a Redis ledger instead.")] = None,
    budget: Annotated[
        list[str] | None, typer.Option(help="Show headroom of a cap: SCOPE=day:USD (e.g. global=day:5).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    metrics: Annotated[
        bool, typer.Option("--metrics", help="Add latency/failure/availability metrics.")
    ] = False,
    by: Annotated[
        str | None, typer.Option("--by", help="Group spend by user, tag, provider, model or profile.")
    ] = None,
    remote: Annotated[
        str | None,
        typer.Option("--remote", help="Show PROVIDER's own usage figures (its usage API) beside the ledger's."),
    ] = None,
) -> None:
    """Spend and tokens by provider/model/day, budget headroom and (optionally) metrics."""
    if db and not redis_url and not Path(db).expanduser().is_file():
        raise fail(f"no ledger file at {db} (--db reads an existing SQLite ledger; it never creates one)", code=2)
    try:
        ledger = _open(db, redis_url)
    except (PolyportError, OSError, ValueError, ImportError) as error:  # a bad URL or path: one line
        where = redact_url(redis_url) if redis_url else (db or "the default ledger")
        raise fail(f"Cannot open the ledger {where}: {getattr(error, 'detail', error)}") from None
    try:
        since = time.time() - days * 86400
        records = ledger.records(since=since)
        out: dict[str, Any] = {"ledger": ledger_info(ledger), "usage": usage_rows(records)}
        if by is not None:
            out["by"] = {"key": by, "rows": grouped_rows(records, by)}
        out["budgets"] = _budget_rows(ledger, budget or [])
        if remote is not None:
            from polyport_core.cli._usage_remote import remote_section

            out["remote"] = remote_section(remote, records, since, time.time())
        if metrics:
            out["metrics"] = _metrics_rows(ledger, records, since)
    except PolyportError as error:  # the ledger is unreachable or locked: its message names it
        raise fail(redact_text(error.detail)) from None
    except typer.BadParameter as error:
        raise fail(str(error), code=2) from None
    finally:
        ledger.close()
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    where = f"{out['ledger']['kind']} ledger {out['ledger']['location'] or ''}".strip()
    _table(f"Usage ({where}, last {days} days)", out["usage"])
    if by is not None:
        _table(f"By {by}", out["by"]["rows"])
    if out["budgets"]:
        _table("Budgets", out["budgets"])
    if metrics:
        _table("Metrics", out["metrics"])
    if remote is not None:
        _table(f"{remote}: the vendor's figures beside the ledger's ({out['remote']['source']})", out["remote"]["rows"])
        for note in out["remote"]["notes"]:
            typer.echo(redact_text(f"note: {note}"))


def register(app: typer.Typer) -> None:
    """Add ``usage`` to the root ``polyport`` app."""
    app.command("usage")(usage)
