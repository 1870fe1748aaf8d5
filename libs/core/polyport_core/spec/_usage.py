"""Where a provider reports the account's own usage and spend (``polyport usage --remote``).

Known vendors have a fetcher each (``kind``); a declarative engine names its endpoint with
``kind: "http"`` and dotted paths into the JSON answer.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["UsageEndpointSpec"]

UsageKind = Literal["openai_admin", "anthropic_admin", "openrouter", "deepseek", "http"]
_PATH_RE = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+|\.\*|\[\*\])*$")


class UsageEndpointSpec(BaseModel):
    """The vendor's usage endpoint. ``url`` defaults to the vendor's documented host for known kinds.

    ``key_env`` names the variable of the key to read it with: an admin key for
    ``openai_admin`` (default ``OPENAI_ADMIN_KEY``) and ``anthropic_admin``
    (``ANTHROPIC_ADMIN_KEY``); the provider's own key otherwise. For ``http``, each figure
    is a dotted path into the answer (``data.total_usage``; ``data.*.cost`` sums a list),
    and ``since_param``/``until_param`` carry the window.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)

    kind: UsageKind
    url: str | None = None
    key_env: str | None = None
    since_param: str | None = None
    until_param: str | None = None
    time_format: Literal["unix", "rfc3339"] = "unix"
    cost_usd: str | None = None
    cost_divisor: float = Field(default=1.0, gt=0, strict=False)
    """What the cost figure is divided by to give USD (100 for cents)."""
    input_tokens: str | None = None
    output_tokens: str | None = None
    requests: str | None = None
    balance_usd: str | None = None

    @field_validator("key_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
            raise ValueError("an environment variable name like ACME_ADMIN_KEY")
        return value

    @field_validator("cost_usd", "input_tokens", "output_tokens", "requests", "balance_usd")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not _PATH_RE.match(value):
            raise ValueError("a dotted path into the JSON answer, e.g. data.total_usage or data.*.cost")
        return value

    @model_validator(mode="after")
    def _complete(self) -> UsageEndpointSpec:
        if self.kind == "http":
            if not self.url:
                raise ValueError("'url' when kind is 'http'")
            if not any((self.cost_usd, self.input_tokens, self.output_tokens, self.requests, self.balance_usd)):
                raise ValueError("at least one of cost_usd, input_tokens, output_tokens, requests, balance_usd")
        return self
