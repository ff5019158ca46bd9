"""Projects ("sessions" on the LangSmith wire): the containers runs are traced into."""
