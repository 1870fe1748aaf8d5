"""polyport-ollama: Ollama chat models and embeddings (the SDK is imported on first use)."""

from importlib.metadata import version

from polyport_ollama.chat_models import ChatOllama
from polyport_ollama.embeddings import OllamaEmbeddings

__all__ = ["ChatOllama", "OllamaEmbeddings", "__version__"]

__version__ = version("polyport-ollama")
