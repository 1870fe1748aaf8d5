"""The parameter parity table: every field of the langchain-* classes against polyport's.

Each field of the installed langchain class is either declared by the polyport class too
("same"), routed by the class's ``_param_routes`` table to where it works the same
("mapped"), or refused with an error naming what to use instead ("error"). A field in
none of these is "missing": ``tests/test_langchain_parity.py`` fails on it, so a new
upstream field cannot go unnoticed.

    uv run python scripts/parity_table.py           # print the tables
    uv run python scripts/parity_table.py --write   # refresh them in the partner READMEs
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PAIRS: tuple[tuple[str, str, str], ...] = (
    ("langchain_openai:ChatOpenAI", "polyport_openai:ChatOpenAI", "libs/partners/openai/README.md"),
    ("langchain_openai:OpenAIEmbeddings", "polyport_openai:OpenAIEmbeddings", "libs/partners/openai/README.md"),
    ("langchain_anthropic:ChatAnthropic", "polyport_anthropic:ChatAnthropic", "libs/partners/anthropic/README.md"),
    ("langchain_ollama:ChatOllama", "polyport_ollama:ChatOllama", "libs/partners/ollama/README.md"),
    ("langchain_ollama:OllamaEmbeddings", "polyport_ollama:OllamaEmbeddings", "libs/partners/ollama/README.md"),
)
"""(langchain class, polyport class, README that publishes the table)."""


@dataclass(frozen=True)
class Row:
    field: str
    names: tuple[str, ...]
    status: str  # same | mapped | error | missing
    note: str


def load(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def _names(info: Any, field: str) -> tuple[str, ...]:
    alias = getattr(info, "alias", None)
    return (field, alias) if alias and alias != field else (field,)


def rows(upstream: Any, ours: Any) -> list[Row]:
    """One row per field of ``upstream``, classified against ``ours``."""
    declared: set[str] = set()
    for field, info in ours.model_fields.items():
        declared.update(_names(info, field))
    routes = getattr(ours, "_param_routes", {})
    out: list[Row] = []
    rank = {"same": 0, "mapped": 1, "error": 2, "missing": 3}
    for field, info in sorted(upstream.model_fields.items()):
        names = _names(info, field)
        status, notes = "same", []
        for name in names:  # every spelling a user may pass must be declared or routed
            if name in declared:
                continue
            route = routes.get(name)
            kind, note = ("missing", "not declared and not routed") if route is None else (route.kind, route.note)
            status = max(status, kind, key=rank.__getitem__)
            notes.append(f"`{name}`: {note}" if len(names) > 1 else note)
        out.append(Row(field, names, status, "; ".join(notes)))
    return out


def counts(table: list[Row]) -> dict[str, int]:
    return {status: sum(row.status == status for row in table) for status in ("same", "mapped", "error", "missing")}


def markdown(upstream_path: str, table: list[Row]) -> str:
    """The README block for one class: counts, the same-named fields, then every mapped or refused one."""
    module, name = upstream_path.split(":")
    c = counts(table)
    same = ", ".join(f"`{row.field}`" for row in table if row.status == "same")
    lines = [
        f"**`{module}.{name}`** — {len(table)} fields: {c['same']} the same, {c['mapped']} mapped, "
        f"{c['error']} refused with an error" + (f", **{c['missing']} missing**" if c["missing"] else "") + ".",
        "",
        f"The same: {same}.",
        "",
        "| langchain field | polyport | how |",
        "| --- | --- | --- |",
    ]
    for row in table:
        if row.status != "same":
            shown = " / ".join(f"`{n}`" for n in row.names)
            lines.append(f"| {shown} | {row.status} | {row.note.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def marker(upstream_path: str, end: bool = False) -> str:
    return f"<!-- parity:{upstream_path.split(':')[1]}:{'end' if end else 'start'} (scripts/parity_table.py) -->"


def generated() -> dict[str, tuple[str, list[Row], str]]:
    """upstream class → (README path, rows, markdown block)."""
    out = {}
    for upstream_path, ours_path, readme in PAIRS:
        table = rows(load(upstream_path), load(ours_path))
        out[upstream_path] = (readme, table, markdown(upstream_path, table))
    return out


def published(readme_text: str, upstream_path: str) -> str | None:
    """The block between the markers in a README, or None when the markers are absent."""
    pattern = re.escape(marker(upstream_path)) + r"\n(.*?)" + re.escape(marker(upstream_path, end=True))
    found = re.search(pattern, readme_text, re.DOTALL)
    return found.group(1) if found else None


def write() -> None:
    for upstream_path, (readme, _table, block) in generated().items():
        path = ROOT / readme
        text = path.read_text()
        start, end = marker(upstream_path), marker(upstream_path, end=True)
        if published(text, upstream_path) is None:
            raise SystemExit(f"{readme}: add the lines {start!r} and {end!r} where the table goes")
        pattern = re.escape(start) + r"\n.*?" + re.escape(end)
        replacement = f"{start}\n{block}{end}"
        text = re.sub(pattern, lambda _m, new=replacement: new, text, flags=re.DOTALL)
        path.write_text(text)


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        for upstream_path, (_readme, _table, block) in generated().items():
            print(marker(upstream_path))
            print(block, end="")
            print(marker(upstream_path, end=True))
            print()
