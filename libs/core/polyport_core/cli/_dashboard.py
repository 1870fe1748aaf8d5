"""``polyport dashboard [--host H] [--port P] [--db FILE | --redis URL]``: the spend and health web page.

Binds 127.0.0.1 by default. Bound anywhere else it requires a token (``--token``,
or one made up and printed once): a dashboard shows spend per user.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from typing import Annotated, Any

import typer

from polyport_core.auth import redact_url
from polyport_core.cli._output import console, fail, safe
from polyport_core.errors import PolyportError

__all__ = ["build_dashboard", "register"]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _declared_budgets(extra: list[str]) -> list[Any]:
    """Budgets of every provider file and the policy file, plus ``--budget SCOPE=day:USD``."""
    from polyport_core.governance import Budget, budgets_from_spec, parse_scope, policy_from_env
    from polyport_core.registry import get_registry

    budgets: list[Any] = []
    try:
        for spec in get_registry().providers():
            budgets += budgets_from_spec(spec)
    except PolyportError:
        pass  # a broken provider file: `polyport providers validate` says which; the page still serves
    policy = policy_from_env()
    if policy is not None:
        budgets += policy.budgets
    for text in extra:
        scope, _, rest = text.rpartition("=")
        period, _, cap = rest.partition(":")
        if not scope or period not in ("day", "month") or not cap:
            raise typer.BadParameter(f"--budget {text!r}: use SCOPE=day:USD (scope: global, user:u1, provider:p…)")
        fields: dict[str, Any] = {"daily_usd" if period == "day" else "monthly_usd": cap}
        for part in scope.split("|"):
            if part.startswith("model:"):
                provider, _, model = part[6:].partition("/")
                fields |= {"provider": provider, "model": model}
            else:
                fields |= parse_scope(part, where="--budget")
        budgets.append(Budget(**fields))
    return budgets


def build_dashboard(db: str | None, redis_url: str | None, token: str | None, budgets: list[str]) -> Any:
    """The app over ``--db`` / ``--redis`` / ``$POLYPORT_LEDGER`` (indexes added to a SQLite file once)."""
    from polyport_core.dashboard import SQLiteQueries, create_app
    from polyport_core.ledger import LEDGER_ENV, RedisLedger, SQLiteLedger, ledger_from_url

    if redis_url:
        ledger: Any = RedisLedger(redis_url)
    elif db:
        if not os.path.exists(db):
            raise fail(f"No ledger file at {db}")
        ledger = SQLiteLedger(db)
    else:
        ledger = ledger_from_url(os.environ.get(LEDGER_ENV, "").strip())
    path = str(ledger.path) if isinstance(ledger, SQLiteLedger) else None
    if path is not None:
        SQLiteQueries.ensure_indexes(path)
    app = create_app(ledger, token=token, budgets=_declared_budgets(budgets), sqlite_path=path)
    if path is not None:
        app.state.queries.rollup.refresh()  # the daily sums, once, before the first page asks
    return app


def dashboard(
    host: Annotated[str, typer.Option(help="Interface to bind (anything but loopback needs a token).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    db: Annotated[str | None, typer.Option(help="SQLite ledger file (default: $POLYPORT_LEDGER).")] = None,
    redis_url: Annotated[str | None, typer.Option("--redis", help="Redis ledger URL.")] = None,
    token: Annotated[str | None, typer.Option(help="Token every request must carry (required off loopback).")] = None,
    budget: Annotated[list[str] | None, typer.Option(help="Also show a cap: SCOPE=day:USD (user:u1=day:5).")] = None,
) -> None:
    """Serve the spend and health dashboard over the ledger."""
    try:
        import uvicorn
    except ImportError:
        raise fail("the dashboard needs its extra: pip install 'polyport-core[dashboard]'") from None
    if db and redis_url:
        raise fail("use --db or --redis, not both")
    if not _loopback(host) and not token:
        token = secrets.token_urlsafe(24)
        console.print(f"bound to {safe(host)}: open http://{safe(host)}:{port}/?token={token}")
    try:
        app = build_dashboard(db, redis_url, token, budget or [])
    except PolyportError as error:
        where = redact_url(redis_url) if redis_url else (db or "the default ledger")
        raise fail(f"Cannot open the ledger {where}: {error.detail}") from None
    console.print(f"polyport dashboard on http://{safe(host)}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add ``dashboard`` to the root ``polyport`` app."""
    app.command("dashboard")(dashboard)
