"""polyport-openai."""
