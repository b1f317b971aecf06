#!/usr/bin/env bash
# The API contract (issue 16): the OpenAPI schema is the truth.
#
# A live server (gunicorn on PostgreSQL, demo data seeded, a real Celery worker on
# Redis) is fuzzed by schemathesis over every operation twice: with a partner
# system's token and with a liaison officer's browser session (cookie + CSRF
# header; tokens are for partner accounts only). Then a Python client generated
# from the schema by openapi-python-client drives a partner's day
# (tests/api_contract/partner_day.py).
#
# Checks, all of them on every operation:
#   not_a_server_error, response_schema_conformance, status_code_conformance,
#   content_type_conformance, negative_data_rejection.
# Excluded checks (and why): none of the five. Others schemathesis offers are not
# run: positive_data_acceptance (a schema-valid body may still break a domain rule
# the schema cannot express, e.g. "H3 needs a handling note", and must answer 400),
# use_after_free / ensure_resource_availability (records are archived, never deleted),
# ignored_auth (covered by tests/api), missing_required_header (none is required).
#
# Bounded: a few examples per operation, one worker, well under six minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${CONTRACT_PORT:-8765}
DB=${CONTRACT_DB:-caricc_contract}
REDIS_DB=${CONTRACT_REDIS_DB:-10}
MAX_EXAMPLES=${CONTRACT_MAX_EXAMPLES:-8}
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export CELERY_BROKER_URL=redis://127.0.0.1:6379/$REDIS_DB
export DEMO_PASSWORD=${DEMO_PASSWORD:-caricc-demo-2026}
# The fuzzer sends thousands of requests: throttling is tested in tests/api, not here.
export API_THROTTLE_RATE_USER=${API_THROTTLE_RATE_USER:-1000000/hour}
export API_THROTTLE_RATE_TOKEN=${API_THROTTLE_RATE_TOKEN:-1000000/hour}
WORK=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -z "${CONTRACT_REUSE_DB:-}" ]]; then
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
fi
$PY manage.py migrate --noinput --verbosity 0
$PY manage.py seed_demo >/dev/null
redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null

.venv/bin/celery -A caricc_portal worker --loglevel=WARNING --concurrency=2 -Q celery,notify,reports \
  >"$WORK/worker.log" 2>&1 &
pids+=($!)
.venv/bin/gunicorn caricc_portal.wsgi --bind 127.0.0.1:$PORT --workers 3 --timeout 60 \
  >"$WORK/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 1; done

TOKEN=$($PY manage.py create_api_token partner-kz --name contract 2>/dev/null)
# An officer's browser session: a signed-in session row, and a CSRF secret sent as
# cookie and header (Django's double-submit check for unsafe methods).
read -r SESSION CSRF < <($PY manage.py shell --no-imports -v 0 -c "
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
from members.models import User
user = User.objects.get(username='officer-kz')
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = 'members.backends.PortalModelBackend'
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(s.session_key, _get_new_csrf_string())
")

run_schemathesis() {
  local who=$1
  shift
  echo "--- schemathesis as $who"
  .venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/schema/" "$@" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,negative_data_rejection \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --request-timeout 30 \
    --seed 16 \
    --generation-deterministic \
    --max-time 120 \
    --no-color
}
status=0
run_schemathesis "partner-kz (token)" -H "Authorization: Token $TOKEN" || status=1
run_schemathesis "officer-kz (session)" \
  -H "Cookie: sessionid=$SESSION; csrftoken=$CSRF" -H "X-CSRFToken: $CSRF" -H "Referer: http://127.0.0.1:$PORT/" \
  || status=1

echo "--- a generated client drives a partner's day"
curl -fs -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT/api/schema/?format=json" -o "$WORK/schema.json"
(cd "$WORK" && "$OLDPWD/.venv/bin/openapi-python-client" generate --path schema.json --meta none \
  --output-path caricc_client >/dev/null)
PYTHONPATH="$WORK" CONTRACT_BASE_URL="http://127.0.0.1:$PORT" CONTRACT_TOKEN="$TOKEN" \
  $PY tests/api_contract/partner_day.py || status=1

if ((status)); then
  echo "--- server log (tail)"
  tail -50 "$WORK/server.log"
fi
exit $status
