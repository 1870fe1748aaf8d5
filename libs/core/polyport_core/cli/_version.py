"""``polyport --version``: the installed versions of polyport-core and every polyport partner."""

from __future__ import annotations

from importlib.metadata import distributions, version

import typer

__all__ = ["installed_versions", "version_option"]


def installed_versions() -> dict[str, str]:
    """``{"polyport-core": "0.1.0", "polyport-openai": ...}`` for every installed polyport package."""
    found = {"polyport-core": version("polyport-core")}
    for dist in distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name.startswith("polyport-") and name not in found and name != "polyport-workspace":
            found[name] = dist.version
    return dict(sorted(found.items(), key=lambda kv: (kv[0] != "polyport-core", kv[0])))


def version_option(value: bool) -> None:
    """Eager ``--version``: print one ``name version`` line per package and exit."""
    if value:
        for name, number in installed_versions().items():
            typer.echo(f"{name} {number}")
        raise typer.Exit()
