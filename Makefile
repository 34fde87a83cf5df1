# OutageHub. `make run` and `make test` are all a fresh machine with Python 3.11 needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PORT ?= 8001

.PHONY: run demo test bench loadtest freshness lint model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps record that the pinned requirements are installed; they are rebuilt when a file changes.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	DEBUG=1 scripts/serve --port $(PORT)

demo: $(VENV)/.runtime
	DEBUG=1 scripts/serve --port $(PORT) --demo $(DEMO_PORT)

# Both cores (or more, up to TEST_MAX_WORKERS); each xdist worker has its own var dir, test database and
# Redis key prefix (tests/settings.py). TEST_WORKERS=0 runs in one process. The fault tests run after,
# alone and in one process: they start workers, kill them and restart servers, which must not race
# other tests for the two cores (their waits are bounded) nor leave queues in another test's process.
TEST_WORKERS ?= auto
TEST_MAX_WORKERS ?= 4
test: $(VENV)/.dev
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses=$(TEST_MAX_WORKERS) --dist loadgroup -m "not resilience"
	$(BIN)/pytest -p no:xdist -m resilience tests/resilience

bench: $(VENV)/.dev
	$(BIN)/python -m bench

# 50 readers against gunicorn on PostgreSQL (DATABASE_URL) at 10k incidents / 100k articles; see bench/load.py.
loadtest: $(VENV)/.dev
	$(BIN)/python -m bench.load

# How long a new status post takes to reach the incident page, the feed and the summary; see bench/freshness.py.
freshness: $(VENV)/.dev
	$(BIN)/python -m bench.freshness

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The outage model's artefact from the committed training data; a rebuild is byte-identical.
model: $(VENV)/.dev
	$(BIN)/python scripts/train_outage_model.py

clean:
	rm -rf var/ .pytest_cache .ruff_cache
