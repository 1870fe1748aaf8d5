"""polyport-llamacpp: llama.cpp's native ``llama-server`` API as LangChain chat models and embeddings."""

from importlib.metadata import version

from polyport_llamacpp._adapter import LlamaCppAdapter
from polyport_llamacpp.chat_models import ChatLlamaCpp
from polyport_llamacpp.embeddings import LlamaCppEmbeddings

__all__ = ["ChatLlamaCpp", "LlamaCppAdapter", "LlamaCppEmbeddings", "__version__"]

__version__ = version("polyport-llamacpp")
