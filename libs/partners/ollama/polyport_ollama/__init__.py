"""polyport-ollama (in progress)."""
