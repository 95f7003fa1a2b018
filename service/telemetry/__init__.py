"""What the service reports about itself, below every layer that reports: metric families, the
request's context (its id), JSON logging and tracing. The HTTP side (middleware, /metrics,
/readyz) is service.observability's."""
