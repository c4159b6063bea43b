"""Settings of the district methodological portal.

Everything that differs between a laptop demo and a district's server comes from the
environment (see the README's table). The defaults are the embedded ones: SQLite and a
Celery broker in files under ``var/``, so that ``./portal start`` needs no server.
"""

import os
import secrets
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The portal is served behind HTTPS in production; the embedded demo runs on plain HTTP.
SECURE = env.bool("SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
# The portal's own address for links in letters, which are sent with no request at hand (rmo_portal.notifications,
# from a Celery task): SITE_URL, by default the first of ALLOWED_HOSTS, over HTTPS when SECURE.
_first_host = ALLOWED_HOSTS[0].lstrip(".") if ALLOWED_HOSTS and ALLOWED_HOSTS[0] != "*" else "localhost"
SITE_URL = env.str("SITE_URL", default=f"{'https' if SECURE else 'http'}://{_first_host}").rstrip("/")
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every page: scripts, styles and fonts only from the portal itself, nothing inline, no frames around it
# (django-csp). Bootstrap's CSS draws some icons as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Django answers a failed CSRF check with an English page that mentions DEBUG; ours is Russian.
CSRF_FAILURE_VIEW = "rmo_portal.errors.csrf_failure"
# Longer request lines (path and query) are answered 414 by rmo_portal.middleware, in Russian; gunicorn runs
# with --limit-request-line 0 so that it does not answer first, in English.
REQUEST_LINE_MAX = env.int("REQUEST_LINE_MAX", default=8190)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "rmo_portal.third_party.AxesConfig",  # django-axes under a Russian heading in the admin
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "rmo_portal",
    "members",
    "associations",
    "meetings",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Russian pages for the statuses Django answers without a template (405) or not at all (414).
    "rmo_portal.middleware.ErrorPagesMiddleware",
    "rmo_portal.middleware.DistrictTimeZoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "members.middleware.ConsentRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes must come last: it throttles repeated failed log-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rmo_portal.urls"
WSGI_APPLICATION = "rmo_portal.wsgi.application"

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
                "rmo_portal.context_processors.portal",
            ],
            "builtins": ["rmo_portal.templatetags.portal"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing at once.
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a real Celery worker in a test can share the test database; one per test
    # run (process id), so that two runs on one checkout never delete each other's database.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")}
else:
    # Persistent connections: without them pages were 25–57 % slower on these machines.
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    # The test database is copied from a template made with an ICU ru-RU locale, so that
    # ORDER BY sorts «Елисеева, Ёлкина, Яковлева» (rmo_portal.db.ensure_icu_template).
    _db["TEST"] = {"TEMPLATE": env.str("DB_TEST_TEMPLATE", default="rmo_portal_icu_template")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Five wrong passwords in a row lock the pair (user name, address) for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# «Забыли пароль?»: at most this many letters per e-mail address (beyond: silently none, the same page) and
# requests per client address (beyond: a 429 page) within the window, counted in the cache.
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
PASSWORD_RESET_WINDOW = env.int("PASSWORD_RESET_WINDOW", default=3600)  # seconds
# The public check of a signature code (/verify/): lookups per client address within the window, beyond: 429.
# Codes are 10 of 31 characters, far beyond guessing; the limit only keeps a script from trying in bulk.
VERIFY_LIMIT_PER_IP = env.int("VERIFY_LIMIT_PER_IP", default=30)
VERIFY_WINDOW = env.int("VERIFY_WINDOW", default=600)  # seconds

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
USE_I18N = True
# The portal's own Russian where Django's admin pattern breaks the grammar (locale/ru/LC_MESSAGES, .mo committed).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
# Each district runs in its own zone: Вилюйск is Asia/Yakutsk (UTC+9).
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads (rmo_portal.files): the largest file, in MB, per use.
UPLOAD_LIMITS_MB = {
    "evidence": env.float("UPLOAD_EVIDENCE_MB", default=10),
    "document": env.float("UPLOAD_DOCUMENT_MB", default=20),
    "import": env.float("UPLOAD_IMPORT_MB", default=20),
}
# Files above this size go to a temporary file instead of memory while they are uploaded.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The first handler refuses a body over the largest limit before any byte is stored (a Russian 413).
FILE_UPLOAD_HANDLERS = [
    "rmo_portal.files.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# What a list to import may hold (members.importer): more is refused with a message naming the limit.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=60)
IMPORT_MAX_UNCOMPRESSED_MB = env.int("IMPORT_MAX_UNCOMPRESSED_MB", default=100)
# An uploaded list is deleted once confirmed, or after this many hours if it never is.
IMPORT_FILE_KEEP_HOURS = env.int("IMPORT_FILE_KEEP_HOURS", default=24)
# A file made in the background (export, schedule, long PDF) is kept this long, then deleted.
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
# Not an upload limit: the largest file a background export may make.
EXPORT_MAX_MB = env.float("EXPORT_MAX_MB", default=200)
# After a consent is withdrawn, the person's data are erased after this many days (152-ФЗ, ст. 21 ч. 5).
CONSENT_WITHDRAWAL_ERASE_DAYS = env.int("CONSENT_WITHDRAWAL_ERASE_DAYS", default=30)
# Invitations of imported teachers (members.services.invitations_queue): a link or a code is valid this many days;
# letters go in Celery tasks of this many; wrong codes are limited per user name and per address in a window.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)
INVITATION_BATCH_SIZE = env.int("INVITATION_BATCH_SIZE", default=50)
INVITATION_CODE_LIMIT = env.int("INVITATION_CODE_LIMIT", default=5)
INVITATION_CODE_WINDOW = env.int("INVITATION_CODE_WINDOW", default=900)  # seconds
# Repeated looks at the same data by the same person within this many minutes are one access-log entry.
ACCESS_LOG_MERGE_MINUTES = env.int("ACCESS_LOG_MERGE_MINUTES", default=10)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files (rmo_portal.files) on local disk under MEDIA_ROOT, or on S3-compatible object storage (MinIO on the
# district's server, or a cloud's). Either way they are served only through the portal's views, after a permission
# check: the bucket stays private, and a link to an object is signed (querystring_auth) should one ever be made.
FILES_STORAGE = env.str("FILES_STORAGE", default="local")
if FILES_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,  # empty: AWS itself
            "access_key": env.str("S3_ACCESS_KEY_ID"),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY"),
            "region_name": env.str("S3_REGION", default="us-east-1"),
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),  # MinIO needs path-style
            "default_acl": None,  # private: the bucket's policy, never public-read
            "querystring_auth": True,
            "file_overwrite": False,  # names are random, but a clash must never replace a file
            # A file being read is buffered in memory up to this size, then in a temporary file: a 200 MB export
            # served from a web worker must not sit in its memory (django-storages' default, 0, never spills).
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }
elif FILES_STORAGE != "local":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"FILES_STORAGE={FILES_STORAGE!r}: expected «local» or «s3».")
# Under pytest (or TESTING=1) pages render without running collectstatic first.
TESTING = env.bool("TESTING", default="pytest" in sys.modules)
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    # Hashing each factory-made password the slow, safe way would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A cache of this process only: throttle counters must not leak between concurrent test runs on one machine
    # (the root conftest clears it before each test).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}

# --- Mail -----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# EMAIL_URL=filemail:// writes each letter to a file in this directory (the live tests read a worker's letters).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Методический портал <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file transport: worker and beat must share one folder; one host only. Its exchange tables
    # (control_folder) default to ./control, wherever the process was started: keep them under var/ too.
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# Under pytest a task queued by a page runs at once in the test process (the real worker has its own tests).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# How often beat ticks the heartbeat, and how old the last tick may be for /healthz to be green.
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=30.0)
HEALTH_BEAT_MAX_AGE = env.int("HEALTH_BEAT_MAX_AGE", default=300)

# The hour (district time) of the daily deadline sweep: reminders arrive in the morning.
DEADLINES_SWEEP_HOUR = env.int("DEADLINES_SWEEP_HOUR", default=6)
# The hour (district time) of the daily digest of notifications (rmo_portal.notifications): after the sweep.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
# Backups (rmo_portal.backup, manage.py backup/restore): where the nightly archives go, the hour (district time)
# beat makes one, and how many of the newest are kept.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_HOUR = env.int("BACKUP_HOUR", default=2)
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)

# The one place where periodic work is declared. django-celery-beat's DatabaseScheduler copies
# it into its tables at start, where an administrator sees it (Админка → Periodic tasks).
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "rmo_portal.tasks.heartbeat",
        "schedule": HEARTBEAT_SECONDS,
    },
    "apply-orders": {
        "task": "associations.tasks.apply_orders",
        "schedule": crontab(hour=0, minute=5),
    },
    "purge-import-files": {
        "task": "members.tasks.purge_import_files",
        "schedule": crontab(minute=15),
    },
    "erase-withdrawn-personal-data": {
        "task": "members.tasks.erase_withdrawn",
        "schedule": crontab(hour=2, minute=40),
    },
    "clear-expired-sessions": {
        "task": "rmo_portal.tasks.clear_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-exports": {
        "task": "rmo_portal.tasks.purge_exports",
        "schedule": crontab(minute=45),
    },
    "publish-documents": {
        "task": "reports.tasks.publish_documents",
        "schedule": crontab(hour=0, minute=20),
    },
    "sweep-deadlines": {
        "task": "reports.tasks.sweep_deadlines",
        "schedule": crontab(hour=DEADLINES_SWEEP_HOUR, minute=0),
    },
    "notifications-digest": {
        "task": "rmo_portal.tasks.notifications_digest",
        "schedule": crontab(hour=NOTIFICATIONS_DIGEST_HOUR, minute=0),
    },
    "backup-nightly": {
        "task": "rmo_portal.tasks.backup_nightly",
        "schedule": crontab(hour=BACKUP_HOUR, minute=0),
    },
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# bench/run only: serves /bench/ceiling/, the base layout with a 50-row table and no queries of its own, the
# ceiling every page of the benchmark is compared with. Off everywhere else (the URL does not exist).
BENCH_CEILING = env.bool("BENCH_CEILING", default=False)

# What the portal calls itself in page titles, headers and PDFs.
PORTAL_NAME = env.str("PORTAL_NAME", default="Методический портал района")
DISTRICT_NAME = env.str("DISTRICT_NAME", default="Печорский район")
# The official name of the body that issues orders, in the genitive, as it heads an order.
# A real installation opens the first-run setup for the administrator until it is finished (associations/setup.py);
# the demo district is configured by seed_demo. Off in tests (they build their own districts).
FIRST_RUN_SETUP = env.bool("FIRST_RUN_SETUP", default=not TESTING)
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Управление образования администрации Печорского района")
