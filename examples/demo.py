"""polyport demo: one provider file → ``init_chat_model`` → a governed LangChain model.

The provider file (``examples/providers/demo-*.json``) declares limits, a budget and
prices; ``init_chat_model`` builds a model that already obeys them and records every
call in the default ledger. The demo streams, runs a full tool round trip, asks for
structured output, is refused by the declared rate limit, and prints the usage table
from the ledger. It talks to OpenAI when ``OPENAI_API_KEY`` is set, otherwise to the
embedded local model (llama-server with Gemma 3 270M, started here on loopback).
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from polyport_core.cli import usage_rows
from polyport_core.errors import PolyportError, RateLimitError
from polyport_core.ledger import default_ledger
from polyport_core.registry import Registry, init_chat_model
from pydantic import BaseModel, Field
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(soft_wrap=True)  # one line per step, whatever the terminal width
PROVIDERS = Path(__file__).with_name("providers")


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"It is 21°C and sunny in {city}."


class CityFacts(BaseModel):
    """Structured facts about a city."""

    city: str = Field(description="The city's name")
    country: str = Field(description="The country it is in")


def choose_model(stack: ExitStack) -> tuple[str, str]:
    """``provider:model`` for OpenAI when a key is set, else for the local llama-server."""
    if os.environ.get("OPENAI_API_KEY"):
        return "demo-openai:gpt-4o-mini", "OpenAI"
    from polyport_core.testing import LlamaServer

    console.print("[dim]No OPENAI_API_KEY: starting the embedded local model (llama-server, Gemma 3 270M)…[/]")
    server = stack.enter_context(LlamaServer())
    os.environ["POLYPORT_DEMO_URL"] = server.openai_base_url  # the provider file reads it
    return "demo-local:gemma", f"local llama-server at {server.base_url}"


def cost_of(message: BaseMessage) -> str:
    """``in/out tokens · $cost (price source)`` of one answer."""
    usage: Any = getattr(message, "usage_metadata", None) or {}
    meta = message.response_metadata
    cost = meta.get("cost_usd")
    money = "unknown" if cost is None else f"${cost:.6f}"
    mark = "~" if meta.get("usage_estimated") else ""
    tokens = f"{mark}{usage.get('input_tokens', 0)}/{usage.get('output_tokens', 0)} tok"
    return f"{tokens} · {money} ({meta.get('price_provenance')})"


def step(number: int, title: str, text: str, message: BaseMessage | None = None) -> None:
    """One line per step: what happened and what it cost."""
    tail = f"  [dim]{escape(cost_of(message))}[/]" if message is not None else ""
    console.print(f"[bold]{number}. {title}[/] {escape(' '.join(text.split())[:110])}{tail}")


def main() -> int:
    """Run the steps against one provider file and show the ledger afterwards."""
    started = time.time()
    with ExitStack() as stack:
        model_id, where = choose_model(stack)
        registry = Registry.discover(project=[PROVIDERS])
        console.rule(f"[bold]polyport demo[/] — {model_id} on {where}")
        llm = init_chat_model(model_id, registry=registry)

        full: Any = None
        for chunk in llm.stream("Write one sentence about the sea."):
            full = chunk if full is None else full + chunk
        step(1, "stream:", str(full.content), full)

        question = HumanMessage("What is the weather in Lisbon?")
        ai = llm.bind_tools([get_weather], tool_choice="get_weather").invoke([question])
        history: list[BaseMessage] = [question, ai]
        history += [ToolMessage(get_weather.invoke(c["args"]), tool_call_id=c["id"]) for c in ai.tool_calls]
        answer = llm.invoke(history)
        calls = ", ".join(f"{c['name']}({c['args']})" for c in ai.tool_calls) or "no tool call"
        step(2, "tool round trip:", f"{calls} → {answer.content}", answer)

        roomy = init_chat_model(model_id, registry=registry, max_tokens=160)  # same provider, same limits
        out = roomy.with_structured_output(CityFacts, method="json_schema", include_raw=True).invoke(
            "Paris is the capital of France. Give the city and its country."
        )
        raw: AIMessage = out["raw"]
        step(3, "structured output:", repr(out["parsed"]), raw)

        try:
            llm.invoke("One more, please.")
            step(4, "declared limit:", "not reached (unexpected)")
        except RateLimitError as refused:
            detail = getattr(refused, "detail", str(refused)).split(" (retry after")[0]
            step(4, "declared limit refused the call:", f"{detail} (requests_per_hour: 4 in the provider file)")

    ledger = default_ledger()
    provider = model_id.split(":")[0]
    rows = [r for r in usage_rows(ledger.records(since=started - 1)) if r["provider"] == provider]
    table = Table(title=f"5. Recorded in the ledger ({escape(repr(ledger))})")
    for column in ("provider", "model", "calls", "errors", "input_tokens", "output_tokens", "cost_usd"):
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(escape(str(row[c])) for c in ("provider", "model", "calls", "errors",
                                                      "input_tokens", "output_tokens", "cost_usd")))  # fmt: skip
    console.print(table)
    console.print("[dim]All runs so far: `uv run polyport usage`.[/]")
    return 0


def run() -> int:
    """``main`` with a one-line error instead of a traceback (the message is already redacted)."""
    try:
        return main()
    except PolyportError as error:
        hint = " (OPENAI_API_KEY is set, so the demo used OpenAI; unset it for the local model)"
        console.print(f"[red]demo failed:[/] {escape(str(error))}{hint if os.environ.get('OPENAI_API_KEY') else ''}")
        return 1


if __name__ == "__main__":
    sys.exit(run())
