"""A small JSON path reader for declarative response maps (``choices[0].delta.content``)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["get_path"]

_INDEX = re.compile(r"\[(\d+)\]")


@lru_cache(maxsize=256)
def _steps(path: str) -> tuple[str | int, ...]:
    path = path.strip().removeprefix("$").removeprefix(".")
    steps: list[str | int] = []
    for part in _INDEX.sub(r".\1", path).split("."):
        if part:
            steps.append(int(part) if part.isdigit() else part)
    return tuple(steps)


def get_path(data: Any, path: str) -> Any:
    """The value at ``path`` (dots and ``[n]`` indices, optional leading ``$.``); None when absent."""
    current = data
    for step in _steps(path):
        if isinstance(step, int) and isinstance(current, list):
            if step >= len(current):
                return None
            current = current[step]
        elif isinstance(current, dict):
            current = current.get(str(step))
        else:
            return None
        if current is None:
            return None
    return current
