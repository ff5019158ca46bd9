"""UI login: sessions for people (API keys are for programs)."""
