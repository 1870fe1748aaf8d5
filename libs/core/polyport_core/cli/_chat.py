"""``polyport chat PROVIDER:MODEL "prompt"``: stream one answer to the terminal."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from polyport_core.cli._output import fail, print_json
from polyport_core.errors import PolyportError

__all__ = ["register", "usage_line"]


def chat(
    model: Annotated[str, typer.Argument(help="provider:model, e.g. groq:llama-3.1-8b-instant")],
    prompt: Annotated[str, typer.Argument(help="The message to send ('-' reads stdin).")],
    max_tokens: Annotated[int | None, typer.Option("--max-tokens")] = None,
    temperature: Annotated[float | None, typer.Option("--temperature")] = None,
    system: Annotated[str | None, typer.Option("--system")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the final message as JSON.")] = False,
) -> None:
    """Send a prompt and stream the answer."""
    from polyport_core.cli._hints import is_unreachable, unreachable_hint
    from polyport_core.registry import get_registry, init_chat_model

    text = sys.stdin.read() if prompt == "-" else prompt
    overrides: dict[str, Any] = {}
    if max_tokens is not None:
        overrides["max_tokens"] = max_tokens
    if temperature is not None:
        overrides["temperature"] = temperature
    messages: list[tuple[str, str]] = [("system", system)] if system else []
    messages.append(("human", text))
    try:
        llm = init_chat_model(model, **overrides)
        full: Any = None
        for chunk in llm.stream(messages):
            if not as_json and chunk.text:  # the text of str content or of text blocks (Responses API)
                typer.echo(chunk.text, nl=False)
            full = chunk if full is None else full + chunk
    except PolyportError as exc:
        if is_unreachable(exc):
            provider = getattr(exc, "provider", None) or model.partition(":")[0]
            hint = unreachable_hint(provider, get_registry())
            if hint:
                raise fail(f"{exc}\n{hint}") from None
        raise fail(str(exc)) from None
    if as_json:
        print_json(
            {
                "model": model,
                "content": getattr(full, "content", ""),
                "usage": getattr(full, "usage_metadata", None),
                "response_metadata": getattr(full, "response_metadata", {}),
            }
        )
    else:
        typer.echo()
        typer.echo(usage_line(full), err=True)


def usage_line(message: Any) -> str:
    """``tokens in/out · cost`` of the answer, from its usage and the governance metadata."""
    usage = getattr(message, "usage_metadata", None) or {}
    metadata = getattr(message, "response_metadata", None) or {}
    estimated = " (estimated)" if metadata.get("usage_estimated") else ""
    tokens = f"tokens: {usage.get('input_tokens', 0)} in / {usage.get('output_tokens', 0)} out{estimated}"
    if "cost_usd" not in metadata:
        return f"{tokens} · cost: not tracked (governance off)"
    cost = metadata["cost_usd"]
    provenance = metadata.get("price_provenance", "unknown")
    if cost is None:
        return f"{tokens} · cost: unknown (no price declared for this model)"
    return f"{tokens} · cost: ${cost:.6f} ({provenance})"


def register(app: typer.Typer) -> None:
    """Add the ``chat`` command to ``app``."""
    app.command("chat")(chat)
