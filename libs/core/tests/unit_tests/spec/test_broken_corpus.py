"""Every broken spec in ``broken/`` fails with ONE line naming the file and the JSON path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from polyport_core.spec import SpecError, load_file, load_paths

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
EXPECTED: dict[str, str] = json.loads((HERE / "broken_expected.json").read_text())


def test_corpus_is_large_and_fully_annotated() -> None:
    files = sorted(p.name for p in BROKEN.iterdir())
    assert len(files) >= 25
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gives_one_clear_line(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLYPORT_TEST_NOT_SET_XYZ", raising=False)
    path = BROKEN / name
    with pytest.raises(SpecError) as info:
        load_file(path)
    error = info.value
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{path}: {EXPECTED[name]}: expected ")
    assert error.json_path == EXPECTED[name]
    assert ", found " in message
    assert "Traceback" not in message
    assert "pydantic" not in message.lower()
    assert "errors.pydantic.dev" not in message


def test_a_folder_with_bad_files_still_loads_the_good_ones(tmp_path: Path) -> None:
    for name in ("04_missing_engine.json", "11_negative_price.json"):
        (tmp_path / name).write_bytes((BROKEN / name).read_bytes())
    (tmp_path / "good.json").write_text(
        json.dumps({"id": "good", "engine": "openai", "base_url": "http://localhost:1/v1"})
    )
    result = load_paths([tmp_path])
    assert [s.id for s in result.specs] == ["good"]
    assert sorted(Path(e.file).name for e in result.errors) == [
        "04_missing_engine.json",
        "11_negative_price.json",
    ]
