"""The checks behind ``polyport providers add``, one per question, so a mistake is caught where it was typed.

Each function takes what the user has answered so far and returns either what
it learned or a ``StepProblem`` whose message says what was wrong (never a
traceback, never a key). The command decides whether to ask again or stop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import httpx

from polyport_core.auth import redact_url
from polyport_core.errors import (
    AuthenticationError,
    InvalidConfigError,
    NotFoundError,
    PermissionDeniedError,
    PolyportError,
    ProviderUnavailableError,
)
from polyport_core.registry import fetch_live_models
from polyport_core.spec import ProviderSpec, SpecError, check_url, parse_spec

__all__ = [
    "Draft",
    "KeyNotFound",
    "ModelsProbe",
    "StepProblem",
    "check_base_url",
    "check_models_endpoint",
    "draft_spec",
    "preset_document",
]


class StepProblem(Exception):
    """An answer that does not work; ``str()`` is the one line to show before asking again."""


class KeyNotFound(StepProblem):
    """The key's variable or keyring entry is not there, so the key cannot be tried yet."""


@dataclass
class Draft:
    """The provider file being put together, answer by answer."""

    id: str
    engine: str
    base_url: str
    auth: dict[str, Any] = field(default_factory=lambda: {"type": "none"})
    base: dict[str, Any] = field(default_factory=dict)
    """The preset's own document (quirks, limits, docs...) when starting from a preset."""
    preset_url: str | None = None
    """The preset's base URL as loaded; when kept, the file keeps the preset's ``${VAR:-default}``."""

    def document(self) -> dict[str, Any]:
        """The JSON object to write (models are added afterwards through ``ConfigPatch``)."""
        doc: dict[str, Any] = {"id": self.id, "engine": self.engine}
        raw_url = self.base.get("base_url")
        keep_reference = self.base_url == self.preset_url and isinstance(raw_url, str)
        doc["base_url"] = raw_url if keep_reference else self.base_url
        doc["auth"] = self.auth
        skipped = {"$schema", "models", "default_model", "allowed_models"}
        if not keep_reference:
            skipped.add("description")  # a preset's description names the variable the URL no longer reads
        for key, value in self.base.items():
            if key not in doc and key not in skipped:
                doc[key] = value
        return doc


def preset_document(spec: ProviderSpec) -> dict[str, Any]:
    """The raw JSON of a built-in preset (with its ``${VAR:-default}`` references), or ``{}``."""
    if not spec.source.startswith("preset:"):
        return {}
    name = spec.source.removeprefix("preset:")
    text = files("polyport_core.registry").joinpath("presets", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    data.pop("$schema", None)
    return data


def draft_spec(draft: Draft) -> ProviderSpec:
    """The draft as a validated spec (raises ``StepProblem`` naming the field)."""
    try:
        return parse_spec(draft.document(), f"<new provider {draft.id}>")
    except SpecError as exc:
        raise StepProblem(f"{exc.json_path}: expected {exc.expected}, found {exc.found}") from None


def check_base_url(url: str, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None) -> str:
    """A well-formed URL that something answers (any HTTP status counts); returns it normalized."""
    try:
        url = check_url(url.strip())
    except ValueError as exc:
        raise StepProblem(f"not a usable URL: expected {exc}") from None
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            client.get(url)
    except httpx.ConnectError:
        raise StepProblem(
            f"cannot connect to {redact_url(url)} (connection refused or host unknown): is the server running, "
            "and is the host and port right?"
        ) from None
    except httpx.TimeoutException:
        raise StepProblem(f"{redact_url(url)} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise StepProblem(f"{redact_url(url)}: {type(exc).__name__}") from None
    return url


@dataclass
class ModelsProbe:
    """What ``/models`` said: the ids (empty when the server has no list) and a note when it has none."""

    models: list[str]
    note: str | None = None
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What the list says about each model, in provider-file fields (``context_window``)."""

    def entry(self, model: str) -> dict[str, Any]:
        """The model as a provider-file entry: its id plus what the server's list told."""
        return {"id": model, **self.facts.get(model, {})}


def check_models_endpoint(spec: ProviderSpec, *, timeout: float = 10.0) -> ModelsProbe:
    """Ask the server's model list with the draft's credentials: a rejected key or a missing
    variable is a ``StepProblem`` of the auth step; a server without a list is a note."""
    try:
        live = fetch_live_models(spec, timeout=timeout)
    except (AuthenticationError, PermissionDeniedError) as exc:
        raise StepProblem(f"the server rejected the credentials (HTTP {exc.status_code})") from None
    except NotFoundError:
        return ModelsProbe([], "the server has no model list (404); name the model yourself")
    except ProviderUnavailableError as exc:
        raise StepProblem(exc.detail) from None
    except InvalidConfigError as exc:  # a variable or keyring entry that is not there
        raise KeyNotFound(exc.detail) from None
    except PolyportError as exc:
        return ModelsProbe([], f"the model list could not be read: {exc.detail}")
    facts = {
        model: {"context_window": found["max_input_tokens"]}
        for model, found in live.items()
        if isinstance(found.get("max_input_tokens"), int)
    }
    return ModelsProbe(sorted(live), facts=facts)
