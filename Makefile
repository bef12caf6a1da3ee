# The newcomer's commands. `make run` and `make test` work on a fresh clone: they create the virtualenv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
LANGS := kk ru en ky

# Inside the container image the packages are installed system-wide: SYSTEM_PYTHON=1 skips the virtualenv.
ifdef SYSTEM_PYTHON
PY := python
INSTALLED :=
else
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
endif

.PHONY: help install run test lint format migrate seed serve worker beat messages check-deploy backup restore bench clean

help:
	@echo "make run      install, migrate, load demo data and serve http://$(HOST):$(PORT)"
	@echo "make test     install and run the whole test suite"
	@echo "make install  create $(VENV) with the pinned dependencies"
	@echo "make worker   start a Celery worker (queues default, documents, notifications)"
	@echo "make beat     start the Celery beat scheduler"
	@echo "make lint     ruff and the layers contract (import-linter)"
	@echo "make messages extract and compile the translation catalogues"
	@echo "make backup   back up the database and the private files into BACKUP_DIR (default var/backups)"
	@echo "make restore BACKUP=var/backups/backup-...  restore one (FORCE=1 to replace a non-empty database)"
	@echo "make bench    seed PostgreSQL (ic_bench) at scale and load-test gunicorn with locust (bench/README.md)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(INSTALLED)

migrate: $(INSTALLED)
	@mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

# One worker per core (pytest-xdist), each with its own test database. `--dist loadgroup` hands out single tests in
# collection order, so pytest-django's order (transactional tests, which empty the tables, after the others) holds in
# every worker; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: $(INSTALLED)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production-style serving, used by the container image (DJANGO_SETTINGS_MODULE=inclusion_centre.settings.production).
# The access log keeps the path only: query strings (a search by name) and referrers may carry personal data.
ACCESS_LOG_FORMAT := %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms
serve: $(INSTALLED)
	$(PY) -m gunicorn inclusion_centre.wsgi --bind 0.0.0.0:$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile - --access-logformat '$(ACCESS_LOG_FORMAT)'

worker: $(INSTALLED)
	$(PY) -m celery -A inclusion_centre worker --queues default,documents,notifications --loglevel INFO

beat: $(INSTALLED)
	@mkdir -p var
	$(PY) -m celery -A inclusion_centre beat --loglevel INFO

messages: $(INSTALLED)
	$(PY) manage.py makemessages --no-obsolete --no-location $(addprefix -l ,$(LANGS)) --ignore "$(VENV)/*" --ignore "tests/*"
	$(PY) manage.py compilemessages $(addprefix -l ,$(LANGS)) --ignore "$(VENV)/*"

check-deploy: $(INSTALLED)
	DJANGO_SETTINGS_MODULE=inclusion_centre.settings.production $(PY) manage.py check --deploy --fail-level WARNING

# Backups (inclusion_centre/backup.py): pg_dump (or the SQLite file) plus the private files, with their SHA-256.
backup: $(INSTALLED)
	$(PY) manage.py backup

restore: $(INSTALLED)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/backup-<time> [FORCE=1]"; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

# The scale benchmark (bench/README.md): needs PostgreSQL; BENCH_DATABASE_URL names the database it re-creates.
# BENCH_ARGS passes options to bench/run.py, e.g. BENCH_ARGS="--duration 120 --think 1".
$(VENV)/.bench-installed: pyproject.toml $(INSTALLED)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	@touch $@

bench: $(if $(SYSTEM_PYTHON),,$(VENV)/.bench-installed)
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3 .pytest_cache .ruff_cache
