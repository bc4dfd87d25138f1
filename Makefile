# Tournée: `make demo` runs the whole pipeline on the bundled Bondy data and serves the
# site; `make test` runs the test suite against PostgreSQL and Redis on 127.0.0.1.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVE ?= 1
DEMO_DB ?= instance/demo.sqlite3
FLASK := $(BIN)/flask --app wsgi

.PHONY: install demo test lint translations clean-demo

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(FLASK) i18n compile

demo: install
	mkdir -p instance
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm instance/outbox.jsonl
	TOURNEE_DATABASE_URL=sqlite:///$(abspath $(DEMO_DB)) \
	TOURNEE_OUTBOX_PATH=$(abspath instance/outbox.jsonl) \
	TOURNEE_IS_RATE_LIMIT_ENABLED=false \
	TOURNEE_IS_PLANNING_THREADED=true \
	$(FLASK) demo run $(if $(filter 0,$(SERVE)),--no-serve,--serve)

test: install lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check webapp targeting routing messaging tests benchmarks migrations
	$(BIN)/mypy routing targeting messaging webapp
