# syntax=docker/dockerfile:1
# The service with GraphiQL's assets built in, so /graphql works without internet access.
# Build: docker build -t stakegraph .
# Run:   docker run -p 8000:8000 -e STAKEGRAPH_DATABASE_URL=postgresql://... stakegraph
ARG BASE=python:3.11-slim

FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# Editable, like `make`: service/db/migrate.py finds alembic.ini and migrations/ next to the
# package, and the final stage keeps /app and /opt/venv at the same paths.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/python -m pip install --upgrade pip \
    && /opt/venv/bin/python -m pip install -e .
# The Makefile's `assets` step, but an image without GraphiQL's files is a failed build.
RUN /opt/venv/bin/python -m service.graphiql_assets --strict

FROM ${BASE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STAKEGRAPH_HOST=0.0.0.0 \
    STAKEGRAPH_PORT=8000 \
    STAKEGRAPH_DATA_DIR=/var/lib/stakegraph
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/stakegraph --create-home \
    stakegraph
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /app/pyproject.toml /app/alembic.ini ./
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/graphql ./graphql
COPY --from=build /app/service ./service
USER stakegraph
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('STAKEGRAPH_PORT', '8000'), timeout=4)"]
# Migrates, seeds an empty database and serves; without STAKEGRAPH_DATABASE_URL it runs an
# embedded PostgreSQL in STAKEGRAPH_DATA_DIR (a volume keeps that data across containers).
CMD ["stakegraph", "serve"]
