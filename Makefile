# Erbij — everything a developer or CI needs. `make demo` and `make test` are the quick start.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST  := $(PY) -m pytest -q

.PHONY: install demo test test-sqlite test-postgres bench faults lint format translations run worker prod clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations ## virtualenv with exact pins, compiled translations

translations: $(VENV)/.installed
	$(PY) -m lti_tool.translations_build

demo: install ## Erbij on http://127.0.0.1:5000 and the demo LMS on http://localhost:5001
	$(PY) -m lti_tool.demo

test: install ## the whole suite on SQLite, then again on PostgreSQL when it answers
	$(MAKE) --no-print-directory test-sqlite
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	else \
		echo "PostgreSQL does not answer on 127.0.0.1:5432: skipping the PostgreSQL run"; \
	fi

test-sqlite: install
	$(PYTEST) -m "not bench"

test-postgres: install
	@echo "== the suite again on PostgreSQL (browser tests and the fault run ran in the first pass) =="
	TEST_DATABASE_URL=$(PG_URL) $(PYTEST) -m "not bench and not e2e and not faults" -p no:cacheprovider

bench: install ## every performance figure in one run, one table (test-artifacts/bench.json): hello, a PyLTI1p3 tool and Erbij side by side
	$(PY) tests/perf/bench_all.py

faults: install ## faults under load, one table row each (FAULTS_SHORT=1 or CI=true: the short run, under 2 min)
	$(PY) tests/faults/run_faults.py

lint: install
	$(VENV)/bin/ruff check lti_tool tests wsgi.py

format: install
	$(VENV)/bin/ruff format lti_tool tests wsgi.py

run: install ## Erbij alone (no demo LMS)
	$(PY) -m flask --app wsgi db upgrade
	$(PY) -m flask --app wsgi run --host 127.0.0.1 --port 5000

prod: install ## the production setup on this machine: PostgreSQL, Redis, gunicorn workers + outbox worker
	$(PY) -m lti_tool.prod

worker: install ## the outbox worker (production runs it next to gunicorn)
	$(PY) -m flask --app wsgi worker

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
