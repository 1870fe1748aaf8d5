"""Write observed capabilities back into a provider's spec file, keeping the user's file shape.

The write goes through the one config-patch API (``spec.ConfigPatch``): key order,
indentation and the user's spellings (goose ``supports_tools``, Polydev
``parallelToolCalls``) are kept; only the model's capability fields change.
Built-in presets are read-only: they are copied to a user or project folder first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from polyport_core.spec import ConfigPatch, ProviderSpec, SpecPatchError

__all__ = ["PROFILE_FIELDS", "ProfileWriteError", "spec_file_for", "write_profile"]

PROFILE_FIELDS = (
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "json_schema",
    "streaming_usage",
    "embeddings",
    "dimensions",
)
"""Model-spec fields the doctor can observe and write."""


class ProfileWriteError(SpecPatchError):
    """The spec file cannot be updated (a preset without a copy folder, a plugin, or the result would not load)."""


def spec_file_for(spec: ProviderSpec) -> Path | None:
    """The file a spec was loaded from, or None for presets and plugins."""
    source = spec.source
    if not source or source.startswith(("preset:", "plugin:")):
        return None
    return Path(source)


def write_profile(spec: ProviderSpec, model: str, observed: dict[str, Any], *, copy_to: Path | None = None) -> Path:
    """Set ``observed`` capability fields on ``model`` in the spec's file; returns the file path.

    Presets need ``copy_to`` (a user or project providers folder); the copy is
    what gets updated, and it overrides the preset from then on.
    """
    if spec.source.startswith("preset:") and copy_to is None:
        raise ProfileWriteError(
            f"provider {spec.id!r} is a built-in preset ({spec.source}), which is read-only; "
            "rerun with --copy-to user or --copy-to project to write an editable copy",
            provider=spec.id,
        )
    fields = {name: observed[name] for name in PROFILE_FIELDS if observed.get(name) is not None}
    try:
        result = ConfigPatch().set_model_fields(model, fields).apply(spec, copy_to=copy_to)
    except ProfileWriteError:
        raise
    except SpecPatchError as exc:
        raise ProfileWriteError(exc.detail, provider=spec.id, model=model) from None
    return result.path
