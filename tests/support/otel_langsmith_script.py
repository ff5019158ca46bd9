"""Run by test_otel.py in its own process: the LangSmith SDK in OTel mode sets a process-wide
tracer provider, which must not leak into other tests. Environment comes from the test."""

from __future__ import annotations

from langsmith import traceable
from langsmith.run_trees import get_cached_client


@traceable(run_type="tool", metadata={"source": "otel-mode"})
def lookup(city: str) -> dict:
    return {"weather": f"sunny in {city}"}


@traceable(name="otel-agent", tags=["otel"])
def agent(question: str) -> dict:
    return {"answer": lookup("Lisbon")["weather"], "question": question}


if __name__ == "__main__":
    agent("weather?")
    get_cached_client().flush()
    from opentelemetry import trace

    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]  # the API's provider type lacks it; the SDK's has it
