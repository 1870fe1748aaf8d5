"""ChatLlamaCpp / LlamaCppEmbeddings against llama-server's documented wire format
(``llamacpp_wire``), through ``httpx.MockTransport``: no sockets."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from llamacpp_wire import AUTH_ERROR, COMPLETION, CONTEXT_ERROR, TIMINGS, Server, sse
from polyport_core.errors import (
    AuthenticationError,
    ContextWindowExceededError,
    NotFoundError,
    RequestValidationError,
)
from polyport_llamacpp import ChatLlamaCpp, LlamaCppEmbeddings
from pydantic import BaseModel


def chat(server: Server, **kwargs: Any) -> ChatLlamaCpp:
    params: dict[str, Any] = {"model": "gemma", "base_url": "http://llama.test/v1", "max_tokens": 16, "temperature": 0}
    return ChatLlamaCpp(
        **{**params, **kwargs},
        transport=httpx.MockTransport(server),
        async_transport=httpx.MockTransport(server),
    )


def test_invoke_renders_template_then_completes() -> None:
    server = Server()
    message = chat(server, top_k=5).invoke([SystemMessage("Be brief."), HumanMessage("Count: 1, 2, 3,")])
    assert [r.url.path for r in server.requests] == ["/apply-template", "/completion"]
    assert server.bodies("/apply-template")[0]["messages"][0] == {"role": "system", "content": "Be brief."}
    body = server.bodies("/completion")[0]
    assert body["prompt"].startswith("<|im_start|>system\nBe brief.")
    assert body["prompt"].endswith("<|im_start|>assistant\n")
    assert body["n_predict"] == 16
    assert body["temperature"] == 0
    assert body["top_k"] == 5
    assert body["stream"] is False
    assert "messages" not in body
    assert message.content == " 4, 5"
    assert message.usage_metadata == {"input_tokens": 9, "output_tokens": 3, "total_tokens": 12}
    assert message.response_metadata["finish_reason"] == "length"
    assert message.response_metadata["timings"] == TIMINGS
    assert message.response_metadata["model_provider"] == "llamacpp"


def test_stream_has_usage_timings_and_finish_once() -> None:
    server = Server()
    chunks = list(chat(server).stream("1, 2, 3,"))
    assert server.bodies("/completion")[0]["stream"] is True
    assert "".join(str(c.content) for c in chunks) == " 4, 5"
    full = chunks[0]
    for c in chunks[1:]:
        full += c
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] == 9
    assert full.usage_metadata["output_tokens"] == 3
    assert full.response_metadata["finish_reason"] == "length"
    assert full.response_metadata["timings"]["predicted_n"] == 3
    assert full.response_metadata["usage_estimated"] is False
    assert sum(1 for c in chunks if c.response_metadata.get("finish_reason")) == 1


async def test_async_paths() -> None:
    server = Server()
    model = chat(server)
    message = await model.ainvoke("1, 2, 3,")
    assert message.content == " 4, 5"
    chunks = [c async for c in model.astream("1, 2, 3,")]
    assert "".join(str(c.content) for c in chunks) == " 4, 5"
    assert [r.url.path for r in server.requests].count("/apply-template") == 2


def test_structured_output_uses_the_json_schema_grammar() -> None:
    class Answer(BaseModel):
        answer: str

    def completion(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"content": '{"answer": "blue"}', "stop": True, "stop_type": "eos",
                                         "tokens_evaluated": 5, "tokens_predicted": 6})  # fmt: skip

    server = Server({"/completion": completion})
    result = chat(server).with_structured_output(Answer, method="json_schema").invoke("Sky colour?")
    assert result == Answer(answer="blue")
    schema = server.bodies("/completion")[0]["json_schema"]
    assert schema["properties"]["answer"]["type"] == "string"
    chat(server).with_structured_output(method="json_mode").invoke("JSON please")
    assert server.bodies("/completion")[1]["json_schema"] == {"type": "object"}


def test_grammar_field_is_sent() -> None:
    server = Server()
    chat(server, grammar='root ::= "yes" | "no"').invoke("ok?")
    assert server.bodies("/completion")[0]["grammar"] == 'root ::= "yes" | "no"'


def test_context_overflow_and_auth_errors() -> None:
    overflow = Server({"/completion": lambda r: httpx.Response(400, json=CONTEXT_ERROR)})
    with pytest.raises(ContextWindowExceededError, match="exceeds the available context"):
        chat(overflow).invoke("long")
    denied = Server({"/apply-template": lambda r: httpx.Response(401, json=AUTH_ERROR)})
    with pytest.raises(AuthenticationError, match="Invalid API Key") as info:
        chat(denied, api_key="sk-local-999").invoke("hi")
    assert "sk-local-999" not in str(info.value)
    assert denied.requests[0].headers["authorization"] == "Bearer sk-local-999"


class GetWeather(BaseModel):
    """Get the weather in a city."""

    city: str


CALL = '{"name": "GetWeather", "arguments": {"city": "Paris"}}'


def answering(content: str) -> Server:
    return Server(
        {"/completion": lambda _r: httpx.Response(200, json={**COMPLETION, "content": content, "stop_type": "eos"})}
    )


def test_forced_tool_call_is_described_in_the_prompt_and_held_to_its_json_shape() -> None:
    server = answering(CALL)
    message = chat(server).bind_tools([GetWeather], tool_choice="any").invoke("Weather in Paris?")
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("GetWeather", {"city": "Paris"})]
    assert message.response_metadata["finish_reason"] == "tool_calls"
    body = server.bodies("/completion")[0]
    assert body["json_schema"]["properties"]["name"]["enum"] == ["GetWeather"]
    assert "tools" not in body
    system = server.bodies("/apply-template")[0]["messages"][0]
    assert system["role"] == "system"
    assert '"name": "GetWeather"' in system["content"]


def test_auto_tool_choice_reads_a_call_or_keeps_text() -> None:
    calling, texting = answering(CALL), answering("It is sunny.")
    assert chat(calling).bind_tools([GetWeather]).invoke("Paris?").tool_calls[0]["args"] == {"city": "Paris"}
    plain = chat(texting).bind_tools([GetWeather]).invoke("Paris?")
    assert (plain.content, plain.tool_calls) == ("It is sunny.", [])
    bodies = calling.bodies("/completion") + texting.bodies("/completion")
    assert len(bodies) == 2
    assert all("json_schema" not in body for body in bodies)  # auto: no grammar forces a call


def test_tool_history_is_rendered_as_plain_turns() -> None:
    server = answering("Sunny in Paris.")
    call = {"name": "GetWeather", "args": {"city": "Paris"}, "id": "c1", "type": "tool_call"}
    history = [HumanMessage("Paris?"), AIMessage("", tool_calls=[call]), ToolMessage("sunny", tool_call_id="c1")]
    chat(server).bind_tools([GetWeather]).invoke(history)
    sent = server.bodies("/apply-template")[0]["messages"]
    assert sent[2] == {"role": "assistant", "content": CALL}
    assert sent[3] == {"role": "user", "content": "Result of GetWeather: sunny"}


def test_anthropic_history_is_sent_as_text_the_template_accepts() -> None:
    """An Anthropic-format history (thinking with its signature, tool_use blocks beside tool_calls):
    the server answers 400 ``unsupported content[].type`` to any part that is not text."""
    server = answering("Nice.")
    call = {"name": "GetWeather", "args": {"city": "Paris"}, "id": "toolu_1", "type": "tool_call"}
    thought = {"type": "thinking", "thinking": "A greeting.", "signature": "ErUBCkYICBgCIkDC"}
    history = [
        HumanMessage([{"type": "text", "text": "Hello", "cache_control": {"type": "ephemeral"}}]),
        AIMessage([thought, {"type": "text", "text": "Hi, how are you?"}]),
        HumanMessage([{"type": "text", "text": "Paris?"}]),
        AIMessage(
            [
                {"type": "text", "text": "Let me look."},
                {"type": "tool_use", "id": "toolu_1", "name": "GetWeather", "input": {"city": "Paris"}},
            ],
            tool_calls=[call],
        ),
        ToolMessage("sunny", tool_call_id="toolu_1"),
    ]
    assert chat(server).invoke(history[:3]).content == "Nice."
    assert server.bodies("/apply-template")[0]["messages"][1] == {"role": "assistant", "content": "Hi, how are you?"}
    chat(server).bind_tools([GetWeather]).invoke(history)
    sent = server.bodies("/apply-template")[1]["messages"]
    assert sent[2] == {"role": "assistant", "content": "Hi, how are you?"}
    assert sent[4] == {"role": "assistant", "content": f"Let me look.\n{CALL}"}
    assert sent[5] == {"role": "user", "content": "Result of GetWeather: sunny"}
    assert chat(server).get_num_tokens_from_messages(history[:3]) > 0
    assert server.bodies("/tokenize")[-1]["content"].count("Hi, how are you?") == 1


def test_prompt_tokens_from_the_kv_cache_are_the_cache_read() -> None:
    """``timings.cache_n`` is the cache read on invoke and stream; ``tokens_cached`` (the slot's
    whole context) is not."""
    warm = {**COMPLETION, "timings": {**TIMINGS, "cache_n": 7, "prompt_n": 2}}
    server = Server({"/completion": lambda r: httpx.Response(200, content=sse([warm]) if json.loads(r.content)["stream"]
                                                             else json.dumps(warm).encode())})  # fmt: skip
    message = chat(server).invoke("1, 2, 3,")
    assert message.usage_metadata == {
        "input_tokens": 9, "output_tokens": 3, "total_tokens": 12, "input_token_details": {"cache_read": 7},
    }  # fmt: skip
    streamed = list(chat(server).stream("1, 2, 3,"))
    assert [c.usage_metadata for c in streamed if c.usage_metadata] == [message.usage_metadata]
    cold = chat(Server()).invoke("1, 2, 3,")  # cache_n 0: no detail claimed
    assert cold.usage_metadata == {"input_tokens": 9, "output_tokens": 3, "total_tokens": 12}


def test_tools_declared_off_are_refused_before_anything_is_sent() -> None:
    """Declared facts are checked per call (a fallback router hands the call to the next model)."""
    server = answering(CALL)
    bound = chat(server, profile={"tool_calling": False}).bind_tools([GetWeather])
    with pytest.raises(RequestValidationError, match=r"1 tool\(s\) bound, but tools: false") as error:
        bound.invoke("Paris?")
    assert error.value.model == "gemma"
    assert server.requests == []


def test_cut_off_forced_call_is_invalid_and_says_length() -> None:
    cut = {**COMPLETION, "content": '{"name": "GetWeather", "argu', "stop_type": "limit"}
    server = Server({"/completion": lambda _r: httpx.Response(200, json=cut)})
    message = chat(server).bind_tools([GetWeather], tool_choice="any").invoke("Paris?")
    assert message.tool_calls == []
    assert message.invalid_tool_calls[0]["name"] == "GetWeather"
    assert message.response_metadata["finish_reason"] == "length"


def test_exact_tokens_profile_and_server_endpoints() -> None:
    server = Server()
    model = chat(server)
    assert model.get_num_tokens("one two three") == 3
    assert model.get_num_tokens_from_messages([HumanMessage("hi there")]) > 2
    assert server.bodies("/tokenize")[-1]["content"].startswith("<|im_start|>user")
    profile = model.load_profile()
    assert profile["max_input_tokens"] == 4096
    assert model.profile is not None
    assert model.profile["max_input_tokens"] == 4096
    assert model.chat_template().startswith("{%-")
    assert model.llama.health() == {"status": "ok"}


def test_token_count_falls_back_offline() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    model = ChatLlamaCpp(model="gemma", base_url="http://llama.test", transport=httpx.MockTransport(down))
    assert model.get_num_tokens("hello world") > 0


def test_missing_endpoint_is_not_found() -> None:
    server = Server()
    with pytest.raises(NotFoundError):
        chat(server).llama.slots()


def test_embeddings_one_pooled_vector_per_text() -> None:
    server = Server()
    emb = LlamaCppEmbeddings(base_url="http://llama.test", transport=httpx.MockTransport(server))
    assert emb.embed_documents(["a", "bbb"]) == [[1.0, 1.0], [3.0, 1.0]]
    assert server.bodies("/embedding")[0] == {"content": ["a", "bbb"]}


def test_embeddings_reject_per_token_vectors() -> None:
    per_token = Server({"/embedding": lambda r: httpx.Response(200, json=[{"index": 0, "embedding": [[0.1], [0.2]]}])})
    emb = LlamaCppEmbeddings(base_url="http://llama.test", transport=httpx.MockTransport(per_token))
    with pytest.raises(Exception, match="--pooling"):
        emb.embed_query("a b")


def test_model_is_sent_and_a_call_time_model_wins() -> None:
    server = Server()
    chat(server).invoke("hi")
    chat(server).invoke("hi", model="other")
    assert [b["model"] for b in server.bodies("/completion")] == ["gemma", "other"]
    assert [b["model"] for b in server.bodies("/apply-template")] == ["gemma", "other"]


async def test_a_call_time_model_wins_on_stream_and_async_too() -> None:
    server = Server()
    model = chat(server)
    list(model.stream("hi", model="streamed"))
    await model.ainvoke("hi", model="awaited")
    [piece async for piece in model.astream("hi", model="astreamed")]
    assert [b["model"] for b in server.bodies("/completion")] == ["streamed", "awaited", "astreamed"]
    assert [b["model"] for b in server.bodies("/apply-template")] == ["streamed", "awaited", "astreamed"]
