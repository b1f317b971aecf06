"""docker-compose.yml against the Compose schema and the deployment rules (deploy/compose_check.py).

The host run (each service's command behind nginx) is `make compose-check`; here the
static half, and proof that the rules catch the faults issue 12 found in the old file.
"""

import copy

import yaml

from deploy.compose_check import interpolate, load_compose, rule_errors, schema_errors, static_check

# The file as it was before issue 12 (trimmed to what the rules look at).
OLD_COMPOSE = """
x-portal: &portal
  image: caricc-portal:latest
  restart: unless-stopped
  environment:
    DATABASE_URL: postgres://caricc:caricc@postgres:5432/caricc
    ALLOWED_HOSTS: ${ALLOWED_HOSTS:-localhost}
    SECRET_KEY_FILE: /run/secrets/secret_key
  depends_on:
    postgres:
      condition: service_healthy
services:
  postgres:
    image: postgres:15
    restart: unless-stopped
    environment:
      POSTGRES_PASSWORD: caricc
    healthcheck:
      test: ["CMD-SHELL", "pg_isready"]
  redis:
    image: redis:7
    restart: unless-stopped
    command: ["redis-server"]
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
  web:
    <<: *portal
    command: >
      sh -c "python manage.py migrate --noinput &&
             gunicorn caricc_portal.wsgi --bind 0.0.0.0:8000"
    ports: ["8000:8000"]
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
  beat:
    <<: *portal
    command: ["celery", "-A", "caricc_portal", "beat"]
    healthcheck:
      test: ["CMD-SHELL", "grep -q beat /proc/1/cmdline"]
"""


def test_the_shipped_compose_file_is_valid_and_keeps_every_rule():
    assert static_check() == []


def test_the_rules_catch_what_was_wrong_with_the_old_file(tmp_path):
    (tmp_path / ".gitignore").write_text(".venv/\n")
    (tmp_path / ".dockerignore").write_text(".git\n")
    raw = yaml.safe_load(OLD_COMPOSE)
    errors = "\n".join(rule_errors(raw, raw, root=tmp_path))
    assert "exactly one service, `migrate`" in errors
    assert "web: uses the database but does not wait for migrate" in errors
    assert "beat: the health check only looks at the command line" in errors
    assert "postgres: POSTGRES_PASSWORD is a secret written in the file" in errors
    assert "web: DATABASE_URL has a password inside a URL" in errors
    assert "web: the health check calls 127.0.0.1, which ALLOWED_HOSTS" in errors
    assert "redis: no AOF" in errors
    assert "web: logging needs max-size and max-file" in errors
    assert "web: deploy.resources.limits.memory is missing" in errors
    assert ".gitignore does not ignore secrets/" in errors
    assert ".dockerignore does not ignore secrets/" in errors
    assert "no service publishes HTTPS (443)" in errors


def test_the_schema_refuses_what_compose_would_refuse():
    raw, _ = load_compose()
    broken = copy.deepcopy(raw)
    broken["services"]["web"]["helthcheck"] = broken["services"]["web"].pop("healthcheck")
    broken["services"]["worker"]["depends_on"]["migrate"]["condition"] = "service_migrated"
    errors = "\n".join(schema_errors(broken))
    assert "helthcheck" in errors
    assert "service_migrated" in errors


def test_interpolation_follows_compose():
    env = {"SET": "value", "EMPTY": ""}
    assert interpolate("${SET:-d}", env) == "value"
    assert interpolate("${EMPTY:-d}", env) == "d"
    assert interpolate("${UNSET:-localhost,127.0.0.1}", env) == "localhost,127.0.0.1"
    assert interpolate("$$HOSTNAME and $SET", env) == "$HOSTNAME and value"
