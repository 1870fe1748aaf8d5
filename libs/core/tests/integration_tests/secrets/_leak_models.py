"""Every model class (direct and registry-built) configured with the planted key everywhere it can go."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from polyport_core.registry import Registry, init_chat_model

ENV = "PLANTED_KEY"


def spec_files(folder: Path, base_url: str) -> Path:
    """Provider specs with bearer, header, query and templated-header auth, all reading ``$PLANTED_KEY``."""
    folder.mkdir(parents=True, exist_ok=True)
    specs: dict[str, dict[str, Any]] = {
        "bearer": {"auth": {"type": "bearer", "api_key_env": ENV}},
        "hdr": {"auth": {"type": "header", "header_name": "x-key", "api_key_env": ENV}},
        "qry": {"auth": {"type": "query", "query_param": "key", "api_key_env": ENV}},
        "tmpl": {"auth": {"type": "bearer", "api_key_env": ENV}, "headers": {"X-Team-Token": "T-{api_key}"}},
    }
    for name, extra in specs.items():
        doc = {"id": name, "engine": "openai", "base_url": f"{base_url}/v1", "models": [{"id": "m"}], **extra}
        (folder / f"{name}.json").write_text(json.dumps(doc))
    http = {
        "id": "httpeng",
        "engine": "http",
        "base_url": base_url,
        "auth": {"type": "header", "header_name": "x-key", "api_key_env": ENV},
        "http": {"path": "/v1/chat/completions", "body": {"model": "{model}", "messages": "{messages}"},
                 "response": {"text": "choices[0].message.content"}},
        "models": [{"id": "m"}],
    }  # fmt: skip
    (folder / "httpeng.json").write_text(json.dumps(http))
    return folder


def direct_models(key: str, base_url: str) -> dict[str, Callable[[], Any]]:
    """Factories of each partner class with the key as api_key, in headers, query and URL userinfo."""
    from polyport_anthropic import ChatAnthropic
    from polyport_llamacpp import ChatLlamaCpp, LlamaCppEmbeddings
    from polyport_ollama import ChatOllama, OllamaEmbeddings
    from polyport_openai import AzureChatOpenAI, AzureOpenAIEmbeddings, ChatOpenAI, OpenAIEmbeddings

    host = base_url.removeprefix("http://")
    userinfo = f"http://user:{key}@{host}"
    headers = {"X-Api-Key": key, "X-Custom": key, "Authorization": f"Bearer {key}"}
    return {
        "ChatOpenAI": lambda: ChatOpenAI(
            model="m",
            api_key=key,
            base_url=f"{userinfo}/v1",
            default_headers=headers,
            default_query={"key": key},
            max_retries=0,
            timeout=1.0,
        ),
        "OpenAIEmbeddings": lambda: OpenAIEmbeddings(
            model="e", api_key=key, base_url=f"{userinfo}/v1", default_headers=headers, default_query={"key": key}
        ),
        "AzureChatOpenAI": lambda: AzureChatOpenAI(
            model="m", api_key=key, azure_endpoint=base_url, api_version="2024-06-01", default_headers=headers
        ),
        "AzureOpenAIEmbeddings": lambda: AzureOpenAIEmbeddings(
            model="e", api_key=key, azure_endpoint=base_url, api_version="2024-06-01", default_headers=headers
        ),
        "ChatAnthropic": lambda: ChatAnthropic(
            model="m", api_key=key, base_url=userinfo, default_headers=headers, max_retries=0, timeout=1.0
        ),
        "ChatOllama": lambda: ChatOllama(model="m", base_url=userinfo, headers=headers, timeout=1.0),
        "OllamaEmbeddings": lambda: OllamaEmbeddings(model="e", base_url=userinfo, headers=headers),
        "ChatLlamaCpp": lambda: ChatLlamaCpp(
            model="m",
            api_key=key,
            base_url=userinfo,
            default_headers=headers,
            default_query={"key": key},
            max_retries=0,
            timeout=1.0,
        ),
        "LlamaCppEmbeddings": lambda: LlamaCppEmbeddings(
            model="e", api_key=key, base_url=userinfo, default_headers=headers
        ),
    }


def registry_models(folder: Path) -> dict[str, Callable[[], Any]]:
    """Models the registry builds from the spec files (governance attached, as users get them)."""
    registry = Registry.discover(plugins=False, user=False, project=[folder])
    names = ("bearer", "hdr", "qry", "tmpl", "httpeng")
    return {f"registry:{n}": (lambda n=n: init_chat_model(f"{n}:m", registry=registry, max_retries=0)) for n in names}
