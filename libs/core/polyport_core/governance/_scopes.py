"""Who a call is for: the user, tags and profile a call carries, and the scopes budgets and limits key on.

A call's scope comes from LangChain's run config, so chains and agents need no
new API: ``model.invoke(x, config={"metadata": {"user_id": "u1"}, "tags": ["team:search"]})``
or ``model.with_config(...)``. Budgets and rate limits select calls by
``provider``, ``model``, ``user``, ``tag`` and ``profile``: a value selects
exactly that one, ``"*"`` gives each distinct value its own counter (a cap per
user), ``None`` does not narrow. A per-user rule does not apply to a call that
names no user (there is nobody to charge it to).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from polyport_core.errors import InvalidConfigError

__all__ = ["EACH", "SCOPE_KINDS", "CallScope", "Selector", "call_scope", "parse_scope"]

EACH = "*"
"""A selector value meaning "each distinct value separately" (one cap per user, per tag…)."""

SCOPE_KINDS = ("global", "provider", "model", "user", "tag", "profile")

USER_KEYS = ("user_id", "user")
"""Run-metadata keys read as the call's user (LangSmith's convention is ``user_id``)."""


@dataclass(frozen=True, slots=True)
class CallScope:
    """The parts of a call that budgets and limits may key on."""

    provider: str
    model: str
    user: str | None = None
    tags: tuple[str, ...] = ()
    profile: str | None = None


def call_scope(provider: str, model: str, tags: Sequence[str] = (), metadata: Mapping[str, Any] | None = None,
               profile: str | None = None) -> CallScope:  # fmt: skip
    """A call's scope from its run config's tags and metadata (``user_id``, ``profile``)."""
    meta = metadata or {}
    user = next((str(meta[k]) for k in USER_KEYS if meta.get(k) not in (None, "")), None)
    prof = profile or (str(meta["profile"]) if meta.get("profile") not in (None, "") else None)
    return CallScope(provider, model, user, tuple(dict.fromkeys(str(t) for t in tags)), prof)


@dataclass(frozen=True, slots=True)
class Selector:
    """Which calls a budget or limit counts: each field a value, ``"*"`` (each separately) or None."""

    provider: str | None = None
    model: str | None = None
    user: str | None = None
    tag: str | None = None
    profile: str | None = None

    def __post_init__(self) -> None:
        if self.model not in (None, EACH) and self.provider in (None, EACH):
            raise InvalidConfigError(f"A budget or limit for model {self.model!r} needs its provider")

    @property
    def is_plain(self) -> bool:
        """Only a fixed provider and/or model: the scope names the ledger has always used."""
        return (self.user, self.tag, self.profile) == (None, None, None) and EACH not in (self.provider, self.model)

    def matches(self, scope: CallScope) -> bool:
        """Whether a call in ``scope`` counts against this selector (at least one of its keys)."""
        return next(self.keys(scope), None) is not None

    def keys(self, scope: CallScope) -> Iterator[str]:
        """The counter names a call adds to: one per matching tag when the selector is per tag."""
        head = self._head(scope)
        if head is None:
            return
        user = self._part("user", self.user, scope.user)
        profile = self._part("profile", self.profile, scope.profile)
        if user is None or profile is None:
            return
        if self.tag is None:
            tags: Sequence[str] = ("",)
        elif self.tag == EACH:
            tags = [f"tag:{t}" for t in scope.tags]
        else:
            tags = [f"tag:{self.tag}"] if self.tag in scope.tags else []
        for tag in tags:
            yield "|".join(p for p in (head, user, tag, profile) if p) or "global"

    def _head(self, scope: CallScope) -> str | None:
        """The provider/model part, spelled as the ledger always has (``provider:p``, ``model:p/m``)."""
        if self.provider not in (None, EACH, scope.provider):
            return None
        if self.model not in (None, EACH, scope.model):
            return None
        if self.model is not None:
            return f"model:{scope.provider}/{scope.model}"
        return f"provider:{scope.provider}" if self.provider is not None else ""

    @staticmethod
    def _part(kind: str, wanted: str | None, actual: str | None) -> str | None:
        """``""`` (not narrowed), ``kind:value`` (matched) or None (does not apply)."""
        if wanted is None:
            return ""
        if actual is None or (wanted != EACH and wanted != actual):
            return None
        return f"{kind}:{actual}"

    def describe(self) -> str:
        """Human name: ``user:* on provider:acme``."""
        parts = [f"{k}:{v}" for k in ("provider", "model", "user", "tag", "profile") if (v := getattr(self, k))]
        return " ".join(parts) or "global"


def parse_scope(text: str | None, *, where: str) -> dict[str, str]:
    """``"user"`` → ``{"user": "*"}``, ``"tag:team:search"`` → ``{"tag": "team:search"}``, ``"global"`` → ``{}``.

    ``where`` names the file and field for the error a bad scope raises.
    """
    if text is None or text == "global":
        return {}
    kind, _, value = text.partition(":")
    if kind not in SCOPE_KINDS or kind == "global":
        raise InvalidConfigError(
            f"{where}: scope {text!r} must be one of global, provider, model, user, tag, profile "
            "(optionally ':value', e.g. 'user' for a cap per user or 'tag:team:search')"
        )
    return {kind: value or EACH}
