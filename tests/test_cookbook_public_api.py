"""The cookbook teaches the public API only: no notebook imports a private (``_``-prefixed) polyport module."""

from __future__ import annotations

import json
import re
from pathlib import Path

NOTEBOOKS = sorted((Path(__file__).parents[1] / "cookbook").glob("*.ipynb"))
PRIVATE = re.compile(r"\b(?:from|import)\s+(polyport_\w+(?:\.\w+)*)")


def private_imports(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return [m for m in PRIVATE.findall(code) if any(part.startswith("_") for part in m.split("."))]


def test_there_are_notebooks_to_check() -> None:
    assert len(NOTEBOOKS) >= 7


def test_no_notebook_imports_a_private_module() -> None:
    found = {nb.name: private_imports(nb) for nb in NOTEBOOKS}
    assert {name: mods for name, mods in found.items() if mods} == {}


def test_the_check_catches_a_private_import(tmp_path: Path) -> None:
    notebook = tmp_path / "bad.ipynb"
    source = ["from polyport_core.cli._test import render_report\n", "import polyport_core.chat._parsed\n"]
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source}]}))
    assert private_imports(notebook) == ["polyport_core.cli._test", "polyport_core.chat._parsed"]
