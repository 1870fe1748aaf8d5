"""The steps behind ``providers add``: each wrong answer is one line naming what was wrong."""

from __future__ import annotations

import httpx
import pytest
from polyport_core.cli._add import _parse_picks
from polyport_core.cli._setup_steps import (
    Draft,
    StepProblem,
    check_base_url,
    check_models_endpoint,
    draft_spec,
    preset_document,
)
from polyport_core.registry import Registry
from pytest_httpx import HTTPXMock


def test_a_malformed_url_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(StepProblem, match=r"not a usable URL: expected an http\(s\) URL"):
        check_base_url("localhost:8080/v1")


def test_an_unreachable_url_and_a_silent_one_say_so() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(StepProblem, match=r"cannot connect to http://127\.0\.0\.1:9/v1 .*is the server running"):
        check_base_url("http://127.0.0.1:9/v1", transport=httpx.MockTransport(refuse))

    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(StepProblem, match="did not answer within 2 s"):
        check_base_url("http://127.0.0.1:9/v1", timeout=2, transport=httpx.MockTransport(hang))


def test_any_answer_counts_as_reachable_and_the_url_is_normalized() -> None:
    answer = httpx.MockTransport(lambda request: httpx.Response(404))
    assert check_base_url(" http://127.0.0.1:9/v1/ ", transport=answer) == "http://127.0.0.1:9/v1"


def test_a_kept_preset_url_stays_a_variable_reference_and_a_new_one_is_written() -> None:
    preset = Registry.discover(plugins=False, user=False, project=[]).get("llamacpp")
    base = preset_document(preset)
    kept = Draft(id="llamacpp", engine="openai", base_url=preset.base_url, base=base, preset_url=preset.base_url)
    assert kept.document()["base_url"] == "${LLAMACPP_BASE_URL:-http://localhost:8080/v1}"
    assert kept.document()["quirks"]["forced_tool_calls"] == "json_schema"
    moved = Draft(
        id="llamacpp", engine="openai", base_url="http://127.0.0.1:9/v1", base=base, preset_url=preset.base_url
    )
    assert moved.document()["base_url"] == "http://127.0.0.1:9/v1"


def test_a_bad_id_names_the_field() -> None:
    with pytest.raises(StepProblem, match=r"\$\.id: expected an id of letters"):
        draft_spec(Draft(id="my:provider", engine="openai", base_url="http://127.0.0.1:9/v1"))


def test_model_picks_by_number_or_id() -> None:
    offered = ["gemma", "qwen", "phi"]
    assert _parse_picks("2, 1, gemma, llama3", offered) == ["qwen", "gemma", "llama3"]
    assert _parse_picks(" , ", offered) == []


def test_the_key_step_reads_the_model_list_and_what_it_says_about_each(httpx_mock: HTTPXMock) -> None:
    """vLLM's ``GET /v1/models`` (the OpenAI list shape plus ``max_model_len``, per vLLM's server docs)."""
    spec = draft_spec(Draft(id="vl", engine="openai", base_url="http://127.0.0.1:8000/v1"))
    httpx_mock.add_response(
        url="http://127.0.0.1:8000/v1/models",
        json={"object": "list", "data": [{"id": "Qwen/Qwen2.5-1.5B-Instruct", "object": "model",
                                          "owned_by": "vllm", "max_model_len": 32768}]},
    )  # fmt: skip
    probe = check_models_endpoint(spec)
    assert probe.models == ["Qwen/Qwen2.5-1.5B-Instruct"]
    assert probe.entry("Qwen/Qwen2.5-1.5B-Instruct") == {"id": "Qwen/Qwen2.5-1.5B-Instruct", "context_window": 32768}
    assert probe.entry("other") == {"id": "other"}


def test_a_rejected_key_and_a_missing_list_are_told_apart(httpx_mock: HTTPXMock) -> None:
    spec = draft_spec(Draft(id="vl", engine="openai", base_url="http://127.0.0.1:8000/v1"))
    httpx_mock.add_response(url="http://127.0.0.1:8000/v1/models", status_code=401, json={"error": {"message": "no"}})
    with pytest.raises(StepProblem, match=r"the server rejected the credentials \(HTTP 401\)"):
        check_models_endpoint(spec)
    httpx_mock.add_response(url="http://127.0.0.1:8000/v1/models", status_code=404, json={"error": {"message": "nf"}})
    assert check_models_endpoint(spec).note == "the server has no model list (404); name the model yourself"
