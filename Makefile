# motcua — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PACKAGES := libs/vocabulary libs/servicekit services/identity services/catalog services/submission \
            services/tracking services/notify gateway
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install run test lint bench clean

$(STAMP): requirements-dev.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) (Python 3.11)"; exit 1; }
	@echo "[1/3] virtual environment $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "[2/3] installer: uv (pip as the fallback)"
	@$(PIP) install --quiet --disable-pip-version-check uv 2>/dev/null || echo "      uv unavailable, using pip"
	@echo "[3/3] test tools and every package (editable): $(PACKAGES)"
	@if test -x $(VENV)/bin/uv && $(VENV)/bin/uv pip install --quiet --python $(PY) \
	     -r requirements-dev.txt $(foreach p,$(PACKAGES),-e $(p)); then :; else \
	  echo "      installing with pip"; \
	  $(PIP) install --quiet --disable-pip-version-check \
	     -r requirements-dev.txt $(foreach p,$(PACKAGES),-e $(p)); \
	fi
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install every service, the gateway and the test tools

run: install  ## start components, services, workers and gateway; seed; print the URLs
	$(PY) infra/local/devstack.py

test: install  ## the whole test suite against real local components
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install  ## benchmarks; results in bench/results.md and bench/results.json
	$(PY) -m bench

clean:
	rm -rf var $(VENV)
