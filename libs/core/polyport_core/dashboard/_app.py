"""The dashboard's Starlette app: one HTML page, its static files and JSON endpoints over the ledger.

Every figure the page shows comes from a JSON endpoint of the same app, so what
a script reads is what a person sees. Bound to loopback no token is needed; bound
elsewhere every request must carry the token (``Authorization: Bearer``, or
``?token=`` once — it is then kept in an HttpOnly cookie for the page's fetches).
"""

from __future__ import annotations

import contextlib
import hmac
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from polyport_core.dashboard._panels import budget_rows, health_panel, metrics_panel
from polyport_core.dashboard._queries import Filters, RecordQueries, SQLiteQueries
from polyport_core.dashboard._rollup import DAY_S
from polyport_core.governance import Budget

__all__ = ["create_app"]

_STATIC = {
    "uPlot.iife.min.js": "text/javascript",
    "uPlot.min.css": "text/css",
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
    "uPlot.LICENSE": "text/plain",
}
_COOKIE = "polyport_dashboard"
_MAX_PAGE = 500


class _BadQuery(ValueError):
    """A query parameter that cannot be read (answered with 400 naming it)."""


def _day(text: str, name: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise _BadQuery(f"{name}={text!r}: use YYYY-MM-DD") from None


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadQuery(f"{name}={raw!r}: not a whole number") from None
    if not low <= value <= high:
        raise _BadQuery(f"{name}={value}: must be between {low} and {high}")
    return value


def filters_from(request: Request, now: float | None = None) -> Filters:
    """``since``/``until`` (YYYY-MM-DD, until inclusive) or ``days`` back; provider, model, user, tag."""
    q = request.query_params
    now = time.time() if now is None else now
    until = _day(q["until"], "until") + DAY_S if q.get("until") else now + 1
    if q.get("since"):
        since = _day(q["since"], "since")
    else:
        since = (int(now // DAY_S) - _int(request, "days", 30, 1, 3660) + 1) * DAY_S
    if since >= until:
        raise _BadQuery("since must be before until")
    pick = {k: (q.get(k) or None) for k in ("provider", "model", "user", "tag")}
    return Filters(since, until, **pick)


def _page(request: Request) -> tuple[int, int]:
    return _int(request, "page", 0, 0, 10**9), _int(request, "page_size", 50, 1, _MAX_PAGE)


class _TokenGate(BaseHTTPMiddleware):
    def __init__(self, app: Any, token: str) -> None:
        super().__init__(app)
        self.token = token

    def _ok(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(str(candidate), self.token)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        auth = request.headers.get("authorization", "")
        bearer = auth[7:] if auth.lower().startswith("bearer ") else None
        from_query = request.query_params.get("token")
        if not (self._ok(bearer) or self._ok(request.cookies.get(_COOKIE)) or self._ok(from_query)):
            return JSONResponse({"error": "a dashboard token is required (Authorization: Bearer or ?token=)"}, 401)
        response = await call_next(request)
        if self._ok(from_query):
            response.set_cookie(_COOKIE, self.token, httponly=True, samesite="strict")
        return response


def create_app(
    ledger: Any,
    *,
    token: str | None = None,
    budgets: list[Budget] | None = None,
    sqlite_path: str | None = None,
) -> Starlette:
    """The dashboard over ``ledger``; SQL aggregates when ``sqlite_path`` names its file."""
    queries: SQLiteQueries | RecordQueries = SQLiteQueries(sqlite_path) if sqlite_path else RecordQueries(ledger)
    declared = list(budgets or [])

    def answer(build: Any) -> Any:
        def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            try:
                body = build(request)
            except _BadQuery as error:
                return JSONResponse({"error": str(error)}, 400)
            response = JSONResponse(body)
            response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            return response

        return endpoint

    def overview(request: Request) -> dict[str, Any]:
        f = filters_from(request)
        options = queries.options(f)
        return {"filters": _filters_dict(f), "totals": queries.totals(f), "options": options,
                "budgets": budget_rows(ledger, declared, options["users"], options["tags"])}  # fmt: skip

    def usage(request: Request) -> dict[str, Any]:
        return queries.usage(filters_from(request), *_page(request))

    def records(request: Request) -> dict[str, Any]:
        return queries.records(filters_from(request), *_page(request))

    def spend(request: Request) -> dict[str, Any]:
        stack = request.query_params.get("stack", "provider")
        if stack not in ("provider", "model", "user"):
            raise _BadQuery(f"stack={stack!r}: use provider, model or user")
        return queries.spend_daily(filters_from(request), stack)

    def metrics(request: Request) -> dict[str, Any]:
        f = filters_from(request)
        return metrics_panel(ledger, f.since, min(f.until, time.time()), f.provider, f.model)

    def health(request: Request) -> dict[str, Any]:
        f = filters_from(request)
        return health_panel(ledger, f.since, f.provider)

    def budgets_endpoint(request: Request) -> dict[str, Any]:
        f = filters_from(request)
        options = queries.options(f)
        return {"budgets": budget_rows(ledger, declared, options["users"], options["tags"])}

    def page(request: Request) -> Response:
        html = resources.files("polyport_core.dashboard").joinpath("static/index.html").read_text("utf-8")
        return HTMLResponse(html)

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        kind = _STATIC.get(name)
        if kind is None:
            return Response("not found", 404)
        data = resources.files("polyport_core.dashboard").joinpath(f"static/{name}").read_bytes()
        return Response(data, media_type=kind, headers={"cache-control": "max-age=3600"})

    routes = [
        Route("/", page),
        Route("/static/{name}", static),
        Route("/api/overview", answer(overview)),
        Route("/api/usage", answer(usage)),
        Route("/api/records", answer(records)),
        Route("/api/spend", answer(spend)),
        Route("/api/metrics", answer(metrics)),
        Route("/api/health", answer(health)),
        Route("/api/budgets", answer(budgets_endpoint)),
    ]
    middleware = [Middleware(_TokenGate, token=token)] if token else []
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        queries.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.queries = queries
    return app


def _filters_dict(f: Filters) -> dict[str, Any]:
    last = datetime.fromtimestamp(f.until - 1, UTC).strftime("%Y-%m-%d")
    first = datetime.fromtimestamp(f.since, UTC).strftime("%Y-%m-%d")
    return {"since": first, "until": last, "provider": f.provider, "model": f.model, "user": f.user, "tag": f.tag}
