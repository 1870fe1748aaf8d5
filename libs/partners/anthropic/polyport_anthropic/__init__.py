"""polyport-anthropic: Claude (Anthropic API, Bedrock, Vertex) and Anthropic-compatible servers.

Importing this package does not import the ``anthropic`` SDK; it loads on the first call.
"""

from importlib.metadata import version

from polyport_anthropic.chat_models import ChatAnthropic
from polyport_anthropic.platforms import ChatAnthropicBedrock, ChatAnthropicVertex

__all__ = ["ChatAnthropic", "ChatAnthropicBedrock", "ChatAnthropicVertex", "__version__"]

__version__ = version("polyport-anthropic")
