"""Django settings, read from the environment (12-factor). See CONTRACT.md "Configuration"."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

from plenary.core.config import data_dir, env, env_bool, env_list, secret_key, site_address

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("PLENARY_DEBUG", False)
# Unset, both follow HOST/PORT (what `make run` and `plenary serve` bind to), so links, pass QR codes and
# certificate "Verify" codes point where the server really answers (the LAN address when HOST=0.0.0.0).
_DERIVED_BASE_URL, _DERIVED_HOSTS = site_address(env("HOST", "127.0.0.1"), env("PORT", "8000"))
BASE_URL = (env("PLENARY_BASE_URL") or _DERIVED_BASE_URL).rstrip("/")
ALLOWED_HOSTS = env_list("PLENARY_ALLOWED_HOSTS", ",".join(_DERIVED_HOSTS))
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith(("http://", "https://")) else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "plenary.core",
    "plenary.organisations",
    "plenary.programmes",
    "plenary.registrations",
    "plenary.attendance",
    "plenary.engagement",
    "plenary.media",
    "plenary.publicity",
    "plenary.checkin",
    "plenary.certificates",
    "plenary.privacy",
    "plenary.messaging",
    "plenary.reports",
    "plenary.api",
    "plenary.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "plenary.core.middleware.SecurityHeadersMiddleware",
    "plenary.core.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "plenary.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "plenary.checkin.middleware.CheckinStaffOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "plenary.site.urls"
WSGI_APPLICATION = "plenary.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plenary.core.context_processors.site",
                "plenary.access.context_processors.menu",
            ],
        },
    }
]


def _database() -> dict:
    url = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'plenary.sqlite3'}"
    # Connections persist across requests on both engines (a new PostgreSQL connection costs several
    # milliseconds, a new SQLite one re-runs the PRAGMAs) and are checked before each request reuses them.
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
        # BEGIN, so concurrent writers queue on the busy timeout instead of failing with
        # "database is locked" when a read transaction tries to upgrade.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            # How long a process waits for SQLite's write lock. The web tier (site/wsgi.py) waits
            # only PLENARY_SQLITE_WEB_BUSY_SECONDS, then answers 503 with Retry-After.
            "timeout": float(env("PLENARY_SQLITE_BUSY_SECONDS", "30")),
        }
        config["TEST"] = {"NAME": str(DATA_DIR / "test-plenary.sqlite3")}
    else:
        # The hand-written hot-path statements (core/sql.py) are the only prepared ones (Django's own
        # cursors bind on the client). Plan each once per connection: by default PostgreSQL plans a
        # prepared statement afresh for its first five runs on every connection, and for good when
        # its statistics are stale, which cost a millisecond of the database's CPU per door scan.
        options = config.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c plan_cache_mode=force_generic_plan").strip()
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Django's backend with a health check that looks at the socket before it sends SELECT 1.
            config["ENGINE"] = "plenary.core.postgresql"
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The figures' covering indexes carry extra columns (INCLUDE) on PostgreSQL; SQLite builds the same
# indexes without them, which is all it can do, so its warning says nothing worth acting on.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env("REDIS_URL")
# "limits" holds the rate limits and login throttles (core/ratelimit.py): it must be shared by every
# process and node, so it is Redis when configured, else a table in the database.
if REDIS_URL:
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {"default": _redis, "limits": {**_redis, "KEY_PREFIX": "limits"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {
            # Django's database cache, with a count in one statement (core/ratelimit.py).
            "BACKEND": "plenary.core.ratelimit.LimitsTable",
            "LOCATION": "plenary_limits",
            "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 4},
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Reverse proxies (addresses or networks) whose X-Forwarded-For header names the client.
PLENARY_TRUSTED_PROXIES = env_list("PLENARY_TRUSTED_PROXIES", "")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "programmes:manage-home"
LOGOUT_REDIRECT_URL = "programmes:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("PLENARY_TIME_ZONE", "Asia/Hong_Kong")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "plenary.core.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Security: production-safe by default. Cookies are marked Secure whenever Plenary is served
# over HTTPS (the base URL says so); behind a TLS-terminating proxy, X-Forwarded-Proto is trusted.
_https = BASE_URL.startswith("https://")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = _https and env_bool("PLENARY_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest request body accepted at all (413 before it is read); the largest upload is a 40 MB
# meeting report.
PLENARY_MAX_REQUEST_BYTES = int(env("PLENARY_MAX_REQUEST_BYTES", str(48 * 1024 * 1024)))


def _email() -> dict:
    """EMAIL_URL like smtp://user:password@host:587?tls=1; unset writes messages to var/mail/."""
    url = env("EMAIL_URL")
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(DATA_DIR / "mail"),
        }
    parts = urlparse(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "") in {"1", "true", "yes"},
        "EMAIL_TIMEOUT": 20,
    }


globals().update(_email())
# A TrueType font with Chinese glyphs, embedded (as a subset) in every PDF Plenary makes.
PLENARY_CJK_FONT = env("PLENARY_CJK_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# How long a gunicorn process may keep an API token's user in memory (0: look it up on every call).
# A revoked token or a deactivated account is refused by every process within this many seconds.
PLENARY_TOKEN_CACHE_SECONDS = float(env("PLENARY_TOKEN_CACHE_SECONDS", "5"))
# The hottest use cases (a registration, a door arrival) run as one statement on PostgreSQL outside a
# transaction; 0 forces their portable path, built from the same named statements (core/sql.py).
PLENARY_ONE_STATEMENT_SQL = env_bool("PLENARY_ONE_STATEMENT_SQL", True)
# Two trivial views on the same stack for `plenary bench pages` to measure beside the real paths
# (site/benchviews.py): off unless asked for.
PLENARY_BENCH_VIEWS = env_bool("PLENARY_BENCH_VIEWS", False)
# A long job (a certificate issuing run) writes a heartbeat while it runs; one whose heartbeat is older
# than this is taken to have died with its worker, and is picked up again (worker sweep or re-click).
PLENARY_JOB_STALE_SECONDS = float(env("PLENARY_JOB_STALE_SECONDS", "60"))
# How long a web request waits for SQLite's write lock before it answers 503 with Retry-After: a
# person should not watch a spinner for the 30 s the worker and commands wait (PLENARY_SQLITE_BUSY_SECONDS).
PLENARY_SQLITE_WEB_BUSY_SECONDS = float(env("PLENARY_SQLITE_WEB_BUSY_SECONDS", "5"))
# PDPO retention: personal data are anonymised this many days after a programme ends, unless the
# programme sets its own period (privacy.Retention).
PLENARY_RETENTION_DAYS = int(env("PLENARY_RETENTION_DAYS", "730"))
DEFAULT_FROM_EMAIL = env("PLENARY_FROM_EMAIL", "Plenary <noreply@plenary.invalid>")
# Text messages: unset writes them under <data dir>/sms/; an http(s) URL posts each to that SMS gateway
# as JSON {"to", "text"} with "Authorization: Bearer <PLENARY_SMS_TOKEN>".
PLENARY_SMS_URL = env("PLENARY_SMS_URL", "")
PLENARY_SMS_TOKEN = env("PLENARY_SMS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"mask_tokens": {"()": "plenary.core.logs.MaskTokensFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env("PLENARY_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # These log request paths, which under /me/ and /j/ carry a private token: masked at the source,
        # so that every handler (files, journald, a test's capture) receives the masked line.
        "django.request": {"filters": ["mask_tokens"]},
    },
}
