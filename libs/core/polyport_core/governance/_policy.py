"""A policy file: budgets and rate limits across providers, by user, tag or profile.

``POLYPORT_POLICY=/path/policy.json`` adds its rules to every governor the
registry builds (a rule naming a provider only to that provider's)::

    {"budgets": [{"scope": "user", "daily_usd": 0.5, "alert_threshold": 0.8},
                 {"scope": "tag:team:search", "monthly_usd": 200}],
     "limits":  [{"scope": "user", "requests_per_minute": 20, "provider": "openai"}]}

``scope`` is ``global``, ``provider``, ``model``, ``user``, ``tag`` or ``profile``, alone (each
value its own counter) or with ``:value``. Budgets live in the shared ledger, so a global or
per-user cap holds across providers and processes; rate limits count in the governor's
``limits_storage`` (per provider in memory; shared on Redis).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from polyport_core.errors import InvalidConfigError
from polyport_core.governance._budget import Budget
from polyport_core.governance._limits import RateLimit
from polyport_core.governance._scopes import parse_scope

__all__ = ["POLICY_ENV", "Policy", "load_policy", "policy_from_env"]

POLICY_ENV = "POLYPORT_POLICY"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: str | None = None
    provider: str | None = None
    model: str | None = None


class _BudgetRule(_Rule):
    daily_usd: Decimal | None = Field(default=None, gt=0)
    monthly_usd: Decimal | None = Field(default=None, gt=0)
    alert_threshold: float | None = Field(default=None, gt=0, le=1)


class _LimitRule(_Rule):
    requests_per_minute: int | None = Field(default=None, gt=0)
    requests_per_hour: int | None = Field(default=None, gt=0)
    tokens_per_minute: int | None = Field(default=None, gt=0)
    tokens_per_hour: int | None = Field(default=None, gt=0)
    max_concurrency: int | None = Field(default=None, gt=0)


class _PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budgets: list[_BudgetRule] = Field(default_factory=list)
    limits: list[_LimitRule] = Field(default_factory=list)


class Policy:
    """Budgets and limits from a policy file, picked per provider."""

    def __init__(self, budgets: list[Budget], limits: list[RateLimit], source: str = "<python>") -> None:
        self.budgets = budgets
        self.limits = limits
        self.source = source

    def budgets_for(self, provider: str) -> list[Budget]:
        """The rules that may apply to ``provider``'s calls."""
        return [b for b in self.budgets if b.provider in (None, "*", provider)]

    def limits_for(self, provider: str) -> list[RateLimit]:
        """The rate limits that may apply to ``provider``'s calls."""
        return [r for r in self.limits if r.provider in (None, "*", provider)]


def _fields(rule: _Rule, where: str) -> dict[str, object]:
    selector = {"provider": rule.provider, "model": rule.model}
    selector.update(parse_scope(rule.scope, where=f"{where}.scope"))
    values = rule.model_dump(exclude={"scope", "provider", "model"}, exclude_none=True)
    return {**{k: v for k, v in selector.items() if v is not None}, **values}


def load_policy(path: str | Path) -> Policy:
    """Read and check a policy file; a bad one raises ``InvalidConfigError`` naming the file and field."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        parsed = _PolicyFile.model_validate(data)
    except OSError as error:
        raise InvalidConfigError(f"Cannot read the policy file {where} ({POLICY_ENV}): {error}") from None
    except json.JSONDecodeError as error:
        raise InvalidConfigError(f"Policy file {where} is not JSON: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InvalidConfigError(f"Policy file {where}: field {field}: {first['msg']}") from None
    try:
        budgets = [Budget(**_fields(r, f"{where}: budgets[{i}]")) for i, r in enumerate(parsed.budgets)]  # type: ignore[arg-type]
        limits = [RateLimit(**_fields(r, f"{where}: limits[{i}]")) for i, r in enumerate(parsed.limits)]  # type: ignore[arg-type]
    except InvalidConfigError as error:
        raise InvalidConfigError(f"Policy file {where}: {error.detail}") from None
    return Policy(budgets, limits, where)


@lru_cache(maxsize=8)
def _cached(path: str, mtime: float) -> Policy:
    return load_policy(path)


def policy_from_env() -> Policy | None:
    """The policy ``POLYPORT_POLICY`` names (re-read when the file changes), or None."""
    path = os.environ.get(POLICY_ENV, "").strip()
    if not path:
        return None
    try:
        mtime = os.stat(path).st_mtime
    except OSError as error:
        raise InvalidConfigError(f"Cannot read the policy file {path} ({POLICY_ENV}): {error}") from None
    return _cached(path, mtime)
