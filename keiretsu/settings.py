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
            ],
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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

# E-mail: printed to the console unless EMAIL_BACKEND names another backend (SMTP in production).
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
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

# Failed sign-ins allowed per e-mail address and client before a pause (password guessing).
# Several application servers share the count through a shared cache (CACHE_BACKEND, e.g. the
# database cache django.core.cache.backends.db.DatabaseCache with CACHE_LOCATION=keiretsu_cache).
SIGN_IN_MAX_FAILURES = env_int("SIGN_IN_MAX_FAILURES", 10)
SIGN_IN_LOCKOUT_SECONDS = env_int("SIGN_IN_LOCKOUT_SECONDS", 15 * 60)
CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": env_str("CACHE_LOCATION", "keiretsu"),
    }
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
# Reminder e-mails this many days before a request's due date (comma-separated), plus one
# when it is overdue; the daily sweep runs at REMINDER_HOUR, local time.
try:
    REMINDER_DAYS_BEFORE_DUE = [int(d) for d in env_str("REMINDER_DAYS_BEFORE_DUE", "14,3").split(",") if d.strip()]
except ValueError:
    raise ImproperlyConfigured("REMINDER_DAYS_BEFORE_DUE must be whole numbers of days, comma-separated") from None
REMINDER_HOUR = env_int("REMINDER_HOUR", 8)
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
