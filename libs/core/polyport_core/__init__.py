"""polyport-core: the provider SDK every polyport partner builds on."""

from importlib.metadata import version

from polyport_core.chat import ParsedResponse, ProviderChatModel, StreamState
from polyport_core.embeddings import ProviderEmbeddings
from polyport_core.errors import PolyportError

__all__ = ["ParsedResponse", "PolyportError", "ProviderChatModel", "ProviderEmbeddings", "StreamState", "__version__"]

__version__ = version("polyport-core")
