# Two commands on a fresh machine with only Python 3.11+: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck pytest assets schema trusted-documents clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP) assets
	$(BIN)/stakegraph serve

test: $(STAMP) assets lint typecheck pytest

# bench/ joins the checks once it exists.
CHECKED := service tests $(wildcard bench)

lint: $(STAMP)
	$(BIN)/ruff check $(CHECKED) migrations
	$(BIN)/lint-imports
	$(BIN)/ruff format --check $(CHECKED) migrations

typecheck: $(STAMP)
	$(BIN)/mypy $(CHECKED)

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Regenerates the committed SDL from the live schema.
schema: $(STAMP)
	$(BIN)/python -m service.schema.export > graphql/schema.graphql

# The trusted-documents manifest of graphql/operations/ (STAKEGRAPH_TRUSTED_DOCUMENTS).
trusted-documents: $(STAMP)
	$(BIN)/python -m service.gateway.manifest -o graphql/trusted-documents.json

# GraphiQL's assets, fetched from the npm registry where npm exists (never committed). Quick
# when they are in place; without npm (or network) only a notice, and /graphql serves
# strawberry's own page instead.
assets: $(STAMP)
	@$(BIN)/python -m service.graphiql_assets $(ASSETS_ARGS)
	@$(BIN)/python -m service.rest.docs_assets $(ASSETS_ARGS)

clean:
	rm -rf $(VENV) .stakegraph .mypy_cache .pytest_cache .ruff_cache
