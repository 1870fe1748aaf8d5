"""``patch_provider``: a config patch applied to a provider by id, the way the CLI applies it.

A provider from a file is patched in that file; a built-in preset is never
edited — the patch goes to a copy in the user's providers folder (or the one
given), which overrides the preset from then on.
"""

from __future__ import annotations

from pathlib import Path

from polyport_core.registry._discovery import Registry, get_registry, user_dir
from polyport_core.spec import ConfigPatch, PatchResult

__all__ = ["patch_provider"]


def patch_provider(
    provider: str, patch: ConfigPatch, *, registry: Registry | None = None, copy_to: Path | None = None
) -> PatchResult:
    """Apply ``patch`` to ``provider``'s file (a preset: to a user copy); returns what was written.

    The running registry still holds the old spec: call ``reload_registry()`` to use the change
    in this process.
    """
    spec = (registry or get_registry()).get(provider)
    return patch.apply(spec, copy_to=copy_to if copy_to is not None else user_dir())
