"""One fetcher per vendor usage endpoint, each reading the vendor's documented JSON.

- OpenAI: ``GET /v1/organization/costs`` and ``/v1/organization/usage/completions`` (admin key;
  pages of buckets, ``amount.value`` in USD).
- Anthropic: ``GET /v1/organizations/cost_report`` (``amount``: a decimal string in cents) and
  ``/v1/organizations/usage_report/messages`` (admin key, ``x-api-key``).
- OpenRouter: ``GET /api/v1/key`` (``usage``/``limit_remaining`` in USD credits; no window).
- DeepSeek: ``GET /user/balance`` (``balance_infos`` per currency; a balance, not spend).
- ``http``: a provider file's own endpoint with dotted paths into its answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from polyport_core.errors import BadResponseError, ProviderUnavailableError, error_for_status
from polyport_core.redaction import redact_url
from polyport_core.spec import UsageEndpointSpec
from polyport_core.vendor_usage._types import VendorUsage

__all__ = ["FETCHERS", "Fetcher", "fetch_declared"]

Fetcher = Callable[[httpx.Client, UsageEndpointSpec, str, str, float, float], VendorUsage]
"""(client with the key set, endpoint spec, provider, base URL, since, until) → figures."""

_MAX_PAGES = 50


def _rfc3339(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _get(client: httpx.Client, url: str, params: dict[str, Any], provider: str) -> Any:
    where = redact_url(url)
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise ProviderUnavailableError(
            f"usage endpoint {where} unreachable: {type(exc).__name__}", provider=provider
        ) from None
    if response.status_code >= 400:
        raise error_for_status(
            response.status_code, f"usage endpoint {where} refused the request", provider=provider, model=None
        )
    try:
        return response.json()
    except ValueError:
        raise BadResponseError(f"usage endpoint {where} did not answer JSON", provider=provider) from None


def _pages(client: httpx.Client, url: str, params: dict[str, Any], provider: str) -> Iterator[dict[str, Any]]:
    """Every page of a ``{data, has_more, next_page}`` listing (OpenAI and Anthropic admin APIs)."""
    query = dict(params)
    for _ in range(_MAX_PAGES):
        page = _get(client, url, query, provider)
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise BadResponseError(f"usage endpoint {redact_url(url)}: no 'data' list", provider=provider)
        yield page
        if not page.get("has_more") or not page.get("next_page"):
            return
        query["page"] = page["next_page"]
    raise BadResponseError(f"usage endpoint {redact_url(url)}: more than {_MAX_PAGES} pages", provider=provider)


def _results(pages: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for page in pages:
        for bucket in page["data"]:
            yield from bucket.get("results") or []


def _decimal(value: Any, what: str, provider: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise BadResponseError(f"{what}: not a number ({str(value)[:20]!r})", provider=provider) from None


def fetch_openai(
    client: httpx.Client, spec: UsageEndpointSpec, provider: str, base: str, since: float, until: float
) -> VendorUsage:
    """OpenAI's organization costs and completions usage (admin key)."""
    window = {"start_time": int(since), "end_time": int(until), "bucket_width": "1d"}
    cost = Decimal(0)
    notes: list[str] = []
    for result in _results(_pages(client, f"{base}/v1/organization/costs", {**window, "limit": 180}, provider)):
        amount = result.get("amount") or {}
        if str(amount.get("currency", "usd")).lower() != "usd":
            notes.append(f"skipped a cost in {amount.get('currency')}")
            continue
        cost += _decimal(amount.get("value", 0), "organization costs amount.value", provider)
    tokens_in = tokens_out = calls = 0
    usage_url = f"{base}/v1/organization/usage/completions"
    for result in _results(_pages(client, usage_url, {**window, "limit": 31}, provider)):
        tokens_in += int(result.get("input_tokens") or 0)
        tokens_out += int(result.get("output_tokens") or 0)
        calls += int(result.get("num_model_requests") or 0)
    return VendorUsage(
        provider, "openai organization costs + completions usage", since, until,
        cost_usd=cost, input_tokens=tokens_in, output_tokens=tokens_out, requests=calls, notes=notes,
    )  # fmt: skip


def fetch_anthropic(
    client: httpx.Client, spec: UsageEndpointSpec, provider: str, base: str, since: float, until: float
) -> VendorUsage:
    """Anthropic's Admin API cost report (cents, as decimal strings) and messages usage report."""
    window = {"starting_at": _rfc3339(since), "ending_at": _rfc3339(until), "bucket_width": "1d"}
    cents = Decimal(0)
    notes: list[str] = []
    for result in _results(_pages(client, f"{base}/v1/organizations/cost_report", window, provider)):
        if str(result.get("currency", "USD")).upper() != "USD":
            notes.append(f"skipped a cost in {result.get('currency')}")
            continue
        cents += _decimal(result.get("amount", "0"), "cost_report amount", provider)
    tokens_in = tokens_out = 0
    report = f"{base}/v1/organizations/usage_report/messages"
    for result in _results(_pages(client, report, window, provider)):
        creation = result.get("cache_creation") or {}
        tokens_in += sum(
            int(v or 0)
            for v in (
                result.get("uncached_input_tokens"),
                result.get("cache_read_input_tokens"),
                creation.get("ephemeral_1h_input_tokens"),
                creation.get("ephemeral_5m_input_tokens"),
            )
        )
        tokens_out += int(result.get("output_tokens") or 0)
    notes.append("Anthropic's cost report leaves out Priority Tier costs")
    return VendorUsage(
        provider, "anthropic admin cost_report + usage_report/messages", since, until,
        cost_usd=cents / 100, input_tokens=tokens_in, output_tokens=tokens_out, notes=notes,
    )  # fmt: skip


def fetch_openrouter(
    client: httpx.Client, spec: UsageEndpointSpec, provider: str, base: str, since: float, until: float
) -> VendorUsage:
    """OpenRouter's current key: credits used (daily/weekly/monthly/all time) and the limit left."""
    body = _get(client, f"{base}/api/v1/key", {}, provider)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise BadResponseError("OpenRouter /key: no 'data' object", provider=provider)
    days = (until - since) / 86400
    field, label = ("usage_daily", "today") if days <= 1 else ("usage_weekly", "this week") if days <= 7 else (
        ("usage_monthly", "this month") if days <= 31 else ("usage", "all time")
    )  # fmt: skip
    spent = data.get(field, data.get("usage"))
    remaining = data.get("limit_remaining")
    return VendorUsage(
        provider, f"openrouter /key ({field})", since, until,
        cost_usd=None if spent is None else _decimal(spent, f"/key {field}", provider),
        balance_usd=None if remaining is None else _decimal(remaining, "/key limit_remaining", provider),
        notes=[f"OpenRouter reports credits used {label} (UTC), not for an arbitrary window"],
    )  # fmt: skip


def fetch_deepseek(
    client: httpx.Client, spec: UsageEndpointSpec, provider: str, base: str, since: float, until: float
) -> VendorUsage:
    """DeepSeek's balance per currency (no spend history is published)."""
    body = _get(client, f"{base}/user/balance", {}, provider)
    infos = body.get("balance_infos") if isinstance(body, dict) else None
    if not isinstance(infos, list):
        raise BadResponseError("DeepSeek /user/balance: no 'balance_infos' list", provider=provider)
    balances = {
        str(info.get("currency", "?")): _decimal(info.get("total_balance", "0"), "total_balance", provider)
        for info in infos
    }
    notes = ["DeepSeek publishes a balance, not spend for a window"]
    if body.get("is_available") is False:
        notes.append("the balance is not available for API calls")
    return VendorUsage(
        provider, "deepseek /user/balance", since, until,
        balance_usd=balances.get("USD"), balances=balances, notes=notes,
    )  # fmt: skip


def _pick(data: Any, path: str) -> list[Any]:
    """Values at a dotted path; ``*`` (or ``[*]``) walks every item of a list or map."""
    current: list[Any] = [data]
    for part in path.replace("[*]", ".*").split("."):
        following: list[Any] = []
        for item in current:
            if part == "*":
                following.extend(item.values() if isinstance(item, dict) else item if isinstance(item, list) else [])
            elif isinstance(item, dict) and part in item:
                following.append(item[part])
        current = following
    return [v for v in current if v is not None]


def fetch_declared(
    client: httpx.Client, spec: UsageEndpointSpec, provider: str, base: str, since: float, until: float
) -> VendorUsage:
    """A provider file's own usage endpoint (``usage.kind: http``)."""
    assert spec.url is not None
    params: dict[str, Any] = {}
    fmt = _rfc3339 if spec.time_format == "rfc3339" else (lambda ts: int(ts))
    if spec.since_param:
        params[spec.since_param] = fmt(since)
    if spec.until_param:
        params[spec.until_param] = fmt(until)
    body = _get(client, spec.url, params, provider)

    def total(path: str | None, what: str) -> Decimal | None:
        if path is None:
            return None
        values = _pick(body, path)
        if not values:
            raise BadResponseError(f"usage.{what}: nothing at {path!r} in the answer", provider=provider)
        return sum((_decimal(v, f"usage.{what}", provider) for v in values), Decimal(0))

    cost = total(spec.cost_usd, "cost_usd")
    counts = {name: total(getattr(spec, name), name) for name in ("input_tokens", "output_tokens", "requests")}
    return VendorUsage(
        provider, f"{redact_url(spec.url)} (provider file)", since, until,
        cost_usd=None if cost is None else cost / Decimal(str(spec.cost_divisor)),
        input_tokens=None if counts["input_tokens"] is None else int(counts["input_tokens"]),
        output_tokens=None if counts["output_tokens"] is None else int(counts["output_tokens"]),
        requests=None if counts["requests"] is None else int(counts["requests"]),
        balance_usd=total(spec.balance_usd, "balance_usd"),
    )  # fmt: skip


FETCHERS: dict[str, Fetcher] = {
    "openai_admin": fetch_openai,
    "anthropic_admin": fetch_anthropic,
    "openrouter": fetch_openrouter,
    "deepseek": fetch_deepseek,
    "http": fetch_declared,
}
