# Two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := portal

.PHONY: run serve test test-fast lint mutation install assets catalogs database secret browser extract update-catalogs init-catalog check-catalogs clean

# The demo's database. Only these targets fall back to it: a production portal (`make serve`)
# refuses to start without DATABASE_URL in its environment.
DEMO_DATABASE_URL := sqlite:///$(CURDIR)/instance/portal.sqlite3
run database extract update-catalogs init-catalog check-catalogs: export DATABASE_URL ?= $(DEMO_DATABASE_URL)

run: install assets catalogs database secret
	$(FLASK) portal serve-demo

# Production serving under gunicorn (portal/infra/gunicorn_config.py; docs/DEPLOYING.md): takes
# SECRET_KEY and DATABASE_URL from the environment (BIND, WEB_CONCURRENCY optional) and never
# migrates: run `$(FLASK) portal migrate` first.
serve: install assets catalogs
	$(VENV)/bin/gunicorn --config python:portal.infra.gunicorn_config 'portal:create_app()'

test: install assets catalogs browser lint
	$(PY) -m pytest $(PYTEST_ARGS)

# The quick loop while working: lint, then every test but the browser and PostgreSQL ones, on
# every core (pytest-xdist).
test-fast: install assets catalogs lint
	$(PY) -m pytest -m "not browser and not postgres" -n auto $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check portal tests
	$(VENV)/bin/ruff format --check portal tests

# Plants realistic bugs in the rule modules ([tool.mutmut] in pyproject.toml) and runs the fast
# tests against each; prints the mutants that survived. The score is recorded in MUTATION.md.
mutation: install assets catalogs
	$(PY) -m pip install --quiet -e '.[test,mutation]'
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2 || true
	$(VENV)/bin/mutmut results

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# htmx from the npm registry at the version pinned in package-lock.json, checked, never committed.
assets: install
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PY) -m portal.infra.assets

# What `flask translate compile` does, without creating an app (no database or secret needed).
catalogs: install
	$(VENV)/bin/pybabel --quiet compile -d translations -D "messages wtforms"

database: install secret
	$(FLASK) portal migrate
	$(FLASK) portal demo --if-empty

# The demo's SECRET_KEY, made once; an operator sets SECRET_KEY in the environment instead.
secret: instance/secret_key

instance/secret_key:
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@

# Debian's Chromium where it exists or can be installed, else Playwright's own browser.
browser: install
	PY=$(PY) bash tools/install-browser.sh

extract: install secret
	$(FLASK) translate extract

update-catalogs: install secret
	$(FLASK) translate update

# The catalog checks in words, per entry, for translators (exit 1 on a problem): make check-catalogs LANGS="sl bg"
check-catalogs: install secret
	$(FLASK) translate check $(LANGS)

# A new language's catalog: make init-catalog CODE=de
init-catalog: install secret
	$(FLASK) translate init $(CODE)

clean:
	rm -rf $(VENV) node_modules portal/static/vendor instance artifacts .pytest_cache
	find translations -name '*.mo' -delete
