# CARICC portal: the commands a new developer needs.
#   make run    fresh machine -> running portal on http://127.0.0.1:8000 (SQLite, in-process tasks, demo data)
#   make test   the whole test suite (SQLite by default; set DATABASE_URL / CELERY_BROKER_URL for the real stack)
#   make bench  performance benchmarks against PostgreSQL (figures in docs/performance.md)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/caricc_bench
BENCH_RECORDS ?= 1000000

.PHONY: compose-check cluster-test restore-drill install run test lint format migrations-check deploy-check schema-check messages-check bench messages worker beat

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The foundation package is type-checked (django-stubs, djangorestframework-stubs).
typecheck: install
	$(VENV)/bin/mypy core

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

deploy-check: install
	SECRET_KEY=check-deploy-$$(date +%s)-$$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
	ALLOWED_HOSTS=portal.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING --settings=caricc_portal.settings_production
	# The production manifest storage follows every reference in the static files
	# (a vendored script's source map, a CSS url()): a missing one fails here, not at deploy.
	SECRET_KEY=check-deploy-$$(date +%s)-$$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
	ALLOWED_HOSTS=portal.example.org \
	$(PY) manage.py collectstatic --noinput --verbosity 0 --settings=caricc_portal.settings_production

schema-check: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

messages: install
	for app in members intel operations donors reports notifications sync; do (cd $$app && ../$(VENV)/bin/django-admin makemessages -l ru); done
	$(VENV)/bin/django-admin makemessages -l ru --ignore=.venv --ignore=members --ignore=intel --ignore=operations --ignore=donors --ignore=reports --ignore=notifications --ignore=sync --ignore=tests --ignore=staticfiles --ignore=var
	$(VENV)/bin/django-admin compilemessages --ignore=.venv

# Every user-facing string has a Russian translation: extract afresh, then refuse
# any untranslated or fuzzy entry. (It rewrites the .po files' line references.)
messages-check: install
	for app in members intel operations donors reports notifications sync; do (cd $$app && ../$(VENV)/bin/django-admin makemessages -l ru >/dev/null); done
	$(VENV)/bin/django-admin makemessages -l ru --ignore=.venv --ignore=members --ignore=intel --ignore=operations --ignore=donors --ignore=reports --ignore=notifications --ignore=sync --ignore=tests --ignore=staticfiles --ignore=var >/dev/null
	@status=0; for po in locale/ru/LC_MESSAGES/django.po */locale/ru/LC_MESSAGES/django.po; do \
	  stats=$$(msgfmt --statistics -o /dev/null $$po 2>&1); echo "$$po: $$stats"; \
	  case "$$stats" in *fuzzy*|*untranslated*) status=1;; esac; done; exit $$status

bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput --verbosity 0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_intel --records $(BENCH_RECORDS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_sync
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_reports
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_writes
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_notifications

worker: install
	$(VENV)/bin/celery -A caricc_portal worker -Q celery,reports,notify --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A caricc_portal beat --loglevel=INFO

# docker-compose.yml without Docker: the Compose schema, the deployment rules, and every
# service's own command line run on this host behind Debian's nginx (deploy/compose_check.py).
compose-check: install
	$(PY) deploy/compose_check.py

# Several nodes on this host: two gunicorns behind an nginx balancer, workers per queue,
# a PostgreSQL streaming replica (pg_basebackup -R), a shared private-files directory;
# then the restore drill (docs/deployment.md, "Proving it").
cluster-test: install
	$(VENV)/bin/pytest tests/deploy -m cluster -v

restore-drill: install
	$(VENV)/bin/pytest tests/deploy/test_cluster.py -m cluster -k restore -v
