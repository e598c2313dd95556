"""Keiretsu settings: one module, driven by environment variables.

Every setting that differs between a laptop, CI and production is read from the environment
with a default that suits development (SQLite, DEBUG on, e-mail printed to the console).
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def database_from_url(url):
    """sqlite:///path/to.db or postgres://user:password@host:port/name?sslmode=require"""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        name = unquote(parts.path[1:]) if parts.path.startswith("/") else parts.path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / (name or "db.sqlite3"),
            # IMMEDIATE: a writing transaction takes the lock at BEGIN, so two requests
            # never deadlock upgrading a read lock; WAL lets readers go on meanwhile.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in ("postgres", "postgresql"):
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path[1:]),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": parts.port or "",
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": env_str("DB_TEST_NAME") or None},
        }
    raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parts.scheme!r}")


DEBUG = env_bool("DEBUG", True)
# With DEBUG on, Django answers a missing page with its debug page; the demo shows the
# product's own 404 instead (DEBUG_ERROR_PAGES=false, set by scripts/demo).
DEBUG_ERROR_PAGES = DEBUG and env_bool("DEBUG_ERROR_PAGES", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 (never used with DEBUG off)
ALLOWED_HOSTS = env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS").split(",") if o]
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "keiretsu.lib",
    "keiretsu.accounts",
    "keiretsu.catalogue",
    "keiretsu.assessments",
    "keiretsu.api",
    "django_tasks_db",
    "keiretsu.supplychain",
    "keiretsu.benchmark",
    "keiretsu.interchange",
    "keiretsu.reports",
    "keiretsu.improvement",
    "keiretsu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "keiretsu.lib.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "keiretsu.lib.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "keiretsu.urls"
WSGI_APPLICATION = "keiretsu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keiretsu.accounts.context_processors.navigation",
                "keiretsu.improvement.context_processors.todo",  # the menu's count of to-dos
            ],
            "builtins": ["keiretsu.lib.templatetags.typography"],  # {% sep %}: 「・」 / " · "
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Passwords (docs/security.md): at least 12 characters, not common, not like the person's
# name or address, not all digits, and none of the person's recent ones.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "keiretsu.accounts.passwords.RecentPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: printed to the console, decoded so that Japanese reads as Japanese (lib/mail.py),
# unless EMAIL_BACKEND names another backend (SMTP in production).
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "keiretsu.lib.mail.ReadableConsoleBackend")
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "keiretsu@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env_bool("HTTPS", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Member invitations are valid for this many days.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Supply chain (keiretsu.supplychain): requests, invitations, sharing, reminders ----------
# Background work goes through Django's tasks framework with django-tasks-db's database
# worker (`keiretsu db_worker`): no broker. TASKS_BACKEND=django.tasks.backends.immediate.
# ImmediateBackend runs tasks inside the web request instead (small installations, demos).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Supplier invitations are valid for this many days.
SUPPLIER_INVITATION_VALID_DAYS = env_int("SUPPLIER_INVITATION_VALID_DAYS", 14)
# No mail relay: e-mails to other companies (invitations, request notices, reminders) per
# organisation and day (docs/supplychain.md, "No mail relay").
OUTSIDE_MAIL_DAILY_LIMIT = env_int("OUTSIDE_MAIL_DAILY_LIMIT", 200)
# Reminder e-mails this many days before a request's due date (comma-separated), plus one
# when it is overdue; the daily sweep runs at REMINDER_HOUR, local time.
try:
    REMINDER_DAYS_BEFORE_DUE = [int(d) for d in env_str("REMINDER_DAYS_BEFORE_DUE", "14,3").split(",") if d.strip()]
except ValueError:
    raise ImproperlyConfigured("REMINDER_DAYS_BEFORE_DUE must be whole numbers of days, comma-separated") from None
REMINDER_HOUR = env_int("REMINDER_HOUR", 8)
# Reminders to the owner of an improvement action this many days before its due date (and one
# when it is overdue), in the same daily sweep hour.
try:
    ACTION_REMINDER_DAYS_BEFORE_DUE = [
        int(d) for d in env_str("ACTION_REMINDER_DAYS_BEFORE_DUE", "7").split(",") if d.strip()
    ]
except ValueError:
    raise ImproperlyConfigured("ACTION_REMINDER_DAYS_BEFORE_DUE must be whole numbers of days, comma-separated") from None
# Scores of suppliers that did not share with a customer directly are shown to it only as
# aggregates over at least BENCHMARK_MIN_GROUP_SIZE suppliers (the benchmark's k, below).

# --- Industry benchmark (keiretsu.benchmark) ----------------------------------------------
# k-anonymity: every published figure covers at least this many companies; smaller groups,
# and any group derivable from published ones by subtraction, are suppressed. The supply tree
# uses the same k for its averages over suppliers.
BENCHMARK_MIN_GROUP_SIZE = env_int("BENCHMARK_MIN_GROUP_SIZE", 5)
# Focus issues: the items a company has not achieved that at least this share (%) of its
# peers in the release achieved.
BENCHMARK_FOCUS_SHARE = env_int("BENCHMARK_FOCUS_SHARE", 70)

# --- interchange and reports (issue 5): Excel checksheets, CSV, the management PDF ------------
# The largest workbook accepted for upload (a filled checksheet, an official checksheet), in
# bytes. Larger uploads are cut off while they arrive, before anything is read.
INTERCHANGE_MAX_UPLOAD_BYTES = env_int("INTERCHANGE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# WeasyPrint reports each rendering step at INFO; keep the PDF's progress out of the logs.
LOGGING["loggers"] = {**LOGGING.get("loggers", {}), "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}}

# --- Issue 9: bounded uploads, production headers ----------------------------------------------
# Every upload passes the bounded handler first: a file past its limit is read and thrown away
# while it arrives, never kept (keiretsu/lib/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "keiretsu.lib.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A NUL character in a query parameter, form field or JSON body answers 400 (before the CSRF
# check and the view: keiretsu/lib/middleware.py).
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"), "keiretsu.lib.middleware.RejectNulMiddleware")

# Production headers (`keiretsu check --deploy` is clean with DEBUG off). HTTPS (default on)
# says the site is served over TLS: then browsers are told to use HTTPS only (HSTS, a year by
# default; HSTS_SECONDS=0 turns it off) and plain HTTP requests are redirected. Behind a
# reverse proxy that terminates TLS, set TRUSTED_PROXY=true so that its X-Forwarded-Proto
# header is believed (never without such a proxy: a client could send the header itself).
HTTPS = not DEBUG and env_bool("HTTPS", True)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
# Joining the browsers' preload list is the operator's decision (it is hard to undo).
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_SSL_REDIRECT = HTTPS and env_bool("SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUSTED_PROXY", False) else None
# What the pages never use (keiretsu.lib.middleware.PrivacyHeadersMiddleware sends it, with
# Cache-Control: private, no-store on everything a signed-in person is shown).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), publickey-credentials-get=(self), usb=()"
)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "keiretsu.lib.middleware.PrivacyHeadersMiddleware")

# === Production operations (issue 10): server, worker, shared cache, health, logs, backups ====
# Kept together so that other changes to this module merge cleanly. docs/deploy.md explains each.
INSTALLED_APPS += ["keiretsu.ops"]
# The request id comes first, so every later log line of the request carries it.
MIDDLEWARE.insert(0, "keiretsu.ops.requestlog.RequestLogMiddleware")

MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")  # uploaded files (default storage)
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")


def cache_from_env():
    """The default cache, shared by every application server and worker in production.

    CACHE_LOCATION=redis://host:6379/0 selects Redis; CACHE_BACKEND names any other backend.
    Without either: per-process memory while developing, and the database (table
    keiretsu_cache, created by `keiretsu serve`) in production, so that sign-in throttling
    holds across processes and servers even without Redis.
    """
    location = env_str("CACHE_LOCATION")
    backend = env_str("CACHE_BACKEND")
    if not backend:
        if location.startswith(("redis://", "rediss://", "unix://")):
            backend = "django.core.cache.backends.redis.RedisCache"
        elif DEBUG:
            backend = "django.core.cache.backends.locmem.LocMemCache"
        else:
            backend = "django.core.cache.backends.db.DatabaseCache"
    if backend.endswith("DatabaseCache"):
        location = location or "keiretsu_cache"
    cache = {"BACKEND": backend, "LOCATION": location or "keiretsu", "KEY_PREFIX": env_str("CACHE_KEY_PREFIX")}
    if backend.endswith("RedisCache"):
        # A dead Redis must not hang a request: fail fast and let the caller decide.
        cache["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    return cache


CACHES = {
    "default": cache_from_env(),
    # Catalogue text never changes once loaded (editions are immutable): each process keeps the
    # rendered item texts of the checklist in its own memory. Nothing to share between servers,
    # and 153 items cost no round trips to Redis or the database.
    "catalogue": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "catalogue",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
# Sessions live in the database, which every server shares; with Redis as the cache they are
# read through it (cached_db) to spare the database a query per request.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHES["default"]["BACKEND"].endswith("RedisCache")
    else "django.contrib.sessions.backends.db"
)

# Health checks answer on plain HTTP too: a load balancer probes each server directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# The web server (`keiretsu serve`): gunicorn's threaded workers. Sizing: docs/deploy.md.
WEB_BIND = env_str("WEB_BIND", "127.0.0.1:8000")
WEB_WORKERS = env_int("WEB_WORKERS", 3)
WEB_THREADS = env_int("WEB_THREADS", 4)
WEB_TIMEOUT = env_int("WEB_TIMEOUT", 60)  # seconds; the management PDF takes a few

# The task worker writes a heartbeat; /readyz fails when none is newer than READYZ_WORKER_MAX_AGE.
# A task still "running" under a worker silent for WORKER_LOST_AFTER seconds was interrupted:
# it is queued again (at most TASK_MAX_ATTEMPTS runs in all), then marked failed with the reason.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_LOST_AFTER = env_int("WORKER_LOST_AFTER", 90)
READYZ_WORKER_MAX_AGE = env_int("READYZ_WORKER_MAX_AGE", 300)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)

# Request logs: one line per request; LOG_FORMAT=json writes JSON lines (for a log collector).
# A request id given by the proxy in REQUEST_ID_HEADER is kept (if it looks like one).
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
REQUEST_ID_HEADER = env_str("REQUEST_ID_HEADER", "X-Request-ID")
LOGGING = {
    **LOGGING,
    "filters": {"request_id": {"()": "keiretsu.ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "keiretsu.ops.requestlog.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "loggers": {
        **LOGGING.get("loggers", {}),
        # Django's default configuration gives its "django" logger a console handler of its
        # own (with DEBUG on) besides the root's: every line would be printed twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # One line per request comes from keiretsu.request; Django's own would repeat 4xx/5xx.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

# Evidence files (issue 11): stored privately (never under the static files nor served by the
# web server), served only through an access-checked view. A folder by default (EVIDENCE_ROOT);
# EVIDENCE_STORAGE=s3://bucket/prefix keeps them in an S3-compatible bucket (django-storages).
# Backups include them (BACKUP_STORAGES).
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT") or BASE_DIR / "evidence")
EVIDENCE_STORAGE = env_str("EVIDENCE_STORAGE")
if EVIDENCE_STORAGE.startswith("s3://"):
    _evidence_bucket, _, _evidence_prefix = EVIDENCE_STORAGE.removeprefix("s3://").partition("/")
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _evidence_bucket,
            "location": _evidence_prefix.strip("/"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": EVIDENCE_ROOT, "base_url": None, "directory_permissions_mode": 0o700,
                    "file_permissions_mode": 0o600},
    }
# The largest evidence file, and all of an organisation's evidence together (bytes).
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_BYTES", 10 * 1024 * 1024)
EVIDENCE_MAX_ORGANISATION_BYTES = env_int("EVIDENCE_MAX_ORGANISATION_BYTES", 2 * 1024 * 1024 * 1024)
# The storages a backup holds besides the default one (uploaded files): STORAGES aliases.
BACKUP_STORAGES = [alias for alias in env_str("BACKUP_STORAGES", "evidence").split(",") if alias]

# Backups (`keiretsu backup`, `restore`, `backup --verify`; docs/deploy.md).
BACKUP_DIR = Path(env_str("BACKUP_DIR") or BASE_DIR / "backups")
# Encrypt archives with this Fernet key (`keiretsu backup --new-key` makes one). Several keys,
# comma-separated: the first encrypts, any of them decrypts (key rotation).
BACKUP_ENCRYPTION_KEY = env_str("BACKUP_ENCRYPTION_KEY")
# The copy away from the machine: a folder (another disk, a network mount) or an S3-compatible
# bucket, s3://bucket/prefix (django-storages: `uv sync --extra s3`; credentials in the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_S3_ENDPOINT_URL for other providers).
BACKUP_COPY_TO = env_str("BACKUP_COPY_TO")
if BACKUP_COPY_TO.startswith("s3://"):
    _bucket, _, _prefix = BACKUP_COPY_TO.removeprefix("s3://").partition("/")
    STORAGES["backup_copy"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "location": _prefix.strip("/"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "file_overwrite": False,
        },
    }
elif BACKUP_COPY_TO:
    STORAGES["backup_copy"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BACKUP_COPY_TO},
    }
# Scheduled backups, run by the worker every day at BACKUP_HOUR (local time; "off" for none),
# each verified; kept: the last BACKUP_KEEP_DAYS days, and the first of each of the last
# BACKUP_KEEP_MONTHS months (in BACKUP_DIR and in the copy).
_backup_hour = env_str("BACKUP_HOUR", "off" if DEBUG else "2")
BACKUP_HOUR = None if _backup_hour.lower() in ("", "off", "none") else env_int("BACKUP_HOUR", 2)
BACKUP_KEEP_DAYS = env_int("BACKUP_KEEP_DAYS", 7)
BACKUP_KEEP_MONTHS = env_int("BACKUP_KEEP_MONTHS", 12)

# === Accounts and identity (issue 8): django-allauth, MFA, shared rate limits, sessions =====
# docs/security.md explains each setting and what an operator must configure.
INSTALLED_APPS += ["django.contrib.humanize", "allauth", "allauth.account", "allauth.mfa", "allauth.usersessions"]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
MIDDLEWARE += [
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "keiretsu.accounts.middleware.AccountSecurityMiddleware",
]
ACCOUNT_ADAPTER = "keiretsu.accounts.adapters.AccountAdapter"
MFA_ADAPTER = "keiretsu.accounts.adapters.MFAAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "keiretsu.accounts.forms.SignUpDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
# Nothing that reaches another organisation happens before the address is verified; an
# account signs in only once it is (existing accounts verify at their next sign-in).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("EMAIL_CONFIRMATION_EXPIRE_DAYS", 3)
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False  # stored keys: a link works once
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False  # the link alone never signs anyone in
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True  # a new address replaces the old one only once it is verified
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the person when their password or address changes
# The same answer whether or not an address has an account (sign-up, sign-in, reset).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # this session stays; Django signs out all the others
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # the way in when password sign-in is paused (lock-out)
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "allauth.account.forms.EmailAwarePasswordResetTokenGenerator"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)  # seconds a reset link works
# Re-authentication (password or second factor) within this many seconds before sensitive changes.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_SECONDS", 5 * 60)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Keiretsu] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"

# Rate limits live in the default cache (CACHES above), which every worker and server shares:
# the database in production, Redis when CACHE_LOCATION names it. Failed sign-ins within
# SIGN_IN_FAILURE_WINDOW seconds: at most SIGN_IN_MAX_FAILURES per address from one client
# (METI SCS 4-1-5-3: lock after at least 10 failures), SIGN_IN_MAX_FAILURES_PER_CLIENT per
# client over all addresses, SIGN_IN_MAX_FAILURES_PER_ADDRESS per address over all clients
# (keiretsu.accounts.adapters.AccountAdapter; sign-in by an e-mailed code always remains).
SIGN_IN_MAX_FAILURES = env_int("SIGN_IN_MAX_FAILURES", 10)
SIGN_IN_MAX_FAILURES_PER_CLIENT = env_int("SIGN_IN_MAX_FAILURES_PER_CLIENT", 30)
SIGN_IN_MAX_FAILURES_PER_ADDRESS = env_int("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 100)
SIGN_IN_FAILURE_WINDOW = env_int("SIGN_IN_FAILURE_WINDOW", env_int("SIGN_IN_LOCKOUT_SECONDS", 15 * 60))
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": (
        f"{SIGN_IN_MAX_FAILURES_PER_CLIENT}/{SIGN_IN_FAILURE_WINDOW}s/ip,"
        f"{SIGN_IN_MAX_FAILURES}/{SIGN_IN_FAILURE_WINDOW}s/key"
    ),
    "signup": env_str("RATE_LIMIT_SIGNUP", "10/h/ip"),
    "reset_password": env_str("RATE_LIMIT_RESET_PASSWORD", "20/h/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": env_str("RATE_LIMIT_VERIFICATION_MAIL", "1/3m/key"),
    "request_login_code": "20/h/ip,5/15m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Other sending (member and supplier invitations, requests) through keiretsu.lib.limits.
RATE_LIMITS = {
    "login_failed_address": f"{SIGN_IN_MAX_FAILURES_PER_ADDRESS}/{SIGN_IN_FAILURE_WINDOW}s/key",
    # Per person: member and supplier invitations (each one), and sendings of requests (one
    # sending may reach every supplier on the list).
    "invitation": env_str("RATE_LIMIT_INVITATIONS", "200/h/user"),
    "request": env_str("RATE_LIMIT_REQUESTS", "60/h/user"),
}
# The client's address: behind TRUSTED_PROXY (above), the last X-Forwarded-For entry, which the
# proxy appends; otherwise the connection's address. One home for it: adapters.client_address.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if env_bool("TRUSTED_PROXY", False) else 0

# Second factors: TOTP (authenticator app) with recovery codes, and WebAuthn security keys and
# passkeys. Staff must have one; an organisation's owner can require one of every member.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Keiretsu")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TRUST_ENABLED = False

# Sessions: signed out after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS
# after signing in, whatever happens (keiretsu.accounts.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
USERSESSIONS_TRACK_ACTIVITY = False  # sessions are noted at sign-in: no write per page
