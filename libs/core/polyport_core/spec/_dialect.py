"""Provider files written for other tools (goose, Polydev) → the canonical document.

``translate`` recognises the dialect, rewrites it to polyport's field names (with
``_aliases`` for plain renames) and reports what it assumed (``notes``) and
what polyport cannot serve (``DialectError``: one location, what to do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from polyport_core.spec._aliases import Loc, Origins, normalize

__all__ = ["DialectError", "Translated", "scale_price", "translate"]


class DialectError(ValueError):
    """A field of another tool's format that polyport cannot serve, and what to do instead."""

    def __init__(self, loc: Loc, expected: str, found: str) -> None:
        self.loc = loc
        self.expected = expected
        self.found = found
        super().__init__(f"{expected}, found {found}")


@dataclass
class Translated:
    """The canonical document, where each field came from, the dialect and what was assumed."""

    doc: dict[str, Any]
    origins: Origins
    dialect: str = "polyport"
    notes: list[str] = field(default_factory=list)


def scale_price(value: Any, factor: int, loc: Loc, unit: str) -> Any:
    """``value`` (a number or numeric text) times ``factor`` as an exact ``Decimal``."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value)) * factor
        except InvalidOperation:
            pass
    raise DialectError(loc, f"a number ({unit})", repr(value) if isinstance(value, str) else type(value).__name__)


def translate(raw: dict[str, Any]) -> Translated:
    """Canonical copy of a provider document in any supported dialect."""
    from polyport_core.spec import _goose, _polydev

    if _polydev.is_polydev(raw):
        doc, origins = normalize(raw)
        notes = _polydev.rewrite(doc, origins)
        return Translated(doc, origins, "polydev", notes)
    if _goose.is_goose(raw):
        cleaned, notes = _goose.prepare(raw)
        doc, origins = normalize(cleaned)
        return Translated(doc, origins, "goose", notes)
    doc, origins = normalize(raw)
    return Translated(doc, origins)
