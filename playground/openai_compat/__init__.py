"""An OpenAI-compatible front door: the OpenAI SDK pointed at Tracehouse gets its chat calls
forwarded to a configured provider and traced."""
