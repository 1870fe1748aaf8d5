"""scripts/build_llama_server.sh: the compiler's output goes to a log file, the terminal gets a few lines.

The real build takes minutes, so these runs put stand-ins for ``python -m pip``
and ``cmake`` first on PATH: the pip stand-in writes an sdist-shaped tarball, the
cmake stand-in prints 14,000 build lines (as the real build does) and writes the
binary. The script itself runs unchanged.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "build_llama_server.sh"
VERSION = "9.9.9"

FAKE_PYTHON = f"""#!/usr/bin/env bash
# python -m pip download ... -d DIR
dest="${{@: -1}}"
mkdir -p "$dest/src/llama_cpp_python-{VERSION}/vendor/llama.cpp"
echo "Collecting llama-cpp-python=={VERSION}"
tar -czf "$dest/llama_cpp_python-{VERSION}.tar.gz" -C "$dest/src" "llama_cpp_python-{VERSION}"
"""

FAKE_CMAKE = """#!/usr/bin/env bash
if [ "$1" = "--build" ]; then
  [ -n "${FAIL_BUILD:-}" ] && { echo "error: ggml.c:1: something broke"; exit 2; }
  for i in $(seq 1 14000); do echo "[$i/14000] Building CXX object src/file$i.cpp.o"; done
  mkdir -p "$2/bin" && printf '#!/bin/sh\\necho llama-server\\n' >"$2/bin/llama-server"
  chmod +x "$2/bin/llama-server"
else
  for i in $(seq 1 200); do echo "-- Looking for feature $i"; done
fi
"""


def run(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    for name, body in (("python", FAKE_PYTHON), ("cmake", FAKE_CMAKE)):
        (tools / name).write_text(body)
        (tools / name).chmod(0o755)
    env = {
        "PATH": f"{tools}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "POLYPORT_CACHE_DIR": str(tmp_path / "cache"),
        "LLAMA_CPP_PYTHON_VERSION": VERSION,
        "PYTHON": str(tools / "python"),
        **extra,
    }
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_build_prints_a_few_lines_and_logs_the_rest(tmp_path: Path) -> None:
    done = run(tmp_path)
    binary = tmp_path / "cache" / f"llama-server-{VERSION}" / "bin" / "llama-server"
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{binary}\n"
    assert len(done.stderr.splitlines()) <= 6
    assert "Building CXX" not in done.stderr
    log = tmp_path / "cache" / f"build-llama-server-{VERSION}.log"
    assert str(log) in done.stderr
    assert log.read_text().count("Building CXX object") == 14000
    again = run(tmp_path)  # cached: the path only, nothing rebuilt
    assert (again.returncode, again.stdout, again.stderr) == (0, f"{binary}\n", "")


def test_a_failed_build_shows_the_end_of_the_log_and_its_path(tmp_path: Path) -> None:
    done = run(tmp_path, FAIL_BUILD="1")
    log = tmp_path / "cache" / f"build-llama-server-{VERSION}.log"
    assert done.returncode == 1
    assert done.stdout == ""
    assert "llama-server: compiling failed" in done.stderr
    assert "error: ggml.c:1: something broke" in done.stderr
    assert done.stderr.rstrip().endswith(f"full build log: {log}")
    assert not (tmp_path / "cache" / f"llama-server-{VERSION}").exists()
