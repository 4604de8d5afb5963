"""pingan's Django settings: one module, driven by environment variables (see ``docs/configuration.md``).

The embedded default (no variables set) uses a SQLite file and a generated secret in the data directory, so
``pingan demo`` works on a fresh laptop. ``PINGAN_PRODUCTION=true`` turns on the checks that refuse an
unsafe deployment: debug on, no secret, or the generated development secret.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pingan.config.env import (
    DEV_SECRET_PREFIX,
    cache_settings,
    data_dir,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    generated_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("PINGAN_PRODUCTION", False)
DEBUG = env_bool("PINGAN_DEBUG", False)

_database_url = env_secret("PINGAN_DATABASE_URL")
DATA_DIR = data_dir() if (_database_url is None or not PRODUCTION) else Path(env_str("PINGAN_DATA_DIR", "."))
EMBEDDED = _database_url is None

SECRET_KEY = env_secret("PINGAN_SECRET_KEY") or ""
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("PINGAN_PRODUCTION is on: PINGAN_DEBUG must be off in production")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "PINGAN_PRODUCTION is on: set PINGAN_SECRET_KEY or PINGAN_SECRET_KEY_FILE (at least 50 random chars)"
        )
    if SECRET_KEY.startswith(DEV_SECRET_PREFIX):
        raise ImproperlyConfigured(
            "PINGAN_PRODUCTION is on: PINGAN_SECRET_KEY is the generated development secret; set a real one"
        )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("PINGAN_SECRET_KEY is too short for production: use at least 50 characters")
elif not SECRET_KEY:
    SECRET_KEY = generated_secret(DATA_DIR)

# Django's admin (/admin/): off unless asked for (PINGAN_ADMIN=true), e.g. on an internal-only instance; pingan's
# own pages and `pingan` commands cover the daily work, and the admin bypasses their audit trail.
ADMIN_ENABLED = env_bool("PINGAN_ADMIN", False)

ALLOWED_HOSTS = env_list("PINGAN_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PINGAN_CSRF_TRUSTED_ORIGINS", [])

if _database_url:
    # health checks: a persistent connection that the server dropped (a restart, pg_terminate_backend) is
    # replaced before a request uses it, instead of answering that request with a 500
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:  # dj_database_url.UnknownSchemeError is one; the URL itself is not said (a password)
        scheme = _database_url.split("://", 1)[0] if "://" in _database_url else ""
        raise ImproperlyConfigured(
            f"PINGAN_DATABASE_URL: {f'the scheme {scheme!r} is not a database' if scheme else 'not a URL'}: use "
            "postgres://user@host:5432/name, or leave it unset for the embedded SQLite database") from exc
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "pingan.sqlite3"),
            # one writer at a time: a writer waits up to the busy timeout for the lock (then "database is
            # locked", which the loops wait out: pingan.core.dbbusy); IMMEDIATE takes the lock at BEGIN, so
            # no transaction fails half-way on upgrading a read lock
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": env_int("PINGAN_SQLITE_TIMEOUT", 20),
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    }

# Two PostgreSQL features SQLite lacks, said by Django's checks on every `pingan migrate` of the embedded default
# (a new user read them as something wrong): shift_assignment_once's NULLS NOT DISTINCT (dispatch.services builds a
# shift's assignments once per person and unit; the constraint is PostgreSQL's backstop) and the covering index's
# INCLUDE columns of stats.DailyCount (speed only). docs/configuration.md lists them. PostgreSQL never raises them.
SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

# Shared by every process of the installation (server workers, the CLI, the task worker): the safety-code
# trust store and revocation lists, and the rate-limit counters, must not be per process (docs/configuration.md).
CACHES = cache_settings("PINGAN_CACHE_URL", env_secret("PINGAN_CACHE_URL"), DATA_DIR)

INSTALLED_APPS = [
    # first: its commands replace Django's of the same name (``changepassword``, in the user's language)
    "pingan.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # /api/docs then serves the Swagger UI assets django-ninja ships (no CDN: works offline)
    "axes",
    "django_tasks",
    "django_tasks_db",
    "pingan.screening",
    "pingan.codes",
    "pingan.dashboard",
    "pingan.alerts",
    "pingan.stats",
    "pingan.antifraud",
    "pingan.dispatch",
    "pingan.citizen",
    "pingan.evidence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # a wrong method: the 405 page, or the API's problem document; before CSRF, so a form sent to a page that
    # only shows is not called an expired form
    "pingan.core.middleware.MethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pingan.core.security.SessionIdleMiddleware",  # idle / old sessions signed out (PINGAN_SESSION_IDLE_MINUTES)
    "pingan.core.security.ContentSecurityPolicyMiddleware",  # request.csp_nonce; the CSP header (PINGAN_CSP)
    # refuses an over-long request body before anything reads it (CSRF reads it in process_view, later):
    # placed here so its page knows the user and the language (pingan.core.uploads)
    "pingan.core.uploads.UploadLimitMiddleware",
    # after the upload limit, since it reads form and JSON bodies
    "pingan.core.middleware.UnstorableTextMiddleware",  # NUL / lone surrogates: 400, never a database error
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pingan.core.middleware.AuditContextMiddleware",
    "pingan.core.middleware.ClientErrorMiddleware",  # why a page said 403/404, for the one-line log
    "pingan.core.middleware.RefillMiddleware",  # a form shown again names refused characters (⟨U+202E⟩)
    # axes last, so it sees the authenticated user
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"

# Lock-out (django-axes): N failures for one user name from one client address within the cool-off period.
# Never on the user name alone: anyone could then lock any officer out by typing wrong passwords for them.
AXES_FAILURE_LIMIT = env_int("PINGAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("PINGAN_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pingan.core.views.locked_out"  # the page says for how long

ROOT_URLCONF = "pingan.config.urls"
WSGI_APPLICATION = "pingan.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pingan.core.navigation.context_processor",
            ],
        },
    },
]

# Every Django form shows a refused value with its control characters named (⟨U+202E⟩), never raw.
FORM_RENDERER = "pingan.core.forms.RefillRenderer"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("PINGAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the project-wide CSS and vendored JS (src/pingan/static)
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# API lists (ninja's LimitOffsetPagination): ``limit`` above this answers 422 (docs/web.md), so one request
# cannot pull a whole table (100,000 rows were 18 MB in one response).
NINJA_PAGINATION_MAX_LIMIT = 1000

# database sessions whose idle-time touch never fails a page on a busy SQLite database (pingan.core.sessions)
SESSION_ENGINE = "pingan.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_FAILURE_VIEW = "pingan.core.errorpages.csrf_failure"  # the site's 403 page, saying the form expired
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production (issue 12 item 14): redirect plain HTTP, HSTS for a year. Behind a proxy that ends
# TLS, set PINGAN_TLS_PROXY=true so the proxy's X-Forwarded-Proto: https counts (and make the proxy set it).
SECURE_SSL_REDIRECT = env_bool("PINGAN_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("PINGAN_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PINGAN_TLS_PROXY", False) else None
SECURE_REFERRER_POLICY = "same-origin"
# A session lives at most PINGAN_SESSION_MAX_HOURS (12) from its sign-in and is signed out after
# PINGAN_SESSION_IDLE_MINUTES (30) unused (pingan.core.security); Django's default was 14 days.
SESSION_COOKIE_AGE = env_int("PINGAN_SESSION_MAX_HOURS", 12) * 3600


def _days(name: str, default: int, *, low: int, high: int, what: str, unit: str = "days") -> int:
    """A number of ``unit`` from ``name`` between ``low`` and ``high``; ``ImproperlyConfigured`` otherwise."""
    days = env_int(name, default)
    if not low <= days <= high:
        raise ImproperlyConfigured(f"{name}={days}: {what} is a number of {unit} from {low} to {high}")
    return days


def _bounded(name: str, default: int, *, low: int, high: int, what: str) -> int:
    """An integer from ``name`` between ``low`` and ``high``; ``ImproperlyConfigured`` otherwise."""
    value = env_int(name, default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={value}: {what} is a number from {low} to {high}")
    return value


def _retention_days(name: str, default: int) -> int:
    """A retention period in days from ``name``: an integer of at least 1 (0 would delete at once)."""
    days = env_int(name, default)
    if days < 1:
        raise ImproperlyConfigured(f"{name}={days}: a retention period is a number of days, at least 1")
    return days


def _events_url(url: str) -> str:
    """``PINGAN_EVENTS_URL``: empty (the database log) or a ``nats://`` / ``tls://`` URL."""
    if url and not url.startswith(("nats://", "tls://")):
        raise ImproperlyConfigured(f"PINGAN_EVENTS_URL={url!r}: use nats://host:4222, or leave it empty for the "
                                   f"database log")
    return url


# pingan's own settings
PINGAN = {
    # The private signing keys of the safety codes live here (files, 0600), never in the database.
    "KEY_DIR": Path(env_str("PINGAN_KEY_DIR", str(DATA_DIR / "keys"))),
    # The audit trail's secret key (keyed digests of the persons read, the records' MACs) and the checkpoint
    # signing key: files, 0600, never in the database (pingan.core.auditkeys, docs/audit.md).
    "AUDIT_KEY_DIR": Path(env_str("PINGAN_AUDIT_KEY_DIR", str(DATA_DIR / "audit-keys"))),
    # Signed checkpoints of the audit chain's head (pingan.core.checkpoints): where they are appended, and
    # how old the last may get before an audit write adds one (0: only `pingan audit checkpoint`, e.g. cron).
    "AUDIT_CHECKPOINT_FILE": Path(env_str("PINGAN_AUDIT_CHECKPOINT_FILE",
                                          str(DATA_DIR / "audit-checkpoints.jsonl"))),
    "AUDIT_CHECKPOINT_MINUTES": _days("PINGAN_AUDIT_CHECKPOINT_MINUTES", 10, low=0, high=1440,
                                      what="the interval of automatic audit checkpoints", unit="minutes"),
    # A code must be renewed by screening again: at most a year (366 days), at least a day.
    "CODE_VALIDITY_DAYS": _days("PINGAN_CODE_VALIDITY_DAYS", 7, low=1, high=366, what="a safety code's validity"),
    # Algorithm of newly created signing keys: ES256 (every browser's Web Crypto verifies it) or EdDSA
    # (Ed25519: faster to verify, docs/codes.md §11; Web Crypto since Chrome 137, Firefox 129, Safari 17).
    "CODE_KEY_ALG": env_choice("PINGAN_CODE_KEY_ALG", "ES256", ("ES256", "EdDSA")),
    # The public address of the verification page that door QR codes link to (docs/codes.md §12); empty: the
    # address the request came in on (pages), http://127.0.0.1:8000/verify/ (command line).
    "CODE_VERIFY_URL": env_str("PINGAN_CODE_VERIFY_URL", ""),
    # A roster leaving out flagged people that would lower the code: "review" (suspend, station queue) or "rule".
    "CODE_DROPPED_PEOPLE": env_choice("PINGAN_CODE_DROPPED_PEOPLE", "review", ("review", "rule")),
    # Signing the codes of a bulk re-derivation (a re-evaluation: tens of thousands) in a second process while
    # this one writes their audit records (pingan.codes.signing): "auto" (4,000 codes or more, more than one
    # core and the load average below their number), "on", "off".
    "CODE_SIGNING_PROCESS": env_choice("PINGAN_CODE_SIGNING_PROCESS", "auto", ("auto", "on", "off")),
    # Freeze "now" for rosters submitted without a date (pages, API): only for demonstrations with the
    # bundled 2022 risk data, e.g. PINGAN_SCREENING_AS_OF=2022-08-20. Empty in real use.
    "SCREENING_AS_OF": env_str("PINGAN_SCREENING_AS_OF", ""),
    "RESULTS_DIR": Path(env_str("PINGAN_RESULTS_DIR", str(DATA_DIR / "results"))),
    # The DuckDB batch engine's limits (the 2-core, 24 GiB reference machine).
    "DUCKDB_MEMORY_LIMIT": env_str("PINGAN_DUCKDB_MEMORY_LIMIT", "1500MB"),
    "DUCKDB_THREADS": env_int("PINGAN_DUCKDB_THREADS", 2),
    # The screening engine of web jobs and `pingan screen` (docs/screening-spark.md): duckdb, or spark with
    # its master (empty: local[*], or spark-submit's) and settings as spark.KEY=VALUE,… ; movement records
    # last at most this many days (0: unknown), so older date partitions are skipped.
    "SCREENING_ENGINE": env_choice("PINGAN_SCREENING_ENGINE", "duckdb", ("duckdb", "spark")),
    "SPARK_MASTER": env_str("PINGAN_SPARK_MASTER", ""),
    "SPARK_CONF": env_str("PINGAN_SPARK_CONF", ""),
    "MOVEMENT_MAX_STAY_DAYS": env_int("PINGAN_MOVEMENT_MAX_STAY_DAYS", 0),
    # Retention (pingan.screening.retention, PIPL Art. 19 and 47): days after a screening job finished until
    # its person data (result rows, roster and result files) is deleted, and days before the screening clock
    # after which an ended movement record is removed from the active movement datasets.
    "RETENTION_JOB_DAYS": _retention_days("PINGAN_RETENTION_JOB_DAYS", 30),
    "RETENTION_MOVEMENT_DAYS": _retention_days("PINGAN_RETENTION_MOVEMENT_DAYS", 60),
    # Alerts (docs/alerts.md). The durable event log: empty = the database (no broker); nats://host:port =
    # NATS JetStream, the scale-out path.
    "EVENTS_URL": _events_url(env_str("PINGAN_EVENTS_URL", "")),
    "EVENTS_STREAM": env_str("PINGAN_EVENTS_STREAM", "PINGAN_EVENTS"),
    "EVENTS_DUPLICATE_WINDOW_S": env_int("PINGAN_EVENTS_DUPLICATE_WINDOW_S", 600),
    "EVENTS_MAX_AGE_S": env_int("PINGAN_EVENTS_MAX_AGE_S", 7 * 86400),
    # Seconds the JetStream log waits for NATS (the first connection, a publish) before the request is answered
    # 503 event_log_unavailable (pingan.core.unavailable).
    "EVENTS_CONNECT_TIMEOUT_S": env_int("PINGAN_EVENTS_CONNECT_TIMEOUT_S", 2),
    # Devices publish to <prefix>/<device_id>/events on this broker (QoS 1).
    "MQTT_URL": env_str("PINGAN_MQTT_URL", "mqtt://127.0.0.1:1883"),
    "MQTT_TOPIC_PREFIX": env_str("PINGAN_MQTT_TOPIC_PREFIX", "pingan/v1/devices"),
    # GB/T 28181 edition for the meaning of type codes 215/216 (they differ between 2016 and 2022).
    "GB28181_EDITION": env_choice("PINGAN_GB28181_EDITION", "2022", ("2016", "2022")),
    # The rule set (a bundled name or a TOML path) and the escalation/grouping policy (a TOML path or empty for
    # the bundled default).
    "ALERTS_RULESET": env_str("PINGAN_ALERTS_RULESET", "street-default"),
    "ALERTS_POLICY": env_str("PINGAN_ALERTS_POLICY", ""),
    # Who is on duty: the roster class (issue 14's dispatch app replaces it).
    "ALERTS_DUTY_ROSTER": env_str("PINGAN_ALERTS_DUTY_ROSTER", "pingan.dispatch.roster.RosterDuty"),
    # large-event operations (docs/dispatch.md): their temporary rule sets, and who owns alerts in their area
    "ALERTS_TEMPORARY_RULESETS": env_str(
        "PINGAN_ALERTS_TEMPORARY_RULESETS", "pingan.dispatch.operation_rules.rulesets_for"
    ),
    "ALERTS_AREA_OWNER": env_str("PINGAN_ALERTS_AREA_OWNER", "pingan.dispatch.operation_rules.area_owner"),
    # An event more than this far in the future is refused (device clock skew allowance).
    "ALERTS_MAX_FUTURE_S": env_int("PINGAN_ALERTS_MAX_FUTURE_S", 300),
    # An event position farther than this from its device is refused (sign or datum errors).
    "ALERTS_MAX_DEVICE_DISTANCE_M": env_int("PINGAN_ALERTS_MAX_DEVICE_DISTANCE_M", 50_000),
    # How often the alert worker saves its rule state (seconds): a restarted worker re-runs the events since
    # (docs/alerts.md, "Event log").
    "ALERTS_SNAPSHOT_EVERY_S": _bounded("PINGAN_ALERTS_SNAPSHOT_EVERY_S", 30, low=1, high=3600,
                                        what="seconds between the alert worker's snapshots"),
    # A step of the alert worker (one batch) that takes longer than this is logged with its phases (ms; 0: never).
    "ALERTS_SLOW_STEP_MS": _bounded("PINGAN_ALERTS_SLOW_STEP_MS", 0, low=0, high=3_600_000,
                                    what="milliseconds of an alert worker's step before it is logged"),
    # Alert worker processes, each owning a share of the rules' keys (docs/alerts.md, "Scaling out").
    "ALERTS_WORKERS": _bounded("PINGAN_ALERTS_WORKERS", 1, low=1, high=64, what="alert worker processes"),
    # GA/T 1400: pingan's own 视图库 ID (20 digits: User-Identify and subscription IDs towards lower platforms)
    # and where lower platforms push the notifications of pingan's subscriptions.
    "VIID_SERVER_ID": env_str("PINGAN_VIID_SERVER_ID", ""),
    "VIID_RECEIVE_ADDR": env_str("PINGAN_VIID_RECEIVE_ADDR", "http://127.0.0.1:8000/VIID/SubscribeNotifications"),
    # Leased background jobs (pingan.core.jobs, docs/jobs.md): each job's memory (MB) and time (s) budget, how
    # often a job whose worker died is started again, how long a lease holds without a heartbeat, and how many
    # jobs `pingan worker` runs at once. JOBS_INLINE runs a queued job at once in the submitting process (the
    # test settings; never in production: no isolation, no budget).
    "JOB_MEMORY_MB": _bounded("PINGAN_JOB_MEMORY_MB", 4096, low=256, high=1 << 20, what="a job's memory budget in MB"),
    "JOB_SECONDS": _bounded("PINGAN_JOB_SECONDS", 1800, low=5, high=7 * 86400, what="a job's time budget in seconds"),
    "JOB_MAX_ATTEMPTS": _bounded("PINGAN_JOB_MAX_ATTEMPTS", 3, low=1, high=20, what="runs of a job whose worker died"),
    "JOB_LEASE_SECONDS": _bounded("PINGAN_JOB_LEASE_SECONDS", 30, low=2, high=3600, what="a job lease in seconds"),
    "WORKER_CONCURRENCY": _bounded("PINGAN_WORKER_CONCURRENCY", 2, low=1, high=64, what="jobs a worker runs at once"),
    # jobs of one submitter running at once, across all workers: the other slots stay free for everyone else
    "JOB_MAX_PER_SUBMITTER": _bounded("PINGAN_JOB_MAX_PER_SUBMITTER", 1, low=1, high=64,
                                      what="jobs one submitter may have running at once"),
    "JOBS_INLINE": env_bool("PINGAN_JOBS_INLINE", False),
    # Content-Security-Policy on every page (pingan.core.security): on in production unless PINGAN_CSP=false.
    "CSP": env_bool("PINGAN_CSP", PRODUCTION),
    "SESSION_IDLE_SECONDS": 60 * _bounded("PINGAN_SESSION_IDLE_MINUTES", 30, low=1, high=24 * 60,
                                          what="minutes a signed-in session may stay unused"),
    # Public code verifications per client address per minute (codes.api; counted atomically, core.ratelimit).
    "VERIFY_RATE_PER_MINUTE": _bounded("PINGAN_VERIFY_RATE_PER_MINUTE", 60, low=1, high=1_000_000,
                                       what="code verifications per address per minute"),
    # Landlords' and enterprises' self-registrations per client address per hour (core.services.signup_rate_hit).
    "SIGNUP_PER_HOUR": _bounded("PINGAN_SIGNUP_PER_HOUR", 5, low=1, high=10_000,
                                what="self-registrations per address per hour"),
    # The largest file an upload may carry (a roster, a statistics import), in bytes: the one source of the
    # limit every page, form, API error and doc states (pingan.core.uploads); a request body may be 1 MiB
    # larger (the rest of a multipart form) and is refused (413) from its Content-Length before it is read.
    "MAX_UPLOAD_BYTES": _bounded("PINGAN_MAX_UPLOAD_BYTES", 20 * 2**20, low=2**20, high=2**31,
                                 what="the largest uploaded file in bytes"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # An ordinary 4xx is one line without traceback; 5xx keep theirs (pingan.core.request_log).
    "filters": {"client_errors": {"()": "pingan.core.request_log.ClientErrorFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors"]}},
    "root": {"handlers": ["console"], "level": env_str("PINGAN_LOG_LEVEL", "WARNING")},
}
