# The front door: `make run` serves the demo, `make test` runs the whole suite. Both set up from scratch.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Unless PLENARY_BASE_URL / PLENARY_ALLOWED_HOSTS are set, links and allowed hosts follow HOST and PORT.
export HOST PORT
VENDOR := src/plenary/core/static/vendor

.PHONY: run test install dev assets messages lint format migrate demo clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || (echo "Plenary needs Python 3.11 or newer" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed assets messages
dev: $(VENV)/.installed-dev assets messages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end packages come from the project's locked npm dependencies, never from a CDN.
assets: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/jsqr/dist/jsQR.js $(VENDOR)/jsQR.js

# The compiled catalogues are committed; rebuild them when GNU gettext is at hand.
messages: | $(BIN)/python
	@if command -v msgfmt >/dev/null 2>&1; then cd src/plenary && ../../$(BIN)/plenary compilemessages -v0; fi

migrate: install
	$(BIN)/plenary migrate --noinput -v0

run: install
	$(BIN)/plenary migrate --noinput -v0
	$(BIN)/plenary collectstatic --noinput -v0
	$(BIN)/plenary demo --if-empty
	$(BIN)/plenary serve --host $(HOST) --port $(PORT)

test: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/plenary makemigrations --check --dry-run -v0
	$(BIN)/pytest $(PYTEST_ARGS)

lint: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
