"""OpenTelemetry traces, when ``STAKEGRAPH_TRACING`` is on and the ``otel`` extra installed:
one span per HTTP request, with the GraphQL operation, executor, outcome and cost as
attributes. Where the spans go is OpenTelemetry's own configuration (a tracer provider set up
by ``opentelemetry-instrument`` or the host application); without one, the SDK's provider
with a console exporter is installed, so that the spans are seen somewhere."""

from __future__ import annotations

import logging
from typing import Any

from service.config import Settings

log = logging.getLogger(__name__)

_configured = False


def tracer_for(settings: Settings) -> Any | None:
    """A tracer, or None when tracing is off or OpenTelemetry is not installed."""
    global _configured
    if not settings.tracing:
        return None
    try:
        from opentelemetry import trace
    except ImportError:
        log.warning("STAKEGRAPH_TRACING is on but OpenTelemetry is not installed (the otel extra)")
        return None
    if not _configured:
        _configured = True
        if type(trace.get_tracer_provider()).__name__ == "ProxyTracerProvider":
            try:
                from opentelemetry.sdk.trace import TracerProvider
                from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
            except ImportError:
                log.warning("tracing: no tracer provider and no OpenTelemetry SDK; spans dropped")
            else:
                provider = TracerProvider()
                provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
                trace.set_tracer_provider(provider)
    return trace.get_tracer("stakegraph")


def span_attributes(fields: dict[str, object]) -> dict[str, Any]:
    """The request's log fields as span attributes (OpenTelemetry takes no None values)."""
    return {
        f"stakegraph.{name}": value
        for name, value in fields.items()
        if isinstance(value, str | int | float | bool)
    }
