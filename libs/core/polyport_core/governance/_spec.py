"""Read a provider spec's ``limits``/``budget``/``pricing`` sections into governance objects.

Duck-typed (attributes or mapping keys) so it accepts a ``ProviderSpec``, its
``model_dump()`` or a plain dict without importing the spec module.
"""

from __future__ import annotations

from typing import Any

from polyport_core.governance._budget import Budget
from polyport_core.governance._limits import RateLimit
from polyport_core.governance._prices import Price, StaticPrices
from polyport_core.governance._scopes import parse_scope

_LIMIT_FIELDS = (
    "requests_per_minute",
    "requests_per_hour",
    "tokens_per_minute",
    "tokens_per_hour",
    "max_concurrency",
)


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _limit(section: Any, provider: str, model: str | None) -> RateLimit | None:
    if section is None:
        return None
    values = {name: _get(section, name) for name in _LIMIT_FIELDS}
    if values["max_concurrency"] is None:
        values["max_concurrency"] = _get(section, "concurrency")
    if not any(v is not None for v in values.values()):
        return None
    where = f"provider {provider!r}{f' model {model!r}' if model else ''} limits.scope"
    scope = parse_scope(_get(section, "scope"), where=where)
    scope.pop("provider", None)  # a provider file's limits are always within its provider
    if model is not None:
        scope.pop("model", None)  # a model's own limits already count that model only
    return RateLimit(**{"provider": provider, "model": model, **scope, **values})


def limits_from_spec(spec: Any) -> list[RateLimit]:
    """The provider-wide limits and each model's own limits."""
    provider = str(_get(spec, "id"))
    out = [rule] if (rule := _limit(_get(spec, "limits"), provider, None)) else []
    for model in _get(spec, "models") or []:
        if rule := _limit(_get(model, "limits"), provider, str(_get(model, "id"))):
            out.append(rule)
    return out


def wait_policy_from_spec(spec: Any) -> dict[str, Any]:
    """``fail_fast`` / ``max_wait_s`` from the ``limits`` section (only the keys it sets)."""
    section = _get(spec, "limits")
    policy: dict[str, Any] = {}
    if _get(section, "fail_fast"):
        policy["fail_fast"] = True
    if (wait := _get(section, "max_wait_s")) is not None:
        policy["max_wait_s"] = float(wait)
    return policy


def budgets_from_spec(spec: Any) -> list[Budget]:
    """The provider's budget section as a provider-scoped ``Budget``."""
    section = _get(spec, "budget")
    if section is None:
        return []
    daily, monthly = _get(section, "daily_usd"), _get(section, "monthly_usd")
    if daily is None and monthly is None:
        return []
    provider = str(_get(spec, "id"))
    scope = parse_scope(_get(section, "scope"), where=f"provider {provider!r} budget.scope")
    scope.pop("provider", None)  # a provider file's budget is always within its provider
    return [
        Budget(
            daily_usd=daily,
            monthly_usd=monthly,
            alert_threshold=_get(section, "alert_threshold"),
            **{"provider": provider, **scope},
        )
    ]


def prices_from_spec(spec: Any) -> StaticPrices:
    """Declared model prices (provenance ``spec``), over the catalog's one lookup for the rest."""
    provider = str(_get(spec, "id"))
    prices: dict[str, Price] = {}
    for model in _get(spec, "models") or []:
        pricing = _get(model, "pricing")
        if pricing is None or _get(pricing, "input") is None:
            continue
        rates = {k: _get(pricing, k) for k in ("input", "output", "cache_read", "cache_write")}
        prices[f"{provider}/{_get(model, 'id')}"] = Price.from_mapping(rates, "spec")
    source = _get(spec, "source")
    return StaticPrices(prices, source=str(source) if source else None)
