"""Every package is publishable: metadata a package index shows, a typed marker, a version it reports.

``make dist-check`` builds the sdists and wheels and runs ``twine check --strict``;
these tests keep the sources that feed it complete.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from polyport_core.cli import app
from typer.testing import CliRunner

ROOT = Path(__file__).parents[1]
PACKAGES = sorted([ROOT / "libs" / "core", *(ROOT / "libs" / "partners").iterdir()])


def _project(folder: Path) -> dict[str, object]:
    data: dict[str, object] = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    return data


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_metadata_readme_typed_marker_and_version(folder: Path) -> None:
    project = _project(folder)
    name = str(project["name"])
    module = name.replace("-", "_")
    assert (folder / str(project["readme"])).is_file()
    classifiers = list(project["classifiers"])  # type: ignore[call-overload]
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Programming Language :: Python :: 3.") for c in classifiers)
    assert set(project["urls"]) >= {"Homepage", "Documentation"}  # type: ignore[call-overload]
    assert (folder / module / "py.typed").is_file()
    assert importlib.import_module(module).__version__ == version(name) == project["version"]


def test_polyport_version_lists_every_installed_package() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"polyport-core {version('polyport-core')}"
    names = {line.split()[0] for line in lines}
    assert names == {str(_project(folder)["name"]) for folder in PACKAGES}


def test_the_readme_lists_every_package_and_links_only_inside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    for folder in PACKAGES:
        assert f"[`{_project(folder)['name']}`]({folder.relative_to(ROOT)})" in readme
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), f"README links {target}, which is not in the repository"
