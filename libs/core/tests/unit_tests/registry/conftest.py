from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from polyport_core.registry import get_registry, reload_registry
from polyport_core.spec import known_engines

PLUGIN_SRC = Path(__file__).parents[2] / "fixtures" / "plugin_pkg"


@pytest.fixture
def plugin_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install the fixture plugin the way pip would: package + dist-info with entry_points.txt."""
    site = tmp_path / "site"
    dist = site / "polyport_demo_plugin-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: polyport-demo-plugin\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[polyport.providers]\ndemo = polyport_demo_plugin:DemoPlugin\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    known_engines.cache_clear()
    yield
    known_engines.cache_clear()


@pytest.fixture
def restore_registry() -> Iterator[None]:
    previous = get_registry()
    yield
    reload_registry(previous)
