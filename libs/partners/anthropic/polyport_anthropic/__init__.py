"""polyport-anthropic (in progress)."""
