# Two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := portal

.PHONY: run test install assets catalogs database browser extract update-catalogs clean

run: install assets catalogs database
	$(FLASK) portal serve-demo

test: install assets catalogs browser
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# htmx from the npm registry at the version pinned in package-lock.json, checked, never committed.
assets: install
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PY) -m portal.assets

catalogs: install
	$(FLASK) translate compile

database: install
	$(FLASK) portal migrate
	$(FLASK) portal demo --if-empty

# Debian's Chromium where it exists or can be installed, else Playwright's own browser.
browser: install
	PY=$(PY) bash tools/install-browser.sh

extract: install
	$(FLASK) translate extract

update-catalogs: install
	$(FLASK) translate update

clean:
	rm -rf $(VENV) node_modules portal/static/vendor instance artifacts .pytest_cache
	find translations -name '*.mo' -delete
