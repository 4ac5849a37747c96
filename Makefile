# The README's two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format messages serve load

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ and log in as demo / demo-canvas-2026"
	@echo ""
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs GNU gettext; the compiled .mo files are committed so that nobody else does.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l es -l en --no-obsolete --add-location file -i ".venv/*"
	$(BIN)/python scripts/fill_english_catalogue.py locale/en/LC_MESSAGES/django.po
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore ".venv/*"

# The production stack on this machine: gunicorn + WhiteNoise, DEBUG off, settings from the
# environment (README, "Running in production"); an unsafe setting stops it, naming the variable,
# and so does any warning of check --deploy. MIGRATE=0 starts a server without touching the
# database's tables (every app server but the one that migrates a release). With REDIS_URL set,
# a Celery worker renders the PDFs beside gunicorn (PDF_WORKERS=0: workers run elsewhere).
MIGRATE ?= 1
serve: install
	DEBUG=0 $(BIN)/python manage.py check --deploy --fail-level WARNING
ifeq ($(filter 0 no false,$(MIGRATE)),)
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/python manage.py createcachetable
endif
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 BIND=$(HOST):$(PORT) $(BIN)/python -m canvas_site.serve

# Load test on loopback against a throwaway PostgreSQL database (README, "Performance"):
# 300 people thinking, then wrk (Debian's: apt-get install -y wrk) at saturation, 3 rounds.
# About five minutes, bounded (--time-limit); never in CI. ARGS="--users 100" to change it.
load: install
	$(BIN)/python -m loadtest.run $(ARGS)

# Fault test on loopback with a PostgreSQL (initdb) and a Redis of its own: a steady load while
# Redis, then PostgreSQL, stop and come back; what users saw, and that no save was lost. About
# two minutes, bounded; never in CI. Everything it starts is stopped, its files removed.
.PHONY: faults
faults: install
	$(BIN)/python -m loadtest.faults $(ARGS)

# Two app servers and a PDF worker on one PostgreSQL and one Redis of its own, on loopback:
# pages with wrk, then PDFs asked at once (README, "Performance"). A few minutes; never in CI.
.PHONY: scaleout
scaleout: install
	$(BIN)/python -m loadtest.scaleout

# PDF export timings, both layouts: sample and large canvas, WeasyPrint alone, cached; the
# assignment dashboard of a 200-student class and of a 1,000-student one (nothing is kept).
.PHONY: bench
bench: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput --verbosity 0
	DEBUG=1 $(BIN)/python manage.py bench_pdf
	DEBUG=1 $(BIN)/python manage.py bench_pdf --layout report --runs 3
	DEBUG=1 $(BIN)/python manage.py bench_dashboard
	DEBUG=1 $(BIN)/python manage.py bench_dashboard --students 1000
