"""What an operator sees of the service: Prometheus metrics, JSON logs, optional traces."""
