"""The playground service: forwards prompts to LLM APIs and custom model servers (issue 8)."""
