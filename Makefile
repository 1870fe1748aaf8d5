# The two commands a fresh clone needs (README): `make demo` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: bootstrap local-llm demo test lint typecheck unit bench dist-check

bootstrap:
	@bash scripts/bootstrap.sh

local-llm:
	@bash scripts/build_llama_server.sh

demo: bootstrap
	uv run python examples/demo.py

lint:
	uv run ruff check .
	uv run lint-imports
	@if grep -rnE 'polyport_core(\.[a-z_]+)*\._[a-z]' cookbook examples --include='*.ipynb' --include='*.py'; then \
		echo "cookbook and examples import public names only (not polyport_core.<room>._module)"; exit 1; fi

typecheck:
	uv run mypy libs/core/polyport_core libs/partners/*/polyport_*

unit:
	uv run pytest -q libs -k "unit_tests"

# Every package's sdist and wheel build and pass `twine check --strict` (metadata, readme).
dist-check:
	@rm -rf dist && uv build --all-packages --out-dir dist --quiet && uv run twine check --strict dist/*

test: bootstrap lint typecheck dist-check
	uv run pytest -q -rsx --nbmake --durations=25

bench: bootstrap
	uv sync --group bench --quiet
	uv run python tests/benchmarks/run_bench.py
