"""OTLP/HTTP trace intake: spans from any OpenTelemetry exporter become runs (wire §9)."""
