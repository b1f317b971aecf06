"""Settings for the CARICC portal.

One flat file driven by the environment (12-factor). With nothing set, a fresh
checkout runs on the embedded default: a SQLite file under var/ and Celery tasks
run eagerly in-process. Production hardening lives in settings_production.py.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env file is convenient for development; the real environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (container secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)
# Development default only; settings_production refuses to start without a real key.
SECRET_KEY = env_secret("SECRET_KEY") or "dev-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_celery_results",
    "django_celery_beat",
    "simple_history",
    "django_countries",
    # ours: the foundation, then the domain apps (docs/ARCHITECTURE.md)
    "core",
    "members",
    "intel",
    "operations",
    "donors",
    "reports",
    "notifications",
    "sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "caricc_portal.middleware.RequestIdMiddleware",
    # A NUL byte or control character in the path: 400 before any routing or query.
    "core.request_guards.PathGuardMiddleware",
    # Cache-Control: no-store on every signed-in, API and download response.
    "core.request_guards.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caricc_portal.middleware.SessionLifetimeMiddleware",
    "caricc_portal.middleware.Require2FAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database lock/statement timeout or a broker outage: 503 + Retry-After, not 500.
    "core.middleware.ServiceUnavailableMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caricc_portal.urls"
WSGI_APPLICATION = "caricc_portal.wsgi.application"
ASGI_APPLICATION = "caricc_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caricc_portal.context_processors.portal",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'caricc.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Bounds on every statement and lock wait of a web request (PostgreSQL), so a request
# whose client gave up cannot keep writing, and a waiting writer gets a 503 with
# Retry-After (core.middleware) instead of hanging. Celery workers get longer ones
# (WORKER_*, set on each worker connection by core.db). 0 disables.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=5_000)
WORKER_STATEMENT_TIMEOUT_MS = env.int("WORKER_STATEMENT_TIMEOUT_MS", default=15 * 60_000)
WORKER_LOCK_TIMEOUT_MS = env.int("WORKER_LOCK_TIMEOUT_MS", default=60_000)
# No parallel query plans for web requests (Celery workers get PostgreSQL's default back,
# core.db): pages are LIMIT 51 OLTP reads on a 2-core box, and when PostgreSQL expects
# fewer rows than the limit it picks a Gather (Merge) whose worker start-up alone costs
# 5-15 ms against 0.02-0.2 ms serial (a state's created_before a year ago, updated_since
# the last day: docs/performance.md, issue 16), or whose ordered merge makes the workers
# read a whole state's rows (400 ms).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
        " -c max_parallel_workers_per_gather=0"
    )
# The password never sits in DATABASE_URL in a deployment: DATABASE_PASSWORD_FILE
# names a container secret (docker-compose.yml), DATABASE_PASSWORD is the plain fallback.
if _db_password := env_secret("DATABASE_PASSWORD"):
    DATABASES["default"]["PASSWORD"] = _db_password
# Optional streaming replica for heavy reads (report building, dashboards), chosen by
# core.replica inside `use_replica()` blocks only; writes never go there.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["PASSWORD"] = (
        DATABASES["replica"].get("PASSWORD") or env_secret("DATABASE_REPLICA_PASSWORD") or _db_password or ""
    )
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A replica that is down must not hold a report for the OS's TCP timeout.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("REPLICA_CONNECT_TIMEOUT", default=3)
    # Tests read the replica alias from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# Past this lag (seconds behind the primary) reads fall back to the primary;
# the lag is measured at most once per REPLICA_LAG_CHECK_SECONDS per process.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_LAG_CHECK_SECONDS = env.float("REPLICA_LAG_CHECK_SECONDS", default=5.0)
if env.str("TEST_DB_NAME", default=""):
    # Lets several checkouts or helpers test against one PostgreSQL server at once.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME")}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The model of a state, named like AUTH_USER_MODEL so that the foundation (core/)
# never imports the members app.
PORTAL_STATE_MODEL = "members.State"

# --- Users, authentication ----------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out account before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "members.backends.PortalModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Guardian: no anonymous user row; grants go to groups only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Two-factor: on in production, off in the demo (docs/ARCHITECTURE.md).
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "CARICC Portal"
# The admin never shows a user's TOTP secret or its QR code (its config views then
# answer 403 instead of reading the device unchecked).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Lockout after repeated failures (django-axes): the account, not the address, is locked.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
# Failures count per username AND address together: one person's mistakes lock
# that username at that address only, never a whole office behind one NAT address
# (nor a username everywhere, which anyone could do to anyone). Spraying across
# usernames is slowed by the API throttles and the reverse proxy's rate limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Number of trusted reverse proxies in front of the portal (X-Forwarded-For hops).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Sessions: the idle timeout and the absolute lifetime are enforced by
# caricc_portal.middleware.SessionLifetimeMiddleware, which renews the cookie at
# most once a minute instead of saving the session on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME_HOURS", default=12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation ------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Almaty")
USE_I18N = True
FORMAT_MODULE_PATH = ["caricc_portal.formats"]
USE_TZ = True

# --- Static and private files --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise warns on every start while collectstatic has not run yet.
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (attachments, reports) are never under a publicly served path;
# they leave only through permission-checked views.
PRIVATE_ROOT = Path(env.str("PRIVATE_ROOT", default=str(VAR_DIR / "private")))
MEDIA_ROOT = PRIVATE_ROOT
MEDIA_URL = "/private-files-are-not-served/"
# Where private files live, for every node alike: "filesystem" (PRIVATE_ROOT, a
# directory shared by all web and worker hosts, e.g. NFS) or "s3" (any S3-compatible
# store through django-storages; objects private, never linked to: downloads still
# go through the portal's permission-checked views). Models reach it as
# storages["private"] (core.storage.private_storage); "default" is the same place.
PRIVATE_STORAGE = env.str("PRIVATE_STORAGE", default="filesystem")
if PRIVATE_STORAGE == "s3":
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env_secret("S3_ACCESS_KEY", default="") or None,
            "secret_key": env_secret("S3_SECRET_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default="private"),
            # Never public: private ACL, signed URLs only, and unique names.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("S3_SIGNED_URL_SECONDS", default=60),
            "file_overwrite": False,
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
        },
    }
elif PRIVATE_STORAGE == "filesystem":
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"PRIVATE_STORAGE must be 'filesystem' or 's3', not {PRIVATE_STORAGE!r}")
STORAGES = {
    "default": _private_storage,
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage"),
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# Write isolation: the most seizure reports one API request may carry (413 beyond).
SEIZURE_BATCH_MAX = env.int("SEIZURE_BATCH_MAX", default=500)
# Validation at the door (core.validators): events may be dated at most this far
# ahead of the server's clock (clock skew); report periods lie within DATA_FIRST_YEAR
# and the current year.
EVENT_DATE_SKEW_HOURS = env.int("EVENT_DATE_SKEW_HOURS", default=24)
DATA_FIRST_YEAR = env.int("DATA_FIRST_YEAR", default=2000)
# Idempotency-Key answers and form one-time tokens are kept this long.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_MB", default=20) * 1024 * 1024
# Readiness (/readyz): the database and broker checks together answer within this.
READINESS_TIMEOUT_MS = env.int("READINESS_TIMEOUT_MS", default=200)
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=30)

# --- Security headers (CSP via django-csp 4) -----------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Swagger UI and htmx's indicator set inline styles.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- E-mail ----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The SMTP password as a container secret (EMAIL_PASSWORD_FILE) instead of inside EMAIL_URL.
if _email_password := env_secret("EMAIL_PASSWORD"):
    EMAIL_HOST_PASSWORD = _email_password
# Absolute links in e-mails (without it, messages carry site-relative paths).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Donor reminders (donors.tasks.send_reminders): N days before the due date, then
# every M days after it, at most K times.
DONORS_REMINDER_DAYS_BEFORE = env.int("DONORS_REMINDER_DAYS_BEFORE", default=7)
DONORS_REMINDER_EVERY_DAYS = env.int("DONORS_REMINDER_EVERY_DAYS", default=7)
DONORS_REMINDER_MAX_COUNT = env.int("DONORS_REMINDER_MAX_COUNT", default=5)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CARICC Portal <portal@caricc.example>")

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.authentication.HashedTokenAuthentication",
        "core.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        # First: an empty filter parameter is a 400, not "no filter" (API only; the UI's forms keep it).
        "core.api_filters.NonEmptyFilterBackend",
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api_filters.StrictBooleanFilterBackend",
        "core.api_filters.UpdatedSinceFilterBackend",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    # Per account (session or token) and per API token; read at request time
    # (core.throttling). 429 with Retry-After beyond.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.UserRateThrottle", "core.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_RATE_USER", default="6000/hour"),
        "token": env.str("API_THROTTLE_RATE_TOKEN", default="6000/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Partners send JSON; only the upload actions add MultiPartParser (issue 16), so the
    # schema declares application/json request bodies only.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)
# Seconds the answer "who is this API token" is cached (members.authentication); 0: never.
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=5)
# Seconds the bell's compiled count statement is kept per reader (notifications.services); 0: never.
BELL_SQL_CACHE_SECONDS = env.int("BELL_SQL_CACHE_SECONDS", default=60)
SPECTACULAR_SETTINGS = {
    "TITLE": "CARICC Portal API",
    "DESCRIPTION": "Information exchange, joint operations and donor tracking for the CARICC "
    "member states. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs map the API: signed-in users and tokens only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers and their body (core.api_schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.add_error_responses",
        "core.api_filters.require_nonempty_strings",
    ],
    # Several apps name a field "status" or "kind"; give each choice set one stable name.
    "ENUM_NAME_OVERRIDES": {
        "StateStatusEnum": "members.models.State.Status",
        "AgencyKindEnum": "members.models.Agency.Kind",
        "RecordKindEnum": "intel.vocabularies.RecordKind",
        "RecordStatusEnum": "intel.vocabularies.RecordStatus",
        "IdentifierKindEnum": "intel.vocabularies.IdentifierKind",
        "RFIStatusEnum": "intel.vocabularies.RFIStatus",
        "DisseminationRequestStatusEnum": "intel.models.DisseminationRequest.Status",
        "AccessActionEnum": "intel.models.AccessLog.Action",
        "OperationStatusEnum": "operations.choices.Status",
        "ConsentEnum": "operations.choices.Consent",
        "PledgeStatusEnum": "donors.choices.PledgeStatus",
        "InstalmentStatusEnum": "donors.choices.InstalmentStatus",
        "ObligationKindEnum": "donors.choices.ObligationKind",
        "ObligationStatusEnum": "donors.choices.ObligationStatus",
        "ReportKindEnum": "reports.choices.ReportKind",
        "ReportStatusEnum": "reports.choices.ReportStatus",
        "ParticipantRoleEnum": "operations.choices.ParticipantRole",
        "ParticipantRoleRequestEnum": ["participant", "transit", "observer"],
        "ChangeKindEnum": "sync.registry.KIND_CHOICES",
        "ChangeOpEnum": "sync.models.ChangeEvent.Op",
        "WebhookDeliveryStatusEnum": "sync.models.WebhookDelivery.Status",
    },
}

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker the embedded default runs tasks eagerly, in-process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = env.int("CELERY_RESULT_EXPIRES_HOURS", default=72) * 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Must exceed the hard time limit, or Redis redelivers a still-running task.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 300,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Three queues, so a long report never delays a notice (docs/deployment.md, "Queues"):
# "reports" (its own worker pool: prefetch 1, a memory cap per child), "notify"
# (e-mail and anything partner-facing) and the default "celery" for the rest.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    # The sweep must not wait behind long builds on the reports queue.
    "reports.tasks.sweep_reports": {"queue": "celery"},
    "reports.tasks.*": {"queue": "reports"},
    "operations.tasks.*": {"queue": "notify"},
    "intel.tasks.*": {"queue": "notify"},
    "donors.tasks.*": {"queue": "notify"},
    "notifications.tasks.*": {"queue": "notify"},
    # sync/tasks.py names its tasks "webhooks.*" (not by module): partner-facing deliveries.
    "webhooks.*": {"queue": "notify"},
}
CELERY_QUEUE_NAMES = ["celery", "reports", "notify"]
# Task durations and failures as Prometheus metrics (caricc_portal.metrics connects
# to Celery's task signals when the worker imports it).
CELERY_IMPORTS = ["caricc_portal.metrics"]
# `celery beat -S caricc_portal.beat:HeartbeatScheduler` touches this file on every
# tick; the container's health check reads its age.
BEAT_HEARTBEAT_FILE = env.str("BEAT_HEARTBEAT_FILE", default=str(VAR_DIR / "beat-heartbeat"))
# Reports (reports.tasks.sweep_reports, every minute): a row still "queued" this long
# after its message was sent is sent again (the broker may have lost it); a "running"
# one whose heartbeat is older than REPORTS_HEARTBEAT_STALE_SECONDS lost its worker
# and is queued again, at most REPORTS_MAX_RESTARTS times, then failed.
REPORTS_REQUEUE_AFTER_SECONDS = env.int("REPORTS_REQUEUE_AFTER_SECONDS", default=60)
REPORTS_HEARTBEAT_SECONDS = env.int("REPORTS_HEARTBEAT_SECONDS", default=20)
REPORTS_HEARTBEAT_STALE_SECONDS = env.int("REPORTS_HEARTBEAT_STALE_SECONDS", default=120)
REPORTS_MAX_RESTARTS = env.int("REPORTS_MAX_RESTARTS", default=3)
CELERY_BEAT_SCHEDULE = {
    # Each app's periodic jobs; the database scheduler syncs these at start.
    "reports-sweep": {"task": "reports.tasks.sweep_reports", "schedule": 60},
    "core-purge-expired-keys": {"task": "core.purge_expired_keys", "schedule": 3600},
    "celery-results-cleanup": {"task": "celery.backend_cleanup", "schedule": 24 * 3600},
    "intel-flag-overdue-rfis": {"task": "intel.tasks.flag_overdue_rfis", "schedule": 24 * 3600},
    "donors-send-reminders": {"task": "donors.tasks.send_reminders", "schedule": 24 * 3600},
    "notifications-send-digests": {"task": "notifications.tasks.send_digests", "schedule": 24 * 3600},
    "notifications-remind-reviews": {"task": "notifications.tasks.remind_reviews", "schedule": 24 * 3600},
    "reports-purge-expired": {"task": "reports.tasks.purge_expired_reports", "schedule": 24 * 3600},
}

# --- Caches ---------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Logging ------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (python-json-logger), for log shippers.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Metrics (Prometheus) ----------------------------------------------------------
# django-prometheus: request latency and counts by view. /metrics answers staff
# users, the addresses in METRICS_ALLOWED_IPS and a bearer METRICS_TOKEN (a secret).
# With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (docs/deployment.md).
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env_secret("METRICS_TOKEN", default="") or ""
if METRICS_ENABLED:
    INSTALLED_APPS = [*INSTALLED_APPS, "django_prometheus"]
    # First and (before Axes, which wants to be last) last, as django-prometheus asks.
    _axes_at = MIDDLEWARE.index("axes.middleware.AxesMiddleware")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE[:_axes_at],
        "django_prometheus.middleware.PrometheusAfterMiddleware",
        *MIDDLEWARE[_axes_at:],
    ]

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
