"""polyport-openai: OpenAI, Azure OpenAI and OpenAI-compatible servers as LangChain models.

The openai SDK is imported lazily, on the first request.
"""

from importlib.metadata import version

from polyport_openai.azure import AzureChatOpenAI, AzureOpenAIEmbeddings
from polyport_openai.chat_models import ChatOpenAI
from polyport_openai.embeddings import OpenAIEmbeddings

__all__ = ["AzureChatOpenAI", "AzureOpenAIEmbeddings", "ChatOpenAI", "OpenAIEmbeddings", "__version__"]

__version__ = version("polyport-openai")
